"""The preprocessing that turns a table into network inputs and targets, fitted on the training rows and
saved with the model as plain JSON.

Inputs: numeric columns are standardized, x' = (x - mean) / scale with the training rows' mean and standard
deviation (or mapped by a robust or quantile scaler of ``scaling.py`` fitted on them); text columns become one 0/1
column per category seen in training (one-hot). Targets: class labels become integers 0..k-1 (classification);
numbers are standardized like inputs (regression).
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from ..errors import InputError, ModelFileError
from .cells import class_label
from .scaling import SCALERS, scaler_from_json
from .table import Table, quote, quote_names

Array = np.ndarray
MAX_CLASS_CODES = 20  # an integer target with at most this many distinct values means classification


MISSING = "(missing)"  # the category of a text column's missing cells
SCALINGS = ("standard", *SCALERS)  # how numeric inputs may be scaled (fit_columns)


@dataclass
class Numeric:
    """An input column of numbers, standardized:  x' = (x - mean) / scale, or with ``scaling`` (a scaler's
    ``to_json()``) that scaler's transform. A missing cell takes ``fill`` (the training rows' median) first; with
    ``indicator`` (the training rows had missing cells) a second input says 1 where the cell was missing, else 0."""

    name: str
    mean: float
    scale: float
    fill: float = 0.0
    indicator: bool = False
    scaling: dict | None = None  # None: standardized with mean and scale

    @property
    def features(self) -> list[str]:
        return [self.name] + ([f"{self.name} {MISSING}"] if self.indicator else [])

    def encode(self, table: Table, counts: Counts) -> Array:
        values = table.numbers(self.name)
        gaps = np.isnan(values)
        wide = np.flatnonzero(np.isinf(values))
        if wide.size:
            i = int(wide[0])
            raise InputError(f"{table.where(i, self.name)}: {quote(table.text(self.name, i))} is not a finite number")
        if gaps.any():
            counts.add(self.name, "missing", int(gaps.sum()))
            values = np.where(gaps, self.fill, values)
        out = self.transform(values) if self.scaling else standardized(table, self.name, values, self.mean, self.scale)
        return np.column_stack([out, gaps]) if self.indicator else out[:, None]

    def transform(self, values: Array) -> Array:
        """The network input of each filled value: (values - mean) / scale, or the scaler's transform."""
        if self.scaling is None:
            return (values - self.mean) / self.scale
        with np.errstate(over="ignore"):  # ((x - median) * scale may overflow to inf: the clip makes it 3)
            return scaler_from_json(self.scaling).transform(values)

    def to_json(self) -> dict:
        return {"name": self.name, "kind": "numeric", "mean": self.mean, "scale": self.scale, "fill": self.fill,
                "indicator": self.indicator, **({"scaling": self.scaling} if self.scaling else {})}


@dataclass
class Category:
    """An input column of text, one-hot:  one 0/1 column per category seen in training, in sorted order, then
    one for missing cells if the training rows had some (``missing``). A category never seen in training (or a
    missing cell, when training had none) is all zeros, as a validation row's unseen category is in training."""

    name: str
    categories: list[str]
    missing: bool = False

    @property
    def features(self) -> list[str]:
        return [f"{self.name}={k}" for k in self.categories] + ([f"{self.name}={MISSING}"] if self.missing else [])

    def encode(self, table: Table, counts: Counts) -> Array:
        index = {c: k for k, c in enumerate(self.categories)}
        if self.missing:
            index[None] = len(self.categories)
        cells = table.data[self.name]
        if cells.dtype != object:  # a column of numbers where training had text: each number is a category
            cells = np.array([table.text(self.name, i) or None for i in range(len(table))], dtype=object)
        codes = np.fromiter((index.get(cell, -1) for cell in cells), dtype=np.intp, count=len(cells))
        out = np.zeros((len(table), len(self.features)))
        known = codes >= 0
        out[np.flatnonzero(known), codes[known]] = 1.0
        gaps = np.equal(cells, None)
        if gaps.any():
            counts.add(self.name, "missing", int(gaps.sum()))
        unseen = np.flatnonzero(~known & ~gaps)
        if unseen.size:
            counts.add(self.name, "unseen", len(unseen), table, int(unseen[0]), cells)
        return out

    def to_json(self) -> dict:
        return {"name": self.name, "kind": "category", "categories": self.categories, "missing": self.missing}


def standardized(table: Table, name: str, values: Array, mean: float, scale: float) -> Array:
    """(values - mean) / scale, or an InputError at the first value for which that overflows float64."""
    with np.errstate(over="ignore"):
        out = (values - mean) / scale
    wide = np.flatnonzero(~np.isfinite(out))
    if wide.size:
        i = int(wide[0])
        raise InputError(f"{table.where(i, name)}: {quote(table.text(name, i))} is too large for the model's "
                         f"standardization ((x - {mean:.6g}) / {scale:.6g} overflows float64)")
    return out


