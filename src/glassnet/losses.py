"""Loss functions: how far the network's output ``a`` is from the target ``y``.

Each loss gives its value and its gradient ``dL/da`` with respect to the output (the tutorial's
``l2_error``, with the opposite sign: the tutorial adds ``y - l2`` where gradient descent subtracts
``l2 - y``); the output layer then applies its activation's derivative. Cross-entropies are computed from
the output layer's pre-activation ``z`` with the log-sum-exp trick, so they never take ``log(0)``, and they
are *fused* with their output activation: their gradient is ``dL/dz = a - y`` directly, which is exact
and cheaper than going through the activation's derivative.

Each class carries its ``formula`` and ``gradient`` as text (for ``explain``); a loss of your own joins with
``register(MyLoss)``.

Outputs may carry a leading *member* axis, (members, rows, outputs), as those of a ``glassnet.Ensemble`` do: the
loss is then the sum of each member's own loss (each averaged over its rows), so that every member's gradient is
exactly the one it would get alone. ``rows`` and ``size`` below count one member's rows and elements.
"""

from __future__ import annotations

import reprlib
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from . import metrics, rows
from .constraints import check
from .errors import InputError
from .registry import Component, Registry

Array = np.ndarray


def member_size(a: Array) -> int:
    """The number of elements of one member's output: rows x outputs (the whole array when there are no members)."""
    return a.shape[-1] * a.shape[-2]


class Loss(Component):
    """Base class. ``summed`` losses add over rows; the others average."""

    summed: ClassVar[bool] = False
    fused: ClassVar[str | None] = None  # the output activation whose derivative this loss folds in
    formula: ClassVar[str] = "L = loss(a, y)"
    gradient: ClassVar[str] = "dL/da"  # {size}: elements of a, {rows}: rows of a

    def describe(self) -> str:
        """The name, with the settings that differ from the plain loss: "categorical_crossentropy
        (label_smoothing 0.1)"."""
        settings = self.config()
        return self.name + (f" ({', '.join(f'{k} {v}' for k, v in settings.items())})" if settings else "")

    def targets(self, y: Array, n_outputs: int, dtype: np.dtype) -> Array:
        """Check ``y`` and shape it like the network's output, (rows, n_outputs)."""
        if y.ndim == 1:
            y = y[:, None]
        if y.shape[1] != n_outputs:
            raise InputError(f"y has {y.shape[1]} column(s) but the network has {n_outputs} output(s)")
        return np.ascontiguousarray(y, dtype=dtype)

    def check_output(self, layer: Any) -> None:
        """A fused loss needs the output layer to end in its activation."""
        activation = getattr(layer, "activation", None)
        if self.fused and getattr(activation, "name", None) != self.fused:
            now = f"activation is {activation.name!r}" if activation is not None else f"layer is {layer!r}"
            raise InputError(f"loss {self.name!r} needs a {self.fused!r} output layer; the last {now}")

    def value(self, y: Array, a: Array, z: Array | None) -> float:
        """The loss of outputs ``a`` (pre-activation ``z``: used by fused losses) against targets ``y``."""
        raise NotImplementedError

    def grad(self, y: Array, a: Array) -> Array:
        """dL/da, or for a fused loss dL/dz of the output layer (a new array)."""
        raise NotImplementedError

    def value_and_grad(self, y: Array, a: Array, z: Array | None) -> tuple[float, Array]:
        """Both at once (what a training step needs); losses override it to share work."""
        return self.value(y, a, z), self.grad(y, a)


class SSE(Loss):
    """L = 1/2 * sum((a - y)**2);  dL/da = a - y.  The tutorial's implicit loss."""

    name = "sse"
    summed = True
    formula = "L = 1/2 * sum((a - y)^2)"
    gradient = "a - y"

    def value(self, y: Array, a: Array, z: Array | None) -> float:
        r = a - y
        return 0.5 * float(np.vdot(r, r))

    def grad(self, y: Array, a: Array) -> Array:
        return a - y

    def value_and_grad(self, y: Array, a: Array, z: Array | None) -> tuple[float, Array]:
        r = a - y
        return 0.5 * float(np.vdot(r, r)), r


