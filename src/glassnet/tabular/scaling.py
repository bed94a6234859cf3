"""Scalers for one numeric column: how its numbers become a network's input.

A network learns fastest when every input is of order 1. Standardization, (x - mean) / std, gets there unless a
column has outliers or a long tail: one value of 10^6 among values near 1 makes the std huge and squeezes every
other value near 0. Two scalers that tables with such columns train better with:

    RobustScaler    (x - median) * s, with s = 1 / (q75 - q25) (1 / interquartile range), or 2 / (max - min) when
                    the quartiles are equal, or 0 for a constant column; then the smooth clip
                    x -> x / sqrt(1 + (x / 3)^2), which is about x near 0 and tends to +-3 far out, so an outlier
                    is kept in order but cannot dominate (the scaling of RealMLP: Holzmueller et al., 2024)
    QuantileScaler  each value -> the standard normal quantile of its rank among the training values
                    (its rank by linear interpolation between at most 1,000 reference quantiles), so any column's
                    training values come out shaped like a standard normal (Gorishniy et al., 2021, used scikit-learn's
                    QuantileTransformer the same way)

Each is a small class: ``fit(values)`` learns its parameters from a column's training values (a 1-D float array,
NaN for a missing cell, which is left out of the fit), ``transform(values)`` maps any values of the column (NaN
stays NaN: filling missing cells is the imputation's work, before or after), and ``to_json()`` / ``from_json()``
save and restore the parameters as JSON-safe dicts for a model file's metadata.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from ..errors import InputError

Array = np.ndarray
CLIP = 3.0  # the smooth clip's asymptote: values far out tend to +-CLIP
MAX_QUANTILES = 1000
FAR = 1e150  # smooth_clip(FAR) is CLIP in float64: larger values are clipped to +-FAR first, so (x / 3)^2 is finite
EDGE = 1e-7  # the quantile scaler's outermost probabilities, whose normal quantiles are -+5.2


def _observed(values: object, name: str) -> Array:
    """The column's non-missing values as float64, or an InputError if there are none."""
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise InputError(f"{name}.fit needs a 1-D array of one column's values; got shape {x.shape}")
    x = x[~np.isnan(x)]
    if not len(x):
        raise InputError(f"{name}.fit needs at least one value that is not missing (NaN)")
    if not np.isfinite(x).all():
        raise InputError(f"{name}.fit: the column holds an infinite value")
    return x


def mean_and_std(values: Array) -> tuple[Array, Array]:
    """Each column's mean and standard deviation (ddof 0) of a 2-D float64 array without missing cells. The std of
    a column of tiny values (1e-200), whose squares underflow to 0, comes from the values divided by their largest
    magnitude, so that only a constant column gets 0. Values too large give inf or NaN: the caller refuses them,
    naming them its own way."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        mean, std = values.mean(axis=0), values.std(axis=0)
        lost = (std == 0) & (values.min(axis=0, initial=np.inf) != values.max(axis=0, initial=-np.inf))
        if lost.any():
            largest = np.abs(values[:, lost]).max(axis=0)
            std[lost] = (values[:, lost] / largest).std(axis=0) * largest
    return mean, std


def smooth_clip(x: Array) -> Array:
    """x / sqrt(1 + (x / 3)^2): about x near 0, bounded by +-3, monotone (RealMLP's smooth clipping)."""
    x = np.clip(x, -FAR, FAR)
    return x / np.sqrt(1 + (x / CLIP) ** 2)


class RobustScaler:
    """(x - median) * scale, then ``smooth_clip``; see the module's docstring for the scale."""

    kind: ClassVar[str] = "robust"

    def __init__(self, center: float = 0.0, scale: float = 1.0) -> None:
        self.center, self.scale = float(center), float(scale)

    def fit(self, values: object) -> RobustScaler:
        """The median and the scale of the column's values. A spread (the interquartile range, or the range) so
        narrow that its inverse overflows float64 (a subnormal spread, below about 5.6e-309), or quartiles so far apart
        that their difference overflows, is an InputError: no float64 scale brings such a column to order 1."""
        x = _observed(values, "RobustScaler")
        with np.errstate(over="ignore", invalid="ignore"):
            q25, median, q75 = np.quantile(x, [0.25, 0.5, 0.75])
            spread, factor = (q75 - q25, 1.0) if q75 > q25 else (x.max() - x.min(), 2.0)
            scale = factor / spread if spread else 0.0  # (spread 0: a constant column, every value becomes 0)
        if not (math.isfinite(median) and math.isfinite(spread)):
            raise InputError("values too far apart for the robust scaling (their quartiles or range overflow "
                             "float64); divide the column by a power of ten")
        if not math.isfinite(scale):
            raise InputError(f"values too close together for the robust scaling: their spread, {spread:.3g}, is so "
                             "small that its inverse overflows float64; multiply the column by a power of ten, or "
                             "use scaling 'standard'")
        self.center, self.scale = float(median), float(scale)
        return self

    def transform(self, values: object) -> Array:
        return smooth_clip((np.asarray(values, dtype=np.float64) - self.center) * self.scale)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "center": self.center, "scale": self.scale}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RobustScaler:
        return cls(_number(data, "center"), _number(data, "scale"))


