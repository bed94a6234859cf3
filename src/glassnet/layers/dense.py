"""``Dense``: a fully connected layer  a = f(x . W + b).

``W`` is the tutorial's "synapse" (``syn0``, ``syn1``): row i holds the weights from
input i, column j the weights into unit j, so a batch of rows ``x`` of shape
(rows, n_in) maps to (rows, n_out) with one matrix product.

In an ensemble (``members`` = K, set by ``glassnet.Ensemble``) the K members' weights are stacked,
(K, n_in, n_out), and the same formulas run with ``np.matmul``, which multiplies matrix by matrix along the
leading axis: x of shape (rows, n_in) or (K, rows, n_in) maps to (K, rows, n_out) in one call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations, checks, initializers
from ..constraints import check
from ..errors import InputError
from .base import Arrays, Layer, Param, fixed_width, shape_text

Array = np.ndarray
MAX_SCRATCH = 4  # batch sizes whose scratch arrays are kept (a training run needs two or three)


class Dense(Layer):
    """A fully connected layer:  z = x . W + b,  a = activation(z).

    Backward, given grad = dL/da for a batch:
        delta = dL/dz = grad * f'(z)   (the tutorial's ``l2_error * nonlin(l2, deriv=True)``)
        dL/dW = x^T . delta            (the tutorial's ``l1.T.dot(l2_delta)``)
        dL/db = sum of delta over rows
        dL/dx = delta . W^T            (the tutorial's ``l2_delta.dot(syn1.T)``: the previous layer's error)
    """

    _given = False  # weights assigned before the layer joined a network: kept, not drawn over (a class default:
    # a Dense pickled before it existed reads it too)

    name = "dense"
    batched = True

    def __init__(self, n_in: int, n_out: int, activation: str | dict | activations.Activation | None = None,
                 bias: bool = True, init: str | dict | initializers.Initializer | None = None) -> None:
        self.n_in = check("units", n_in, "Dense n_in")
        self.n_out = check("units", n_out, "Dense n_out")
        self.activation = activations.get(activation)
        self.use_bias = check("bias", bias, "Dense bias")
        self.init = None if init is None else initializers.get(init)
        self._weights = self._bias = self.grad_weights = self.grad_bias = None  # arrays made on first use
        self._scratch: dict[int, tuple[Array, Array, Array, Array]] = {}
        self.x = self.z = self.a = self.delta = None

    def config(self) -> dict[str, Any]:
        return {"n_in": self.n_in, "n_out": self.n_out, "activation": activations.REGISTRY.spec(self.activation),
                "bias": self.use_bias, "init": None if self.init is None else initializers.REGISTRY.spec(self.init)}

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r}, bias={self.use_bias})"

    def summary(self) -> str:
        return f"{self.n_out} {self.activation.name}"

    # --- the protocol: sizes, parameters, storage ----------------------------------------

    def build(self, n_in: int, index: int) -> int:
        return fixed_width(self, n_in, index)

    def params(self) -> list[Param]:
        lead = (self.members,) if self.members else ()
        own = [Param("weights", (*lead, self.n_in, self.n_out), True)]
        return own + [Param("bias", (*lead, self.n_out), False)] if self.use_bias else own

    def attach(self, arrays: Arrays, rng: np.random.Generator) -> None:
        super().attach(arrays, rng)
        self._bind(arrays)

    def _bind(self, arrays: Arrays) -> None:
        """Keep parameters and gradients in ``arrays``; current values are copied over."""
        if self._weights is not None:
            arrays["weights"][0][...] = self._weights
            if self.use_bias:
                arrays["bias"][0][...] = self._bias
        self._weights, self.grad_weights = arrays["weights"]
        self._bias, self.grad_bias = arrays["bias"] if self.use_bias else (None, None)
        self._scratch: dict[int, tuple[Array, Array, Array, Array]] = {}

    def __getstate__(self) -> dict[str, Any]:
        """A copy or a pickle leaves out the arrays of the last batch and the scratch buffers."""
        batch = {"x": None, "z": None, "a": None, "delta": None, "_scratch": {}}
        return {**{k: v for k, v in self.__dict__.items() if k not in ("_dx", "_ones")}, **batch}

    def _own(self) -> None:
        """Arrays of its own (zeros) for a layer not yet in a network, made when first needed, so that
        building a layer from a model file's description allocates nothing before its sizes are checked."""
        if self._weights is None:
            self._bind({p.name: (np.zeros(p.shape), np.zeros(p.shape)) for p in self.params()})

    def initialize(self, rng: np.random.RandomState, init: initializers.Initializer | None,
                   member: int | None = None) -> None:
        """Weights from this layer's initializer, else the network's, else the one its activation suits; weights
        assigned before the layer joined the network are kept (as its bias is)."""
        chosen = self.init or init or initializers.get(self.activation.default_init)
        drawn = chosen(rng, (self.n_in, self.n_out))  # (drawn even when not used: the next layers' stay the same)
        if self._given:
            return
        if member is None:
            self.weights = drawn
        else:
            self.weights[member] = drawn

    @property
    def weights(self) -> Array:
        """The (n_in, n_out) weight matrix: the tutorial's synapse. Assigning copies into it."""
        self._own()
        return self._weights

    @weights.setter
    def weights(self, value: object) -> None:
        self._own()
        self._set("weights", self._weights, value)
        self._given = self._given or not getattr(self, "in_network", False)

    @property
    def bias(self) -> Array | None:
        """The (n_out,) bias vector, or None for a layer without bias. Assigning copies into it."""
        self._own()
        return self._bias

    @bias.setter
    def bias(self, value: object) -> None:
        if not self.use_bias:
            raise InputError("this Dense layer has no bias (bias=False)")
        self._own()
        self._set("bias", self._bias, value)

    @staticmethod
    def _set(name: str, target: Array, value: object) -> None:
        value = checks.numeric_array(value, name)  # finite real numbers
        if value.shape != target.shape:
            raise InputError(f"{name} must have shape {target.shape}; got {value.shape}")
        target[...] = value

    # --- the two passes ------------------------------------------------------------------

    def _buffers(self, rows: int) -> tuple[Array, Array, Array, Array]:
        """Scratch arrays for a batch of ``rows``, reused from step to step: z, a, dL/dx, and a vector
        of ones (the bias gradient, a column sum, is ``ones . delta``: one BLAS call)."""
        self._own()
        if len(self._scratch) >= MAX_SCRATCH:
            self._scratch.pop(next(iter(self._scratch)))
        dtype, lead = self._weights.dtype, (self.members,) if self.members else ()
        bufs = self._scratch[rows] = (np.empty((*lead, rows, self.n_out), dtype),
                                      np.empty((*lead, rows, self.n_out), dtype),
                                      np.empty((*lead, rows, self.n_in), dtype), np.ones(rows, dtype))
        return bufs

    def _product(self, x: Array, out: Array | None = None) -> Array:
        """z = x . W + b: one matrix product, or one per member (the bias broadcast over each member's rows)."""
        if not self.members:
            z = np.dot(x, self._weights) if out is None else np.dot(x, self._weights, out)
            if self.use_bias:
                z += self._bias
            return z
        z = np.matmul(x, self._weights) if out is None else np.matmul(x, self._weights, out=out)
        if self.use_bias:
            z += self._bias[:, None, :]
        return z

    def forward(self, x: Array, training: bool = False, keep: bool = True) -> Array:
        """Return a = f(x . W + b). With ``keep``, remember x, z and a for ``backward`` and the loss
        (in buffers reused from step to step: copy ``a`` if you need it later)."""
        if not keep:
            self._own()
            z = self._product(x)
            return self.activation.forward(z, out=z)
        bufs = self._scratch.get(x.shape[-2]) or self._buffers(x.shape[-2])
        z = self._product(x, bufs[0])
        self.x, self.z, self.a, self._dx, self._ones = x, z, self.activation.forward(z, out=bufs[1]), *bufs[2:]
        return self.a

    def backward(self, grad: Array, input_grad: bool = True, pre_activation: bool = False) -> Array | None:
        """Store dL/dW and dL/db from ``grad = dL/da`` (or dL/dz with ``pre_activation``); return dL/dx when
        ``input_grad``. ``grad`` may be overwritten."""
        delta = grad if pre_activation else self.activation.backward(grad, self.z, self.a)
        self.delta = delta
        if self.members:
            np.matmul(self.x.swapaxes(-1, -2), delta, out=self.grad_weights)
            if self.use_bias:
                np.matmul(self._ones, delta, out=self.grad_bias)
            return np.matmul(delta, self._weights.swapaxes(-1, -2), out=self._dx) if input_grad else None
        np.dot(self.x.T, delta, self.grad_weights)
        if self.use_bias:
            np.dot(self._ones, delta, self.grad_bias)
        if input_grad:
            return np.dot(delta, self._weights.T, self._dx)
        return None

    # --- describing itself -----------------------------------------------------------------

    def onnx(self, graph: Any, x: str) -> str:
        """MatMul(x, W) -> Add(b) -> the activation: the same  a = f(x . W + b)  as ``forward``."""
        z = graph.node("MatMul", [x, graph.const("W", self._weights)])  # (broadcast over members, as np.matmul)
        if self.use_bias:
            z = graph.node("Add", [z, graph.const("b", self._bias[:, None, :] if self.members else self._bias)])
        return graph.activation(self.activation, z)

    def traced(self) -> dict[str, Array]:
        return {"z": self.z.copy(), "delta": self.delta.copy()}

    def explain_forward(self, k: int, record: Any) -> list[dict]:
        bias = f" + b{k}" if self.use_bias else ""
        shapes = f"{shape_text(record.input)} . {shape_text(self.weights)}"
        shapes += f" + {shape_text(self.bias)}" if self.use_bias else ""
        act, z = self.activation.name, record.inner["z"]
        role = "the network's output" if record.last else f"the outputs of hidden layer {k}"
        return [
            {"name": f"z{k}", "formula": f"z{k} = a{k - 1} . W{k}{bias}", "shapes": f"{shapes} -> {shape_text(z)}",
             "value": z, "meaning": f"Each of the {self.n_out} units of layer {k} adds up its {self.n_in} inputs "
                                    f"times their weights{', plus its bias' if self.use_bias else ''}, for every row."},
            {"name": f"a{k}", "formula": self.activation.formula.format(a=f"a{k}", z=f"z{k}"),
             "shapes": f"{act} {shape_text(z)} -> {shape_text(z)}", "value": record.output,
             "meaning": f"The {act} activation turns each sum into {role}."},
        ]

    def explain_backward(self, k: int, record: Any) -> list[dict]:
        steps = []
        if not record.fused:
            act, names = self.activation, {"a": f"a{k}", "z": f"z{k}", "error": f"error{k}"}
            slope = act.derivative.format(**names)
            formula = f"delta{k} = dL/dz{k} = " + act.chain_rule.format(derivative=slope, **names)
            err = record.error
            steps.append({"name": f"delta{k}", "formula": formula,
                          "shapes": f"{shape_text(err)} * {shape_text(err)} -> {shape_text(err)}",
                          "value": record.inner["delta"],
                          "meaning": f"The chain rule: the error times the slope of {act.name} at each unit, which is "
                                     f"how much the loss changes with each of layer {k}'s sums."})
        if record.error_below is not None:
            delta = record.inner["delta"]
            steps.append({"name": f"error{k - 1}", "formula": f"error{k - 1} = dL/da{k - 1} = delta{k} . W{k}^T",
                          "shapes": f"{shape_text(delta)} . {shape_text(self.weights.T)} -> "
                                    f"{shape_text(record.error_below)}",
                          "value": record.error_below,
                          "meaning": f"Each unit of layer {k - 1} gets its share of the blame: the deltas of layer "
                                     f"{k} sent back through the same weights."})
        return steps

    def symbol(self, param: str) -> str:
        return {"weights": "W", "bias": "b"}[param]

    def explain_gradient(self, k: int, param: str, record: Any) -> dict:
        """The step computing the gradient of ``param`` (weights or bias)."""
        delta = record.inner["delta"]
        if param == "weights":
            return {"name": f"grad_W{k}", "formula": f"grad_W{k} = dL/dW{k} = a{k - 1}^T . delta{k}",
                    "shapes": f"{shape_text(record.input.T)} . {shape_text(delta)} -> {shape_text(self.weights)}",
                    "value": record.grads["weights"],
                    "meaning": "For each weight: the input it multiplies times the delta of the unit it feeds, "
                               "added up over the rows."}
        return {"name": f"grad_b{k}", "formula": f"grad_b{k} = dL/db{k} = sum of delta{k} over rows",
                "shapes": f"sum {shape_text(delta)} -> {shape_text(self.bias)}", "value": record.grads["bias"],
                "meaning": "For each bias: the deltas of its unit added up over the rows."}
