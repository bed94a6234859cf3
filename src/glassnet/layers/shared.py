"""``SharedDense``: an ensemble's fully connected layer whose weights all members share (TabM's idea).

A Dense layer in an ensemble of K members holds K weight matrices, (K, n_in, n_out). On a wide table (1,000
one-hot inputs, 32 units, 8 members) that is 256,000 weights for Adam to update and two products of that size
each step. Here the members share one matrix W, and each member k sees its outputs through a scale vector s_k
of its own (an *adapter*, as TabM and BatchEnsemble call it) and a bias b_k:

    z_k = (x . W) * s_k + b_k,    a_k = f(z_k)

For the ensemble's first layer, x is the same batch for every member, so x . W is ONE product for all K members,
and Adam updates n_in x n_out weights instead of K times as many. Member 0 starts with s = 1 and member k > 0 with
a random sign for each unit, drawn from its own seed, so the members start different; the scales then train with
the rest. Backward, with delta_k = dL/dz_k:

    dL/ds_k = sum over rows of delta_k * (x . W)
    dL/db_k = sum over rows of delta_k
    dL/dW   = x^T . sum over k of (delta_k * s_k)    (each member's share of the blame, through its own scale)
    dL/dx   = (delta_k * s_k) . W^T                  (summed over k when x was shared)

Member k alone is a plain Dense layer with weights W * s_k (each column scaled) and bias b_k (``alone``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations, initializers
from ..constraints import check
from ..errors import InputError
from .base import Arrays, Layer, Param, fixed_width

Array = np.ndarray


class SharedDense(Layer):
    """Inside a ``glassnet.Ensemble``: weights W (n_in, n_out) shared by the members, a scale and a bias per member
    (members, n_out); see the module's docstring."""

    name = "shared_dense"
    batched = True

    def __init__(self, n_in: int, n_out: int, activation: str | dict | activations.Activation | None = None,
                 init: str | dict | initializers.Initializer | None = None) -> None:
        self.n_in = check("units", n_in, "SharedDense n_in")
        self.n_out = check("units", n_out, "SharedDense n_out")
        self.activation = activations.get(activation)
        self.init = None if init is None else initializers.get(init)
        self.x = self.u = self.z = self.a = None

    def __getstate__(self) -> dict[str, Any]:
        """A copy or a pickle leaves out the arrays of the last batch (the data's rows, as Dense does)."""
        return {**self.__dict__, "x": None, "u": None, "z": None, "a": None}

    def config(self) -> dict[str, Any]:
        return {"n_in": self.n_in, "n_out": self.n_out, "activation": activations.REGISTRY.spec(self.activation),
                "init": None if self.init is None else initializers.REGISTRY.spec(self.init)}

    def __repr__(self) -> str:
        return f"SharedDense({self.n_in}, {self.n_out}, activation={self.activation.name!r})"

    def summary(self) -> str:
        return f"{self.n_out} {self.activation.name} (weights shared by the members)"

    def build(self, n_in: int, index: int) -> int:
        return fixed_width(self, n_in, index)

    def params(self) -> list[Param]:
        if not self.members:
            raise InputError("SharedDense shares its weights among an ensemble's members: use it in a "
                             "glassnet.Ensemble")
        return [Param("weights", (self.n_in, self.n_out), True), Param("scale", (self.members, self.n_out), False),
                Param("bias", (self.members, self.n_out), False)]

    def attach(self, arrays: Arrays, rng: np.random.Generator) -> None:
        super().attach(arrays, rng)
        (self.weights, self.grad_weights), (self.scale, self.grad_scale) = arrays["weights"], arrays["scale"]
        self.bias, self.grad_bias = arrays["bias"]

    def initialize(self, rng: np.random.RandomState, init: initializers.Initializer | None,
                   member: int | None = None) -> None:
        """Member 0 draws W (this layer's initializer, else the network's, else its activation's) and takes
        scales of 1; member k > 0 draws a random sign per unit from its own generator."""
        if member == 0:
            chosen = self.init or init or initializers.get(self.activation.default_init)
            self.weights[...] = chosen(rng, (self.n_in, self.n_out))
            self.scale[0] = 1.0
        else:
            self.scale[member] = rng.choice([-1.0, 1.0], size=self.n_out)
        self.bias[member] = 0.0

    def forward(self, x: Array, training: bool = False, keep: bool = True) -> Array:
        """a_k = f((x . W) * s_k + b_k) for every member k: shape (members, rows, n_out)."""
        u = x @ self.weights  # (rows, n_out) once for all members, or (members, rows, n_out)
        z = u * self.scale[:, None, :] + self.bias[:, None, :]
        a = self.activation.forward(z, out=np.empty_like(z))
        if keep:
            self.x, self.u, self.z, self.a = x, u, z, a
        return a

    def backward(self, grad: Array, input_grad: bool = True, pre_activation: bool = False) -> Array | None:
        delta = grad if pre_activation else self.activation.backward(grad, self.z, self.a)
        np.sum(delta, axis=1, out=self.grad_bias)
        u = self.u if self.u.ndim == 3 else self.u[None]
        np.einsum("krj,krj->kj", delta, np.broadcast_to(u, delta.shape), out=self.grad_scale)
        through = delta * self.scale[:, None, :]  # dL/du_k
        if self.x.ndim == 2:  # (the members shared x: their blame adds up)
            through = through.sum(axis=0)
        flat_x, flat = self.x.reshape(-1, self.n_in), through.reshape(-1, self.n_out)
        np.dot(flat_x.T, flat, out=self.grad_weights)
        return through @ self.weights.T if input_grad else None

    def alone(self, k: int) -> tuple[dict, dict[str, Array]]:
        """Member ``k`` alone: the spec of a Dense layer and its parameters, weights W * s_k and bias b_k."""
        from . import REGISTRY
        from .dense import Dense

        dense = Dense(self.n_in, self.n_out, activation=self.activation, init=self.init)
        return REGISTRY.spec(dense), {"weights": self.weights * self.scale[k], "bias": self.bias[k]}

    def onnx(self, graph: Any, x: str) -> str:
        """MatMul(x, W) -> Mul(s) -> Add(b) -> the activation, the scales and biases (members, 1, n_out) broadcast
        over each member's rows, as in ``forward``."""
        u = graph.node("MatMul", [x, graph.const("W", self.weights)])
        z = graph.node("Mul", [u, graph.const("s", self.scale[:, None, :])])
        z = graph.node("Add", [z, graph.const("b", self.bias[:, None, :])])
        return graph.activation(self.activation, z)

    def symbol(self, param: str) -> str:
        return {"weights": "W", "scale": "s", "bias": "b"}[param]
