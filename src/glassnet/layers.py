"""Layers. glassnet has one kind: ``Dense``, a fully connected layer  a = f(x . W + b).

``W`` is the tutorial's "synapse" (``syn0``, ``syn1``): row i holds the weights from
input i, column j the weights into unit j, so a batch of rows ``x`` of shape
(rows, n_in) maps to (rows, n_out) with one matrix product.
"""

from __future__ import annotations

import numpy as np

from . import activations, checks
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
        shape, bias_shape = (self.n_in, self.n_out), (self.n_out,) if self.use_bias else None
        self.attach(np.zeros(shape), np.zeros(shape),
                    *((np.zeros(bias_shape), np.zeros(bias_shape)) if self.use_bias else (None, None)))
        self.x = self.z = self.a = None

    def attach(self, weights: Array, grad_weights: Array, bias: Array | None, grad_bias: Array | None) -> None:
        """Keep parameters and gradients in the given arrays (a Network passes views of one flat
        vector, so an optimizer updates every layer at once); current values are copied over."""
        if hasattr(self, "_weights"):
            weights[...] = self._weights
            if self.use_bias:
                bias[...] = self._bias
        self._weights, self.grad_weights, self._bias, self.grad_bias = weights, grad_weights, bias, grad_bias
        self._scratch: dict[int, tuple[Array, Array, Array, Array]] = {}

    @property
    def in_network(self) -> bool:
        """Whether a Network keeps this layer's parameters already (as views of its storage): a layer
        belongs to one network only."""
        return self._weights.base is not None

    @property
    def weights(self) -> Array:
        """The (n_in, n_out) weight matrix: the tutorial's synapse. Assigning copies into it."""
        return self._weights

    @weights.setter
    def weights(self, value: object) -> None:
        self._set("weights", self._weights, value)

    @property
    def bias(self) -> Array | None:
        """The (n_out,) bias vector, or None for a layer without bias. Assigning copies into it."""
        return self._bias

    @bias.setter
    def bias(self, value: object) -> None:
        if not self.use_bias:
            raise InputError("this Dense layer has no bias (bias=False)")
        self._set("bias", self._bias, value)

    @staticmethod
    def _set(name: str, target: Array, value: object) -> None:
        value = checks.numeric_array(value, name)  # finite real numbers
        if value.shape != target.shape:
            raise InputError(f"{name} must have shape {target.shape}; got {value.shape}")
        target[...] = value

    def __repr__(self) -> str:
        return (f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r}, "
                f"bias={self.use_bias})")

    @property
    def n_params(self) -> int:
        return self.n_in * self.n_out + (self.n_out if self.use_bias else 0)

    def params(self) -> list[tuple[Array, Array]]:
        """(parameter, gradient) pairs, weights first."""
        pairs = [(self._weights, self.grad_weights)]
        if self.use_bias:
            pairs.append((self._bias, self.grad_bias))
        return pairs

    def _buffers(self, rows: int) -> tuple[Array, Array, Array, Array]:
        """Scratch arrays for a batch of ``rows``, reused from step to step: z, a, dL/dx, and a vector
        of ones (the bias gradient, a column sum, is ``ones . delta``: one BLAS call)."""
        dtype = self._weights.dtype
        bufs = self._scratch[rows] = (np.empty((rows, self.n_out), dtype), np.empty((rows, self.n_out), dtype),
                                      np.empty((rows, self.n_in), dtype), np.ones(rows, dtype))
        return bufs

    def forward(self, x: Array, keep: bool = True) -> Array:
        """Return a = f(x . W + b). With ``keep``, remember x, z and a for ``backward``
        (in buffers reused from step to step: copy ``a`` if you need it later)."""
        if not keep:
            z = np.dot(x, self._weights)
            if self.use_bias:
                z += self._bias
            return self.activation.forward(z, out=z)
        bufs = self._scratch.get(len(x)) or self._buffers(len(x))
        z = np.dot(x, self._weights, bufs[0])
        if self.use_bias:
            z += self._bias
        self.x, self.z, self.a, self._dx, self._ones = x, z, self.activation.forward(z, out=bufs[1]), *bufs[2:]
        return self.a

    def backward(self, delta: Array, input_grad: bool = True) -> Array | None:
        """Store dL/dW and dL/db from ``delta = dL/dz``; return dL/dx when ``input_grad``."""
        np.dot(self.x.T, delta, self.grad_weights)
        if self.use_bias:
            np.dot(self._ones, delta, self.grad_bias)
        if input_grad:
            return np.dot(delta, self._weights.T, self._dx)
        return None
