"""Integrations with other libraries: scikit-learn estimators (the ``glassnet[sklearn]`` extra; public as
``glassnet.sklearn``). Dask needs no code of glassnet's: see examples/sweep_dask.py."""
