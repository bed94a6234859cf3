"""Tables: a CSV file's cells as text, with the line each row starts on, so every error can name the file,
the line and the column. Line numbers count from the header (line 1)."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError


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
            raise InputError(f"{self.source} lacks column(s) {quote_names(missing)} that {what}; "
                             f"its columns are {quote_names(self.columns)}")

    def take(self, indices: Sequence[int]) -> Table:
        return Table(self.source, self.columns, [self.rows[i] for i in indices], [self.lines[i] for i in indices])

    def where(self, line: int, column: str) -> str:
        return f"{self.source} line {line}, column {column!r}"


def quote_names(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names)


def line_list(lines: Sequence[int], limit: int = 5) -> str:
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


def parse_number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None
