"""A quicker way through large CSV files when pyarrow is installed (``glassnet[arrow]``): Arrow's reader splits
the file into cells on every core, and each column is converted at once. It gives the very table that
``csvfile``'s own reader gives, or None, and then that reader (whose errors name lines) reads the file: for
anything unusual (blank lines, cells over several lines, lone '\\r' line ends, bad UTF-8, rows of the wrong
length, a header that differs) and for any column whose cells Arrow does not take as ASCII decimals."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence

import numpy as np

from .cells import BLANKS, CODE, KEPT_CELL, NA_VALUES, Reader, inexact, whole_somewhere
from .table import Table

THREADS = False  # (Arrow's threads each keep memory after the read: 150 MiB more on 200,000 x 20 numbers)
CHUNKS = 8  # Arrow chunks of a file, at least 1 MiB each (Arrow's 1 MiB alone makes 150 chunks of each of 5,000
# columns in a 150 MB file: the work per column and chunk grows as columns x columns; one chunk takes more memory)
SMALLEST = 4 << 20  # bytes: below this, importing pyarrow costs more than it saves
_NUMBER_BYTES = b"0123456789.eE+-naNAiIfFtTyY"  # (nan, inf and infinity in any case)


def read(path: str | os.PathLike, source: str, sep: str, reader: Reader,
         header: Callable[[list[str], str], list[str]], keep: Sequence[str] = ()) -> Table | None:
    """The table, or None when the caller's reader must read the file; ``header`` checks the column names."""
    if reader.decimal != "." or os.path.getsize(path) < SMALLEST:
        return None
    try:
        import pyarrow  # noqa: F401 (only whether it is there)
    except ImportError:
        return None
    first, lines, lone_cr, ends_line = _scan(path)
    plain = first is not None and first.strip() and b'"' not in first and first.isascii() and \
        not first.startswith(b"sep=")  # (Excel's line naming the separator: the csv module's reader skips it)
    if not plain or len(first) > csv.field_size_limit() or lone_cr:
        return None
    names = first.decode("ascii").split(sep)
    if names != [n.strip(BLANKS) for n in names]:
        return None
    names = header(names, f"{source} line 1")
    return _read(path, source, sep, names, reader, lines + (not ends_line), keep)


def _block(path: str | os.PathLike) -> int:
    """Arrow's block size for the file: ``CHUNKS`` chunks of at least 1 MiB, at most 1 GiB (Arrow takes less
    than 2**31)."""
    return min(max(1 << 20, os.path.getsize(path) // CHUNKS + 1), 1 << 30)


def _read(path: str | os.PathLike, source: str, sep: str, names: list[str], reader: Reader, lines: int,
          keep: Sequence[str]) -> Table | None:
    import pyarrow as pa
    import pyarrow.csv as arrow_csv

    try:
        table = arrow_csv.read_csv(os.fspath(path), read_options=arrow_csv.ReadOptions(use_threads=THREADS,
                                                                                       block_size=_block(path)),
                                   parse_options=arrow_csv.ParseOptions(delimiter=sep),
                                   convert_options=arrow_csv.ConvertOptions(
                                       column_types={n: pa.string() for n in names}, strings_can_be_null=False))
    except (pa.ArrowException, ValueError):
        return None
    rows = table.num_rows
    if table.column_names != names or not rows or lines != rows + 1:
        return None  # (blank lines, or cells over several lines: line numbers would not follow row numbers)
    import pyarrow.compute as pc

    if any((pc.max(pc.binary_length(table.column(n))).as_py() or 0) > csv.field_size_limit() for n in names):
        return None  # (a cell longer than the csv module takes: its reader says so)
    columns, texts = {}, table.columns
    del table
    for j, name in enumerate(names):  # (each column's text is let go once it is converted)
        columns[name] = _column(texts[j], reader)
        if name in keep:  # (the cells as written, too)
            columns[name] = columns[name][0], np.array([c.strip(BLANKS) for c in texts[j].to_pylist()], dtype=object)
        texts[j] = None
    pa.default_memory_pool().release_unused()  # (the cells' text, converted: back to the system)
    return Table(source, names, {n: v for n, (v, _) in columns.items()}, np.arange(2, rows + 2),
                 exact={n: e for n, (_, e) in columns.items() if e is not None})


def _scan(path: str | os.PathLike) -> tuple[bytes | None, int, bool, bool]:
    """(the first line without a BOM (None if it is longer than a megabyte, or if a space comes before a quote
    anywhere), the count of '\n', whether a '\r' ends no '\r\n', whether the file ends with '\n'), read a
    megabyte at a time."""
    lines, lone_cr, last, spaced = 0, False, b"", False
    with open(path, "rb") as f:
        first = f.read(1 << 20)
        block = first
        while block:
            lines += block.count(b"\n")
            spaced = spaced or b' "' in block or (last.endswith(b" ") and block.startswith(b'"'))
            if b"\r" in block:
                lone_cr = lone_cr or block.count(b"\r") != block.count(b"\r\n") + block.endswith(b"\r")
            lone_cr = lone_cr or (last.endswith(b"\r") and not block.startswith(b"\n"))  # (across two blocks)
            last, block = block, f.read(1 << 20)
    if last.endswith(b"\r"):
        lone_cr = True
    first = first.removeprefix(b"\xef\xbb\xbf")
    end = first.find(b"\n")
    if end < 0 or spaced:  # (a space before a quote: the csv module skips it and reads a quoted cell; Arrow not)
        return None, lines, lone_cr, last.endswith(b"\n")
    return first[:end].rstrip(b"\r"), lines, lone_cr, last.endswith(b"\n")


def _codes(cells) -> bool:
    """Whether some cell is a code, as ``cells.CODE`` matches (02134), with the blanks around it that the csv
    reader strips: every cell looked at by Arrow's regular expressions."""
    import pyarrow.compute as pc

    return bool(pc.any(pc.match_substring_regex(cells, rf"^[ \t]*{CODE.pattern}[ \t]*$")).as_py())


def _words(cells, missing) -> bool:
    """Whether a cell that is not missing is a code or a word that float() reads ('0E0', 'Nan'), whose text
    ``cells.Reader`` keeps: a category a model knows by it."""
    import pyarrow.compute as pc

    found = pc.match_substring_regex(cells, KEPT_CELL)
    return bool(pc.any(pc.and_(found, pc.invert(missing))).as_py())


def _column(cells, reader: Reader) -> tuple[np.ndarray, np.ndarray | None]:
    """One column: numbers if every cell is a number or missing (Arrow parses them), else ``reader``'s result."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if set(NA_VALUES) == reader.na and all(not chunk.buffers()[2] or not bytes(chunk.buffers()[2]).translate(
            None, _NUMBER_BYTES) for chunk in cells.chunks):
        missing = pc.is_in(cells, value_set=pa.array(sorted(reader.na)))
        try:
            values = pc.cast(pc.if_else(missing, pa.scalar(None, pa.string()), cells), pa.float64())
        except (pa.ArrowException, ValueError):
            pass
        else:  # (over these characters, Arrow and cells.parse_number take the same texts as numbers)
            values = np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
            written = inexact(values) or whole_somewhere(values) and _codes(cells) or _words(cells, missing)
            return values, reader.as_text(cells.to_pylist()) if written else None
    return reader.convert(cells.to_pylist())
