"""ONNX export (needs the ``glassnet[onnx]`` extra): a network as a standard ONNX graph.

Each layer writes its own nodes (``Layer.onnx``), each activation too (``Activation.onnx``): a Dense layer is
MatMul(x, W) -> Add(b) -> activation, the same  a = f(x . W + b)  that ``Dense.forward`` computes, in the
network's float type (float32 -> FLOAT, float64 -> DOUBLE); Dropout is Identity. A component whose class
computes something other than its ``onnx`` method describes (a subclass that overrides ``forward`` but not
``onnx``) is refused with one line. Optional  x' = (x - mean) / scale  in front and  y = a * scale + mean
behind let the model take raw features and give targets in their own units. The model names one opset of
the default domain and the lowest IR version that supports it, and passes
``onnx.checker.check_model(full_check=True)`` before it is written.

With ``preprocessing`` (a model trained from a table) the graph does what ``Preprocessor.inputs`` does, so it
takes the table's raw columns, one graph input per input column (``column_inputs``):

- a column of numbers: a float64 tensor (rows, 1), NaN (or a number token of ``na_values``, such as -999) for a
  missing cell. IsNaN (Or Equal(token)) -> Where(fill) ->
  (x - mean) / scale, and with an indicator a second network input Cast(IsNaN) (1.0 where missing). (An
  infinite number, or one so large that the network's arithmetic overflows, which glassnet refuses with an
  error, is not checked: it gives inf or NaN outputs.);
- a column of text: a string tensor (rows, 1) of the cells, which the caller strips of surrounding blanks, as
  glassnet's readers do (the graph matches " A" as written: an unseen category, all zeros); "" and the NA tokens
  (``cells.NA_VALUES`` and the model's ``na_values``) are missing. ``ai.onnx.ml`` LabelEncoder maps each
  training category to its index, a missing cell to the ``(missing)`` index (or -1 when training had no missing
  cells) and anything else to -1; Equal(codes, [0, 1, ..., width-1]) -> Cast gives the one-hot columns, all
  zeros for -1.

The parts are concatenated in the preprocessor's column order (in float64; a float32 network gets them cast),
then the network, then for regression  y = a * scale + mean  in float64; the output is float64 (rows, outputs)
like ``Model.predict_table`` / ``predict_proba_table``.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import numpy as np

from ..ensemble import Ensemble
from ..errors import GlassnetError, InputError
from ..network import Network

MIN_OPSET = 13  # Softmax on one axis (opset 13 semantics)
ML_OPSET = 2  # ai.onnx.ml: LabelEncoder with keys_strings / values_int64s (version 2)
INPUT, OUTPUT = "input", "output"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
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
        self._tried: dict[str, int] = {}  # hint -> the k its next name starts looking from (hint_k)

    def _fresh(self, hint: str) -> str:
        """The first of ``hint``, ``hint_2``, ``hint_3``, ... not yet taken (looked for from where the last search
        for ``hint`` ended: a graph of 5,000 inputs names its nodes in linear time)."""
        k = self._tried.get(hint, 1)
        name = hint if k == 1 else f"{hint}_{k}"
        while name in self._names:
            k += 1
            name = f"{hint}_{k}"
        self._tried[hint] = k + 1
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


def _network(graph: Graph, net: Network, x: str, opset: int) -> str:
    """The network's nodes after ``x``: each layer's own, then, for an ensemble, the mean of its members
    ((members, rows, outputs) -> (rows, outputs)) inside the graph."""
    for layer in net.layers:
        x = layer.onnx(graph, x)
    if isinstance(net, Ensemble):
        axes = np.array([0], np.int64)
        x = graph.node("ReduceMean", [x, graph.const("member_axis", axes, np.int64)], keepdims=0) if opset >= 18 \
            else graph.node("ReduceMean", [x], axes=[0], keepdims=0)
    return x


def build_model(net: Network, opset: int = 17, standardize: Pair | None = None, unstandardize: Pair | None = None,
                metadata: dict[str, str] | None = None, preprocessing: Any = None) -> Any:
    """The network as an ``onnx.ModelProto``: input ``input`` (rows, n_inputs), output ``output``.

    ``standardize=(mean, scale)`` puts  x' = (x - mean) / scale  (per column) before the first layer and
    ``unstandardize=(mean, scale)`` puts  y = a * scale + mean  after the last, so the model can take raw
    features and give targets in their own units. With ``standardize`` the input is float64 whatever the
    network's type, and a float32 network gets x' cast to float32, as glassnet's preprocessing does.
    ``metadata`` goes into the model's metadata_props.

    ``preprocessing`` (a ``glassnet.tabular.preprocessing.Preprocessor``, not with ``standardize`` or
    ``unstandardize``) makes the graph take the table's raw columns instead, one input per column (see the
    module's docstring and ``column_inputs``); its metadata describes inputs and outputs as JSON.
    """
    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    _check(onnx, net, opset)
    if preprocessing is not None:
        if standardize is not None or unstandardize is not None:
            raise InputError("build_model takes either preprocessing or standardize/unstandardize, not both")
        return _table_model(onnx, net, opset, preprocessing, metadata)
    elem = _elem(net)
    graph = Graph(helper, numpy_helper, net.dtype)
    graph._names.update((INPUT, OUTPUT))
    x, input_elem = INPUT, elem
    if standardize is not None:
        mean, scale = _mean_scale(standardize, net.n_inputs, "standardize")
        centered = graph.node("Sub", [x, graph.const("input_mean", mean, np.float64)])
        x, input_elem = graph.node("Div", [centered, graph.const("input_scale", scale, np.float64)]), \
            TensorProto.DOUBLE
        if elem != input_elem:
            x = graph.node("Cast", [x], to=elem)
    x = _network(graph, net, x, opset)
    if unstandardize is not None:
        mean, scale = _mean_scale(unstandardize, net.n_outputs, "unstandardize")
        x = graph.node("Add", [graph.node("Mul", [x, graph.const("output_scale", scale)]),
                               graph.const("output_mean", mean)])
    inputs = [helper.make_tensor_value_info(INPUT, input_elem, ["rows", net.n_inputs])]
    return _finish(onnx, net, opset, graph, x, inputs, elem, metadata or {})


def _check(onnx: Any, net: Network, opset: object) -> None:
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)) or not MIN_OPSET <= opset <= newest:
        raise InputError(f"opset must be an integer from {MIN_OPSET} to {newest} (this onnx package); got {opset!r}")
    if not isinstance(net, Network):
        raise InputError(f"to_onnx needs a glassnet Network; got {type(net).__name__}")
    odd = [type(layer).__name__ for layer in net.layers if not exportable(layer)]
    if odd:
        raise InputError(f"cannot export layer type(s) {', '.join(odd)} to ONNX: their onnx() does not describe "
                         "what their forward() computes")


def _elem(net: Network) -> int:
    from onnx import TensorProto

    return TensorProto.FLOAT if net.dtype == np.float32 else TensorProto.DOUBLE


def _finish(onnx: Any, net: Network, opset: int, graph: Graph, x: str, inputs: list, elem: int,
            metadata: dict[str, str], ml: bool = False) -> Any:
    """Name the last value ``output``, assemble the model, set its metadata and check it."""
    helper = graph.helper
    if graph.nodes and graph.nodes[-1].output[0] == x:
        graph.nodes[-1].output[0] = OUTPUT
    else:
        graph.nodes.append(helper.make_node("Identity", [x], [OUTPUT], name="node_output"))
    model_graph = helper.make_graph(graph.nodes, "glassnet", inputs,
                                    [helper.make_tensor_value_info(OUTPUT, elem, ["rows", net.n_outputs])],
                                    initializer=graph.inits)
    opsets = [helper.make_opsetid("", int(opset))] + ([helper.make_opsetid("ai.onnx.ml", ML_OPSET)] if ml else [])
    model = helper.make_model(model_graph, opset_imports=opsets,
                              ir_version=helper.find_min_ir_version_for(opsets), producer_name="glassnet",
                              doc_string=repr(net))
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model, full_check=True)
    return model


def column_inputs(names: list[str]) -> list[str]:
    """The graph input name of each column: the name itself where it is an identifier (letters, digits, '_', not
    starting with a digit), else with every other character replaced by '_' (and '_' in front of a leading digit);
    never ``output`` and never twice (a clash gets ``_2``, ``_3``, ...). Names that are identifiers are given out
    first, so that a column ``a_b`` is input ``a_b`` even beside a column ``a b``."""
    taken = {OUTPUT}
    out: dict[int, str] = {}
    plain = [j for j, name in enumerate(names) if _IDENTIFIER.fullmatch(name)]
    for j in plain + [j for j in range(len(names)) if j not in plain]:
        base = names[j] if j in plain else re.sub(r"[^A-Za-z0-9_]", "_", names[j])
        if not _IDENTIFIER.fullmatch(base):
            base = "_" + base
        candidate, k = base, 1
        while candidate in taken:
            k += 1
            candidate = f"{base}_{k}"
        taken.add(candidate)
        out[j] = candidate
    return [out[j] for j in range(len(names))]


def _utf8(texts: list[str], what: str) -> None:
    for text in texts:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"cannot export {what} {text!r} to ONNX: ONNX strings are UTF-8 and it is not valid "
                             "Unicode text") from None


def _table_model(onnx: Any, net: Network, opset: int, prep: Any, metadata: dict[str, str] | None) -> Any:
    """The graph of a model trained from a table: raw columns in, preprocessing, the network, outputs out."""
    from onnx import TensorProto, helper, numpy_helper

    from ..tabular.cells import BLANKS, NA_VALUES, number_tokens
    from ..tabular.preprocessing import Category, Numeric

    if (prep.n_inputs, prep.n_outputs) != (net.n_inputs, net.n_outputs):
        raise InputError(f"the preprocessing makes {prep.n_inputs} inputs and {prep.n_outputs} outputs; the "
                         f"network has {net.n_inputs} and {net.n_outputs}")
    odd = [c for c in prep.columns if not isinstance(c, (Numeric, Category))]
    if odd:
        raise InputError(f"cannot export input column {odd[0].name!r} to ONNX: glassnet knows no ONNX form of its "
                         f"preprocessing ({type(odd[0]).__name__})")
    quantile = [c.name for c in prep.columns if isinstance(c, Numeric) and (c.scaling or {}).get("kind") == "quantile"]
    if quantile:
        raise InputError(f"cannot export column {quantile[0]!r} to ONNX: glassnet has no ONNX form of its quantile "
                         "scaling (train with --scaling standard or robust to export)")
    names = column_inputs(prep.input_columns)
    _utf8(prep.input_columns, "the column name")
    na = list(dict.fromkeys(t for t in (*NA_VALUES, *(v.strip(BLANKS) for v in prep.na_values))))
    na_numbers = number_tokens(prep.na_values, prep.decimal)
    _utf8(na, "the missing-cell token")
    graph = Graph(helper, numpy_helper, np.dtype(np.float64))
    graph._names.update(names + [OUTPUT])
    inputs, parts, described = [], [], []
    for column, name in zip(prep.columns, names):
        if isinstance(column, Numeric):
            inputs.append(helper.make_tensor_value_info(name, TensorProto.DOUBLE, ["rows", 1]))
            described.append({"name": name, "column": column.name, "type": "float64"})
            gaps = graph.node("IsNaN", [name])
            for k, token in enumerate(na_numbers):  # (a number given as --na-values, such as -999)
                same = graph.node("Equal", [name, graph.const(f"{name}_na{k}", np.full((1, 1), token))])
                gaps = graph.node("Or", [gaps, same])
            filled = graph.node("Where", [gaps, graph.const(f"{name}_fill", np.full((1, 1), column.fill)), name])
            parts.append(_scaled(graph, name, filled, column))
            if column.indicator:
                parts.append(graph.node("Cast", [gaps], to=TensorProto.DOUBLE))
        else:
            _utf8(column.categories, f"the category of column {column.name!r}")
            inputs.append(helper.make_tensor_value_info(name, TensorProto.STRING, ["rows", 1]))
            described.append({"name": name, "column": column.name, "type": "string"})
            width = len(column.features)
            codes = {c: k for k, c in enumerate(column.categories)}
            codes.update((token, len(column.categories) if column.missing else -1) for token in na)
            index = graph.node("LabelEncoder", [name], domain="ai.onnx.ml", keys_strings=list(codes),
                               values_int64s=list(codes.values()), default_int64=-1)
            hot = graph.node("Equal", [index, graph.const(f"{name}_codes", np.arange(width), np.int64)])
            parts.append(graph.node("Cast", [hot], to=TensorProto.DOUBLE))
    x = parts[0] if len(parts) == 1 else graph.node("Concat", parts, axis=1)
    elem = _elem(net)
    if elem != TensorProto.DOUBLE:
        x = graph.node("Cast", [x], to=elem)
    graph.dtype = net.dtype  # the layers' weights
    x = _network(graph, net, x, opset)
    if elem != TensorProto.DOUBLE:
        x = graph.node("Cast", [x], to=TensorProto.DOUBLE)
    target = prep.target
    props = {"glassnet.inputs": json.dumps(described), "glassnet.target": target.name,
             "glassnet.task": target.task, "glassnet.na_values": json.dumps(na)}
    if target.task == "regression":
        x = graph.node("Add", [graph.node("Mul", [x, graph.const("output_scale", np.full((1, 1), target.scale),
                                                                  np.float64)]),
                               graph.const("output_mean", np.full((1, 1), target.mean), np.float64)])
        props["glassnet.outputs"] = f"{target.name}, in its own units"
    else:
        props["glassnet.classes"] = json.dumps(target.classes)
        props["glassnet.outputs"] = f"probabilities of {target.name} = {json.dumps(target.classes)}"
    return _finish(onnx, net, opset, graph, x, inputs, TensorProto.DOUBLE, {**props, **(metadata or {})}, ml=True)


def _scaled(graph: Graph, name: str, x: str, column: Any) -> str:
    """A numeric column's network input: (x - mean) / scale, or the robust scaler's (x - median) * s, clipped to
    +-FAR, then the smooth clip t / sqrt(1 + (t / 3)^2), node for node as ``scaling.RobustScaler`` computes it."""
    from ..tabular.scaling import CLIP, FAR

    def const(suffix: str, value: float) -> str:
        return graph.const(f"{name}_{suffix}", np.full((1, 1), value))

    if column.scaling is None:
        return graph.node("Div", [graph.node("Sub", [x, const("mean", column.mean)]), const("scale", column.scale)])
    moved = graph.node("Mul", [graph.node("Sub", [x, const("median", column.scaling["center"])]),
                               const("robust_scale", column.scaling["scale"])])
    t = graph.node("Clip", [moved, graph.const(f"{name}_low", np.array(-FAR)), graph.const(f"{name}_high",
                                                                                          np.array(FAR))])
    third = graph.node("Div", [t, const("clip", CLIP)])
    root = graph.node("Sqrt", [graph.node("Add", [const("one", 1.0), graph.node("Mul", [third, third])])])
    return graph.node("Div", [t, root])


def to_onnx(net: Network, path: str | os.PathLike, opset: int = 17, **options: Any) -> None:
    """Write ``net`` to ``path`` as an ONNX model; ``options`` as for ``build_model``."""
    from .files import atomic_write

    atomic_write(path, build_model(net, opset, **options).SerializeToString())
