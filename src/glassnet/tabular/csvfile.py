"""Reading a CSV file into a ``Table``: strict and bounded.

Only regular files (a pipe could block, a device never end); lines of at most ``MAX_LINE`` characters; quotes
that close (the csv module would otherwise take the rest of the file into one cell); every row as long as the
header. The separator is found in the header (the most frequent of , ; tab |) unless given. Rows are read in
chunks of ``CHUNK`` and each chunk's columns converted at once (``cells.Reader``), so a large file never exists
as millions of Python strings.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import os
import re
import reprlib
import stat
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..errors import InputError
from . import arrowcsv
from .cells import BLANKS, Reader, parse_number, text_problem
from .table import UNNAMED, Table, number_text, quote

MAX_LINE = 10_000_000  # characters in one line of a CSV file
CHUNK = 8192  # rows converted at once
SEPARATORS = (",", ";", "\t", "|")


def check_format(sep: object, decimal: object) -> str | None:
    """The separator (a tab may be given as 'tab' or '\\t'; None: found in the header) if it and the decimal mark
    are ones a CSV file can have, else an InputError."""
    sep = {"\\t": "\t", "tab": "\t"}.get(sep, sep) if isinstance(sep, str) else sep  # (a tab is hard to type)
    if sep is not None and (not isinstance(sep, str) or len(sep) != 1 or sep in '"\r\n'):
        raise InputError(f"--sep must be one character other than a quote or a line break; got {reprlib.repr(sep)}")
    if not isinstance(decimal, str) or decimal not in (".", ","):
        raise InputError(f"--decimal must be '.' or ','; got {reprlib.repr(decimal)}")
    return sep


def read_csv(path: str | os.PathLike, source: str | None = None, sep: str | None = None, decimal: str = ".",
             na_values: Sequence[str] = (), keep: Sequence[str] = ()) -> Table:
    """Read a CSV file with a header row (UTF-8, an optional BOM, any quoting the csv module reads).

    ``sep``: the separator (None: found in the header); ``decimal``: "." or ","; ``na_values``: more tokens
    that mean a missing cell, besides ``cells.NA_VALUES``; ``keep``: columns whose cells are also kept as written
    (``table.text``: '00123' stays '00123', 'NA' stays 'NA'), for ids copied into an output.
    """
    source = source or str(path)
    check_readable(path, source, "a CSV file")
    sep = check_format(sep, decimal)
    with _cells_up_to(MAX_LINE):
        table = _read_csv(path, source, sep, decimal, na_values, keep)
    table.read_with = options_given(sep, decimal, na_values)
    return table


_limit = {"readers": 0, "before": 0, "lock": threading.Lock()}  # (files read at once, in threads: the playground)


@contextlib.contextmanager
def _cells_up_to(characters: int) -> Iterator[None]:
    """The csv module's cell limit (131,072 characters unless a program changed it) raised to ``characters`` while
    files are read, so that a cell may be as long as a line, then put back as it was when the last of them is
    done (the limit is the whole process's)."""
    with _limit["lock"]:
        if not _limit["readers"]:
            _limit["before"] = csv.field_size_limit()
            csv.field_size_limit(max(_limit["before"], characters))
        _limit["readers"] += 1
    try:
        yield
    finally:
        with _limit["lock"]:
            _limit["readers"] -= 1
            if not _limit["readers"]:
                csv.field_size_limit(_limit["before"])


def options_given(sep: str | None, decimal: str, na_values: Sequence[str]) -> dict[str, Any]:
    """The reading options that are not the defaults, as ``datasets.resolve`` takes them (to read a file again)."""
    given = {"sep": sep, "decimal": decimal if decimal != "." else None, "na_values": list(na_values) or None}
    return {k: v for k, v in given.items() if v is not None}


def _read_csv(path: str | os.PathLike, source: str, sep: str | None, decimal: str, na_values: Sequence[str],
              keep: Sequence[str]) -> Table:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            excel = _excel_separator(f.readline(64))
            f.seek(0)
            found = "" if sep else " (found in the header)"
            sep = sep or excel or _find_separator(f, source)
            if decimal == sep == ".":
                raise InputError(f"{source}: the separator{found} and the decimal mark are both '.', so a cell "
                                 "could not be told from a number; pass --sep with another separator")
            reader = Reader(na_values, decimal)
            table = arrowcsv.read(path, source, sep, reader, _header, keep)
            if table is not None:
                _check_closed(path, table, sep)
                return _with_problems(table, decimal)
            for lines in (_Blocks, _Lines):  # (blocks are quick; a file with lone '\r' line ends is read line by line)
                f.seek(0)
                try:
                    rows = lines(f, source)
                    table = _read(_blank_first(rows) if excel else rows, source, sep, reader, keep)
                except _LoneCarriageReturn:
                    continue
                _check_closed(path, table, sep)
                return table
    except UnicodeDecodeError as exc:
        raise InputError(f"{source} line {_bad_utf8_line(path)} is not UTF-8 text ({exc.reason}); save the file "
                         "as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{source}: {exc.strerror or exc}") from None


def _excel_separator(line: str) -> str | None:
    """The separator that Excel's first line 'sep=;' names (that line is not the header), else None."""
    found = re.fullmatch(r"sep=([^\r\n\"])[ \t]*(\r\n|\r|\n)?", line)
    return found[1] if found else None


def _blank_first(lines: Iterator[str]) -> Iterator[str]:
    """``lines`` with the first one (Excel's 'sep=' line) read as blank, so the line numbers stay the file's."""
    next(lines, None)
    yield "\n"
    yield from lines


def check_readable(path: str | os.PathLike, source: str, what: str) -> None:
    """An InputError unless ``path`` is a regular file."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except OSError as exc:
        raise InputError(f"{source}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{source} is a folder, not {what}")
    if not stat.S_ISREG(mode):
        raise InputError(f"{source} is not a regular file (a device, a pipe or a socket); glassnet reads tables "
                         "from regular files")


def _find_separator(f, source: str) -> str:
    """The candidate separator that the header line holds most often, outside quotes (',' if none)."""
    header = next((line for line in _Lines(f, source) if line.strip(BLANKS)), "")
    counts = {s: 0 for s in SEPARATORS}
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(SEPARATORS, key=lambda s: counts[s])  # (ties go to the earlier: ',' first)
    return best if counts[best] else ","


def _read(raw: Iterator[str], source: str, sep: str, reader: Reader, keep: Sequence[str]) -> Table:
    rows = csv.reader(raw, delimiter=sep, skipinitialspace=True)
    start = 1  # the line the row being read began on
    try:
        header = next((row for row in rows if any(cell.strip(BLANKS) for cell in row)), None)
        if header is None or not any(cell.strip() for cell in header):
            raise InputError(f"{source} is empty: a CSV needs a header line and data rows")
        names = _header(header, f"{source} line {rows.line_num}")
        columns = _Columns(len(names), reader, [j for j, name in enumerate(names) if name in keep])
        start = rows.line_num + 1
        for row in rows:
            if row and (len(row) == len(names) or any(cell.strip(BLANKS) for cell in row)):  # (not a blank line)
                if len(row) != len(names):
                    raise InputError(f"{source} line {start}: {len(row)} cell(s), but the header has {len(names)} "
                                     "columns" + _separator_hint(row, names, sep, not columns.lines, reader.decimal))
                columns.add(row, start)
            start = rows.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{source} line {start}: not valid CSV ({exc})") from None
    if not columns.lines:
        raise InputError(f"{source} has a header but no data rows")
    return columns.table(source, names)


def _separator_hint(row: list[str], names: list[str], sep: str, first: bool = False, decimal: str = ".") -> str:
    """Why a row may have the wrong number of cells: a comment line taken for the header (when it is the ``first``
    data row), a quote not closed on its line, a decimal comma that is also the separator, or another
    separator."""
    if decimal == sep and len(row) > len(names):  # (too many cells: a number split at its decimal comma?)
        return (f" (with {sep!r} both the separator and the decimal mark, a number must be quoted: \"1{sep}5\"" +
                ("; or pass --sep with the file's separator)" if len(names) == 1 else ")"))
    if first and names and names[0].startswith("#"):
        return (" (is the header line a comment? the first line that is not blank must be the header: remove the "
                "comment lines above it)")
    if any("\n" in cell or "\r" in cell for cell in row):  # (a quoted cell read on over a line break)
        return (" (a quote opened on this line is not closed on it, so its last cell runs on over the lines after "
                "it; close the quote, or double a quote inside a quoted cell)")
    others = [s for s in SEPARATORS if s != sep and any(s in cell for cell in row + names)]
    return f" (is the separator {others[0]!r}? pass --sep)" if others else ""


class _Columns:
    """Rows gathered into chunks, each chunk's columns converted into arrays as it fills."""

    def __init__(self, width: int, reader: Reader, keep: list[int]) -> None:
        self.written: dict[int, list[str]] = {j: [] for j in keep}  # (cells as written, of the kept columns)
        self.reader = reader
        self.chunk: list[list[str]] = []
        self.lines: list[int] = []
        self.parts: list[list[tuple[np.ndarray, np.ndarray | None]]] = [[] for _ in range(width)]

    def add(self, row: list[str], line: int) -> None:
        self.chunk.append(row)
        self.lines.append(line)
        if len(self.chunk) == CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self.chunk:
            for j, cells in enumerate(zip(*self.chunk)):
                self.parts[j].append(self.reader.convert(cells))
                if j in self.written:
                    self.written[j].extend(cell.strip(BLANKS) for cell in cells)
            self.chunk = []

    def table(self, source: str, names: list[str]) -> Table:
        self._flush()
        data, exact = {}, {}
        for name, parts in zip(names, self.parts):
            data[name], kept = _join(parts)
            if kept is not None:
                exact[name] = kept
        for j, cells in self.written.items():
            exact[names[j]] = np.array(cells, dtype=object)
        return _with_problems(Table(source, names, data, np.array(self.lines, dtype=np.int64), exact=exact),
                              self.reader.decimal)


def _with_problems(table: Table, decimal: str) -> Table:
    """The table, knowing why each unusable text column cannot be used (an error when it is)."""
    for name in table.columns:
        if table.data[name].dtype == object and (problem := text_problem(table, name, decimal)):
            table.problems[name] = problem
    return table


def _join(parts: list[tuple[np.ndarray, np.ndarray | None]]) -> tuple[np.ndarray, np.ndarray | None]:
    """One column from its chunks: numbers if every chunk is numbers, else text (numbers written back as text,
    so that a column mixing them is named as such)."""
    if all(values.dtype == np.float64 for values, _ in parts):
        if all(exact is None for _, exact in parts):
            return np.concatenate([values for values, _ in parts]), None
        return (np.concatenate([values for values, _ in parts]),
                np.concatenate([_as_text(values) if exact is None else exact for values, exact in parts]))
    return np.concatenate([_as_text(values) if exact is None else exact for values, exact in parts]), None


def _as_text(values: np.ndarray) -> np.ndarray:
    if values.dtype == object:
        return values
    out = np.empty(len(values), dtype=object)
    out[:] = [None if v != v else number_text(float(v)) for v in values]
    return out


class _LoneCarriageReturn(Exception):
    """A block holds a '\r' that does not end a '\r\n' line: read the file line by line instead."""


def _Blocks(f, source: str) -> Iterator[str]:  # noqa: N802 (used like the class _Lines)
    """The file's lines, split at '\n' in blocks of about a megabyte (a Python call per line would cost as
    much as the rest of the reading); a line longer than ``MAX_LINE`` is an error, not a memory spike."""
    rest, done = "", 0
    while block := f.read(1 << 20):
        block = rest + block
        cut = block.rfind("\n") + 1
        whole, rest = block[:cut], block[cut:]
        if whole.count("\r") != whole.count("\r\n"):  # (a '\r' of the unfinished line is looked at with its end)
            raise _LoneCarriageReturn
        lines = whole.split("\n")[:-1]
        if len(rest) > MAX_LINE or (lines and max(map(len, lines)) > MAX_LINE):
            long = next((k for k, line in enumerate(lines) if len(line) > MAX_LINE), len(lines))
            raise InputError(f"{source} line {done + long + 1} is longer than {MAX_LINE:,} characters; not a CSV "
                             "table")
        done += len(lines)
        yield from (line + "\n" for line in lines)
    if rest.count("\r") != rest.count("\r\n"):
        raise _LoneCarriageReturn
    if rest:
        yield rest


def _Lines(f, source: str) -> Iterator[str]:  # noqa: N802
    """The file's lines one by one (at '\n', '\r\n' or a lone '\r'), each read with a bound."""
    number = 0
    while line := f.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise InputError(f"{source} line {number} is longer than {MAX_LINE:,} characters; not a CSV table")
        yield line


def _check_closed(path: str | os.PathLike, table: Table, sep: str) -> None:
    """An error if the last row opens a quote that the file never closes: the csv module takes such a quote as a
    cell running to the end of the file, so the last row is read again, strictly."""
    line = int(table.lines[-1])
    with open(path, newline="", encoding="utf-8-sig") as f:
        try:
            list(csv.reader(itertools.islice(f, line - 1, None), delimiter=sep, skipinitialspace=True, strict=True))
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise InputError(f"{table.source} line {line}: a quote opens a cell that is never closed, so the "
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
    """The column names; an empty header cell names its column ``UNNAMED`` (R's ``write.csv`` and pandas'
    ``to_csv`` leave the first one, over the row names, empty)."""
    names = [name.strip(BLANKS) or UNNAMED.format(j + 1) for j, name in enumerate(header)]
    seen: set[str] = set()  # (a set: looking back along the list took seconds for 20,000 columns)
    for name in names:
        if name in seen:
            raise InputError(f"{where}: column {quote(name)} appears twice in the header")
        seen.add(name)
    if all(parse_number(name) is not None for name in names):
        raise InputError(f"{where} holds numbers, not column names: the first line must be a header")
    return names
