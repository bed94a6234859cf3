"""Metrics: numbers for people, computed from targets ``y`` and outputs ``a`` (both (rows, k))."""

from __future__ import annotations

import numpy as np

from .errors import choose

Array = np.ndarray


def mae(y: Array, a: Array) -> float:
    """Mean absolute error, mean(|a - y|): the tutorial's printed "Error"."""
    return float(np.add.reduce(np.abs(a - y), axis=None)) / a.size


def accuracy(y: Array, a: Array) -> float:
    """Share of rows whose predicted class is right: argmax for several outputs, a >= 0.5 for one."""
    if a.shape[1] == 1:
        return float(np.mean((a >= 0.5) == (y >= 0.5)))
    return float(np.mean(a.argmax(axis=1) == y.argmax(axis=1)))


TRAINING_METRICS = {"mae": mae, "accuracy": accuracy}


def default_for(loss_name: str) -> list[str]:
    """Accuracy for classification losses, mean absolute error for the others."""
    return ["accuracy"] if loss_name.endswith("crossentropy") else ["mae"]


def get(name: str):
    return choose("metric", name, TRAINING_METRICS)
