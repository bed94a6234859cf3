"""Loss functions: how far the network's output ``a`` is from the target ``y``.

Each loss gives its value and its gradient ``dL/da`` with respect to the output (the tutorial's
``l2_error``, with the opposite sign: the tutorial adds ``y - l2`` where gradient descent subtracts
``l2 - y``); the output layer then applies its activation's derivative. Cross-entropies are computed from
the output layer's pre-activation ``z`` with the log-sum-exp trick, so they never take ``log(0)``, and they
are *fused* with their output activation: their gradient is ``dL/dz = a - y`` directly, which is exact
and cheaper than going through the activation's derivative.

Each class carries its ``formula`` and ``gradient`` as text (for ``explain``); a loss of your own joins with
``register(MyLoss)``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from . import metrics, rows
from .errors import InputError
from .registry import Component, Registry

Array = np.ndarray


class Loss(Component):
    """Base class. ``summed`` losses add over rows; the others average."""

    summed: ClassVar[bool] = False
    fused: ClassVar[str | None] = None  # the output activation whose derivative this loss folds in
    formula: ClassVar[str] = "L = loss(a, y)"
    gradient: ClassVar[str] = "dL/da"  # {size}: elements of a, {rows}: rows of a

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
        return float(np.vdot(r, r)) / r.size

    def grad(self, y: Array, a: Array) -> Array:
        return self.value_and_grad(y, a, None)[1]

    def value_and_grad(self, y: Array, a: Array, z: Array | None) -> tuple[float, Array]:
        r = a - y
        value = float(np.vdot(r, r)) / r.size
        r *= 2 / r.size
        return value, r


class MAE(Loss):
    """L = mean(|a - y|);  dL/da = sign(a - y) / size."""

    name = "mae"
    formula = "L = mean(|a - y|)"
    gradient = "sign(a - y) / {size}"

    def value(self, y: Array, a: Array, z: Array | None) -> float:
        return metrics.mae(y, a)

    def grad(self, y: Array, a: Array) -> Array:
        g = np.sign(a - y)
        g /= g.size
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
        return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))

    def grad(self, y: Array, a: Array) -> Array:
        g = a - y
        g /= g.size
        return g


class CategoricalCrossentropy(Loss):
    """L = -mean over rows of sum_k y_k log a_k with a = softmax(z);  dL/dz = (a - y) / rows.

    log a_k is computed as z_k - logsumexp(z), so it is finite for every finite z.
    Targets are integer class labels (0 .. k-1) or one-hot rows.
    """

    name = "categorical_crossentropy"
    fused = "softmax"
    formula = "L = -mean over rows of sum(y * log(a))"
    gradient = "(a - y) / {rows}"

    def targets(self, y: Array, n_outputs: int, dtype: np.dtype) -> Array:
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

    def value(self, y: Array, a: Array, z: Array | None) -> float:
        log_a = z - rows.logsumexp(z)
        return -float(np.vdot(y, log_a)) / len(z)

    def grad(self, y: Array, a: Array) -> Array:
        g = a - y
        g /= len(g)
        return g


REGISTRY: Registry[Loss] = Registry("loss", Loss, "glassnet.losses",
                                    (SSE, MSE, MAE, BinaryCrossentropy, CategoricalCrossentropy))
register, get = REGISTRY.register, REGISTRY.get
