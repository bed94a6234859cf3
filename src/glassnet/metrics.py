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
    right = (a >= 0.5) == (y >= 0.5) if a.shape[1] == 1 else a.argmax(axis=1) == y.argmax(axis=1)
    return int(np.count_nonzero(right)) / len(a)  # about 2 us less than np.mean, every batch


TRAINING_METRICS = {"mae": mae, "accuracy": accuracy}


def default_for(loss_name: str) -> list[str]:
    """Accuracy for classification losses, mean absolute error for the others."""
    return ["accuracy"] if loss_name.endswith("crossentropy") else ["mae"]


def get(name: str):
    return choose("metric", name, TRAINING_METRICS)


# --- evaluation metrics: class labels (integers 0..k-1) or values, as 1-D arrays --------------------

def confusion_matrix(labels: Array, predicted: Array, n_classes: int) -> Array:
    """C[i, j] = number of rows of true class i predicted as class j."""
    return np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes).reshape(n_classes, -1)


def precision_recall_f1(confusion: Array) -> tuple[Array, Array, Array]:
    """Per class: precision = TP / predicted, recall = TP / true, F1 = 2 P R / (P + R); 0 where undefined."""
    tp = np.diag(confusion).astype(np.float64)
    precision = np.divide(tp, confusion.sum(axis=0), out=np.zeros_like(tp), where=confusion.sum(axis=0) > 0)
    recall = np.divide(tp, confusion.sum(axis=1), out=np.zeros_like(tp), where=confusion.sum(axis=1) > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(tp), where=total > 0)
    return precision, recall, f1


def log_loss(labels: Array, proba: Array) -> float:
    """-mean(log p[row, true class]), with p clipped to [eps, 1 - eps] (eps: the dtype's machine epsilon)."""
    eps = np.finfo(proba.dtype).eps
    p = np.clip(proba[np.arange(len(labels)), labels], eps, 1 - eps)
    return float(-np.mean(np.log(p)))


def rmse(y: Array, predicted: Array) -> float:
    """Root mean squared error, sqrt(mean((predicted - y)**2))."""
    return float(np.sqrt(np.mean((predicted - y) ** 2)))


def r2(y: Array, predicted: Array) -> float:
    """Coefficient of determination, 1 - sum((y - predicted)**2) / sum((y - mean(y))**2).
    A constant y gives 1 for a perfect fit, else 0."""
    residual = float(np.sum((y - predicted) ** 2))
    spread = float(np.sum((y - y.mean()) ** 2))
    if spread == 0:
        return 1.0 if residual == 0 else 0.0
    return 1 - residual / spread
