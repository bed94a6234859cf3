"""Activation functions: each maps a layer's pre-activation ``z`` to its output ``a``.

``forward(z)`` computes ``a``; ``backward(grad_a, z, a)`` applies the chain rule,
``dL/dz = dL/da * da/dz``, using whichever of ``z`` and ``a`` makes the derivative cheap.
All of them work in place on the arrays they are given when ``out`` is passed.
"""

from __future__ import annotations

import numpy as np

from . import checks, rows
from .errors import choose

Array = np.ndarray


class Activation:
    """Base class: a name, a forward formula and its derivative."""

    name = ""

    def forward(self, z: Array, out: Array | None = None) -> Array:
        raise NotImplementedError

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        """Return dL/dz; may overwrite ``grad_a``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Activation):
    """a = z;  da/dz = 1."""

    name = "linear"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        return z

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        return grad_a


# Largest x with exp(x) finite, rounded down: 709 for float64, 88 for float32.
_EXP_LIMIT = {np.dtype(t): t(np.floor(np.log(np.finfo(t).max))) for t in (np.float32, np.float64)}


class Sigmoid(Activation):
    """a = 1 / (1 + exp(-z));  da/dz = a * (1 - a)  (the tutorial's ``x*(1-x)``).

    ``-z`` is capped at the largest finite exponent, so z = -1000 gives a tiny
    positive number instead of an overflow warning; below that cap the result is
    bit-for-bit the tutorial's ``1/(1+np.exp(-x))``.
    """

    name = "sigmoid"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        # (outputs passed by position: on the tutorial's 4x4 arrays every call's overhead counts)
        t = np.negative(z, out)
        np.minimum(t, _EXP_LIMIT[t.dtype], out=t)
        np.exp(t, t)
        np.add(t, 1.0, t)
        return np.reciprocal(t, t)

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        # the tutorial's  l_error * nonlin(l, deriv=True)  with  nonlin(x, deriv=True) = x*(1-x)
        slope = np.subtract(1.0, a)
        np.multiply(slope, a, slope)
        return np.multiply(grad_a, slope, grad_a)


class Tanh(Activation):
    """a = tanh(z);  da/dz = 1 - a**2."""

    name = "tanh"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        return np.tanh(z, out=out)

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        return np.multiply(grad_a, 1 - a * a, out=grad_a)


class ReLU(Activation):
    """a = max(z, 0);  da/dz = 1 where z > 0, else 0."""

    name = "relu"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        # against a row of zeros, not the scalar 0: NumPy vectorizes that case, about 2.5x faster
        return np.maximum(z, np.zeros(z.shape[-1], z.dtype), out=out)

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        return np.multiply(grad_a, z > 0, out=grad_a)


class LeakyReLU(Activation):
    """a = z where z > 0, else alpha*z;  da/dz = 1 where z > 0, else alpha."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01) -> None:
        self.alpha = checks.number("leaky_relu alpha", alpha, 0.0, 1.0)

    def forward(self, z: Array, out: Array | None = None) -> Array:
        return np.maximum(z, self.alpha * z, out=out)  # valid because 0 < alpha < 1

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        one, alpha = z.dtype.type(1), z.dtype.type(self.alpha)
        return np.multiply(grad_a, np.where(z > 0, one, alpha), out=grad_a)


class Softmax(Activation):
    """a_i = exp(z_i) / sum_j exp(z_j), row by row;  dL/dz = a * (g - sum(g * a)).

    The row maximum is subtracted first, so exp never overflows and no row is NaN.
    """

    name = "softmax"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        t = np.subtract(z, rows.row_max(z), out=out)
        np.exp(t, out=t)
        t /= rows.row_sum(t)
        return t

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        inner = np.einsum("ij,ij->i", grad_a, a)[:, None]
        np.subtract(grad_a, inner, out=grad_a)
        return np.multiply(grad_a, a, out=grad_a)


ACTIVATIONS = {cls.name: cls for cls in (Linear, Sigmoid, Tanh, ReLU, LeakyReLU, Softmax)}


def get(name: str | Activation | None) -> Activation:
    """An activation by name (``None`` means linear), or the instance itself."""
    if isinstance(name, Activation):
        return name
    return choose("activation", "linear" if name is None else name, ACTIVATIONS)()
