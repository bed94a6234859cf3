"""Tables for networks: reading CSV files, preprocessing columns into inputs, splits, bundled data sets, and
the ``Model`` bundle (network + preprocessing + training record) that ``glassnet train`` saves.

    table        Table, read_csv                    cells as text, with their file lines
    cells        numbers, missing cells             each cell converted, every error naming line and column
    preprocessing Preprocessor, Numeric, Category, Target
    scaling      RobustScaler, QuantileScaler       one numeric column's scaling (median/IQR + smooth clip; ranks)
    splits       split, split_table                 seeded and stratified
    datasets     load, resolve, DATASETS             xor, moons, circles, spirals, iris
    model        Model, TrainingRecord                 (glassnet.load_model reads one)
    workflow     prepare, build_network, fit         what glassnet train and resume do
    evaluation   evaluate, usable_rows               metrics of a model on a table
"""