class MSE(Loss):
    """L = mean((a - y)**2) over every element;  dL/da = 2 (a - y) / size."""

    name = "mse"
    formula = "L = mean((a - y)^2)"
    gradient = "2 * (a - y) / {size}"

    def value(self, y: Array, a: Array, z: Array | None) -> float:
        r = a - y
        return float(np.vdot(r, r)) / member_size(r)

    def grad(self, y: Array, a: Array) -> Array:
        return self.value_and_grad(y, a, None)[1]

    def value_and_grad(self, y: Array, a: Array, z: Array | None) -> tuple[float, Array]:
        r = a - y
        value = float(np.vdot(r, r)) / member_size(r)
        r *= 2 / member_size(r)
        return value, r


class MAE(Loss):
    """L = mean(|a - y|);  dL/da = sign(a - y) / size."""

    name = "mae"
    formula = "L = mean(|a - y|)"
    gradient = "sign(a - y) / {size}"

    def value(self, y: Array, a: Array, z: Array | None) -> float:
        return metrics.mae(y, a) * (a.size // member_size(a))

    def grad(self, y: Array, a: Array) -> Array:
        g = np.sign(a - y)
        g /= member_size(g)
        return g


class BinaryCrossentropy(Loss):
    """L = -mean(y log a + (1-y) log(1-a)) with a = sigmoid(z);  dL/dz = (a - y) / size.

    Computed from z as  max(z, 0) - z*y + log(1 + exp(-|z|)),  which is exact and never
    takes log(0).
    """

    name = "binary_crossentropy"
    fused = "sigmoid"
    formula = "L = -mean(y * log(a) + (1 - y) * log(1 - a))"
    gradient = "(a - y) / {size}"

    def targets(self, y: Array, n_outputs: int, dtype: np.dtype) -> Array:
        y = super().targets(y, n_outputs, dtype)
        if y.min() < 0 or y.max() > 1:
            raise InputError(f"binary_crossentropy needs targets in [0, 1]; got values from {y.min()} to {y.max()}")
        return y

    def value(self, y: Array, a: Array, z: Array | None) -> float:
        return float(np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))) / member_size(z)

    def grad(self, y: Array, a: Array) -> Array:
        g = a - y
        g /= member_size(g)
        return g


