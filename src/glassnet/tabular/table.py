"""Tables: named columns, each held as one NumPy array, with the file line each row starts on, so every error
can name the file, the line and the column. Line numbers count from the header (line 1).

A column of numbers is a float64 array in which NaN marks a missing cell; a column of text is an object array of
strings in which None marks a missing cell. Which cells are missing (empty, ``NA``, ``?``, ...) and which text
is a number is decided once, when a file is read (``cells.py``); ``csvfile.py`` reads CSV files, ``arrowfile.py``
Parquet and Feather files and pandas DataFrames.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InputError

Array = np.ndarray
SHOWN = 60  # characters of a cell quoted in an error message
UNNAMED = "(unnamed column {})"  # the name of a column whose header cell is empty (format: its place, from 1)
ROW_NAMES = ("rownames", "row.names", "unnamed: 0", UNNAMED.format(1))  # R's and pandas' names for row names


class Table:
    """``data[name]`` is column ``name``: float64 (NaN: missing) or object (str; None: missing). Row ``i``
    starts on file line ``lines[i]`` (``unit`` "line"), or is row ``lines[i]`` of a data frame (``unit`` "row").
    ``exact[name]`` keeps a column's cells as the file wrote them: for numbers with integers past 2**53 (which
    float64 cannot all hold) and for the columns a reader was asked to ``keep`` (ids copied into an output)."""

    def __init__(self, source: str, columns: list[str], data: dict[str, Array], lines: Array,
                 unit: str = "line", exact: dict[str, Array] | None = None, problems: dict[str, str] | None = None):
        self.source, self.columns, self.data, self.lines, self.unit = source, columns, data, lines, unit
        self.exact = exact or {}
        self.problems = problems or {}  # column -> why its cells cannot be used (a mix of numbers and text, ...)
        self.read_with: dict[str, Any] = {}  # a file's reading options that are not the defaults (to read again)
        self.earlier: dict[str, Array] = {}  # columns an older glassnet read otherwise (its saved fingerprints)

    def __len__(self) -> int:
        return len(self.lines)

    def __repr__(self) -> str:
        return f"<Table {self.source!r}: {len(self)} rows, {len(self.columns)} columns>"

    def is_numeric(self, name: str) -> bool:
        """True for a column of numbers; an InputError for a column whose cells cannot be used as they are
        (numbers mixed with text, numbers written with a decimal comma, ...)."""
        if name in self.problems:
            raise InputError(self.problems[name])
        return self.data[name].dtype == np.float64

    def numbers(self, name: str) -> Array:
        """The column as float64 (NaN: missing), or an InputError for a column of text."""
        if not self.is_numeric(name):
            i = int(np.flatnonzero(~self.missing(name))[0])
            raise InputError(f"{self.where(i, name)}: {quote(self.data[name][i])} is not a number; the column holds "
                             "text")
        return self.data[name]

    def missing(self, name: str) -> Array:
        """A bool mask of the column's missing cells."""
        values = self.data[name]
        return np.isnan(values) if values.dtype == np.float64 else np.equal(values, None)

    def text(self, name: str, i: int) -> str:
        """Cell ``i`` of a column as text, as the file wrote it for text and long integers ('' if missing)."""
        if name in self.exact:
            return self.exact[name][i] or ""
        value = self.data[name][i]
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        return value if isinstance(value, str) else number_text(float(value))

    def take(self, indices: Sequence[int] | Array) -> Table:
        rows = np.asarray(indices, dtype=np.intp)
        taken = Table(self.source, self.columns, {n: v[rows] for n, v in self.data.items()}, self.lines[rows],
                      self.unit, {n: v[rows] for n, v in self.exact.items()}, self.problems)
        taken.earlier = {n: v[rows] for n, v in self.earlier.items()}
        return taken

    def require(self, names: Sequence[str], what: str = "the model needs") -> None:
        """Raise an InputError naming every column of ``names`` that this table lacks (with a guess for a typo)."""
        missing = [n for n in names if n not in self.data]
        if missing:
            lower = {name.lower(): name for name in self.columns}
            guesses = difflib.get_close_matches(missing[0].lower(), list(lower), n=1)
            hint = f" (did you mean {quote(lower[guesses[0]])}?)" if guesses else ""
            raise InputError(f"{self.source} lacks column(s) {quote_names(missing)} that {what}{hint}; "
                             f"its columns are {quote_names(self.columns)}{self.separator_hint()}")

    def separator_hint(self) -> str:
        """ "; its one column's name holds a separator: ..." when the file was read as one column whose name
        holds another separator (a file read with the wrong --sep), else ""."""
        joined = len(self.columns) == 1 and any(sep in self.columns[0] for sep in ",;\t|")
        return "; its one column's name holds a separator: read with another --sep?" if joined else ""

    def line(self, i: int) -> str:
        """Where row ``i`` is: "line 7" of a file, or "row 6" of a data frame."""
        return f"{self.unit} {self.lines[i]}"

    def where(self, i: int, column: str) -> str:
        return f"{self.source} {self.line(i)}, column {quote(column)}"


def number_text(value: float) -> str:
    """A number as short text: ``3`` for 3.0, ``0.1`` for 0.1 (the shortest text that reads back the same)."""
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def quote(text: str) -> str:
    """``repr(text)``, cut to about ``SHOWN`` characters: a cell from a file may be huge."""
    return repr(text) if len(text) <= SHOWN else repr(text[:SHOWN - 20]) + f"...({len(text):,} characters)"


def quote_names(names: Sequence[str], limit: int = 12) -> str:
    """The names quoted, the first ``limit`` of them and a count of the rest."""
    shown = ", ".join(quote(n) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def line_list(table: Table, rows: Sequence[int], limit: int = 5) -> str:
    """"line 3" or "lines 3, 8, ..." for rows of ``table``."""
    shown = ", ".join(str(table.lines[i]) for i in rows[:limit])
    unit = table.unit if len(rows) == 1 else f"{table.unit}s"
    return f"{unit} {shown}{', ...' if len(rows) > limit else ''}"
