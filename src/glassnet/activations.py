"""Activation functions: each maps a layer's pre-activation ``z`` to its output ``a``.

``forward(z)`` computes ``a``; ``backward(grad_a, z, a)`` applies the chain rule,
``dL/dz = dL/da * da/dz``, using whichever of ``z`` and ``a`` makes the derivative cheap.
All of them work in place on the arrays they are given when ``out`` is passed.

Each class also describes itself: ``formula`` and ``derivative`` (the text ``explain`` prints), ``onnx``
(its ONNX nodes), ``default_init`` (the initializer that suits it) and ``config()``. A new activation is
one class here, or one of your own made known with ``register(MyActivation)``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from . import rows
from .constraints import check
from .errors import InputError
from .registry import Component, Registry

Array = np.ndarray


class Activation(Component):
    """Base class: a name, a forward formula and its derivative."""

    formula: ClassVar[str] = "{a} = f({z})"  # {a}, {z}, {error} are filled in with the layer's names
    derivative: ClassVar[str] = "f'({z})"
    chain_rule: ClassVar[str] = "{error} * ({derivative})"  # dL/dz from the error dL/da
    default_init: ClassVar[str] = "glorot_uniform"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        raise NotImplementedError

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        """Return dL/dz; may overwrite ``grad_a``."""
        raise NotImplementedError

    def onnx(self, graph: Any, z: str) -> str:
        """Add this activation's ONNX nodes to ``graph`` (see ``glassnet.formats.onnx``); return the output."""
        raise InputError(f"cannot export activation {self.name!r} ({type(self).__name__}) to ONNX: it has no onnx() "
                         "method")


class Linear(Activation):
    """a = z;  da/dz = 1."""

    name = "linear"
    formula = "{a} = {z}"
    derivative = "1"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        return z

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        return grad_a

    def onnx(self, graph: Any, z: str) -> str:
        return graph.node("Identity", [z])


# Largest x with exp(x) finite, rounded down: 709 for float64, 88 for float32.
_EXP_LIMIT = {np.dtype(t): t(np.floor(np.log(np.finfo(t).max))) for t in (np.float32, np.float64)}


class Sigmoid(Activation):
    """a = 1 / (1 + exp(-z));  da/dz = a * (1 - a)  (the tutorial's ``x*(1-x)``).

    ``-z`` is capped at the largest finite exponent, so z = -1000 gives a tiny
    positive number instead of an overflow warning; below that cap the result is
    bit-for-bit the tutorial's ``1/(1+np.exp(-x))``.
    """

    name = "sigmoid"
    formula = "{a} = 1 / (1 + exp(-{z}))"
    derivative = "{a} * (1 - {a})"

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

    def onnx(self, graph: Any, z: str) -> str:
        return graph.node("Sigmoid", [z])


class Tanh(Activation):
    """a = tanh(z);  da/dz = 1 - a**2."""

    name = "tanh"
    formula = "{a} = tanh({z})"
    derivative = "1 - {a}^2"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        return np.tanh(z, out=out)

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        return np.multiply(grad_a, 1 - a * a, out=grad_a)

    def onnx(self, graph: Any, z: str) -> str:
        return graph.node("Tanh", [z])


class ReLU(Activation):
    """a = max(z, 0);  da/dz = 1 where z > 0, else 0."""

    name = "relu"
    formula = "{a} = max({z}, 0)"
    derivative = "1 where {z} > 0, else 0"
    default_init = "he_normal"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        # against a row of zeros, not the scalar 0: NumPy vectorizes that case, about 2.5x faster
        return np.maximum(z, np.zeros(z.shape[-1], z.dtype), out=out)

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        return np.multiply(grad_a, z > 0, out=grad_a)

    def onnx(self, graph: Any, z: str) -> str:
        return graph.node("Relu", [z])


class LeakyReLU(Activation):
    """a = z where z > 0, else alpha*z;  da/dz = 1 where z > 0, else alpha."""

    name = "leaky_relu"
    formula = "{a} = {z} where {z} > 0, else alpha * {z}"
    derivative = "1 where {z} > 0, else alpha"
    default_init = "he_normal"

    def __init__(self, alpha: float = 0.01) -> None:
        self.alpha = check("alpha", alpha, "leaky_relu alpha")

    def config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}

    def forward(self, z: Array, out: Array | None = None) -> Array:
        return np.maximum(z, self.alpha * z, out=out)  # valid because 0 < alpha < 1

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        one, alpha = z.dtype.type(1), z.dtype.type(self.alpha)
        return np.multiply(grad_a, np.where(z > 0, one, alpha), out=grad_a)

    def onnx(self, graph: Any, z: str) -> str:
        """ONNX's LeakyRelu holds alpha as a 32-bit float; in a float64 graph where that would round alpha
        (0.01, say), the layer becomes  Max(z, alpha * z)  with a float64 alpha, as glassnet computes it."""
        if graph.dtype == np.float32 or float(np.float32(self.alpha)) == self.alpha:
            return graph.node("LeakyRelu", [z], alpha=self.alpha)
        return graph.node("Max", [z, graph.node("Mul", [z, graph.const("alpha", np.array(self.alpha))])])


class Softmax(Activation):
    """a_i = exp(z_i) / sum_j exp(z_j), row by row;  dL/dz = a * (g - sum(g * a)).

    The row maximum is subtracted first, so exp never overflows and no row is NaN.
    """

    name = "softmax"
    formula = "{a} = exp({z}) / sum(exp({z})) along each row"
    derivative = "the softmax Jacobian"
    chain_rule = "{a} * ({error} - sum({error} * {a}) along each row)"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        t = np.subtract(z, rows.row_max(z), out=out)
        np.exp(t, out=t)
        t /= rows.row_sum(t)
        return t

    def backward(self, grad_a: Array, z: Array, a: Array) -> Array:
        inner = np.einsum("...ij,...ij->...i", grad_a, a)[..., None]
        np.subtract(grad_a, inner, out=grad_a)
        return np.multiply(grad_a, a, out=grad_a)

    def onnx(self, graph: Any, z: str) -> str:
        return graph.node("Softmax", [z], axis=-1)


REGISTRY: Registry[Activation] = Registry("activation", Activation, "glassnet.activations",
                                          (Linear, Sigmoid, Tanh, ReLU, LeakyReLU, Softmax))
register = REGISTRY.register


def get(spec: str | dict | Activation | None) -> Activation:
    """An activation by name (``None`` means linear), spec dict, or the instance itself."""
    return REGISTRY.get("linear" if spec is None else spec)
