"""The preprocessing that turns a table into network inputs and targets, fitted on the training rows and
saved with the model as plain JSON.

Inputs: numeric columns are standardized, x' = (x - mean) / scale with the training rows' mean and standard
deviation (or mapped by a robust or quantile scaler of ``scaling.py`` fitted on them); text columns become one 0/1
column per category seen in training (one-hot). Targets: class labels become integers 0..k-1 (classification);
numbers are standardized like inputs (regression).
"""

from __future__ import annotations

import reprlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError, ModelFileError
from .cells import NAN_WORD, class_label
from .room import check_room
from .scaling import scaler_from_json
from .table import Table, quote, quote_names

Array = np.ndarray


MISSING = "(missing)"  # the category of a text column's missing cells


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

    def encode(self, table: Table, counts: Counts, out: Array) -> None:
        """Fill ``out`` (rows, len(features)) with the column's inputs."""
        values = table.numbers(self.name)
        gaps, wide = np.isnan(values), np.flatnonzero(np.isinf(values))
        if wide.size:
            i = int(wide[0])
            raise InputError(f"{table.where(i, self.name)}: {quote(table.text(self.name, i))} is not a finite number")
        if gaps.any():
            counts.filled(self.name, int(gaps.sum()))
            values = np.where(gaps, self.fill, values)
        out[:, 0] = self.transform(values) if self.scaling else standardized(table, self.name, values, self.mean,
                                                                             self.scale)
        if self.indicator:
            out[:, 1] = gaps

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

    def encode(self, table: Table, counts: Counts, out: Array) -> None:
        """Fill ``out`` (rows, len(features)) with the column's one-hot inputs (in place: a column of many
        categories is not held twice)."""
        index = {c: k for k, c in enumerate(self.categories)}
        if self.missing:
            index[None] = len(self.categories)
        cells = table.data[self.name]
        if cells.dtype != object:  # a column of numbers where training had text: each number is a category, as
            gaps = np.isnan(cells)  # written (a missing cell stays missing, however the file wrote it: NA, -999;
            written = [table.text(self.name, i) for i in range(len(table))]  # but 'Nan' is a word, as in training)
            cells = np.array([None if gaps[i] and not NAN_WORD.fullmatch(text) else text or None
                              for i, text in enumerate(written)], dtype=object)
        codes = np.fromiter((index.get(cell, -1) for cell in cells), dtype=np.intp, count=len(cells))
        out[...] = 0.0
        known = codes >= 0
        out[np.flatnonzero(known), codes[known]] = 1.0
        gaps = np.equal(cells, None)
        if self.missing and gaps.any():
            counts.filled(self.name, int(gaps.sum()))
        unseen = np.flatnonzero(~known)  # (with a missing cell where the training rows had none)
        if unseen.size:
            if counts.unknown == "error":
                i = int(unseen[0])
                what = "a missing cell, which this column's training rows never had" if gaps[i] else \
                    f"category {quote(str(cells[i]))} was never seen in training"
                raise InputError(f"{table.where(i, self.name)}: {what} (predict encodes it as all zeros unless "
                                 "--unknown error)")
            counts.not_seen(self.name, int((~gaps[unseen]).sum()), int(gaps[unseen].sum()))

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
    """What encoding met, per column: missing cells filled and categories never seen in training (counted for a
    warning; with ``unknown="error"`` an unseen category is an error instead)."""

    def __init__(self, unknown: str = "ignore") -> None:
        self.unknown = unknown
        self.missing: dict[str, int] = {}
        self.unseen: dict[str, int] = {}
        self.unseen_missing: dict[str, int] = {}

    def filled(self, name: str, count: int) -> None:
        self.missing[name] = self.missing.get(name, 0) + count

    def not_seen(self, name: str, count: int, missing: int = 0) -> None:
        """``count`` categories never seen in training and ``missing`` missing cells where training had none."""
        for seen, k in ((self.unseen, count), (self.unseen_missing, missing)):
            if k:
                seen[name] = seen.get(name, 0) + k

    def warnings(self, source: str) -> list[str]:
        """One line per kind of thing met, naming columns and counts."""
        lines = []
        if self.unseen:
            lines.append(f"{source}: categories never seen in training, encoded as all zeros: "
                         + ", ".join(f"{quote(n)} {k} row(s)" for n, k in self.unseen.items()))
        if self.unseen_missing:
            lines.append(f"{source}: missing cells in text columns that had none in training, encoded as all "
                         "zeros: " + ", ".join(f"{quote(n)} {k} row(s)" for n, k in self.unseen_missing.items()))
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

    def label_codes(self, table: Table, earlier: bool = False) -> tuple[list[str | None], Array]:
        """(names, rows): the distinct cells' class names, None last (a missing cell), and each row's index among
        them. Each distinct cell is named once, however many rows hold it; two cells may give one name (1, 1.0).
        ``earlier``: the cells as an older glassnet read them (``Table.earlier``)."""
        values = table.earlier[self.name] if earlier else table.data[self.name]
        missing = np.isnan(values) if values.dtype == np.float64 else np.equal(values, None)
        numeric = table.is_numeric(self.name)
        cells = (values if earlier or not numeric else table.exact.get(self.name, values))[~missing]
        if cells.dtype == object:  # text: numbered in one pass by a dict (sorting Python strings takes longer)
            first: dict[str, int] = {}
            codes = np.fromiter((first.setdefault(cell, len(first)) for cell in cells), np.intp, len(cells))
            distinct: Sequence = list(first)
        else:
            distinct, codes = np.unique(cells, return_inverse=True)
        names = [class_label(cell) for cell in distinct] if numeric else list(distinct)
        rows = np.full(len(values), len(names), dtype=np.intp)
        rows[~missing] = codes
        return names + [None], rows

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
        names, rows = self.label_codes(table)
        if self.name in table.earlier and not set(names) - {None} <= index.keys():  # (trained when float32 read
            names, rows = self.label_codes(table, earlier=True)  # widened: 0.10000000149011612, not 0.1)
        labels = np.array([index.get(name, -1) for name in names], dtype=np.intp)[rows]
        unknown = np.flatnonzero(labels < 0)
        if unknown.size:
            i = int(unknown[0])
            label = names[rows[i]]
            what = "is missing" if label is None else f"{quote(label)} was never seen in training"
            raise InputError(f"{table.where(i, self.name)}: the class {what} (known: {quote_names(self.classes)})")
        return labels

    def decode(self, outputs: Array) -> list[str] | Array:
        """Class names (argmax of the outputs) or values on the target's original scale, in float64 (a float32
        network's outputs would round a target near 1.7e9 to steps of 128)."""
        if self.task == "regression":
            return np.asarray(outputs[:, 0], np.float64) * self.scale + self.mean
        return np.array(self.classes, dtype=object)[outputs.argmax(axis=1)].tolist()

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
        return self._per_input("mean", 0.0)

    @property
    def scales(self) -> Array:
        """Per network input: the column's training standard deviation (1 for one-hot, indicator and constant
        inputs)."""
        return self._per_input("scale", 1.0)

    def _per_input(self, field: str, otherwise: float) -> Array:
        """Each numeric column's ``field`` at its input, ``otherwise`` at every other network input."""
        return np.array([v for c in self.columns
                         for v in ([getattr(c, field)] + [otherwise] * c.indicator if isinstance(c, Numeric)
                                   else [otherwise] * len(c.features))])

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
        check_room(self, len(table), table.source)
        counts = counts if counts is not None else Counts(unknown)
        out = np.empty((len(table), self.n_inputs))
        start = 0
        for column in self.columns:  # (filled in place: a large table is not held twice over)
            width = len(column.features)
            column.encode(table, counts, out[:, start:start + width])
            start += width
        return out

    def check_range(self, inputs: Array, table: Table, dtype: np.dtype) -> None:
        """An InputError at the first row of ``table`` (then its first column) whose network input (in ``inputs``,
        from ``inputs()``) ``dtype`` cannot hold: a float32 model given 1e300. Only a numeric column's scaled value
        can be that large (one-hot and missing-cell inputs are 0 or 1), so the error names the cell as the file
        wrote it."""
        starts = np.cumsum([0] + [len(column.features) for column in self.columns])[:-1]
        numeric = [(int(start), column) for start, column in zip(starts, self.columns) if isinstance(column, Numeric)]
        with np.errstate(over="ignore"):
            wide = [np.isinf(inputs[:, start].astype(dtype)) for start, _ in numeric]
        if not any(w.any() for w in wide):
            return
        i = int(np.flatnonzero(np.any(wide, axis=0))[0])
        start, column = next((start, column) for (start, column), w in zip(numeric, wide) if w[i])
        largest = np.finfo(dtype).max
        raise InputError(f"{table.where(i, column.name)}: {quote(table.text(column.name, i))} is too large for this "
                         f"{dtype.name} model (its scaled input, {inputs[i, start]:.3g}, is beyond {dtype.name}'s "
                         f"largest value, {largest:.3g})")

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