class CategoricalCrossentropy(Loss):
    """L = -mean over rows of sum_k y_k log a_k with a = softmax(z);  dL/dz = (a - y) / rows.

    log a_k is computed as z_k - logsumexp(z), so it is finite for every finite z.
    Targets are integer class labels (0 .. k-1) or one-hot rows.

    ``label_smoothing`` e trains towards  y' = (1 - e) y + e / k  instead of y (Szegedy et al., 2016): the network
    is never pushed towards probabilities of exactly 0 or 1. ``class_weight`` w (one positive number per class)
    weighs each row's loss by the weight of its class, w . y (Keras' and scikit-learn's convention: the mean over
    rows stays a mean, so weights that average 1 over the training rows keep the loss's scale):
        L = -mean over rows of (w . y) sum_k y'_k log a_k,   dL/dz = (w . y) (a - y') / rows.
    ``balanced_class_weights`` gives w = rows / (classes * rows of the class), scikit-learn's "balanced".
    """

    name = "categorical_crossentropy"
    fused = "softmax"

    @property
    def formula(self) -> str:  # type: ignore[override]  # (with this loss's own smoothing and weights)
        e = self.label_smoothing
        text = f"L = -mean over rows of {self._weighed}sum({self._y} * log(a))"
        return text + (f", y' = {1 - e:g} * y + {e:g} / classes" if e else "")

    @property
    def gradient(self) -> str:  # type: ignore[override]
        return f"{self._weighed}(a - {self._y}) / {{rows}}"

    @property
    def _y(self) -> str:
        return "y'" if self.label_smoothing else "y"

    @property
    def _weighed(self) -> str:
        return "" if self.class_weight is None else "(w . y) "

    def __init__(self, label_smoothing: float = 0.0, class_weight: Sequence[float] | None = None) -> None:
        self.label_smoothing = check("label_smoothing", label_smoothing)
        self.class_weight = None if class_weight is None else _weights(class_weight)

    def config(self) -> dict[str, Any]:
        """Only the settings that differ from plain cross-entropy (model files written before they existed have
        none)."""
        smoothing = {"label_smoothing": self.label_smoothing} if self.label_smoothing else {}
        weights = {} if self.class_weight is None else {"class_weight": self.class_weight.tolist()}
        return {**smoothing, **weights}

    def targets(self, y: Array, n_outputs: int, dtype: np.dtype) -> Array:
        if self.class_weight is not None and len(self.class_weight) != n_outputs:
            raise InputError(f"class_weight has {len(self.class_weight)} weight(s) but the network has {n_outputs} "
                             "classes (outputs)")
        if y.ndim == 2 and y.shape[1] == n_outputs and n_outputs > 1:
            if y.min() < 0 or not np.allclose(y.sum(axis=1), 1):
                raise InputError("one-hot targets must be non-negative and each row must sum to 1")
            return np.ascontiguousarray(y, dtype=dtype)
        labels = y.ravel() if (y.ndim == 1 or y.shape[1] == 1) else None
        if labels is None or np.any(labels != np.round(labels)) or labels.min() < 0 or labels.max() >= n_outputs:
            raise InputError(
                f"categorical_crossentropy needs integer labels in 0..{n_outputs - 1} or one-hot rows of "
                f"width {n_outputs}; got an array of shape {y.shape}"
            )
        return np.eye(n_outputs, dtype=dtype)[labels.astype(np.intp)]

    def _smoothed(self, y: Array) -> tuple[Array, Array | None]:
        """(y', each row's weight as a (..., rows, 1) column, or None without class weights)."""
        weights = None if self.class_weight is None else np.dot(y, self.class_weight.astype(y.dtype))[..., None]
        if self.label_smoothing:
            y = y * (1 - self.label_smoothing) + self.label_smoothing / y.shape[-1]
        return y, weights

    def value(self, y: Array, a: Array, z: Array | None) -> float:
        y, weights = self._smoothed(y)
        log_a = z - rows.logsumexp(z)
        if weights is not None:
            y = y * weights
        total = float(np.vdot(y, log_a)) if log_a.ndim == 2 else float(np.sum(y * log_a))
        return -total / z.shape[-2]

    def grad(self, y: Array, a: Array) -> Array:
        y, weights = self._smoothed(y)
        g = a - y
        if weights is not None:
            g *= weights
        g /= g.shape[-2]
        return g


def balanced_class_weights(labels: Sequence[int] | Array, n_classes: int) -> list[float]:
    """scikit-learn's "balanced" weights: rows / (n_classes * rows of class k) for each class k (1.0 for a class
    without rows), so that every class weighs the same in total and the weights average 1 over the rows."""
    counts = np.bincount(np.asarray(labels, dtype=np.intp), minlength=n_classes)
    return [len(labels) / (n_classes * c) if c else 1.0 for c in counts.tolist()]


def _weights(values: object) -> Array:
    """class_weight as a float64 vector of positive finite numbers, or an InputError."""
    try:
        w = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        w = None
    if w is None or w.ndim != 1 or not len(w) or not np.isfinite(w).all() or (w <= 0).any():
        raise InputError(f"class_weight must be a list of positive numbers, one per class; got {reprlib.repr(values)}")
    return w


REGISTRY: Registry[Loss] = Registry("loss", Loss, "glassnet.losses",
                                    (SSE, MSE, MAE, BinaryCrossentropy, CategoricalCrossentropy))
register, get = REGISTRY.register, REGISTRY.get
