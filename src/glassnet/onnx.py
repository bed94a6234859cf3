"""ONNX export (needs the ``glassnet[onnx]`` extra): a network as a standard ONNX graph.

Each Dense layer becomes  MatMul(x, W) -> Add(b) -> activation,  the same  a = f(x . W + b)  that
``Dense.forward`` computes, in the network's float type (float32 -> FLOAT, float64 -> DOUBLE). Optional
x' = (x - mean) / scale  in front and  y = a * scale + mean  behind let the model take raw features and give
targets in their own units. Only glassnet's own layer and activation classes are exported. The model
names one opset of the default domain and the lowest IR version that supports it, and passes
``onnx.checker.check_model(full_check=True)`` before it is written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .activations import ACTIVATIONS
from .errors import GlassnetError, InputError
from .layers import Dense
from .network import Network

MIN_OPSET = 13  # Softmax on one axis (opset 13 semantics)
INPUT, OUTPUT = "input", "output"


def _onnx():
    try:
        import onnx
    except ImportError:
        raise GlassnetError("ONNX export needs the onnx package: pip install 'glassnet[onnx]'") from None
    return onnx


def _activation_nodes(helper, name: str, activation, x: str, out: str, const, dtype: np.dtype) -> list:
    """The ONNX nodes for one glassnet activation, or an InputError for one this export cannot express.

    ONNX's LeakyRelu holds alpha as a 32-bit float; in a float64 network where that would round alpha
    (0.01, say), the layer becomes  Max(z, alpha * z)  with a float64 alpha, as glassnet computes it.
    """
    if type(activation) is not ACTIVATIONS.get(activation.name):  # a subclass may compute something else
        raise InputError(f"cannot export activation {activation.name!r} ({type(activation).__name__}) to ONNX")
    simple = {"linear": "Identity", "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu"}
    if activation.name in simple:
        return [helper.make_node(simple[activation.name], [x], [out], name=name)]
    if activation.name == "leaky_relu":
        alpha = activation.alpha
        if dtype == np.float32 or float(np.float32(alpha)) == alpha:
            return [helper.make_node("LeakyRelu", [x], [out], name=name, alpha=alpha)]
        scaled = f"{x}_alpha"
        return [helper.make_node("Mul", [x, const(scaled, np.array(alpha))], [f"{scaled}_z"], name=f"{name}_mul"),
                helper.make_node("Max", [x, f"{scaled}_z"], [out], name=name)]
    if activation.name == "softmax":
        return [helper.make_node("Softmax", [x], [out], name=name, axis=1)]
    raise InputError(f"cannot export activation {activation.name!r} to ONNX (no translation for it yet)")


Pair = tuple[object, object]


def _mean_scale(pair: Pair, n: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    mean, scale = (np.asarray(v, dtype=np.float64).reshape(-1) for v in pair)
    if mean.shape != (n,) or scale.shape != (n,) or not np.all(scale != 0):
        raise InputError(f"{what} needs {n} means and {n} non-zero scales; got {mean.size} and {scale.size}")
    return mean, scale


def build_model(net: Network, opset: int = 17, standardize: Pair | None = None, unstandardize: Pair | None = None,
                metadata: dict[str, str] | None = None):
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
    odd = [type(layer).__name__ for layer in net.layers if type(layer) is not Dense]
    if odd:
        raise InputError(f"cannot export layer type(s) {', '.join(odd)} to ONNX; only Dense")
    dtype = net.dtype
    elem, DOUBLE = (TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE), TensorProto.DOUBLE
    nodes, inits = [], []

    def const(name: str, value: np.ndarray, of: np.dtype = dtype) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=of), name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [out], name=f"{op.lower()}_{out}", **attrs))
        return out

    x, input_elem = INPUT, elem
    if standardize is not None:
        mean, scale = _mean_scale(standardize, net.n_inputs, "standardize")
        centered = node("Sub", [x, const("input_mean", mean, np.float64)], "centered")
        x, input_elem = node("Div", [centered, const("input_scale", scale, np.float64)], "standardized"), DOUBLE
        if elem != input_elem:
            x = node("Cast", [x], "standardized_cast", to=elem)
    for i, layer in enumerate(net.layers):
        z = node("MatMul", [x, const(f"W{i}", layer.weights)], f"xW{i}")
        if layer.use_bias:
            z = node("Add", [z, const(f"b{i}", layer.bias)], f"z{i}")
        nodes += _activation_nodes(helper, f"activation{i}", layer.activation, z, f"a{i}", const, dtype)
        x = f"a{i}"
    if unstandardize is not None:
        mean, scale = _mean_scale(unstandardize, net.n_outputs, "unstandardize")
        x = node("Add", [node("Mul", [x, const("output_scale", scale)], "scaled"), const("output_mean", mean)],
                 "unscaled")
    nodes[-1].output[0] = OUTPUT
    graph = helper.make_graph(
        nodes, "glassnet", [helper.make_tensor_value_info(INPUT, input_elem, ["rows", net.n_inputs])],
        [helper.make_tensor_value_info(OUTPUT, elem, ["rows", net.n_outputs])], initializer=inits)
    opsets = [helper.make_opsetid("", int(opset))]
    model = helper.make_model(graph, opset_imports=opsets, ir_version=helper.find_min_ir_version_for(opsets),
                              producer_name="glassnet", doc_string=repr(net))
    helper.set_model_props(model, metadata or {})
    onnx.checker.check_model(model, full_check=True)
    return model


def to_onnx(net: Network, path: str | Path, opset: int = 17, **options) -> None:
    """Write ``net`` to ``path`` as an ONNX model; ``options`` as for ``build_model``."""
    model = build_model(net, opset, **options)
    Path(path).write_bytes(model.SerializeToString())