class Counts:
    """What encoding met, per column: missing cells filled and categories never seen in training, with the first
    unseen one's place (for a warning, or the error of ``unknown="error"``)."""

    def __init__(self, unknown: str = "ignore") -> None:
        self.unknown = unknown
        self.missing: dict[str, int] = {}
        self.unseen: dict[str, int] = {}

    def add(self, name: str, what: str, count: int, table: Table | None = None, i: int = 0,
            cells: Array | None = None) -> None:
        if what == "unseen" and self.unknown == "error":
            raise InputError(f"{table.where(i, name)}: category {quote(str(cells[i]))} was never seen in training "
                             "(predict encodes such a category as all zeros unless --unknown error)")
        book = self.missing if what == "missing" else self.unseen
        book[name] = book.get(name, 0) + count

    def warnings(self, source: str) -> list[str]:
        """One line per kind of thing met, naming columns and counts."""
        lines = []
        if self.unseen:
            lines.append(f"{source}: categories never seen in training, encoded as all zeros: "
                         + ", ".join(f"{quote(n)} {k} row(s)" for n, k in self.unseen.items()))
        if self.missing:
            lines.append(f"{source}: missing cells filled as in training (median or {MISSING}): "
                         + ", ".join(f"{quote(n)} {k}" for n, k in self.missing.items()))
        return lines


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

    def labels(self, table: Table) -> list[str | None]:
        """Each row's class name (None where the target cell is missing)."""
        values = table.data[self.name]
        if table.is_numeric(self.name):
            exact = table.exact.get(self.name)
            return [None if v != v else class_label(v if exact is None else exact[i]) for i, v in enumerate(values)]
        return list(values)

    def encode(self, table: Table) -> Array:
        """Integer labels (rows,) for classification, standardized values (rows, 1) for regression."""
        table.require([self.name], what="evaluating needs (the target)")
        if self.task == "regression":
            values = table.numbers(self.name)
            bad = np.flatnonzero(~np.isfinite(values))
            if bad.size:
                i = int(bad[0])
                what = "an empty cell" if np.isnan(values[i]) else quote(table.text(self.name, i))
                raise InputError(f"{table.where(i, self.name)}: {what} is not a finite number")
            return standardized(table, self.name, values, self.mean, self.scale)[:, None]
        index = {c: k for k, c in enumerate(self.classes)}
        labels = np.empty(len(table), dtype=np.intp)
        for i, label in enumerate(self.labels(table)):
            k = index.get(label)
            if k is None:
                what = "is missing" if label is None else f"{quote(label)} was never seen in training"
                raise InputError(f"{table.where(i, self.name)}: the class {what} (known: "
                                 f"{quote_names(self.classes)})")
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
    ``target``: the ``Target``. ``means`` and ``scales`` give the whole input transform of all-numeric,
    standardized data as x' = (x - means) / scales, one entry per network input (a one-hot input has mean 0,
    scale 1); ``scale_inputs`` is that transform for any scaling.
    """

    def __init__(self, columns: list[Numeric | Category], target: Target, na_values: Sequence[str] = (),
                 decimal: str = ".") -> None:
        self.columns = columns
        self.target = target
        self.na_values = list(na_values)  # tokens read as missing besides cells.NA_VALUES (from --na-values)
        self.decimal = decimal  # the decimal mark of the training file's numbers

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
        """The table columns the model reads (besides the target)."""
        return [c.name for c in self.columns]

    @property
    def feature_names(self) -> list[str]:
        """One name per network input: the column, ``column (missing)`` for a missing-cell indicator, or
        ``column=category`` for one-hot inputs."""
        return [name for c in self.columns for name in c.features]

    @property
    def has_categories(self) -> bool:
        """True if some input column is text (one-hot encoded)."""
        return any(isinstance(c, Category) for c in self.columns)

    @property
    def imputes(self) -> bool:
        """True if some input has a missing-cell indicator or a missing category."""
        return any(getattr(c, "indicator", False) or getattr(c, "missing", False) for c in self.columns)

    @property
    def means(self) -> Array:
        """Per network input: the column's training mean (0 for one-hot and indicator inputs)."""
        return np.array([v for c in self.columns for v in ([c.mean] + [0.0] * c.indicator if isinstance(c, Numeric)
                                                           else [0.0] * len(c.features))])

    @property
    def scales(self) -> Array:
        """Per network input: the column's training standard deviation (1 for one-hot, indicator and constant
        inputs)."""
        return np.array([v for c in self.columns for v in ([c.scale] + [1.0] * c.indicator if isinstance(c, Numeric)
                                                           else [1.0] * len(c.features))])

    @property
    def scaling(self) -> str:
        """How the numeric inputs are scaled: ``standard``, ``robust`` or ``quantile``."""
        kinds = {c.scaling["kind"] for c in self.columns if isinstance(c, Numeric) and c.scaling is not None}
        return kinds.pop() if kinds else "standard"

    def scale_inputs(self, raw: Array) -> Array:
        """Network inputs from raw numbers of an all-numeric model, one column per input column (no missing
        cells): each column's ``Numeric.transform``, and 0 for each missing-cell indicator."""
        parts = [(c.transform(raw[:, [j]]), np.zeros((len(raw), int(c.indicator))))
                 for j, c in enumerate(self.columns)]
        return np.hstack([p for pair in parts for p in pair])

    @property
    def n_inputs(self) -> int:
        return len(self.feature_names)

    @property
    def n_outputs(self) -> int:
        return len(self.target.classes) if self.task == "classification" else 1

    def inputs(self, table: Table, unknown: str = "ignore", counts: Counts | None = None) -> Array:
        """The network inputs (rows, n_inputs): missing cells filled, unseen categories all zeros (an InputError
        instead with ``unknown="error"``); ``counts`` (a ``Counts``) learns how many of each there were."""
        table.require(self.input_columns)
        counts = counts if counts is not None else Counts(unknown)
        out = np.empty((len(table), self.n_inputs))
        start = 0
        for column in self.columns:  # (filled in place: a large table is not held twice over)
            width = len(column.features)
            out[:, start:start + width] = column.encode(table, counts)
            start += width
        return out

    def targets(self, table: Table) -> Array:
        table.require([self.target.name], what="evaluating needs (the target)")
        return self.target.encode(table)

    def to_json(self) -> dict:
        return {"columns": [c.to_json() for c in self.columns], "target": self.target.to_json(),
                "na_values": self.na_values, "decimal": self.decimal}

    @classmethod
    def from_json(cls, spec: object) -> Preprocessor:
        """Rebuild from ``to_json``'s dict; anything malformed raises ModelFileError."""
        from .saved import column_from_json, target_from_json, text

        try:
            columns = [column_from_json(c) for c in spec["columns"]]
            target = target_from_json(spec["target"])
            na_values = [text(v) for v in spec.get("na_values", [])]
            decimal = spec.get("decimal", ".")
            if decimal not in (".", ","):
                raise ValueError(f"decimal must be '.' or ',', got {reprlib.repr(decimal)}")
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"the model's preprocessing is malformed ({type(exc).__name__}: {exc})") from None
        if not columns:
            raise ModelFileError("the model's preprocessing has no input columns")
        names = [c.name for c in columns] + [target.name]
        if len(set(names)) != len(names):
            raise ModelFileError("the model's preprocessing names a column twice (inputs and target must differ): "
                                 f"{reprlib.repr(names)}")
        return cls(columns, target, na_values, decimal)


