"""Tables from Parquet and Feather (Arrow IPC) files, with the ``glassnet[arrow]`` extra (pyarrow), and from
pandas DataFrames: the same ``Table`` a CSV file gives, with the same missing cells (null, NaN, and text cells
that are ``NA``, ``?``, ...) and rows named "row N" in errors. Dates read as the CSV file that pandas' ``to_csv``
writes of the same table: 2024-05-01 for a column of datetimes that are all at midnight, else 2024-05-01 12:30:00."""

from __future__ import annotations

import datetime
import numbers
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InputError
from .cells import Reader, inexact, text_problem
from .table import Table, quote

SUFFIXES = {".parquet": "Parquet", ".pq": "Parquet", ".feather": "Feather", ".arrow": "Feather", ".ipc": "Feather"}
_INTEGERS_EXACT = 2**53  # integers past this are kept as text too (float64 would change them)


def is_arrow_file(path: str | os.PathLike) -> bool:
    return os.path.splitext(os.fspath(path))[1].lower() in SUFFIXES


def read_arrow(path: str | os.PathLike, source: str | None = None, na_values: Sequence[str] = (),
               keep: Sequence[str] = (), decimal: str = ".") -> Table:
    """A Parquet or Feather file as a Table (needs pyarrow: pip install 'glassnet[arrow]'); ``decimal``: the
    decimal mark of numbers written as text."""
    from .csvfile import check_readable, options_given

    source = source or os.fspath(path)
    kind = SUFFIXES[os.path.splitext(os.fspath(path))[1].lower()]
    check_readable(path, source, f"a {kind} file")
    try:
        import pyarrow
        import pyarrow.feather
        import pyarrow.parquet
    except ImportError:
        raise InputError(f"{source}: reading {kind} files needs pyarrow: pip install 'glassnet[arrow]'") from None
    try:
        table = pyarrow.parquet.read_table(path) if kind == "Parquet" else pyarrow.feather.read_table(path)
    except (pyarrow.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"{source}: not a readable {kind} file ({str(exc).splitlines()[0][:200]})") from None
    columns = {name: table.column(name) for name in table.column_names}
    written = {n: _arrow_kept(columns[n]) for n in keep if n in columns}
    read = _table(source, list(table.column_names), {n: _arrow_column(c) for n, c in columns.items()},
                  table.num_rows, na_values, written, decimal)
    read.read_with = options_given(None, decimal, na_values)
    return read


def from_frame(frame: Any, source: str = "the DataFrame", na_values: Sequence[str] = (),
               keep: Sequence[str] = (), decimal: str = ".") -> Table:
    """A pandas DataFrame as a Table: columns of numbers stay numbers; any other column is read as a CSV file's
    cells are (text that is all numbers is numbers), its numbers written with ``decimal``."""
    names = [str(name) for name in frame.columns]
    twice = next((name for name in names if names.count(name) > 1), None)
    if twice is not None:
        raise InputError(f"{source} has two columns named {quote(twice)}; names must differ")
    data = {}
    for name, (_, column) in zip(names, frame.items()):
        kind = column.dtype.kind
        if kind == "f":
            data[name] = _floats(_frame_floats(column))
        elif kind in "iu":
            large = len(column) and _beyond_float64({"min": column.min(), "max": column.max()})
            data[name] = ("number", column.to_numpy(dtype=np.float64, na_value=np.nan), large,
                          [None if _is_na(v) else v for v in column.tolist()] if large else None, None)
        else:
            data[name] = _texts(column.tolist(), decimal, durations=kind == "m")
    written = {n: _frame_kept(column) for n, (_, column) in zip(names, frame.items()) if n in keep}
    return _table(source, names, data, len(frame), na_values, written, decimal)


