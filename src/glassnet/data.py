"""Tables from CSV files, the preprocessing that turns them into network inputs, and train/val/test splits.

A ``Table`` keeps every cell as the text the file holds; ``Preprocessor`` converts and checks cells column by
column, so every error names the file, the line and the column. Line numbers count from the header (line 1).
Inputs: numeric columns are standardized, x' = (x - mean) / scale with the training rows' mean and standard
deviation; text columns become one 0/1 column per category seen in training (one-hot). Targets: class labels
become integers 0..k-1 (classification); numbers are standardized like inputs (regression).
"""

from __future__ import annotations

import contextlib
import csv
import math
import os
import re
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import InputError, ModelFileError

Array = np.ndarray
MAX_CLASS_CODES = 20  # an integer target with at most this many distinct values means classification


@dataclass
class Table:
    """Cells as text: ``rows[i][j]`` is column ``columns[j]`` of the row that starts on file line ``lines[i]``."""

    source: str
    columns: list[str]
    rows: list[list[str]]
    lines: list[int]

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[str]:
        j = self.columns.index(name)
        return [row[j] for row in self.rows]

    def require(self, names: Sequence[str], what: str = "the model needs") -> None:
        """Raise an InputError naming every column of ``names`` that this table lacks."""
        missing = [n for n in names if n not in self.columns]
        if missing:
            raise InputError(f"{self.source} lacks column(s) {_names(missing)} that {what}; "
                             f"its columns are {_names(self.columns)}")

    def take(self, indices: Sequence[int]) -> Table:
        return Table(self.source, self.columns, [self.rows[i] for i in indices], [self.lines[i] for i in indices])

    def where(self, line: int, column: str) -> str:
        return f"{self.source} line {line}, column {column!r}"


def _names(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names)


def _lines(lines: Sequence[int], limit: int = 5) -> str:
    shown = ", ".join(str(n) for n in lines[:limit])
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}{', ...' if len(lines) > limit else ''}"


# --- reading ---------------------------------------------------------------------------

def read_csv(path: str | os.PathLike, source: str | None = None) -> Table:
    """Read a CSV file with a header row (UTF-8, an optional BOM, any quoting the csv module reads)."""
    source = source or str(path)
    if os.path.isdir(path):
        raise InputError(f"{source} is a folder, not a CSV file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, skipinitialspace=True)
            header = next((row for row in reader if row), None)  # blank lines before the header are skipped
            header_line = reader.line_num
            rows, lines = [], []
            start = reader.line_num + 1
            for row in reader:
                if row:  # csv gives [] for a blank line
                    rows.append([cell.strip() for cell in row])
                    lines.append(start)
                start = reader.line_num + 1
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{source} line {_bad_utf8_line(path)} is not UTF-8 text ({exc.reason}); save the file "
                         "as UTF-8") from None
    except csv.Error as exc:
        raise InputError(f"{source} line {reader.line_num}: not valid CSV ({exc})") from None
    _check_rows(header, rows, lines, source)
    return Table(source, _header(header, f"{source} line {header_line}"), rows, lines)


