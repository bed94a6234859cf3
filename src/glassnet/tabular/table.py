"""Tables: a CSV file's cells as text, with the line each row starts on, so every error can name the file,
the line and the column. Line numbers count from the header (line 1).

Reading is strict and bounded: only regular files (a pipe could block, a device never end), lines of at most
``MAX_LINE`` characters, and quotes that close (the csv module would otherwise take the rest of the file into
one cell). Numbers are ASCII decimals; text that only looks like a number is named, not guessed at (cells.py).
"""

from __future__ import annotations

import csv
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..errors import InputError

MAX_LINE = 10_000_000  # characters in one line of a CSV file
SHOWN = 60  # characters of a cell quoted in an error message
BLANKS = " \t\r\n"  # what is stripped around a cell (not a no-break space: '1.5\xa0' is not read as 1.5)


@dataclass
class Table:
    """Cells as text: ``rows[i][j]`` is column ``columns[j]`` of the row that starts on file line ``lines[i]``."""

    source: str
    columns: list[str]
    rows: list[list[str]]
    lines: list[int]
    _index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {name: j for j, name in enumerate(self.columns)}  # (a column's place in constant time)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[str]:
        j = self._index[name]
        return [row[j] for row in self.rows]

    def require(self, names: Sequence[str], what: str = "the model needs") -> None:
        """Raise an InputError naming every column of ``names`` that this table lacks."""
        missing = [n for n in names if n not in self._index]
        if missing:
            raise InputError(f"{self.source} lacks column(s) {quote_names(missing)} that {what}; "
                             f"its columns are {quote_names(self.columns)}")

    def take(self, indices: Sequence[int]) -> Table:
        return Table(self.source, self.columns, [self.rows[i] for i in indices], [self.lines[i] for i in indices])

    def where(self, line: int, column: str) -> str:
        return f"{self.source} line {line}, column {quote(column)}"


def quote(text: str) -> str:
    """``repr(text)``, cut to about ``SHOWN`` characters: a cell from a file may be huge."""
    return repr(text) if len(text) <= SHOWN else repr(text[:SHOWN - 20]) + f"...({len(text):,} characters)"


def quote_names(names: Sequence[str], limit: int = 12) -> str:
    """The names quoted, the first ``limit`` of them and a count of the rest."""
    shown = ", ".join(quote(n) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def line_list(lines: Sequence[int], limit: int = 5) -> str:
    shown = ", ".join(str(n) for n in lines[:limit])
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}{', ...' if len(lines) > limit else ''}"


# --- reading ---------------------------------------------------------------------------

def read_csv(path: str | os.PathLike, source: str | None = None) -> Table:
    """Read a CSV file with a header row (UTF-8, an optional BOM, any quoting the csv module reads)."""
    source = source or str(path)
    start = 1  # the line the row being read began on
    try:
        if os.path.isdir(path):
            raise InputError(f"{source} is a folder, not a CSV file")
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise InputError(f"{source} is not a regular file (a device, a pipe or a socket); glassnet reads tables "
                             "from regular files")
        with open(path, newline="", encoding="utf-8-sig") as f:
            raw = _Lines(f, source)
            reader = csv.reader(raw, skipinitialspace=True)
            header = next((row for row in reader if row), None)  # blank lines before the header are skipped
            header_line = reader.line_num
            rows, lines = [], []
            start = reader.line_num + 1
            for row in reader:
                raw.record_done = True
                if row:  # csv gives [] for a blank line
                    rows.append([cell.strip(BLANKS) for cell in row])
                    lines.append(start)
                start = reader.line_num + 1
        raw.check_closed(lines[-1] if lines else header_line)
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{source} line {_bad_utf8_line(path)} is not UTF-8 text ({exc.reason}); save the file "
                         "as UTF-8") from None
    except csv.Error as exc:
        raise InputError(f"{source} line {start}: not valid CSV ({exc})") from None
    except OSError as exc:
        raise InputError(f"{source}: {exc.strerror or exc}") from None
    _check_rows(header, rows, lines, source)
    return Table(source, _header(header, f"{source} line {header_line}"), rows, lines)


class _Lines:
    """The file's lines for the csv reader, each read with a bound (a line longer than ``MAX_LINE`` is an error,
    not a memory spike), keeping the lines of the record being read: the csv module takes a quote that never
    closes as a cell running to the end of the file, so the last record is read again, strictly."""

    def __init__(self, f: object, source: str) -> None:
        self.f, self.source, self.number = f, source, 0
        self.record: list[str] = []  # the lines of the latest record
        self.record_done = False  # set by the reader's user after each record

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.f.readline(MAX_LINE + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) > MAX_LINE:
            raise InputError(f"{self.source} line {self.number} is longer than {MAX_LINE:,} characters; not a CSV "
                             "table")
        if self.record_done:
            self.record.clear()
            self.record_done = False
        self.record.append(line)
        return line

    def check_closed(self, line: int) -> None:
        """An error if the last record opens a quote that the file never closes."""
        try:
            list(csv.reader(self.record, skipinitialspace=True, strict=True))
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise InputError(f"{self.source} line {line}: a quote opens a cell that is never closed, so the "
                                 "cell would run to the end of the file; close it or remove the quote") from None


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
    names = [name.strip(BLANKS) for name in header]
    for j, name in enumerate(names):
        if not name:
            raise InputError(f"{where}: header cell {j + 1} is empty; every column needs a name")
        if name in names[:j]:
            raise InputError(f"{where}: column {quote(name)} appears twice in the header")
    if all(parse_number(name) is not None for name in names):
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


# (one way to match each string: '\d+\.?\d*' would try every split of a 100,000-digit cell, for hours)
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]?(nan|inf|infinity)", re.IGNORECASE | re.ASCII)


def parse_number(cell: str) -> float | None:
    """The cell as a float if it is an ASCII decimal number (or nan, inf), else None: Python's float() also
    takes '1_000', '３' and Arabic-Indic digits, which glassnet does not read as numbers."""
    return float(cell) if _NUMBER.fullmatch(cell) else None
