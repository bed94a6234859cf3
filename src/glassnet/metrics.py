"""Metrics: numbers for people. The only place glassnet computes them.

Training metrics take targets ``y`` and outputs ``a``, both (rows, k), and run every batch. Evaluation metrics
take class labels (integers 0..k-1) or values as 1-D arrays; ``classification_report`` and
``regression_report`` gather them for ``glassnet evaluate``, ``train``'s test rows and the HTML report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .errors import InputError

Array = np.ndarray


def mae(y: Array, a: Array) -> float:
    """Mean absolute error, mean(|a - y|): the tutorial's printed "Error"."""
    return float(np.add.reduce(np.abs(a - y), axis=None)) / a.size


def accuracy(y: Array, a: Array) -> float:
    """Share of rows whose predicted class is right: argmax for several outputs, a >= 0.5 for one."""
    right = (a >= 0.5) == (y >= 0.5) if a.shape[1] == 1 else a.argmax(axis=1) == y.argmax(axis=1)
    return int(np.count_nonzero(right)) / len(a)  # about 2 us less than np.mean, every batch


TRAINING_METRICS: dict[str, Callable[[Array, Array], float]] = {"mae": mae, "accuracy": accuracy}


def default_for(loss: Any) -> list[str]:
    """Accuracy for classification losses (those fused with a sigmoid or softmax output), mean absolute error
    for the others."""
    return ["accuracy"] if loss.fused else ["mae"]


def get(name: str) -> Callable[[Array, Array], float]:
    """A training metric by name."""
    fn = TRAINING_METRICS.get(name) if isinstance(name, str) else None
    if fn is None:
        raise InputError(f"unknown metric {name!r}; expected one of: {', '.join(sorted(TRAINING_METRICS))}")
    return fn


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
    """Root mean squared error, sqrt(mean((predicted - y)**2)), in scaled units (``_sum_of_squares``): right for
    values of any size, such as targets near 1e-170, whose squared errors would underflow to 0, or near 1e200,
    whose squares would overflow."""
    errors, scale = _differences(predicted, y)
    total, unit = _sum_of_squares(errors)
    return float(np.sqrt(total / errors.size) * unit * scale)


def r2(y: Array, predicted: Array) -> float:
    """Coefficient of determination, 1 - sum((y - predicted)**2) / sum((y - mean(y))**2), with both sums in
    scaled units (``_sum_of_squares``), so that R^2 does not depend on the size of the targets' unit. A constant
    y gives 1 for a perfect fit, else 0."""
    errors, error_scale = _differences(y, predicted)
    shrunk, scale = _scaled(y)
    residual, residual_unit = _sum_of_squares(errors)
    spread, spread_unit = _sum_of_squares(shrunk - shrunk.mean())
    if spread == 0:
        return 1.0 if residual == 0 else 0.0
    ratio = (residual_unit / spread_unit) * (error_scale / scale)  # (powers of two: exact)
    return float(1 - residual / spread * ratio * ratio)


def _scaled(values: Array) -> tuple[Array, float]:
    """``values`` divided by the power of two at or just below their largest magnitude, and that power.

    The quotients lie in (-2, 2) and the largest is at least 1, so squaring them neither overflows nor, for the
    ones that count, underflows. Dividing by a power of two is exact, so sums of squares of ordinary values come
    out the same, bit for bit, as they would unscaled. All zeros, no values, NaN or infinity: unchanged, scale 1.
    """
    top = float(np.max(np.abs(values), initial=0.0))
    if top == 0 or not np.isfinite(top):
        return values, 1.0
    scale = float(np.ldexp(1.0, np.frexp(top)[1] - 1))  # (2**1023 at most: the power itself never overflows)
    return values / scale, scale


def _differences(a: Array, b: Array) -> tuple[Array, float]:
    """(d, scale) with a - b = d * scale: a and b are ``_scaled`` together first, so a - b cannot overflow
    (1e308 - -1e308); d lies in (-4, 4)."""
    both, scale = _scaled(np.concatenate([np.ravel(a), np.ravel(b)]))
    return both[:np.size(a)] - both[np.size(a):], scale


def _sum_of_squares(values: Array) -> tuple[np.float64, float]:
    """(total, unit) with sum(values**2) = total * unit**2, the squares taken of ``_scaled`` values."""
    shrunk, unit = _scaled(values)
    return np.sum(shrunk * shrunk), unit


SHOWN_CLASSES = 50  # past this many classes, a confusion matrix is neither printed, drawn nor saved in a model file
# (3,000 classes: 9 million cells; its per-class figures stay)


def classification_report(labels: Array, proba: Array, classes: Sequence[str]) -> dict[str, Any]:
    """Accuracy, log loss, per-class precision, recall, F1 and support, and the confusion matrix of class
    probabilities ``proba`` (rows, k) against true ``labels``, as JSON-safe values keyed by class name."""
    confusion = confusion_matrix(labels, proba.argmax(axis=1), len(classes))
    precision, recall, f1 = precision_recall_f1(confusion)
    classes = list(classes)
    return {"accuracy": float(np.trace(confusion)) / len(labels), "log_loss": log_loss(labels, proba),
            "classes": classes, "precision": dict(zip(classes, precision.tolist())),
            "recall": dict(zip(classes, recall.tolist())), "f1": dict(zip(classes, f1.tolist())),
            "support": dict(zip(classes, confusion.sum(axis=1).tolist())), "confusion_matrix": confusion.tolist()}


def regression_report(y: Array, predicted: Array) -> dict[str, float]:
    """MAE, RMSE and R^2 of predicted against true values."""
    with np.errstate(over="ignore", invalid="ignore"):  # values beyond float64: infinite, for the caller to name
        return {"mae": mae(y, predicted), "rmse": rmse(y, predicted), "r2": r2(y, predicted)}
