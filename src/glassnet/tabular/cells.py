"""Cells as numbers: which columns hold numbers, which cells are missing, and each column converted (with the
line and column of any cell that is not a finite number)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from ..errors import InputError
from .table import Table, line_list, parse_number, quote

Array = np.ndarray


def is_numeric(table: Table, name: str) -> bool:
    """True if every non-empty cell of the column is a number, False if none is; mixed columns are an error, and
    so is text that only looks like numbers (thousands separators, decimal commas, digits that are not ASCII,
    underscores, no-break spaces): glassnet names it rather than guess."""
    numbers = text = None
    for cell, line in zip(table.column(name), table.lines):
        if cell:
            if parse_number(cell) is None:
                _looks_like_a_number(table, name, cell, line)
                text = text or (line, cell)
            else:
                numbers = numbers or (line, cell)
    texts = [cell for cell in table.column(name) if cell and parse_number(cell) is None]
    for pattern, how, fix in ((_THOUSANDS, "with thousands separators", "remove them (write 32190, not 32,190)"),
                              (_DECIMAL_COMMA, "with a decimal comma", "write it with a point (1.5, not 1,5)")):
        if texts and all(pattern.fullmatch(cell) for cell in texts):
            raise InputError(f"{table.where(text[0], name)}: {quote(text[1])} is a number written {how}; {fix} so "
                             "the column is read as numbers, not as text")
    if numbers and text:
        raise InputError(f"{table.where(text[0], name)}: {quote(text[1])} is not a number, but line {numbers[0]} "
                         f"holds the number {quote(numbers[1])}; a column holds numbers or text, not both")
    return text is None


_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+", re.ASCII)


def _looks_like_a_number(table: Table, name: str, cell: str, line: int) -> None:
    """An error for a cell that Python's float() would read but that is not an ASCII decimal number."""
    try:
        float(cell)
    except ValueError:
        return
    raise InputError(f"{table.where(line, name)}: {quote(cell)} is not written as an ASCII decimal number (digits "
                     "0-9, one '.', an exponent; no '_', no other digits, no no-break spaces); write it so, or it "
                     "would be read as text")


def missing_lines(table: Table, names: Sequence[str], numeric: dict[str, bool]) -> dict[str, list[int]]:
    """For each column, the lines whose cell is empty, or NaN or infinite in a numeric column."""
    found = {}
    for name in names:
        bad = [line for cell, line in zip(table.column(name), table.lines)
               if not cell or (numeric[name] and not math.isfinite(parse_number(cell) or 0.0))]
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
        raise InputError(f"{table.source}: column {quote(name)} has empty, NaN or infinite cells on {line_list(lines)} "
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
        value = parse_number(cell)
        if value is None or not math.isfinite(value):
            what = "an empty cell" if not cell else quote(cell)
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
        raise InputError(f"{table.where(table.lines[i], name)}: {quote(table.column(name)[i])} is too large for the "
                         f"model's standardization ((x - {mean:.6g}) / {scale:.6g} overflows float64)")
    return out


def class_label(cell: str, numeric: bool) -> str:
    """The canonical name of a class: the text itself, or for numbers ``1`` for both "1" and "1.0" (integers
    exactly, however many digits: 2**53 + 1 is not 2**53)."""
    if not numeric:
        return cell
    if _INTEGER.fullmatch(cell) and len(cell) < 4000:  # (Python converts at most 4,300 digits)
        return str(int(cell))
    value = float(cell)
    return str(int(value)) if value.is_integer() else repr(value)


_INTEGER = re.compile(r"[-+]?\d+", re.ASCII)
