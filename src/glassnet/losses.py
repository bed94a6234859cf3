"""Loss functions: how far the network's output ``a`` is from the target ``y``.

Each loss gives its value and ``delta = dL/dz``, the gradient with respect to the
output layer's pre-activation ``z`` (the tutorial's ``l2_delta``, with the opposite
sign: the tutorial adds ``y - l2`` where gradient descent subtracts ``l2 - y``).
Cross-entropies are computed from ``z`` with the log-sum-exp trick, so they never
take ``log(0)``, and their delta is fused with the output activation: ``a - y``.
"""

from __future__ import annotations

import numpy as np

from . import rows
from .activations import Activation
from .errors import InputError, choose

Array = np.ndarray


class Loss:
    """Base class. ``summed`` losses add over rows; the others average."""

    name = ""
    summed = False
    output_activation: str | None = None  # the activation a fused loss requires

    def targets(self, y: Array, n_outputs: int, dtype: np.dtype) -> Array:
        """Check ``y`` and shape it like the network's output, (rows, n_outputs)."""
        if y.ndim == 1:
            y = y[:, None]
        if y.shape[1] != n_outputs:
            raise InputError(f"y has {y.shape[1]} column(s) but the network has {n_outputs} output(s)")
        return np.ascontiguousarray(y, dtype=dtype)

    def check_activation(self, activation: Activation) -> None:
        if self.output_activation and activation.name != self.output_activation:
            raise InputError(
                f"loss {self.name!r} needs a {self.output_activation!r} output layer; "
                f"the last layer's activation is {activation.name!r}"
            )

    def value(self, y: Array, a: Array, z: Array) -> float:
        raise NotImplementedError

    def delta(self, y: Array, a: Array, z: Array, activation: Activation) -> Array:
        raise NotImplementedError

    def value_and_delta(self, y: Array, a: Array, z: Array, activation: Activation) -> tuple[float, Array]:
        """Both at once (what a training step needs); losses override it to share work."""
        return self.value(y, a, z), self.delta(y, a, z, activation)


class SSE(Loss):
    """L = 1/2 * sum((a - y)**2);  dL/da = a - y.  The tutorial's implicit loss."""

    name = "sse"
    summed = True

    def value(self, y: Array, a: Array, z: Array) -> float:
        r = a - y
        return 0.5 * float(np.vdot(r, r))

    def delta(self, y: Array, a: Array, z: Array, activation: Activation) -> Array:
        return self.value_and_delta(y, a, z, activation)[1]

    def value_and_delta(self, y: Array, a: Array, z: Array, activation: Activation) -> tuple[float, Array]:
        r = a - y
        return 0.5 * float(np.vdot(r, r)), activation.backward(r, z, a)


class MSE(Loss):
    """L = mean((a - y)**2) over every element;  dL/da = 2 (a - y) / size."""

    name = "mse"

    def value(self, y: Array, a: Array, z: Array) -> float:
        r = a - y
        return float(np.vdot(r, r)) / r.size

    def delta(self, y: Array, a: Array, z: Array, activation: Activation) -> Array:
        return self.value_and_delta(y, a, z, activation)[1]

    def value_and_delta(self, y: Array, a: Array, z: Array, activation: Activation) -> tuple[float, Array]:
        r = a - y
        value = float(np.vdot(r, r)) / r.size
        r *= 2 / r.size
        return value, activation.backward(r, z, a)


class MAE(Loss):
    """L = mean(|a - y|);  dL/da = sign(a - y) / size."""

    name = "mae"

    def value(self, y: Array, a: Array, z: Array) -> float:
        return float(np.abs(a - y).mean())

    def delta(self, y: Array, a: Array, z: Array, activation: Activation) -> Array:
        g = np.sign(a - y)
        g /= g.size
        return activation.backward(g, z, a)


class BinaryCrossentropy(Loss):
    """L = -mean(y log a + (1-y) log(1-a)) with a = sigmoid(z);  dL/dz = (a - y) / size.

    Computed from z as  max(z, 0) - z*y + log(1 + exp(-|z|)),  which is exact and never
    takes log(0).
    """

    name = "binary_crossentropy"
    output_activation = "sigmoid"

    def targets(self, y: Array, n_outputs: int, dtype: np.dtype) -> Array:
        y = super().targets(y, n_outputs, dtype)
        if y.min() < 0 or y.max() > 1:
            raise InputError(f"binary_crossentropy needs targets in [0, 1]; got values from {y.min()} to {y.max()}")
        return y

    def value(self, y: Array, a: Array, z: Array) -> float:
        return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))

    def delta(self, y: Array, a: Array, z: Array, activation: Activation) -> Array:
        g = a - y
        g /= g.size
        return g


class CategoricalCrossentropy(Loss):
    """L = -mean over rows of sum_k y_k log a_k with a = softmax(z);  dL/dz = (a - y) / rows.

    log a_k is computed as z_k - logsumexp(z), so it is finite for every finite z.
    Targets are integer class labels (0 .. k-1) or one-hot rows.
    """

    name = "categorical_crossentropy"
    output_activation = "softmax"

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

    def value(self, y: Array, a: Array, z: Array) -> float:
        log_a = z - rows.logsumexp(z)
        return -float(np.vdot(y, log_a)) / len(z)

    def delta(self, y: Array, a: Array, z: Array, activation: Activation) -> Array:
        g = a - y
        g /= len(g)
        return g


LOSSES = {cls.name: cls for cls in (SSE, MSE, MAE, BinaryCrossentropy, CategoricalCrossentropy)}


def get(name: str | Loss) -> Loss:
    """A loss by name, or the instance itself."""
    return name if isinstance(name, Loss) else choose("loss", name, LOSSES)()
