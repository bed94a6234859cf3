"""The preprocessing that turns a table into network inputs and targets, fitted on the training rows and
saved with the model as plain JSON.

Inputs: numeric columns are standardized, x' = (x - mean) / scale with the training rows' mean and standard
deviation; text columns become one 0/1 column per category seen in training (one-hot). Targets: class labels
become integers 0..k-1 (classification); numbers are standardized like inputs (regression).
"""

from __future__ import annotations

import contextlib
import math
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from ..errors import InputError, ModelFileError
from .cells import class_label, numbers, standardize
from .table import Table, parse_number, quote, quote_names

Array = np.ndarray
MAX_CLASS_CODES = 20  # an integer target with at most this many distinct values means classification


@dataclass
class Numeric:
    """An input column of numbers, standardized:  x' = (x - mean) / scale."""

    name: str
    mean: float
    scale: float

    def encode(self, table: Table, unknown: str) -> Array:
        return standardize(table, self.name, self.mean, self.scale)[:, None]

    def to_json(self) -> dict:
        return {"name": self.name, "kind": "numeric", "mean": self.mean, "scale": self.scale}


@dataclass
class Category:
    """An input column of text, one-hot:  one 0/1 column per category seen in training, in sorted order."""

    name: str
    categories: list[str]

    def encode(self, table: Table, unknown: str) -> Array:
        index = {c: k for k, c in enumerate(self.categories)}
        out = np.zeros((len(table), len(self.categories)))
        for i, (cell, line) in enumerate(zip(table.column(self.name), table.lines)):
            k = index.get(cell)
            if k is not None:
                out[i, k] = 1.0
            elif unknown == "error":
                raise InputError(f"{table.where(line, self.name)}: category {quote(cell)} was never seen in training "
                                 f"(known: {quote_names(self.categories)})")
        return out

    def to_json(self) -> dict:
        return {"name": self.name, "kind": "category", "categories": self.categories}


@dataclass
class Target:
    """The column to predict. Classification: ``classes`` (labels in output order, from every row of the
    data, so the output layer has one unit per class). Regression: standardized with ``mean`` and ``scale``."""

    name: str
    task: str
    classes: list[str] | None = None
    numeric: bool = False  # classification: the labels are numbers (``1`` and ``1.0`` are the same class)
    mean: float = 0.0
    scale: float = 1.0

    def encode(self, table: Table) -> Array:
        """Integer labels (rows,) for classification, standardized values (rows, 1) for regression."""
        if self.task == "regression":
            return standardize(table, self.name, self.mean, self.scale)[:, None]
        index = {c: k for k, c in enumerate(self.classes)}
        labels = np.empty(len(table), dtype=np.intp)
        for i, (cell, line) in enumerate(zip(table.column(self.name), table.lines)):
            k = index.get(class_label(cell, self.numeric) if parse_number(cell) is not None else cell)
            if k is None:
                raise InputError(f"{table.where(line, self.name)}: class {quote(cell)} was never seen in training "
                                 f"(known: {quote_names(self.classes)})")
            labels[i] = k
        return labels

    def decode(self, outputs: Array) -> list[str] | Array:
        """Class names (argmax of the outputs) or values on the target's original scale."""
        if self.task == "regression":
            return outputs[:, 0] * self.scale + self.mean
        return [self.classes[k] for k in outputs.argmax(axis=1)]

    def to_json(self) -> dict:
        if self.task == "regression":
            return {"name": self.name, "task": "regression", "mean": self.mean, "scale": self.scale}
        return {"name": self.name, "task": "classification", "classes": self.classes, "numeric": self.numeric}


