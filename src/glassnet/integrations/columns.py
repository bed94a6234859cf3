"""Columns for the scikit-learn estimators: each input column's scaling, fitted on the training X (the scalers
``glassnet train`` uses, ``glassnet.tabular.scaling``, on a matrix rather than a table), the mean and standard
deviation that standardize a target, and a regressor's y read as numbers."""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import InputError
from ..tabular.scaling import fit_scaler, mean_and_std

Array = np.ndarray


class ColumnScaling:
    """``kind`` fitted on each column of X: "standard" ((x - mean) / std, as scikit-learn's StandardScaler),
    "robust" (``RobustScaler``: median, IQR, smooth clip) or "quantile" (``QuantileScaler``)."""

    def __init__(self, kind: str, X: Array, first_batch: bool = False) -> None:
        self.kind = kind
        if first_batch and kind == "quantile":
            _warn_single_values(X)
        if kind == "standard":
            self.mean, self.scale = mean_and_scale(X, "X")
        else:
            self.scalers = [fit_scaler(kind, column, f"X column {j}")
                            for j, column in enumerate(np.asarray(X, dtype=np.float64).T)]
            for scaler in self.scalers:  # a column constant in these rows (partial_fit's first batch, say) keeps
                if getattr(scaler, "scale", None) == 0:  # its differences later, as StandardScaler's scale 1 does
                    scaler.scale = 1.0

    def transform(self, X: Array) -> Array:
        """The scaled columns of X, in X's float type."""
        if self.kind == "standard":
            out = (X - self.mean) / self.scale
        else:
            out = np.empty(X.shape, dtype=np.float64)
            for j, scaler in enumerate(self.scalers):
                out[:, j] = scaler.transform(X[:, j])
        return out.astype(X.dtype, copy=False)


def _warn_single_values(X: Array) -> None:
    """A warning where a column of partial_fit's first X, on which quantile scaling is fitted once and for all,
    holds one value: every later value of it would scale to 0 (one row) or to one of two values."""
    single = [j for j, column in enumerate(np.asarray(X).T) if np.unique(column).size < 2]
    if single:
        warnings.warn(f"scaling='quantile' is fitted on the first partial_fit's X alone, where column(s) {single[:5]}"
                      f"{' ...' if len(single) > 5 else ''} hold a single value: later values of them lose their "
                      "differences; give the first call more rows, or use scaling='robust'", UserWarning,
                      stacklevel=6)  # (at partial_fit's caller: here, ColumnScaling, _start, partial_fit, its wrapper)


def mean_and_scale(values: Array, name: str) -> tuple[Array, Array]:
    """Each column's mean and standard deviation (ddof 0, ``scaling.mean_and_std``), float64 of shape (columns,); a
    constant column's scale is 1. Values so large that these overflow are an InputError naming ``name``."""
    mean, std = mean_and_std(np.asarray(values, dtype=np.float64).reshape(len(values), -1))
    if not (np.isfinite(mean).all() and np.isfinite(std).all()):
        raise InputError(f"{name} holds values too large to standardize (their standard deviation overflows "
                         "float64); divide them by a power of ten")
    return mean, np.where(std > 0, std, 1.0)


def numeric_target(y: object) -> object:
    """A regressor's y, with text read as numbers ("1.5" as 1.5, as ``validate_data`` reads X's); other y as given.
    Text that is not a number is an InputError naming where it is."""
    if getattr(getattr(y, "dtype", None), "kind", "O") not in "OUS":
        return y
    try:
        values = np.asarray(y)
    except ValueError:  # (ragged rows: validate_data names them)
        return y
    if values.dtype.kind not in "OUS" or not values.ndim:  # (None, say: validate_data says what y must be)
        return y
    try:
        return values.astype(np.float64)
    except (TypeError, ValueError):
        pass
    table = values.reshape(len(values), -1).tolist()  # (Python values: 'a', not np.str_)
    for row, cells in enumerate(table):  # (one by one, to name the first that is not a number)
        for column, value in enumerate(cells):
            try:
                cells[column] = float(value)
            except (TypeError, ValueError):
                where = f"row {row}" + (f", column {column}" if values.ndim > 1 else "")
                raise InputError(f"y {where}: {value!r} is not a number; a regressor needs numeric targets (for "
                                 "classes, use GlassnetClassifier)") from None
    return np.array(table).reshape(values.shape)
