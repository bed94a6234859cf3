"""Which columns of a table a network learns from: not those empty in every row (nor in every training row), not
row names; a warning for columns that look like ids, and for classes the test rows leave untested."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from .cells import CODE
from .preprocessing import Target
from .table import ROW_NAMES, Table, number_text, quote, quote_names

if TYPE_CHECKING:
    from .workflow import Notes


def usable_inputs(table: Table, inputs: list[str], notes: Notes) -> list[str]:
    """The inputs without columns that are missing in every row (with a warning), each checked to be usable;
    a warning for text columns with (nearly) one value per row, such as ids."""
    usable, row_names = [], []
    for name in inputs:
        numeric = table.is_numeric(name)
        gaps = table.missing(name)
        if gaps.all():
            notes.warnings.append(f"column {quote(name)} is empty in every row; it is left out")
            continue
        if _row_names(table, name, gaps):
            notes.info.append(f"left out column {quote(name)}: row names (a different value in every row), not an "
                              "input")
            row_names.append(name)
            continue
        if numeric and _numbers_rows(table.numbers(name)):
            notes.warnings.append(f"column {quote(name)} numbers the rows ({_first_values(table, name)}, ...): an "
                                  f"id? A network that learns from it learns the order of the file's rows; pass "
                                  f"--ignore {name} to leave it out")
        if numeric and (code := codes_warning(table, name, f", or pass --ignore {name} to leave it out")):
            notes.warnings.append(code)
        usable.append(name)
        present = int((~gaps).sum())
        if not numeric and _dates(table.data[name][~gaps]):
            notes.warnings.append(f"column {quote(name)} holds dates, which are read as text: one input per date "
                                  f"seen in training, and none for a new one; write them as numbers (the year, days "
                                  f"since a start, ...) or pass --ignore {name} to leave them out")
            continue
        distinct = 0 if numeric or present < 20 else len(set(table.data[name][~gaps]))
        if distinct and distinct >= 0.9 * present:
            notes.warnings.append(f"column {quote(name)} holds text with a different value in nearly every row "
                                  f"({distinct} of {present}): an id? It adds one input per value; pass --ignore "
                                  f"{name} to leave it out")
    if not usable and row_names:
        raise InputError(f"{table.source}: no column is left to learn from: {quote_names(row_names)} holds row names "
                         "(a different value in every row, named or placed as R and pandas write them), which are "
                         "not an input" + ("" if len(row_names) == len(inputs) else ", and the others are empty"))
    if not usable:
        raise InputError(f"{table.source}: every input column is empty")
    return usable


def untested_classes(spec: Target, test: Table, notes: Notes) -> None:
    """A warning when test rows were held out but a class has none of them: the test metrics cannot tell how
    the model does on it."""
    if not len(test):
        return
    held = np.bincount(spec.encode(test), minlength=len(spec.classes))
    absent = [c for c, count in zip(spec.classes, held) if not count]
    if absent:
        notes.warnings.append(f"the {len(test)} test rows hold no row of class(es) {quote_names(absent)}: the test "
                              "metrics say nothing of how the model does on them (a larger --test-split, or more "
                              "rows of them, would)")


_DATE = re.compile(r"\d{4}([-/])\d\d?\1\d\d?([ T]\d\d?:\d\d(:\d\d(\.\d+)?)?)?|\d\d?/\d\d?/\d{2}(\d\d)?|"
                   r"\d\d?\.\d\d?\.\d{4}", re.ASCII)  # (01.05.2024 with its year whole: 3.1.11 is a version)


def _dates(cells: np.ndarray) -> bool:
    """Whether nearly all of a text column's present cells (9 in 10) are dates: 2024-05-01 or 2024/05/01 (a time
    may follow), 5/1/2024 or 01.05.2024."""
    return len(cells) > 0 and sum(bool(_DATE.fullmatch(c)) for c in cells[:1000]) >= 0.9 * min(len(cells), 1000)


def codes_warning(table: Table, name: str, advice: str) -> str | None:
    """A warning if a column of numbers has a cell written with a leading zero (02134), as codes are, else None;
    ``advice`` ends it."""
    written = table.exact.get(name)
    code = None if written is None else next((i for i, c in enumerate(written) if c and CODE.fullmatch(c)), None)
    if code is None:
        return None
    text = table.text(name, code)
    return (f"column {quote(name)} holds numbers written with a leading zero ({quote(text)}, {table.line(code)}), "
            f"as codes are; they are read as numbers ({number_text(float(table.data[name][code]))}): if they are "
            f"codes, not amounts, write them with a letter (such as z{text}) so the column is read as text{advice}")


def _row_names(table: Table, name: str, gaps: np.ndarray) -> bool:
    """Whether column ``name`` holds row names: named as R and pandas name them (or unnamed, in the first place
    of the header, where they write them), with a different text or whole number in every row."""
    if name.lower() not in ROW_NAMES or gaps.any():
        return False
    values = table.numbers(name) if table.is_numeric(name) else table.data[name]
    whole = not table.is_numeric(name) or bool(np.all(values == np.round(values)))  # (not measurements)
    return whole and len(set(values.tolist())) == len(values)


def _numbers_rows(values: np.ndarray) -> bool:
    """Whether numbers count the rows: whole, rising, from 0 or 1 (1, 2, 3, ...; rows left out leave gaps)."""
    with np.errstate(invalid="ignore"):
        return len(values) > 2 and values[0] in (0, 1) and bool(np.all(np.diff(values) >= 1)) and \
            bool(np.all(values == np.round(values)))


def _first_values(table: Table, name: str) -> str:
    return ", ".join(number_text(v) for v in table.numbers(name)[:3])


def present_in_training(train: Table, inputs: list[str], notes: Notes) -> list[str]:
    """The inputs without columns whose every training cell is missing (with a warning): there is nothing to
    learn from them, nor a median to fill them with."""
    empty = [name for name in inputs if train.missing(name).all()]
    for name in empty:
        notes.warnings.append(f"column {quote(name)} is empty in every training row; it is left out")
    if len(empty) == len(inputs):
        raise InputError(f"{train.source}: every input column is empty in the training rows")
    return [name for name in inputs if name not in empty]
