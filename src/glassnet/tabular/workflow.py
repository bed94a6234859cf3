"""Training a network on a table, step by step, for ``glassnet train`` and ``glassnet resume`` (which are thin
layers over these functions) and for Python:

    prep, splits = prepare(table, "species", task="auto", val=0.1, test=0.2, seed=0)
    model = Model(build_network(prep, hidden=[16], activation="tanh", seed=0), prep)
    fit(model, splits, epochs=300, batch_size=default_batch_size(len(splits[0])), patience=30)
    evaluate(model, splits[2])          # glassnet.tabular.evaluation
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import InputError
from ..history import History
from ..layers import Dense, Dropout, Layer
from ..network import Network
from .cells import drop_missing, is_numeric
from .model import Model
from .preprocessing import Preprocessor, Target, choose_task, fit_classes, fit_columns, fit_standardization
from .splits import split_table
from .table import Table, quote

Splits = tuple[Table, Table, Table]


def prepare(table: Table, target: str, task: str, val: float, test: float, seed: int,
            drop: bool = False) -> tuple[Preprocessor, Splits]:
    """Check the table, split it and fit the preprocessing on the training rows: (preprocessor, splits).

    Every column but ``target`` is an input. ``task`` is auto, classification or regression; ``drop`` skips
    rows with empty, NaN or infinite cells instead of raising.
    """
    table.require([target], what="--target names")
    inputs = [c for c in table.columns if c != target]
    if not inputs:
        raise InputError(f"{table.source} has no column besides the target {quote(target)} to learn from")
    numeric = {c: is_numeric(table, c) for c in table.columns}
    table = drop_missing(table, table.columns, numeric, drop)
    task = choose_task(table, target, numeric[target], task)
    spec = fit_classes(table, target, numeric[target]) if task == "classification" else Target(target, task)
    splits = split_table(table, spec, val, test, seed)
    if task == "regression":
        spec.mean, spec.scale = fit_standardization(splits[0], target)
        if spec.scale == 0:
            raise InputError(f"{table.source}: target column {quote(target)} is {spec.mean:g} in every training row; "
                             "there is nothing to learn")
    return Preprocessor(fit_columns(splits[0], inputs, numeric), spec), splits


def default_batch_size(training_rows: int) -> int:
    """About 100 updates an epoch: 8 rows for small data (iris), up to 256 for large files, where 8 would
    make an epoch of 200,000 rows take a second and a whole run close to a minute."""
    return min(256, max(8, training_rows // 100))


def build_network(prep: Preprocessor, hidden: Sequence[int], activation: str, seed: int, dtype: str = "float64",
                  dropout: float = 0.0) -> Network:
    """inputs -> hidden layers (each followed by Dropout when ``dropout`` > 0) -> softmax classes or one linear
    output."""
    if dropout and not hidden:
        raise InputError("dropout acts on hidden layers, and this network has none: give --hidden sizes, or no "
                         "--dropout")
    sizes = [prep.n_inputs, *hidden]
    stack: list[Layer] = []
    for a, b in zip(sizes, sizes[1:]):
        stack.append(Dense(a, b, activation=activation))
        if dropout:
            stack.append(Dropout(dropout))
    classify = prep.task == "classification"
    stack.append(Dense(sizes[-1], prep.n_outputs, activation="softmax" if classify else "linear"))
    return Network(stack, seed=seed, dtype=dtype)


def loss_for(prep: Preprocessor) -> str:
    """Cross-entropy for classification, mean squared error (of the standardized target) for regression."""
    return "categorical_crossentropy" if prep.task == "classification" else "mse"


def fit(model: Model, splits: Splits, epochs: int, batch_size: int, patience: int | None, verbose: int = 0,
        callback: Callable[[int, dict[str, float]], None] | None = None, optimizer: Any = None) -> History:
    """Train ``model.network`` on the training rows, watching the validation rows (if any) for early stopping;
    ``optimizer`` for a new network (a resumed one goes on with its own)."""
    prep, (train, val, _) = model.preprocessing, splits
    validation = (prep.inputs(val, unknown="ignore"), prep.targets(val)) if len(val) else None
    return model.network.fit(prep.inputs(train), prep.targets(train), epochs=epochs, loss=loss_for(prep),
                             optimizer=optimizer, batch_size=batch_size, validation_data=validation,
                             early_stopping=patience or None, verbose=verbose, callback=callback)
