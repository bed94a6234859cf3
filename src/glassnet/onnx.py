"""ONNX export (needs the ``glassnet[onnx]`` extra): a network as a standard ONNX graph.

Each Dense layer becomes  MatMul(x, W) -> Add(b) -> activation,  the same  a = f(x . W + b)  that
``Dense.forward`` computes, in the network's float type (float32 -> FLOAT, float64 -> DOUBLE). An optional
standardization  x' = (x - mean) / scale  goes in front, so the model can take raw features. The model
names one opset of the default domain and the lowest IR version that supports it, and passes
``onnx.checker.check_model(full_check=True)`` before it is written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import GlassnetError, InputError
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
    raise InputError(f"cannot export activation {activation.name!r} ({type(activation).__name__}) to ONNX")


def build_model(net: Network, opset: int = 17, standardize: tuple[object, object] | None = None):
    """The network as an ``onnx.ModelProto``: input ``input`` (rows, n_inputs), output ``output``.

    ``standardize=(mean, scale)`` puts  (x - mean) / scale  (per column) before the first layer.
    """
    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)) or not MIN_OPSET <= opset <= newest:
        raise InputError(f"opset must be an integer from {MIN_OPSET} to {newest} (this onnx package); got {opset!r}")
    if not isinstance(net, Network):
        raise InputError(f"to_onnx needs a glassnet Network; got {type(net).__name__}")
    dtype = net.dtype
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    nodes, inits = [], []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=dtype), name))
        return name

    x = INPUT
    if standardize is not None:
        mean, scale = (np.asarray(v, dtype=np.float64).reshape(-1) for v in standardize)
        if mean.shape != (net.n_inputs,) or scale.shape != (net.n_inputs,) or not np.all(scale != 0):
            raise InputError(f"standardize needs {net.n_inputs} means and {net.n_inputs} non-zero scales; "
                             f"got {mean.size} and {scale.size}")
        nodes.append(helper.make_node("Sub", [x, const("mean", mean)], ["centered"], name="center"))
        nodes.append(helper.make_node("Div", ["centered", const("scale", scale)], ["standardized"], name="scale"))
        x = "standardized"
    last = len(net.layers) - 1
    for i, layer in enumerate(net.layers):
        z = f"z{i}"
        if layer.use_bias:
            nodes.append(helper.make_node("MatMul", [x, const(f"W{i}", layer.weights)], [f"xW{i}"], name=f"matmul{i}"))
            nodes.append(helper.make_node("Add", [f"xW{i}", const(f"b{i}", layer.bias)], [z], name=f"add{i}"))
        else:
            nodes.append(helper.make_node("MatMul", [x, const(f"W{i}", layer.weights)], [z], name=f"matmul{i}"))
        x = OUTPUT if i == last else f"a{i}"
        nodes += _activation_nodes(helper, f"activation{i}", layer.activation, z, x, const, dtype)
    graph = helper.make_graph(
        nodes, "glassnet", [helper.make_tensor_value_info(INPUT, elem, ["rows", net.n_inputs])],
        [helper.make_tensor_value_info(OUTPUT, elem, ["rows", net.n_outputs])], initializer=inits)
    opsets = [helper.make_opsetid("", int(opset))]
    model = helper.make_model(graph, opset_imports=opsets, ir_version=helper.find_min_ir_version_for(opsets),
                              producer_name="glassnet", doc_string=repr(net))
    onnx.checker.check_model(model, full_check=True)
    return model


def to_onnx(net: Network, path: str | Path, opset: int = 17, standardize: tuple[object, object] | None = None) -> None:
    """Write ``net`` to ``path`` as an ONNX model (see ``build_model``)."""
    model = build_model(net, opset, standardize)
    Path(path).write_bytes(model.SerializeToString())
