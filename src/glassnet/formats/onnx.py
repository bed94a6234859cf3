"""ONNX export (needs the ``glassnet[onnx]`` extra): a network as a standard ONNX graph.

Each layer writes its own nodes (``Layer.onnx``), each activation too (``Activation.onnx``): a Dense layer is
MatMul(x, W) -> Add(b) -> activation, the same  a = f(x . W + b)  that ``Dense.forward`` computes, in the
network's float type (float32 -> FLOAT, float64 -> DOUBLE); Dropout is Identity. A component whose class
computes something other than its ``onnx`` method describes (a subclass that overrides ``forward`` but not
``onnx``) is refused with one line. Optional  x' = (x - mean) / scale  in front and  y = a * scale + mean
behind let the model take raw features and give targets in their own units. The model names one opset of
the default domain and the lowest IR version that supports it, and passes
``onnx.checker.check_model(full_check=True)`` before it is written.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..ensemble import Ensemble
from ..errors import GlassnetError, InputError
from ..network import Network

MIN_OPSET = 13  # Softmax on one axis (opset 13 semantics)
INPUT, OUTPUT = "input", "output"
Pair = tuple[object, object]


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise GlassnetError("ONNX export needs the onnx package: pip install 'glassnet[onnx]'") from None
    return onnx


def _defined_in(cls: type, method: str) -> type:
    return next(c for c in cls.__mro__ if method in vars(c))


def exportable(component: object) -> bool:
    """Whether ``component.onnx`` may be called: it is defined in the class that defines ``forward`` or below it,
    or it is the base class's, which says that there is no onnx() (a subclass that overrides ``forward`` but
    inherits another class's ``onnx`` would export something else than it computes)."""
    cls = type(component)
    owner = _defined_in(cls, "onnx")
    base = [c for c in cls.__mro__ if "onnx" in vars(c)][-1]
    return owner is base or issubclass(owner, _defined_in(cls, "forward"))


class Graph:
    """What a layer or activation needs to add itself: ``node(op, inputs, **attributes)`` returns the new
    output's name, ``const(hint, array)`` adds an initializer (in the graph's dtype) and returns its name."""

    def __init__(self, helper: Any, numpy_helper: Any, dtype: np.dtype) -> None:
        self.helper, self.numpy_helper, self.dtype = helper, numpy_helper, dtype
        self.nodes: list = []
        self.inits: list = []
        self._names: set[str] = set()

    def _fresh(self, hint: str) -> str:
        name, k = hint, 1
        while name in self._names:
            k += 1
            name = f"{hint}_{k}"
        self._names.add(name)
        return name

    def const(self, hint: str, value: np.ndarray, dtype: np.dtype | None = None) -> str:
        name = self._fresh(hint)
        self.inits.append(self.numpy_helper.from_array(np.ascontiguousarray(value, dtype=dtype or self.dtype), name))
        return name

    def node(self, op: str, inputs: list[str], **attributes: Any) -> str:
        out = self._fresh(op.lower())
        self.nodes.append(self.helper.make_node(op, inputs, [out], name=f"node_{out}", **attributes))
        return out

    def activation(self, activation: Any, z: str) -> str:
        """The nodes of a layer's activation, or an InputError if it cannot be expressed."""
        if not exportable(activation):
            raise InputError(f"cannot export activation {activation.name!r} ({type(activation).__name__}) to "
                             "ONNX: it computes something other than the onnx() it inherits")
        return activation.onnx(self, z)


def _mean_scale(pair: Pair, n: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    mean, scale = (np.asarray(v, dtype=np.float64).reshape(-1) for v in pair)
    if mean.shape != (n,) or scale.shape != (n,) or not np.all(scale != 0):
        raise InputError(f"{what} needs {n} means and {n} non-zero scales; got {mean.size} and {scale.size}")
    return mean, scale


def build_model(net: Network, opset: int = 17, standardize: Pair | None = None, unstandardize: Pair | None = None,
                metadata: dict[str, str] | None = None) -> Any:
    """The network as an ``onnx.ModelProto``: input ``input`` (rows, n_inputs), output ``output``.

    ``standardize=(mean, scale)`` puts  x' = (x - mean) / scale  (per column) before the first layer and
    ``unstandardize=(mean, scale)`` puts  y = a * scale + mean  after the last, so the model can take raw
    features and give targets in their own units. With ``standardize`` the input is float64 whatever the
    network's type, and a float32 network gets x' cast to float32, as glassnet's preprocessing does.
    ``metadata`` goes into the model's metadata_props.
    """
    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)) or not MIN_OPSET <= opset <= newest:
        raise InputError(f"opset must be an integer from {MIN_OPSET} to {newest} (this onnx package); got {opset!r}")
    if not isinstance(net, Network):
        raise InputError(f"to_onnx needs a glassnet Network; got {type(net).__name__}")
    odd = [type(layer).__name__ for layer in net.layers if not exportable(layer)]
    if odd:
        raise InputError(f"cannot export layer type(s) {', '.join(odd)} to ONNX: their onnx() does not describe "
                         "what their forward() computes")
    elem = TensorProto.FLOAT if net.dtype == np.float32 else TensorProto.DOUBLE
    graph = Graph(helper, numpy_helper, net.dtype)
    graph._names.add(INPUT)
    x, input_elem = INPUT, elem
    if standardize is not None:
        mean, scale = _mean_scale(standardize, net.n_inputs, "standardize")
        centered = graph.node("Sub", [x, graph.const("input_mean", mean, np.float64)])
        x, input_elem = graph.node("Div", [centered, graph.const("input_scale", scale, np.float64)]), \
            TensorProto.DOUBLE
        if elem != input_elem:
            x = graph.node("Cast", [x], to=elem)
    for layer in net.layers:
        x = layer.onnx(graph, x)
    if isinstance(net, Ensemble):  # (members, rows, outputs) -> the members' mean, inside the graph
        axes = np.array([0], np.int64)
        x = graph.node("ReduceMean", [x, graph.const("member_axis", axes, np.int64)], keepdims=0) if opset >= 18 \
            else graph.node("ReduceMean", [x], axes=[0], keepdims=0)
    if unstandardize is not None:
        mean, scale = _mean_scale(unstandardize, net.n_outputs, "unstandardize")
        x = graph.node("Add", [graph.node("Mul", [x, graph.const("output_scale", scale)]),
                               graph.const("output_mean", mean)])
    if graph.nodes and graph.nodes[-1].output[0] == x:
        graph.nodes[-1].output[0] = OUTPUT
    else:
        graph.nodes.append(helper.make_node("Identity", [x], [OUTPUT], name="node_output"))
    model_graph = helper.make_graph(
        graph.nodes, "glassnet", [helper.make_tensor_value_info(INPUT, input_elem, ["rows", net.n_inputs])],
        [helper.make_tensor_value_info(OUTPUT, elem, ["rows", net.n_outputs])], initializer=graph.inits)
    opsets = [helper.make_opsetid("", int(opset))]
    model = helper.make_model(model_graph, opset_imports=opsets,
                              ir_version=helper.find_min_ir_version_for(opsets), producer_name="glassnet",
                              doc_string=repr(net))
    helper.set_model_props(model, metadata or {})
    onnx.checker.check_model(model, full_check=True)
    return model


def to_onnx(net: Network, path: str | os.PathLike, opset: int = 17, **options: Any) -> None:
    """Write ``net`` to ``path`` as an ONNX model; ``options`` as for ``build_model``."""
    from .files import atomic_write

    atomic_write(path, build_model(net, opset, **options).SerializeToString())