class QuantileScaler:
    """Each value -> the standard normal quantile of its place among the training values' quantiles."""

    kind: ClassVar[str] = "quantile"

    def __init__(self, references: list[float] | None = None) -> None:
        self.references = np.asarray(references if references is not None else [0.0], dtype=np.float64)

    def fit(self, values: object) -> QuantileScaler:
        """References: the training values' quantiles at evenly spaced probabilities from 0 to 1 (as many as the
        values, at most 1,000)."""
        x = _observed(values, "QuantileScaler")
        unit = _unit(x)  # (quantiles of x / unit, so that interpolating between them neither overflows nor divides
        with np.errstate(over="ignore", under="ignore"):  # by a subnormal difference)
            self.references = np.quantile(x / unit, np.linspace(0, 1, min(len(x), MAX_QUANTILES))) * unit
        return self

    def transform(self, values: object) -> Array:
        """The probability p of each value, by linear interpolation between the references (outside their
        range: 0 or 1), then the normal quantile of p, with p kept within [1e-7, 1 - 1e-7]. Where several
        references are equal (a value many training rows share), p is the mean of interpolating from either
        side, the middle of its run (as scikit-learn's QuantileTransformer does)."""
        x, r = np.asarray(values, dtype=np.float64), self.references
        if len(r) == 1:
            return np.where(np.isnan(x), np.nan, 0.0)
        levels, unit = np.linspace(0, 1, len(r)), _unit(r)
        with np.errstate(over="ignore", under="ignore"):
            x, r = x / unit, r / unit
        p = 0.5 * (np.interp(x, r, levels) - np.interp(-x, -r[::-1], -levels[::-1]))
        return normal_quantile(np.clip(p, EDGE, 1 - EDGE))

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "references": self.references.tolist()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuantileScaler:
        refs = data.get("references")
        ok = isinstance(refs, list) and refs and all(
            isinstance(t, (int, float)) and not isinstance(t, bool) and math.isfinite(t) for t in refs)
        if not ok or any(b < a for a, b in zip(refs, refs[1:])):
            raise InputError("a quantile scaler needs 'references': a non-empty list of finite, non-decreasing "
                             "numbers")
        return cls(refs)


def _unit(values: Array) -> float:
    """1, or for values whose largest magnitude lies outside 1e-150 .. 1e150 that magnitude: a divisor that brings
    them to order 1, so that differences of values neither overflow (1.7e308 - -1.7e308) nor are subnormal
    (1e-311 apart), which turns interpolation into inf - inf. Ordinary columns are left exactly as they are."""
    largest = float(np.max(np.abs(values)))
    return largest if largest > 0 and not 1e-150 <= largest <= 1e150 else 1.0


# Acklam's rational approximations of the normal quantile (relative error below 1.2e-9): one for the centre,
# |p - 1/2| <= 1/2 - LOW, in q = p - 1/2, and one for each tail in sqrt(-2 log(tail probability))
LOW = 0.02425
CENTRE_NUM = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
              -3.066479806614716e+01, 2.506628277459239e+00)
CENTRE_DEN = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
              -1.328068155288572e+01, 1.0)
TAIL_NUM = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00)
TAIL_DEN = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00, 1.0)


def normal_quantile(p: Array) -> Array:
    """The standard normal quantile (inverse CDF) of each probability in (0, 1), vectorized; NaN stays NaN."""
    p = np.asarray(p, dtype=np.float64)
    out = np.empty_like(p)
    centre = np.abs(p - 0.5) <= 0.5 - LOW
    q = p[centre] - 0.5
    r = q * q
    out[centre] = q * np.polyval(CENTRE_NUM, r) / np.polyval(CENTRE_DEN, r)
    tail = ~centre & ~np.isnan(p)
    t = np.sqrt(-2 * np.log(np.minimum(p[tail], 1 - p[tail])))
    value = np.polyval(TAIL_NUM, t) / np.polyval(TAIL_DEN, t)
    out[tail] = np.where(p[tail] < 0.5, value, -value)
    out[np.isnan(p)] = np.nan
    return out


SCALERS: dict[str, type[RobustScaler] | type[QuantileScaler]] = {"robust": RobustScaler, "quantile": QuantileScaler}


def fit_scaler(kind: str, values: Array, where: str) -> RobustScaler | QuantileScaler:
    """The scaler ``kind`` fitted on a column's values; an InputError of the fit names the column as ``where``
    (the callers' way: "data.csv, column 'x'", "X column 1")."""
    try:
        return SCALERS[kind]().fit(values)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def scaler_from_json(data: object) -> RobustScaler | QuantileScaler:
    """The scaler a ``to_json()`` dict describes, or an InputError."""
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in SCALERS:
        raise InputError(f"unknown scaler {kind!r}; expected one of: {', '.join(SCALERS)}")
    return SCALERS[kind].from_json(data)


def _number(data: dict[str, Any], key: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"a robust scaler needs a finite number {key!r}; got {value!r}")
    return float(value)
