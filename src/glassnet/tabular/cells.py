"""Cells: which are missing, which are numbers, and a column of text cells turned into one array.

Missing: an empty cell or one of ``NA_VALUES`` (and any token given with ``--na-values``). Numbers: ASCII
decimals only ('1.5', '-2e3', '.5'; with ``decimal=","`` '1,5'). Python's float() also reads '1_000', '３' and
Arabic-Indic digits; glassnet does not, and names text that only looks like a number rather than guess.

Speed: a column is first tried as a whole (its characters checked at once, then NumPy converts it); only a
column with missing cells or text is looked at cell by cell.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Sequence

import numpy as np

from .table import Table, quote

Array = np.ndarray
NA_VALUES = ("", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?")  # (a model reads with the ones it was
# trained with: another token here would change how an older model reads its categories)
BLANKS = " \t\r\n"  # what is stripped around a cell (not a no-break space: '1.5\xa0' is not read as 1.5)
_DIGITS = "0123456789eE+-"

# (one way to match each string: '\d+\.?\d*' would try every split of a 100,000-digit cell, for hours)
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]?(nan|inf|infinity)", re.IGNORECASE | re.ASCII)
_THOUSANDS = re.compile(r"[-+]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?", re.ASCII)  # (0,126 is a decimal comma)
_DECIMAL_COMMA = re.compile(r"[-+]?\d*,\d+", re.ASCII)
_POINT_THOUSANDS = re.compile(r"[-+]?\d{1,3}(\.\d{3})+(,\d*)?", re.ASCII)  # 1.462,54
_INTEGER = re.compile(r"[-+]?\d+", re.ASCII)
CODE = re.compile(r"0\d+", re.ASCII)  # (a whole cell) a whole number written with a leading zero, as codes are: 02134
_CODE_LINE = re.compile(r"\n[ \t]*0\d+[ \t]*(?=\n|$)", re.ASCII)  # (the same, with blanks, in "\n" + cells joined)
_SIGNS = "[$\u20ac\u00a3\u00a5]"  # $, euro, pound, yen


def _with_unit(point: str, group: str) -> re.Pattern:
    """A number (thousands grouped or not) with a currency sign before or after it, or a % after it."""
    number = rf"[-+]?(\d{{1,3}}({group}\d{{3}})+|\d+)({point}\d*)?|[-+]?{point}\d+"
    return re.compile(rf"[-+]?{_SIGNS} ?({number})|({number}) ?({_SIGNS}|%)", re.ASCII)


_UNITS = {".": _with_unit(r"\.", ","), ",": _with_unit(",", r"\.")}  # by decimal mark: $1,059.27, 10,6 %
_HAS_DIGIT = re.compile(r"\d", re.ASCII)
_CODE_TEXT = re.compile(r"(?=.*\d)[A-Za-z0-9]+", re.ASCII)  # a code of letters and digits: 00M, K2X
_E_CODE_TEXT = r"\d+[eE]\d+"  # a code of that kind that float() reads: 0E0
_WORD_TEXT = r"[-+]?(?:nan|inf|infinity)"  # (any case) a word that float() reads
KEPT_CELL = rf"^[ \t]*({_E_CODE_TEXT}|(?i:{_WORD_TEXT}))[ \t]*$"  # a cell of either: its text is kept (Arrow's too)
_E_CODE = re.compile(_E_CODE_TEXT, re.ASCII)
_E_DIGIT = re.compile(r"[eE]\d", re.ASCII)
_E_CODE_LINE = re.compile(rf"^[ \t]*{_E_CODE_TEXT}[ \t]*$", re.ASCII | re.MULTILINE)  # (in cells joined)
_WORD_LINE = re.compile(rf"^[ \t]*({_WORD_TEXT})[ \t]*$", re.ASCII | re.IGNORECASE | re.MULTILINE)
NAN_WORD = re.compile(r"[-+]?nan", re.ASCII | re.IGNORECASE)  # the words among them that give NaN
MINUS = "\u2212"  # the minus sign of typeset text, which float() does not read
_TOKEN = re.compile(r"[!#-&(-+\--:<-~]{1,20}", re.ASCII)  # a short word that --na-values can name (no ' " , ; or space)


def parse_number(cell: str, decimal: str = ".") -> float | None:
    """The cell as a float if it is an ASCII decimal number (or nan, inf), else None."""
    if decimal != ".":
        if "." in cell:
            return None
        cell = cell.replace(decimal, ".", 1)
    return float(cell) if _NUMBER.fullmatch(cell) else None


def number_tokens(tokens: Sequence[str], decimal: str = ".") -> Array:
    """The missing-cell tokens that are finite numbers (such as -999), sorted: a number equal to one is missing."""
    values = {parse_number(t.strip(BLANKS), decimal) for t in tokens}
    return np.array(sorted(v for v in values if v is not None and math.isfinite(v)))


class Reader:
    """Turns columns of cells (as the csv module gives them) into arrays: float64 with NaN for missing cells,
    or, when some cell is text, object arrays of stripped strings with None for missing cells."""

    def __init__(self, na_values: Sequence[str] = (), decimal: str = ".") -> None:
        self.na = frozenset(NA_VALUES) | frozenset(v.strip(BLANKS) for v in na_values)
        self.decimal = decimal
        allowed = (_DIGITS + decimal + " \t\r\n").encode("ascii")
        # (a token such as -999 is a number to NumPy: such a token sends every column cell by cell)
        numeric = [v for v in self.na if v and v.isascii() and not v.encode("ascii").translate(None, allowed)]
        self._allowed = None if numeric else allowed
        self.na_numbers = number_tokens(self.na, decimal)

    def missing_numbers(self, values: Array) -> Array:
        """``values`` with NaN where a value is a number token of ``na_values`` (-999.0 as well as -999)."""
        return np.where(np.isin(values, self.na_numbers), np.nan, values) if self.na_numbers.size else values

    def convert(self, cells: Sequence[str]) -> tuple[Array, Array | None]:
        """(values, exact): ``exact`` keeps the text of a column of numbers holding 16-digit integers, whole
        numbers written with a leading zero (02134: a code, which a warning names), or codes and words that float()
        reads ('0E0', 'Nan': a category a model knows by its text)."""
        joined = "\n".join(cells)
        if self._allowed and joined.isascii() and not joined.encode("ascii").translate(None, self._allowed):
            try:
                values = np.array(cells if self.decimal == "." else [c.replace(",", ".") for c in cells],
                                  dtype=np.float64)
            except ValueError:
                pass  # an empty cell, a lone '-', ...: cell by cell below
            else:
                written = inexact(values) or whole_somewhere(values) and _codes_in("\n" + joined) or \
                    self._e_codes(joined)
                return self.missing_numbers(values), self.as_text(cells) if written else None
        return self._cell_by_cell(cells, joined)

    def _cell_by_cell(self, cells: Sequence[str], joined: str) -> tuple[Array, Array | None]:
        stripped = [cell.strip(BLANKS) for cell in cells]
        values = np.empty(len(cells))
        for i, cell in enumerate(stripped):
            value = math.nan if cell in self.na else parse_number(cell, self.decimal)
            if value is None:
                return self.as_text(stripped), None
            values[i] = value
        written = inexact(values) or whole_somewhere(values) and any(CODE.fullmatch(cell) for cell in stripped) or \
            self._words(joined)
        return self.missing_numbers(values), self.as_text(stripped) if written else None

    @staticmethod
    def _e_codes(joined: str) -> bool:
        """Whether a cell of ``joined`` is a code such as '0E0' (quick where no cell has an 'e', and where those
        that do are floats as programs write them: 1e-06, 2.5e+20)."""
        return ("e" in joined or "E" in joined) and _E_DIGIT.search(joined) is not None and \
            _E_CODE_LINE.search(joined) is not None

    def _words(self, joined: str) -> bool:
        """Whether a cell (of ``joined``, the cells with a line break between) that is not missing is a code or a
        word that float() reads ('0E0', 'Nan'). Numbers hold no 'a' or 'f', which every such word holds."""
        if self._e_codes(joined):
            return True
        if not ("a" in joined or "A" in joined or "f" in joined or "F" in joined):
            return False
        return any(word not in self.na for word in _WORD_LINE.findall(joined))

    def as_text(self, cells: Sequence[str]) -> Array:
        out = np.empty(len(cells), dtype=object)
        out[:] = [None if c in self.na else c for c in (cell.strip(BLANKS) for cell in cells)]
        return out


def whole_somewhere(values: Array) -> bool:
    """Whether some value is a whole number: only those are codes (02134), so a column of measurements (1.234567)
    is not searched for them."""
    with np.errstate(invalid="ignore"):
        return bool(np.any(values == np.trunc(values)))


def _codes_in(lines: str) -> bool:
    """Whether a cell of ``lines`` ("\n" before each cell) is a code (``CODE``: 02134). Counting is quick where
    searching is not: most columns have no "\n0" but as 0 or 0.25, and are not searched at all."""
    zeros = lines.count("\n0") + lines.count("\n ") + lines.count("\n\t")  # (a blank before a cell: searched)
    plain = lines.count("\n0.") + lines.count("\n0\n") + lines.endswith("\n0")
    return zeros > plain and _CODE_LINE.search(lines) is not None


def inexact(values: Array) -> bool:
    """Whether some value is at least 2**53, where float64 can no longer hold every integer (an integer class
    label must stay exact: its text is kept)."""
    with np.errstate(invalid="ignore"):
        return bool((np.abs(values) >= 2**53).any())


def text_problem(table: Table, name: str, decimal: str = ".") -> str | None:
    """Why a text column cannot be used, or None: numbers mixed with text, or text that only looks like
    numbers (thousands separators, decimal commas, digits that are not ASCII, '_', no-break spaces)."""
    values = table.data[name]
    distinct: dict[str, list[int]] = {}  # each cell: [its first row, how many rows hold it]
    for i in np.flatnonzero(~np.equal(values, None)):
        distinct.setdefault(values[i], [int(i), 0])[1] += 1
    numbers, texts, counts = [], [], [0, 0]  # (rows of numbers, rows of text)
    for cell, (i, count) in distinct.items():
        is_text = parse_number(cell, decimal) is None
        (texts if is_text else numbers).append((cell, i))
        counts[is_text] += count
    for cell, i in texts:
        if decimal == "," and parse_number(cell) is not None:
            return (f"{table.where(i, name)}: {quote(cell)} holds a '.', but the decimal mark is ','; pass --decimal "
                    ". (in Python: decimal=\".\") if the numbers are written with a point, or remove the '.' if it "
                    "separates thousands, so the column is read as numbers, not as text")
        if _float_reads(cell) or _float_reads(cell.replace(MINUS, "-")):
            return (f"{table.where(i, name)}: {quote(cell)} is not written as an ASCII decimal number (digits 0-9, "
                    f"one {decimal!r}, an exponent; no '_', no other digits, no no-break spaces, '-' not the minus "
                    "sign U+2212); write it so, or it would be read as text")
    numbers = _numbers_among_text(numbers, texts, counts[1] > counts[0])
    if not texts:
        return None
    (text, i), every = texts[0], [cell for cell, _ in texts]
    if decimal == "." and all(_THOUSANDS.fullmatch(c) for c in every):
        return (f"{table.where(i, name)}: {quote(text)} is a number written with thousands separators; remove them "
                "(write 32190, not 32,190) so the column is read as numbers, not as text")
    if decimal == "." and all(_DECIMAL_COMMA.fullmatch(c) for c in every):
        return (f"{table.where(i, name)}: {quote(text)} is a number written with a decimal comma; pass --decimal , "
                "(in Python: decimal=\",\") or write it with a point (1.5, not 1,5) so the column is read as "
                "numbers, not as text")
    if all(_POINT_THOUSANDS.fullmatch(c) or _DECIMAL_COMMA.fullmatch(c) for c in every) and \
            any(_POINT_THOUSANDS.fullmatch(c) for c in every):
        return (f"{table.where(i, name)}: {quote(text)} is a number written with '.' between thousands and a "
                "decimal comma; remove the thousands separators and pass --decimal , (in Python: decimal=\",\") so "
                "the column is read as numbers, not as text")
    words = [c for c in every if not _HAS_DIGIT.search(c)]
    if (unit := _with_units(texts, words)) is not None:
        cell, k = unit
        return (f"{table.where(k, name)}: {quote(cell)} is a number written with a unit ('%', '$', ...); write the "
                f"numbers alone (38.6, not 38.6%) so the column is read as numbers, not as text"
                f"{_na_hint(words[0]) if words else ''}")
    if numbers:
        number, k = numbers[0]
        if len(numbers) < len(texts):  # (text, with a few numbers among it)
            return (f"{table.where(k, name)}: {quote(number)} is a number, but the column holds text (such as "
                    f"{quote(text)}, {table.line(i)}); a column holds numbers or text, not both: if it is a category, "
                    f"name it with a letter too, or leave the column out (--ignore {name})")
        return (f"{table.where(i, name)}: {quote(text)} is not a number, but {table.line(k)} holds the number "
                f"{quote(number)}; a column holds numbers or text, not both{_na_hint(text) if len(texts) <= 3 else ''}")
    return None


def _numbers_among_text(numbers: list[tuple[str, int]], texts: list[tuple[str, int]],
                        mostly_text: bool) -> list[tuple[str, int]]:
    """The cells of a column with text that are numbers there: not a word float() reads ('Nan', 'INF': a name, a
    position) and, where most rows hold text and most of that text is codes of letters and digits ('00M'), not a
    code such as '0E0' (an airport's), which only looks like a number with an exponent. ('1E-05' among 'ND' and
    '<LOD' stays a number: a column mixing them is an error.)"""
    codes = mostly_text and sum(bool(_CODE_TEXT.fullmatch(cell)) for cell, _ in texts) > len(texts) / 2
    return [(cell, i) for cell, i in numbers if _HAS_DIGIT.search(cell) and not (codes and _E_CODE.fullmatch(cell))]


def _na_hint(word: str) -> str:
    """How to read ``word`` as a missing cell, as the end of an error ("" for one --na-values cannot name)."""
    return f"; if {quote(word)} marks a missing cell, pass --na-values={shlex.quote(word)} (in Python: " \
        f"na_values=[{word!r}])" if _TOKEN.fullmatch(word) else ""


def _with_units(texts: list[tuple[str, int]], words: list[str]) -> tuple[str, int] | None:
    """The first of a column's text cells written as a number with a unit, when every other one is too (with
    either decimal mark) or is one of ``words``, without digits (a missing cell, such as 'n/a'), and those words
    are not the most; else None."""
    for pattern in _UNITS.values():
        units = [(c, i) for c, i in texts if pattern.fullmatch(c)]
        if units and len(units) + len(words) == len(texts) and len(units) >= len(words):
            return units[0]
    return None


def _float_reads(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def class_label(value: object) -> str:
    """The canonical name of a class: the text itself, or for numbers ``1`` for both "1" and "1.0" (integers
    exactly, however many digits: 2**53 + 1 is not 2**53)."""
    if isinstance(value, str):
        if _INTEGER.fullmatch(value) and len(value) < 4000:  # (Python converts at most 4,300 digits)
            return str(int(value))
        number = parse_number(value)
        if number is None:
            return value
        value = number
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)