class Preprocessor:
    """Raw table -> network inputs and targets, fitted on training rows; saved in the model as plain JSON.

    ``columns``: one ``Numeric`` or ``Category`` per input column, in network-input order.
    ``target``: the ``Target``. ``means`` and ``scales`` give the whole input transform of all-numeric data as
    x' = (x - means) / scales, one entry per network input (a one-hot input has mean 0, scale 1).
    """

    def __init__(self, columns: list[Numeric | Category], target: Target) -> None:
        self.columns = columns
        self.target = target

    def __repr__(self) -> str:
        from ..viz.notebook import preprocessor_text

        return preprocessor_text(self)

    def _repr_html_(self) -> str:
        """Jupyter's view: what each input column becomes, and the target."""
        from ..viz.notebook import preprocessor_html

        return preprocessor_html(self)

    @property
    def task(self) -> str:
        return self.target.task

    @property
    def input_columns(self) -> list[str]:
        """The CSV columns the model reads (besides the target)."""
        return [c.name for c in self.columns]

    @property
    def feature_names(self) -> list[str]:
        """One name per network input: the column, or ``column=category`` for one-hot inputs."""
        return [n for c in self.columns for n in ([c.name] if isinstance(c, Numeric)
                                                  else [f"{c.name}={k}" for k in c.categories])]

    @property
    def has_categories(self) -> bool:
        """True if some input column is text (one-hot encoded)."""
        return any(isinstance(c, Category) for c in self.columns)

    @property
    def means(self) -> Array:
        """Per network input: the column's training mean (0 for one-hot inputs)."""
        return np.array([v for c in self.columns for v in ([c.mean] if isinstance(c, Numeric)
                                                           else [0.0] * len(c.categories))])

    @property
    def scales(self) -> Array:
        """Per network input: the column's training standard deviation (1 for one-hot and constant inputs)."""
        return np.array([v for c in self.columns for v in ([c.scale] if isinstance(c, Numeric)
                                                           else [1.0] * len(c.categories))])

    def scale_inputs(self, raw: Array) -> Array:
        """Network inputs from raw numbers, one column per network input: x' = (x - means) / scales."""
        return (raw - self.means) / self.scales

    @property
    def n_inputs(self) -> int:
        return len(self.feature_names)

    @property
    def n_outputs(self) -> int:
        return len(self.target.classes) if self.task == "classification" else 1

    def inputs(self, table: Table, unknown: str = "error") -> Array:
        """The network inputs (rows, n_inputs). ``unknown="ignore"`` encodes unseen categories as all zeros."""
        table.require(self.input_columns)
        return np.hstack([c.encode(table, unknown) for c in self.columns])

    def targets(self, table: Table) -> Array:
        table.require([self.target.name], what="evaluating needs (the target)")
        return self.target.encode(table)

    def to_json(self) -> dict:
        return {"columns": [c.to_json() for c in self.columns], "target": self.target.to_json()}

    @classmethod
    def from_json(cls, spec: object) -> Preprocessor:
        """Rebuild from ``to_json``'s dict; anything malformed raises ModelFileError."""
        try:
            columns = [_column_from_json(c) for c in spec["columns"]]
            target = _target_from_json(spec["target"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"the model's preprocessing is malformed ({type(exc).__name__}: {exc})") from None
        if not columns:
            raise ModelFileError("the model's preprocessing has no input columns")
        names = [c.name for c in columns] + [target.name]
        if len(set(names)) != len(names):
            raise ModelFileError("the model's preprocessing names a column twice (inputs and target must differ): "
                                 f"{reprlib.repr(names)}")
        return cls(columns, target)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {reprlib.repr(value)}")
    return value


def _finite(value: object, positive: bool = False) -> float:
    number = math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError):  # an int beyond the float range
            number = float(value)
    if not math.isfinite(number) or (positive and number <= 0):
        raise ValueError(f"expected a finite{' positive' if positive else ''} number, got {reprlib.repr(value)}")
    return number


def _texts(values: object) -> list[str]:
    if not isinstance(values, list) or not values or len(set(map(_text, values))) != len(values):
        raise ValueError(f"expected a non-empty list of distinct names, got {reprlib.repr(values)}")
    return values


def _column_from_json(spec: dict) -> Numeric | Category:
    kind = spec["kind"]
    if kind == "numeric":
        return Numeric(_text(spec["name"]), _finite(spec["mean"]), _finite(spec["scale"], positive=True))
    if kind == "category":
        return Category(_text(spec["name"]), _texts(spec["categories"]))
    raise ValueError(f"unknown column kind {reprlib.repr(kind)}")


def _target_from_json(spec: dict) -> Target:
    task = spec["task"]
    if task == "regression":
        return Target(_text(spec["name"]), task, mean=_finite(spec["mean"]), scale=_finite(spec["scale"], True))
    if task == "classification":
        classes = _texts(spec["classes"])
        if len(classes) < 2 or not isinstance(spec["numeric"], bool):
            raise ValueError("a classification target needs two or more classes and a true/false 'numeric'")
        return Target(_text(spec["name"]), task, classes=classes, numeric=spec["numeric"])
    raise ValueError(f"unknown task {reprlib.repr(task)}")


def choose_task(table: Table, target: str, numeric: bool, task: str) -> str:
    """``auto``: text or a few distinct integers (at most MAX_CLASS_CODES) mean classification."""
    if task == "regression" and not numeric:
        raise InputError(f"{table.source}: target column {quote(target)} holds text; regression needs numbers")
    if task != "auto":
        return task
    if not numeric:
        return "classification"
    values = set(numbers(table, target))
    small = len(values) <= MAX_CLASS_CODES and all(v.is_integer() for v in values)
    return "classification" if small else "regression"


def fit_classes(table: Table, target: str, numeric: bool) -> Target:
    """Every label of the target column, sorted (by value for numbers)."""
    labels = {class_label(cell, numeric) for cell in table.column(target)}
    if len(labels) < 2:
        raise InputError(f"{table.source}: target column {quote(target)} has a single class {quote(labels.pop())}; "
                         f"classification needs at least two")
    return Target(target, "classification", classes=sorted(labels, key=Decimal if numeric else str), numeric=numeric)


def fit_columns(train: Table, names: Sequence[str], numeric: dict[str, bool]) -> list[Numeric | Category]:
    """Standardization statistics and category lists, from the training rows only."""
    columns = []
    for name in names:
        if numeric[name]:
            mean, std = fit_standardization(train, name)
            columns.append(Numeric(name, mean, std or 1.0))  # a constant column standardizes to 0
        else:
            columns.append(Category(name, sorted(set(train.column(name)))))
    return columns


def fit_standardization(train: Table, name: str) -> tuple[float, float]:
    """(mean, standard deviation) of the column (ddof 0; 0 only for a constant column). Values so large that
    these overflow float64 are an InputError."""
    values = numbers(train, name)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        mean, std = float(values.mean()), float(values.std())
        if std == 0 and values.min() != values.max():  # tiny values (1e-200) whose squares underflow to 0
            largest = float(np.abs(values).max())
            std = float((values / largest).std()) * largest
    if not (math.isfinite(mean) and math.isfinite(std)):
        raise InputError(f"{train.source}, column {quote(name)}: values too large to standardize (their standard "
                         f"deviation overflows float64); divide the column by a power of ten")
    return mean, std
