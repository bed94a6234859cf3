"""Array checks: the data a network is given, checked and named in every error (see ``constraints`` for the
rules of single arguments)."""

from __future__ import annotations

import sys

import numpy as np

from .errors import InputError

Array = np.ndarray
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_dtype(dtype: object) -> np.dtype:
    """float32 or float64, or a clear error."""
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        dt = None
    if dt is None or dtype is None or dt not in FLOAT_DTYPES:  # (NumPy counts None equal to float64)
        raise InputError(f"dtype must be float32 or float64; got {dtype!r}")
    return dt


def numeric_array(values: object, name: str, dtype: np.dtype | None = None) -> Array:
    """``values`` as a non-empty array of finite numbers (in ``dtype`` if given)."""
    arr = as_array(values, name)
    if arr.dtype.kind in "OSU":  # objects or text: numbers written as strings are fine
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            arr = _missing_as_nan(arr)
        except OverflowError:  # a Python int past the float range
            raise InputError(f"{name} holds an integer too large for a float (over {np.finfo(np.float64).max:.3g})") \
                from None
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{name} must hold numbers (real ones: not text, complex numbers or dates); got an "
                         f"array of dtype {arr.dtype}")
    if arr.size == 0:
        raise InputError(f"{name} is empty (shape {arr.shape}); it needs at least one row and one column")
    if dtype is not None and arr.dtype != dtype:
        with np.errstate(over="ignore"):  # values too large for float32 become inf, reported below
            arr = np.ascontiguousarray(arr, dtype=dtype)
        name = f"{name} (as {arr.dtype.name}, whose largest value is {np.finfo(arr.dtype).max:.3g})"
    elif dtype is not None:
        arr = np.ascontiguousarray(arr)
    if arr.dtype.kind == "f" and not np.isfinite(_total(arr)):
        _raise_non_finite(arr, name)
    return arr


def _missing_as_nan(arr: Array) -> Array:
    """An object array whose missing values are pandas' (pd.NA, None, NaT) as float64 with NaN there (named then as
    any NaN is), if the others are numbers; else ``arr`` as it was."""
    pandas = sys.modules.get("pandas")  # (pd.NA comes only from pandas, so only if it is loaded)
    if pandas is None:
        return arr
    try:
        return np.where(pandas.isna(arr), np.nan, arr).astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        return arr


def as_array(values: object, name: str) -> Array:
    """``np.asarray(values)``, with a clear error for ragged nested lists and for None."""
    if values is None:
        raise InputError(f"{name} is None; expected an array of numbers")
    if isinstance(values, np.ma.MaskedArray):
        if np.ma.getmaskarray(values).any():
            raise InputError(f"{name} is a masked array with {int(np.ma.getmaskarray(values).sum())} masked "
                             "value(s); glassnet does not read masks: fill them (.filled(...)) or drop those rows")
        values = values.data
    try:
        return np.asarray(values)
    except ValueError:
        raise InputError(f"{name} is ragged: its rows must all have the same length") from None


def _total(arr: Array, block: int = 65536) -> float:
    """The sum of every element (NaN or infinite if any element is), as row sums by BLAS matrix-vector
    products, ``block`` rows at a time: about 3x faster than ``arr.sum()`` on a large float32 array, and
    it never holds more than ``block`` row sums."""
    table = arr.reshape(len(arr), -1) if arr.ndim > 1 else arr.reshape(-1, 1)
    ones, sums = np.ones(table.shape[1], arr.dtype), np.empty(min(block, len(table)), arr.dtype)
    total = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, len(table), block):
            part = table[start:start + block]
            total += np.add.reduce(np.dot(part, ones, sums[:len(part)]))
    return total


def _raise_non_finite(arr: Array, name: str, chunk: int = 65536) -> None:
    """Name the first NaN or infinity, scanning in chunks so no full-size mask is made.

    (Called when the sum of ``arr`` is not finite: a NaN or inf, or a sum that overflowed.)
    """
    if arr.ndim == 0:
        raise InputError(f"{name} is {arr.item()}; it must be a finite number")
    first, count = None, 0
    for start in range(0, len(arr), chunk):
        bad = np.argwhere(~np.isfinite(arr[start:start + chunk]))
        if len(bad) and first is None:
            first = (bad[0][0] + start, *bad[0][1:])
        count += len(bad)
    if first is not None:
        where = f"row {first[0]}" + (f", column {first[1]}" if arr.ndim > 1 else "")
        raise InputError(f"{name} contains NaN or infinity at {where} ({count} value(s) in all)")


def features(X: object, n_features: int | None = None, dtype: np.dtype | None = None, name: str = "X") -> Array:
    """A 2-D (rows, features) array, with ``n_features`` columns when given."""
    arr = numeric_array(X, name, dtype)
    if arr.ndim != 2:
        raise InputError(f"{name} must be 2-D (rows, features); got shape {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise InputError(f"{name} has {arr.shape[1]} feature column(s) but the network expects {n_features}")
    return arr


def targets(y: object, n_rows: int, name: str = "y", dtype: np.dtype | None = None) -> Array:
    """A 1-D or 2-D target array with ``n_rows`` rows (in ``dtype`` if given)."""
    arr = numeric_array(y, name, dtype)
    if arr.ndim not in (1, 2):
        raise InputError(f"{name} must be 1-D or 2-D; got shape {arr.shape}")
    if len(arr) != n_rows:
        raise InputError(f"X has {n_rows} row(s) but {name} has {len(arr)}; they must match")
    return arr


def finite_rows(values: Array, what: str, advice: str) -> Array:
    """``values`` (one row per row of X), or an InputError naming the first row of X where one is NaN or
    infinite: "X row {row}: {what} not finite (...): {advice}"."""
    if np.isfinite(values).all():  # (quick: the row is looked for only when there is one)
        return values
    row = int((~np.isfinite(values.reshape(len(values), -1)).all(axis=1)).argmax())
    raise InputError(f"X row {row}: {what} not finite ({np.asarray(values[row]).ravel().tolist()}): {advice}")