def choose_task(table: Table, target: str, task: str) -> str:
    """``auto``: text or a few distinct integers (at most MAX_CLASS_CODES) mean classification."""
    numeric = table.is_numeric(target)
    if task == "regression" and not numeric:
        raise InputError(f"{table.source}: target column {quote(target)} holds text; regression needs numbers")
    if task != "auto":
        return task
    if not numeric:
        return "classification"
    values = np.unique(table.numbers(target))
    values = values[np.isfinite(values)]
    small = len(values) <= MAX_CLASS_CODES and bool(np.all(values == np.round(values)))
    return "classification" if small else "regression"


def fit_classes(table: Table, target: str) -> Target:
    """Every label of the target column, sorted (by value for numbers)."""
    numeric = table.is_numeric(target)
    spec = Target(target, "classification", numeric=numeric)
    labels = {label for label in spec.labels(table) if label is not None}
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
            scaler = None if scaling == "standard" else SCALERS[scaling]().fit(values).to_json()
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
    values = values[~np.isnan(values)]
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        mean, std = float(values.mean()), float(values.std())
        if std == 0 and values.min() != values.max():  # tiny values (1e-200) whose squares underflow to 0
            largest = float(np.abs(values).max())
            std = float((values / largest).std()) * largest
    if not (math.isfinite(mean) and math.isfinite(std)):
        raise InputError(f"{train.source}, column {quote(name)}: values too large to standardize (their standard "
                         f"deviation overflows float64); divide the column by a power of ten")
    return mean, std
