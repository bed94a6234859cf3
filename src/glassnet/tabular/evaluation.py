"""A model measured on the rows of a table: the metrics of ``glassnet evaluate``, of ``train``'s test rows
and of the HTML report, all from ``glassnet.metrics``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import metrics
from .cells import drop_missing, numbers
from .model import Model
from .preprocessing import Numeric, Preprocessor
from .table import Table


def usable_rows(table: Table, prep: Preprocessor, extra: list[str], drop: bool, hint: str | None = None) -> Table:
    """The table, checked to have the model's columns (plus ``extra``), without rows with missing cells if
    ``drop`` (else an error naming them)."""
    names = prep.input_columns + extra
    table.require(names)
    numeric = {c.name: isinstance(c, Numeric) for c in prep.columns}
    numeric[prep.target.name] = prep.task == "regression" or prep.target.numeric
    kwargs = {} if hint is None else {"hint": hint}
    return drop_missing(table, names, numeric, drop, **kwargs)


def evaluate(model: Model, table: Table, unknown: str = "error") -> dict[str, Any]:
    """Metrics of ``model`` on ``table`` (which holds the target), as a JSON-safe dict: ``task`` and ``n_rows``,
    then ``metrics.classification_report`` or ``metrics.regression_report``."""
    prep = model.preprocessing
    outputs = model.network.predict(prep.inputs(table, unknown)).astype(np.float64)
    values: dict[str, Any] = {"task": prep.task, "n_rows": len(table)}
    if prep.task == "regression":
        with np.errstate(over="ignore", invalid="ignore"):  # values beyond float64: the caller says so
            predicted = prep.target.decode(outputs)
        return {**values, **metrics.regression_report(numbers(table, prep.target.name), predicted)}
    return {**values, **metrics.classification_report(prep.targets(table), outputs, prep.target.classes)}