def _text_of(value: object, decimal: str = ".") -> str:
    """A cell that is not a float64 number, as text: bytes as UTF-8 (undecodable bytes escaped), True as 'True'
    whatever the source, a number (a float among text, say) with the ``decimal`` mark the text is read with,
    anything else as ``str`` gives it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, (numbers.Real, np.number)) and not isinstance(value, (bool, np.bool_)):
        return str(value).replace(".", decimal)
    return str(value)


def _is_na(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or type(value).__name__ in ("NAType",
                                                                                                       "NaTType")


def _arrow_column(column: Any) -> tuple:
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):
        column, kind = column.cast(kind.value_type), kind.value_type
    if pa.types.is_floating(kind):
        return _floats(column.to_numpy(zero_copy_only=False))
    if pa.types.is_integer(kind) or pa.types.is_decimal(kind):
        values = column.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False)  # (rounding past 2**53:
        large = pa.types.is_integer(kind) and _beyond_float64(pc.min_max(column).as_py())  # the exact text is kept)
        return "number", values.astype(np.float64), large, column.to_pylist() if large else None, None
    return _texts(column.to_pylist(), ".", durations=pa.types.is_duration(kind))


def _frame_floats(column: Any) -> np.ndarray:
    """A DataFrame's column of floats as NumPy floats of its width, as pandas writes it: a float32 short, but a
    float32[pyarrow] widened (so read as float64)."""
    size = 8 if type(column.dtype).__name__ == "ArrowDtype" else column.dtype.itemsize
    return column.to_numpy(dtype={2: np.float16, 4: np.float32}.get(size, np.float64), na_value=np.nan)


def _frame_kept(column: Any) -> list:
    """A kept column's cells (ids that predict copies) as the CSV that pandas writes has them."""
    if column.dtype.kind == "m":
        return _durations(column.tolist())
    if column.dtype.kind == "f" and (values := _frame_floats(column)).dtype.itemsize < 8:
        return _float_texts(values)
    return column.tolist()


def _arrow_kept(column: Any) -> list:
    """A kept column's cells (ids that predict copies) as the CSV that pandas writes of its table has them."""
    import pyarrow as pa

    kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
    if pa.types.is_duration(kind):
        return _durations(column.to_pylist())
    if pa.types.is_floating(kind) and kind.bit_width < 64:
        return _float_texts(column.cast(kind).to_numpy(zero_copy_only=False))
    return column.to_pylist()


def _texts(values: list, decimal: str, durations: bool = False) -> tuple:
    """A column that is not numbers, as its cells' text (dates and ``durations`` as ``to_csv`` writes them), and
    for durations the text glassnet read before it wrote them so (fingerprints saved then: ``Table.earlier``)."""
    texts = [None if _is_na(v) else _text_of(v, decimal) for v in (_durations(values) if durations else _dates(values))]
    return "text", texts, False, None, [None if _is_na(v) else _text_of(v, decimal) for v in values] if durations \
        else None


def _floats(values: np.ndarray) -> tuple:
    """A column of floats as the CSV file that pandas writes of it reads: a float32 or float16 value as the
    shortest decimal that gives it back, and the text of a column holding values past 2**53, as the CSV reader
    keeps it ('1e+20')."""
    wide = shortest_decimal(values) if values.dtype.itemsize < 8 else values.astype(np.float64)
    large = inexact(wide)
    earlier = values.astype(np.float64) if large or values.dtype.itemsize < 8 else None  # (widened, no text: as
    # glassnet read them before, for the fingerprints saved then)
    return "number", wide, large, _float_texts(values) if large else None, earlier


def _float_texts(values: np.ndarray) -> list[str | None]:
    """Each value as ``str`` writes it in its own width (a float32's 1.2573023e+09, its shortest), None for NaN."""
    return [None if v != v else str(v) for v in values]


