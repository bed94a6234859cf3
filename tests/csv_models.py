"""Model files with CSV preprocessing, built from glassnet's Python API (as glassnet train saves them)."""

import numpy as np

import glassnet as gn
from glassnet.tabular import datasets
from glassnet.tabular.fitting import fit_classes, fit_columns
from glassnet.tabular.model import Model
from glassnet.tabular.preprocessing import Preprocessor, Target


def save_model(path, table, target, hidden=(8,), task="classification", epochs=60, seed=0):
    """Fit preprocessing and a tanh network on ``table`` (all rows) and save both to ``path`` as a Model bundle;
    returns the Model."""
    columns = fit_columns(table, [c for c in table.columns if c != target])
    if task == "classification":
        tgt = fit_classes(table, target)
    else:
        values = table.numbers(target)
        tgt = Target(target, "regression", mean=float(values.mean()), scale=float(values.std()))
    prep = Preprocessor(columns, tgt)
    sizes = [prep.n_inputs, *hidden]
    layers = [gn.Dense(a, b, activation="tanh") for a, b in zip(sizes, sizes[1:])]
    classify = task == "classification"
    layers.append(gn.Dense(sizes[-1], prep.n_outputs, activation="softmax" if classify else None))
    net = gn.Network(layers, seed=seed)
    net.fit(prep.inputs(table), prep.targets(table), epochs=epochs, batch_size=16, validation_split=0.2,
            loss="categorical_crossentropy" if classify else "mse", optimizer=gn.Adam(lr=0.02), verbose=0)
    model = Model(net, prep)
    model.save(path)
    return model


def moons_model(path, **kw):
    return save_model(path, datasets.load("moons"), "label", **kw)


def regression_csv(path, rows=60, seed=0):
    """A CSV whose target is 2*a - b plus noise."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=rows), rng.normal(size=rows)
    y = 2 * a - b + rng.normal(0, 0.1, rows)
    path.write_text("a,b,y\n" + "".join(f"{u:.5f},{v:.5f},{t:.5f}\n" for u, v, t in zip(a, b, y)))
    return path
