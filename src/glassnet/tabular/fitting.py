"""The preprocessing fitted on a table's training rows: which task the target asks for, its classes, and each
input column's statistics (mean and scale, the median that fills missing cells, a scaler, the categories)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from ..errors import InputError
from .preprocessing import Category, Numeric, Target
from .scaling import SCALERS, fit_scaler, mean_and_std
from .table import Table, quote

Array = np.ndarray

MAX_CLASS_CODES = 20  # an integer target with at most this many distinct values means classification ...
ROWS_PER_CODE = 5  # ... if it has this many rows per value (two values always do: 0/1 are classes)
SCALINGS = ("standard", *SCALERS)  # how numeric inputs may be scaled (fit_columns)


def choose_task(table: Table, target: str, task: str) -> str:
    """``auto``: text or a few distinct integers mean classification: two, or at most MAX_CLASS_CODES with
    ROWS_PER_CODE times as many rows (21 rows of 14 whole numbers are a measurement, not 14 classes)."""
    numeric = table.is_numeric(target)
    if task == "regression" and not numeric:
        raise InputError(f"{table.source}: target column {quote(target)} holds text; regression needs numbers")
    if task != "auto":
        return task
    if not numeric:
        return "classification"
    present, values = _target_values(table, target)
    few = len(values) <= 2 or len(values) <= MAX_CLASS_CODES and len(present) >= ROWS_PER_CODE * len(values)
    return "classification" if few and _whole(values) else "regression"


def codes_as_numbers(table: Table, target: str) -> str | None:
    """A warning where ``auto`` chose regression for a numeric target of at most MAX_CLASS_CODES distinct whole
    numbers (too few rows of each to be taken for classes), else None."""
    present, values = _target_values(table, target)
    if len(values) > MAX_CLASS_CODES or not _whole(values):
        return None
    shown = ", ".join(f"{v:g}" for v in values[:6]) + (", ..." if len(values) > 6 else "")
    return (f"target {quote(target)} holds {len(values)} distinct whole numbers ({shown}) in {len(present)} rows, "
            f"fewer than {ROWS_PER_CODE} rows per value, so they are read as numbers to predict (regression); if they "
            "are classes, pass --task classification")


def _target_values(table: Table, target: str) -> tuple[Array, Array]:
    """A numeric target's present values, and its distinct ones."""
    present = table.numbers(target)
    present = present[np.isfinite(present)]
    return present, np.unique(present)


def _whole(values: Array) -> bool:
    return bool(np.all(values == np.round(values)))


def fit_classes(table: Table, target: str) -> Target:
    """Every label of the target column, sorted (by value for numbers)."""
    numeric = table.is_numeric(target)
    spec = Target(target, "classification", numeric=numeric)
    labels = set(spec.label_codes(table)[0]) - {None}
    if len(labels) < 2:
        shown = f"a single class {quote(labels.pop())}" if labels else "no classes"
        raise InputError(f"{table.source}: target column {quote(target)} has {shown}; classification needs at "
                         "least two")
    spec.classes = sorted(labels, key=Decimal if numeric else str)
    return spec


def fit_columns(train: Table, names: Sequence[str], scaling: str = "standard") -> list[Numeric | Category]:
    """Standardization statistics (and with ``scaling`` "robust" or "quantile" that scaler, fitted on the present
    cells), fill values and category lists, from the training rows only."""
    columns: list[Numeric | Category] = []
    for name in names:
        gaps = bool(train.missing(name).any())
        if train.is_numeric(name):
            mean, std = fit_standardization(train, name)
            values = train.numbers(name)
            fill = float(np.median(values[~np.isnan(values)]))
            where = f"{train.source}, column {quote(name)}"
            scaler = None if scaling == "standard" else fit_scaler(scaling, values, where).to_json()
            columns.append(Numeric(name, mean, std or 1.0, fill, gaps, scaler))  # (a constant column: 0)
        else:
            present = train.data[name][~train.missing(name)]
            columns.append(Category(name, sorted(set(present)), gaps))
    return columns


def fit_standardization(train: Table, name: str) -> tuple[float, float]:
    """(mean, standard deviation) of the column's present cells (ddof 0; 0 only for a constant column). Values so
    large that these overflow float64, and infinite ones, are an InputError."""
    values = train.numbers(name)
    wide = np.flatnonzero(np.isinf(values))
    if wide.size:
        raise InputError(f"{train.where(int(wide[0]), name)}: {quote(train.text(name, int(wide[0])))} is not a finite "
                         "number")
    mean, std = (float(v[0]) for v in mean_and_std(values[~np.isnan(values), None]))
    if not (math.isfinite(mean) and math.isfinite(std)):
        i = int(np.nanargmax(np.abs(values)))
        raise InputError(f"{train.where(i, name)}: {quote(train.text(name, i))} is too large to standardize the "
                         "column with (the squares of its values overflow float64); correct the cell if it is "
                         "wrong, or divide the column by a power of ten")
    return mean, std
