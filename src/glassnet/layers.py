"""Layers. glassnet has one kind: ``Dense``, a fully connected layer  a = f(x . W + b).

``W`` is the tutorial's "synapse" (``syn0``, ``syn1``): row i holds the weights from
input i, column j the weights into unit j, so a batch of rows ``x`` of shape
(rows, n_in) maps to (rows, n_out) with one matrix product.
"""

from __future__ import annotations

import numpy as np

from . import activations
from .errors import InputError

Array = np.ndarray


class Dense:
    """A fully connected layer:  z = x . W + b,  a = activation(z).

    Backward, given delta = dL/dz for a batch:
        dL/dW = x^T . delta        (the tutorial's ``l1.T.dot(l2_delta)``)
        dL/db = sum of delta over rows
        dL/dx = delta . W^T        (the tutorial's ``l2_delta.dot(syn1.T)``: the previous layer's error)
    """

    def __init__(self, n_in: int, n_out: int, activation: str | None = None, bias: bool = True,
                 init: str | None = None) -> None:
        for name, n in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise InputError(f"Dense {name} must be a positive integer; got {n!r}")
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.activation = activations.get(activation)
        self.use_bias = bool(bias)
        self.init = init
        self.weights = np.zeros((self.n_in, self.n_out))
        self.bias = np.zeros(self.n_out) if self.use_bias else None
        self.grad_weights = np.zeros_like(self.weights)
        self.grad_bias = np.zeros_like(self.bias) if self.use_bias else None
        self._buffers: dict[tuple, Array] = {}
        self.x = self.z = self.a = None

    def __repr__(self) -> str:
        return (f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r}, "
                f"bias={self.use_bias})")

    @property
    def n_params(self) -> int:
        return self.weights.size + (self.bias.size if self.use_bias else 0)

    def params(self) -> list[tuple[Array, Array]]:
        """(parameter, gradient) pairs, weights first."""
        pairs = [(self.weights, self.grad_weights)]
        if self.use_bias:
            pairs.append((self.bias, self.grad_bias))
        return pairs

    def astype(self, dtype: np.dtype) -> None:
        """Store parameters and gradients in ``dtype``."""
        self.weights = self.weights.astype(dtype)
        self.grad_weights = np.zeros_like(self.weights)
        if self.use_bias:
            self.bias = self.bias.astype(dtype)
            self.grad_bias = np.zeros_like(self.bias)
        self._buffers.clear()

    def _buffer(self, name: str, rows: int) -> Array:
        key = (name, rows)
        buf = self._buffers.get(key)
        if buf is None:
            width = self.n_in if name == "dx" else self.n_out
            buf = self._buffers[key] = np.empty((rows, width), dtype=self.weights.dtype)
        return buf

    def forward(self, x: Array, keep: bool = True) -> Array:
        """Return a = f(x . W + b). With ``keep``, remember x, z and a for ``backward``
        (in buffers reused from step to step: copy ``a`` if you need it later)."""
        rows = len(x)
        z = np.dot(x, self.weights, out=self._buffer("z", rows) if keep else None)
        if self.use_bias:
            z += self.bias
        a = self.activation.forward(z, out=self._buffer("a", rows) if keep else None)
        if keep:
            self.x, self.z, self.a = x, z, a
        return a

    def backward(self, delta: Array, input_grad: bool = True) -> Array | None:
        """Store dL/dW and dL/db from ``delta = dL/dz``; return dL/dx when ``input_grad``."""
        np.dot(self.x.T, delta, out=self.grad_weights)
        if self.use_bias:
            np.add.reduce(delta, axis=0, out=self.grad_bias)
        if not input_grad:
            return None
        return np.dot(delta, self.weights.T, out=self._buffer("dx", len(delta)))
