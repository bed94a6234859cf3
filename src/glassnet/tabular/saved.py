"""The preprocessing part of a model file, read back: every field checked (a malformed one raises
TypeError or ValueError, which ``Preprocessor.from_json`` reports as a ModelFileError)."""

from __future__ import annotations

import contextlib
import math
import reprlib

from ..errors import InputError
from .preprocessing import Category, Numeric, Target
from .scaling import scaler_from_json


def text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {reprlib.repr(value)}")
    return value


def _finite(value: object, positive: bool = False) -> float:
    number = math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError):  # an int beyond the float range
            number = float(value)
    if not math.isfinite(number) or (positive and number <= 0):
        raise ValueError(f"expected a finite{' positive' if positive else ''} number, got {reprlib.repr(value)}")
    return number


def _texts(values: object) -> list[str]:
    if not isinstance(values, list) or not values or len(set(map(text, values))) != len(values):
        raise ValueError(f"expected a non-empty list of distinct names, got {reprlib.repr(values)}")
    return values


def column_from_json(spec: dict) -> Numeric | Category:
    kind = spec["kind"]
    if kind == "numeric":
        indicator = spec.get("indicator", False)
        if not isinstance(indicator, bool):
            raise ValueError(f"indicator must be true or false, got {reprlib.repr(indicator)}")
        return Numeric(text(spec["name"]), _finite(spec["mean"]), _finite(spec["scale"], positive=True),
                       _finite(spec.get("fill", 0.0)), indicator, _scaling(spec.get("scaling")))
    if kind == "category":
        missing = spec.get("missing", False)
        if not isinstance(missing, bool):
            raise ValueError(f"missing must be true or false, got {reprlib.repr(missing)}")
        return Category(text(spec["name"]), _texts(spec["categories"]), missing)
    raise ValueError(f"unknown column kind {reprlib.repr(kind)}")


def _scaling(spec: object) -> dict | None:
    """A saved scaler, checked (None, in files from before scalers, means standardized)."""
    if spec is None:
        return None
    try:
        return scaler_from_json(spec).to_json()
    except InputError as exc:
        raise ValueError(f"scaling: {exc}") from None


def target_from_json(spec: dict) -> Target:
    task = spec["task"]
    if task == "regression":
        return Target(text(spec["name"]), task, mean=_finite(spec["mean"]), scale=_finite(spec["scale"], True))
    if task == "classification":
        classes = _texts(spec["classes"])
        if len(classes) < 2 or not isinstance(spec["numeric"], bool):
            raise ValueError("a classification target needs two or more classes and a true/false 'numeric'")
        return Target(text(spec["name"]), task, classes=classes, numeric=spec["numeric"])
    raise ValueError(f"unknown task {reprlib.repr(task)}")