def _bad_utf8_line(path: str | os.PathLike) -> int:
    """The line of the file's first byte that is not UTF-8 (read again, only when that has happened)."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return raw.count(b"\n", 0, exc.start) + 1
    return 1


def _header(header: list[str], where: str) -> list[str]:
    names = [name.strip() for name in header]
    for j, name in enumerate(names):
        if not name:
            raise InputError(f"{where}: header cell {j + 1} is empty; every column needs a name")
        if name in names[:j]:
            raise InputError(f"{where}: column {name!r} appears twice in the header")
    if all(_number(name) is not None for name in names):
        raise InputError(f"{where} holds numbers, not column names: the first line must be a header")
    return names


def _check_rows(header: list[str] | None, rows: list[list[str]], lines: list[int], source: str) -> None:
    if header is None or not any(cell.strip() for cell in header):
        raise InputError(f"{source} is empty: a CSV needs a header line and data rows")
    if not rows:
        raise InputError(f"{source} has a header but no data rows")
    for row, line in zip(rows, lines):
        if len(row) != len(header):
            raise InputError(f"{source} line {line}: {len(row)} cell(s), but the header has {len(header)} columns")


def _number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


# --- cells ----------------------------------------------------------------------------

def is_numeric(table: Table, name: str) -> bool:
    """True if every non-empty cell of the column is a number, False if none is; mixed columns are an error."""
    numbers = text = None
    for cell, line in zip(table.column(name), table.lines):
        if cell:
            if _number(cell) is None:
                text = text or (line, cell)
            else:
                numbers = numbers or (line, cell)
    if text and all(_THOUSANDS.fullmatch(cell) for cell in table.column(name) if cell and _number(cell) is None):
        raise InputError(f"{table.where(text[0], name)}: {text[1]!r} is a number written with thousands separators; "
                         "remove them (write 32190, not 32,190) so the column is read as numbers, not as text")
    if numbers and text:
        raise InputError(f"{table.where(text[0], name)}: {text[1]!r} is not a number, but line {numbers[0]} "
                         f"holds the number {numbers[1]!r}; a column holds numbers or text, not both")
    return text is None


_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")


def missing_lines(table: Table, names: Sequence[str], numeric: dict[str, bool]) -> dict[str, list[int]]:
    """For each column, the lines whose cell is empty, or NaN or infinite in a numeric column."""
    found = {}
    for name in names:
        bad = [line for cell, line in zip(table.column(name), table.lines)
               if not cell or (numeric[name] and not math.isfinite(_number(cell) or 0.0))]
        if bad:
            found[name] = bad
    return found


def drop_missing(table: Table, names: Sequence[str], numeric: dict[str, bool], allow_drop: bool,
                 hint: str = "; fix them or pass --drop-missing to skip those rows") -> Table:
    """The table without rows that have missing cells in ``names`` when ``allow_drop``, else an error
    naming the first column with missing cells and its lines."""
    found = missing_lines(table, names, numeric)
    if not found:
        return table
    if not allow_drop:
        name, lines = next(iter(found.items()))
        more = f" (and {len(found) - 1} more column(s))" if len(found) > 1 else ""
        raise InputError(f"{table.source}: column {name!r} has empty, NaN or infinite cells on {_lines(lines)} "
                         f"({len(lines)} row(s)){more}{hint}")
    bad = set().union(*found.values())
    kept = [i for i, line in enumerate(table.lines) if line not in bad]
    if not kept:
        raise InputError(f"{table.source}: every row has an empty, NaN or infinite cell; nothing is left")
    return table.take(kept)


def numbers(table: Table, name: str) -> Array:
    """The column as float64, or an InputError at the first cell that is not a finite number."""
    out = np.empty(len(table))
    for i, (cell, line) in enumerate(zip(table.column(name), table.lines)):
        value = _number(cell)
        if value is None or not math.isfinite(value):
            what = "an empty cell" if not cell else f"{cell!r}"
            raise InputError(f"{table.where(line, name)}: {what} is not a finite number")
        out[i] = value
    return out


def standardize(table: Table, name: str, mean: float, scale: float) -> Array:
    """The column as x' = (x - mean) / scale, or an InputError at the first value whose x' overflows float64."""
    values = numbers(table, name)
    with np.errstate(over="ignore"):
        out = (values - mean) / scale
    wide = np.flatnonzero(~np.isfinite(out))
    if wide.size:
        i = wide[0]
        raise InputError(f"{table.where(table.lines[i], name)}: {table.column(name)[i]!r} is too large for the "
                         f"model's standardization ((x - {mean:.6g}) / {scale:.6g} overflows float64)")
    return out


def class_label(cell: str, numeric: bool) -> str:
    """The canonical name of a class: the text itself, or for numbers ``1`` for both "1" and "1.0"."""
    if not numeric:
        return cell
    value = float(cell)
    return str(int(value)) if value.is_integer() else repr(value)


# --- preprocessing ----------------------------------------------------------------------

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
                raise InputError(f"{table.where(line, self.name)}: category {cell!r} was never seen in training "
                                 f"(known: {_names(self.categories)})")
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
            k = index.get(class_label(cell, self.numeric) if _number(cell) is not None else cell)
            if k is None:
                raise InputError(f"{table.where(line, self.name)}: class {cell!r} was never seen in training "
                                 f"(known: {_names(self.classes)})")
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
        raise TypeError(f"expected text, got {value!r}")
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
        raise ValueError(f"expected a non-empty list of distinct names, got {values!r}")
    return values


def _column_from_json(spec: dict) -> Numeric | Category:
    kind = spec["kind"]
    if kind == "numeric":
        return Numeric(_text(spec["name"]), _finite(spec["mean"]), _finite(spec["scale"], positive=True))
    if kind == "category":
        return Category(_text(spec["name"]), _texts(spec["categories"]))
    raise ValueError(f"unknown column kind {kind!r}")


def _target_from_json(spec: dict) -> Target:
    task = spec["task"]
    if task == "regression":
        return Target(_text(spec["name"]), task, mean=_finite(spec["mean"]), scale=_finite(spec["scale"], True))
    if task == "classification":
        classes = _texts(spec["classes"])
        if len(classes) < 2 or not isinstance(spec["numeric"], bool):
            raise ValueError("a classification target needs two or more classes and a true/false 'numeric'")
        return Target(_text(spec["name"]), task, classes=classes, numeric=spec["numeric"])
    raise ValueError(f"unknown task {task!r}")


# --- fitting ------------------------------------------------------------------------------

def choose_task(table: Table, target: str, numeric: bool, task: str) -> str:
    """``auto``: text or a few distinct integers (at most MAX_CLASS_CODES) mean classification."""
    if task == "regression" and not numeric:
        raise InputError(f"{table.source}: target column {target!r} holds text; regression needs numbers")
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
        raise InputError(f"{table.source}: target column {target!r} has a single class {labels.pop()!r}; "
                         f"classification needs at least two")
    return Target(target, "classification", classes=sorted(labels, key=float if numeric else str), numeric=numeric)


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
        raise InputError(f"{train.source}, column {name!r}: values too large to standardize (their standard "
                         f"deviation overflows float64); divide the column by a power of ten")
    return mean, std


# --- splits --------------------------------------------------------------------------------

def _allocate(sizes: Array, total: int) -> Array:
    """Integers proportional to ``sizes`` that add up to ``total`` (largest remainders get the rounding)."""
    quota = sizes * total / sizes.sum()
    counts = np.floor(quota).astype(int)
    order = np.argsort(-(quota - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def split(n: int, labels: Array | None, val: float, test: float, seed: int,
          class_names: Sequence[str] | None = None, source: str = "the data") -> tuple[Array, Array, Array]:
    """Row indices (train, validation, test), each sorted, reproducible from ``seed``.

    round(n * test) rows go to test and round(n * val) to validation; with ``labels`` (classification) each
    class contributes in proportion to its size (stratified). Every class keeps at least one training row.
    """
    for name, value in (("--val-split", val), ("--test-split", test)):
        if not 0 <= value < 1:
            raise InputError(f"{name} must be in [0, 1); got {value}")
    if val + test >= 1:
        raise InputError(f"--val-split + --test-split must be below 1; got {val} + {test}")
    n_test, n_val = round(n * test), round(n * val)
    for name, value, count in (("--test-split", test, n_test), ("--val-split", val, n_val)):
        if value and not count:
            raise InputError(f"{source}: {n} rows are too few for {name} {value}: that set would be empty "
                             f"(use more rows, a larger fraction, or {name} 0)")
    labels = np.zeros(n, dtype=np.intp) if labels is None else labels
    groups = [np.flatnonzero(labels == k) for k in range(labels.max() + 1)]
    sizes = np.array([len(g) for g in groups])
    tests = _allocate(sizes, n_test)
    vals = _allocate(sizes - tests, n_val)
    rng = np.random.default_rng(seed)
    parts: tuple[list, list, list] = ([], [], [])
    for k, (rows, t, v) in enumerate(zip(groups, tests, vals)):
        if len(rows) and len(rows) - t - v < 1:
            name = f"class {class_names[k]!r}" if class_names else "it"
            raise InputError(f"{source}: {name} has {len(rows)} row(s): too few for --val-split {val} and "
                             f"--test-split {test} to leave it a training row")
        rows = rng.permutation(rows)
        parts[0].append(rows[t + v:])
        parts[1].append(rows[t:t + v])
        parts[2].append(rows[:t])
    return tuple(np.sort(np.concatenate(p)).astype(np.intp) for p in parts)


def split_table(table: Table, target: Target, val: float, test: float, seed: int) -> tuple[Table, Table, Table]:
    """The (train, validation, test) tables of ``split``, stratified by ``target``'s classes if it has any."""
    labels = target.encode(table) if target.task == "classification" else None
    parts = split(len(table), labels, val, test, seed, target.classes, table.source)
    return tuple(table.take(rows) for rows in parts)


def prepare(table: Table, target: str, task: str, val: float, test: float, seed: int,
            drop: bool = False) -> tuple[Preprocessor, tuple[Table, Table, Table]]:
    """Check the table, split it and fit the preprocessing on the training rows: (preprocessor, splits).

    Every column but ``target`` is an input. ``task`` is auto, classification or regression; ``drop`` skips
    rows with empty, NaN or infinite cells instead of raising.
    """
    table.require([target], what="--target names")
    inputs = [c for c in table.columns if c != target]
    if not inputs:
        raise InputError(f"{table.source} has no column besides the target {target!r} to learn from")
    numeric = {c: is_numeric(table, c) for c in table.columns}
    table = drop_missing(table, table.columns, numeric, drop)
    task = choose_task(table, target, numeric[target], task)
    spec = fit_classes(table, target, numeric[target]) if task == "classification" else Target(target, task)
    splits = split_table(table, spec, val, test, seed)
    if task == "regression":
        spec.mean, spec.scale = fit_standardization(splits[0], target)
        if spec.scale == 0:
            raise InputError(f"{table.source}: target column {target!r} is {spec.mean:g} in every training row; "
                             "there is nothing to learn")
    return Preprocessor(fit_columns(splits[0], inputs, numeric), spec), splits