def shortest_decimal(narrow: np.ndarray) -> np.ndarray:
    """float32 or float16 values as float64, each the shortest decimal that reads back as it (what ``str`` and
    ``to_csv`` write): 2.040919, where widening gives 2.0409190654754639. Decimals of 1 to 9 significant digits
    are tried for all values at once; the few values far from 1 (past 1e±22, where powers of ten are inexact)
    go through ``str``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wide = narrow.astype(np.float64)
        exponent = np.floor(np.log10(np.abs(wide)))
        todo = np.isfinite(exponent)  # (not 0, inf or NaN: those are exact already)
        near = np.flatnonzero(todo & (exponent >= -14) & (exponent <= 22))  # (10**shift exact for every digits)
        for digits in range(1, 10):
            shift = digits - 1 - exponent[near]
            power, up = 10.0 ** np.abs(shift), shift >= 0
            exact = np.where(up, wide[near] * power, wide[near] / power)
            nearest = np.round(exact)
            other = np.where(nearest > exact, nearest - 1, nearest + 1)  # (below a power of 2, the gap is narrower)
            first, second = (np.where(up, k / power, k * power) for k in (nearest, other))  # (float64 nearest each)
            first_back = first.astype(narrow.dtype) == narrow[near]
            done = first_back | (second.astype(narrow.dtype) == narrow[near])
            wide[near[done]] = np.where(first_back, first, second)[done]
            todo[near[done]] = False
            near = near[~done]
    for i in np.flatnonzero(todo):
        wide[i] = float(str(narrow[i]))
    return wide


def _dates(values: list) -> list:
    """A column's values, with datetimes that are all at midnight (no time zone) as their dates, 2024-05-01, as
    ``to_csv`` writes them (``str`` would add 00:00:00), so that a model trained on the CSV knows them."""
    first = next((v for v in values if not _is_na(v)), None)
    if not isinstance(first, datetime.datetime):
        return values
    midnight = datetime.time()
    if all(_is_na(v) or (isinstance(v, datetime.datetime) and v.tzinfo is None and v.time() == midnight
                         and not getattr(v, "nanosecond", 0)) for v in values):
        return [v if _is_na(v) else v.date().isoformat() for v in values]
    return values


def _durations(values: list) -> list:
    """Durations as ``to_csv`` writes them: '0 days 01:00:00', '-1 days +23:00:00' (Arrow's are Python's
    timedelta, whose text is '1:00:00'), with as many decimals in every cell as the finest one needs, and only
    the days where every one is whole days ('3 days')."""
    present = [v for v in values if isinstance(v, datetime.timedelta)]
    digits = 9 if any(getattr(v, "nanoseconds", 0) for v in present) else 6 if any(v.microseconds for v in present) \
        else 0 if any(v.seconds for v in present) else -1  # (-1: whole days, '3 days')
    return [v if not isinstance(v, datetime.timedelta) else _duration(v, digits) for v in values]


def _duration(value: datetime.timedelta, digits: int) -> str:
    if digits < 0:
        return f"{value.days} days"
    minutes, seconds = divmod(value.seconds, 60)
    fraction = (value.microseconds * 1000 + getattr(value, "nanoseconds", 0)) // 10 ** (9 - digits)
    return f"{value.days} days {'+' if value.days < 0 else ''}{minutes // 60:02d}:{minutes % 60:02d}:{seconds:02d}" + \
        (f".{fraction:0{digits}d}" if digits else "")


def _beyond_float64(extremes: dict) -> bool:
    """Whether an integer column's {"min", "max"} (None when every cell is missing) reaches past 2**53, where
    float64 would change its values."""
    low, high = (0 if _is_na(extremes[end]) else extremes[end] for end in ("min", "max"))
    return high >= _INTEGERS_EXACT or low <= -_INTEGERS_EXACT


def _table(source: str, names: list[str], columns: dict[str, tuple], rows: int, na_values: Sequence[str],
           written: dict[str, list], decimal: str) -> Table:
    """The Table of converted ``columns``; ``written``: the values of the kept columns, to hold as text too."""
    if not names:
        raise InputError(f"{source} has no columns")
    if not rows:
        raise InputError(f"{source} has no rows")
    reader = Reader(na_values, decimal)
    data, exact, earlier = {}, {}, {}
    for name, (kind, values, large, original, before) in columns.items():
        if kind == "number":
            data[name] = reader.missing_numbers(values)
            if large:
                exact[name] = reader.as_text(["" if v is None else str(v) for v in original])
        else:  # (text that is all numbers is numbers, as in a CSV file)
            data[name], kept = reader.convert(["" if v is None else v for v in values])
            if kept is not None:
                exact[name] = kept
        if before is not None:
            earlier[name] = reader.missing_numbers(before) if kind == "number" else \
                reader.convert(["" if v is None else v for v in before])[0]
    for name, values in written.items():
        exact[name] = np.array(["" if _is_na(v) else _text_of(v) for v in values], dtype=object)
    table = Table(source, names, data, np.arange(1, rows + 1), unit="row", exact=exact)
    table.earlier = earlier
    for name in names:
        if data[name].dtype == object and (problem := text_problem(table, name, decimal)):
            table.problems[name] = problem
    return table
