"""The layer protocol: what a ``Network`` asks of every layer.

    build(n_in, index) -> n_out      learn the input width from the layer below (check it), give the output width
    params()                         the parameters it owns, as ``Param(name, shape, decay)``
    attach(arrays, rng)              keep its parameters and gradients in the network's arrays (views of its
                                     storage: values set before are copied in); a layer that draws random numbers
                                     sets ``uses_rng = True`` and draws them from ``rng``, the network's seeded
                                     generator, so runs repeat and resumes are exact
    initialize(rng, init, member)    set starting values (``init``: the network's initializer, if it names one;
                                     ``member``: in an ensemble, which member's values to draw)
    forward(x, training, keep)       the output for a batch; ``training``: a step of learning (dropout drops);
                                     ``keep``: remember what backward and the loss need (predict passes False)
    backward(grad, input_grad, pre_activation)
                                     from grad = dL/d(output), fill its gradients and return dL/d(input), the
                                     ``grad`` of the layer below (only if ``input_grad``); the layer owns its
                                     activation's derivative (``pre_activation``: grad is already dL/dz, from a
                                     loss fused with the output activation)
    config() / from_config()         its settings, JSON-safe, to be rebuilt from a model file

and, to describe itself (each has a default here): ``summary()`` (its item of the architecture string),
``onnx(graph, x)`` (its ONNX nodes; the default refuses), and for ``glassnet explain``: ``traced()`` (copies of
its own arrays of the last step), ``symbol(param)`` (W for weights), ``explain_forward``, ``explain_backward``
and ``explain_gradient``. A layer kind is one file: a subclass of ``Layer``, registered with
``glassnet.layers.register``.
"""

from __future__ import annotations

import reprlib
from typing import Any, ClassVar, NamedTuple

import numpy as np

from ..errors import InputError
from ..registry import Component

Array = np.ndarray
Arrays = dict[str, tuple[Array, Array]]  # parameter name -> (values, gradients)


class Param(NamedTuple):
    """A parameter a layer owns: its name (the tensor ``layers.{i}.{name}`` in a model file), its shape, and
    whether weight decay applies to it (weights yes, biases no)."""

    name: str
    shape: tuple[int, ...]
    decay: bool


def shape_text(a: Array | tuple) -> str:
    """``(4,3)`` for a shape or an array (how ``explain`` writes shapes)."""
    dims = a if isinstance(a, tuple) else np.shape(a)
    return "(" + ",".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def fixed_width(layer: Layer, n_in: int, index: int) -> int:
    """``build`` of a layer whose input width is part of its settings (Dense, SharedDense): ``n_in`` from the layer
    below must be ``layer.n_in``; its output width is ``layer.n_out``."""
    if n_in != layer.n_in:
        raise InputError(f"layer {index - 1} has {reprlib.repr(n_in)} outputs but layer {index} expects "
                         f"{reprlib.repr(layer.n_in)} inputs")
    return layer.n_out


class Layer(Component):
    """Base class of every layer; see the module's docstring for the protocol."""

    n_in: int | None = None
    n_out: int | None = None
    activation: Any = None  # the output activation, for layers that have one (a fused loss checks it)
    uses_rng: ClassVar[bool] = False  # True for layers that draw from the generator attach gives them
    batched: ClassVar[bool] = False  # True for layers that work with a leading member axis (glassnet.Ensemble)
    members: int | None = None  # in an Ensemble: how many members; their parameters are stacked on a first axis

    def build(self, n_in: int, index: int) -> int:
        """Check the input width ``n_in`` from the layer below; return this layer's output width."""
        self.n_in = self.n_out = n_in
        return n_in

    def params(self) -> list[Param]:
        return []

    def attach(self, arrays: Arrays, rng: np.random.Generator) -> None:
        """Keep parameters and gradients in ``arrays`` (views of the network's storage; current values are
        copied over); ``rng`` is the network's generator (a layer that draws random numbers keeps it as ``rng``)."""
        self.in_network = True

    def initialize(self, rng: np.random.RandomState, init: Any, member: int | None = None) -> None:
        """Set the parameters' starting values (of one ``member`` in an ensemble); ``rng`` draws them layer by
        layer."""

    def forward(self, x: Array, training: bool = False, keep: bool = True) -> Array:
        raise NotImplementedError

    def backward(self, grad: Array, input_grad: bool = True, pre_activation: bool = False) -> Array | None:
        raise NotImplementedError

    def summary(self) -> str:
        return self.name

    def onnx(self, graph: Any, x: str) -> str:
        raise InputError(f"cannot export layer {type(self).__name__} to ONNX: it has no onnx() method")

    def explain_forward(self, k: int, record: Any) -> list[dict]:
        """Steps computing a{k} from a{k-1}: dicts of name, formula, shapes, value and meaning."""
        return [{"name": f"a{k}", "formula": f"a{k} = {self.name}(a{k - 1})",
                 "shapes": f"{shape_text(record.input)} -> {shape_text(record.output)}", "value": record.output,
                 "meaning": f"Layer {k} ({self.summary()})."}]

    def explain_backward(self, k: int, record: Any) -> list[dict]:
        """Steps from error{k} = dL/da{k} back to error{k-1} (when ``record.error_below`` is not None)."""
        if record.error_below is None:
            return []
        return [{"name": f"error{k - 1}", "formula": f"error{k - 1} = dL/da{k - 1}, through {self.name}",
                 "shapes": f"{shape_text(record.error)} -> {shape_text(record.error_below)}",
                 "value": record.error_below, "meaning": f"The error sent back through layer {k}."}]

    def symbol(self, param: str) -> str:
        """How ``explain`` writes parameter ``param`` (Dense: W for weights, b for bias)."""
        return param

    def explain_gradient(self, k: int, param: str, record: Any) -> dict:
        """The step computing the gradient of ``param``."""
        name = f"grad_{self.symbol(param)}{k}"
        return {"name": name, "formula": f"{name} = dL/d{self.symbol(param)}{k}", "shapes": shape_text(
            record.grads[param]), "value": record.grads[param], "meaning": f"The gradient of layer {k}'s {param}."}

    def traced(self) -> dict[str, Array]:
        """Copies of the arrays of its last step that ``explain`` shows besides inputs, outputs and errors."""
        return {}
