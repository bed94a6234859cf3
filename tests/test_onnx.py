"""ONNX export: onnxruntime runs the exported graph and must agree with glassnet's own forward pass."""

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import glassnet as gn
from glassnet.activations import Activation, LeakyReLU, Sigmoid
from glassnet.cli import main
from glassnet.formats.onnx import build_model, to_onnx
from glassnet.tabular import csvfile as tables
from glassnet.tabular import workflow as table_training
from glassnet.tabular.model import Model

ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"]
RTOL = {np.float32: 1e-5, np.float64: 1e-12}
# onnxruntime's tanh is a rational approximation with an absolute error of about 3e-7 (float32) and
# 1e-15 (float64), so outputs near zero (where tanh(z) ~ z) get a small absolute floor; others get none.
TANH_ATOL = {np.float32: 1e-6, np.float64: 1e-15}


def run(path_or_model, X):
    source = path_or_model.SerializeToString() if isinstance(path_or_model, onnx.ModelProto) else str(path_or_model)
    session = ort.InferenceSession(source, providers=["CPUExecutionProvider"])
    return session.run(None, {"input": X})[0]


def random_net(activation, dtype, seed):
    """5 -> 8 -> 6 -> 3 with random biases; the last layer has none."""
    rng = np.random.default_rng(seed)
    net = gn.Network([gn.Dense(5, 8, activation=activation), gn.Dense(8, 6, activation=activation),
                      gn.Dense(6, 3, activation=activation, bias=False)], seed=seed, dtype=dtype)
    for layer in net.layers[:2]:
        layer.bias[:] = rng.normal(size=layer.bias.shape)
    return net, (3 * rng.normal(size=(300, 5))).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_onnxruntime_matches_predict(activation, dtype, tmp_path):
    for seed in range(3):
        net, X = random_net(activation, dtype, seed)
        path = tmp_path / "net.onnx"
        net.to_onnx(path)
        out = run(path, X)
        assert out.dtype == dtype and out.shape == (300, 3)
        atol = TANH_ATOL[dtype] if activation == "tanh" else 0
        np.testing.assert_allclose(out, net.predict(X), rtol=RTOL[dtype], atol=atol)
        if activation == "softmax":
            np.testing.assert_allclose(out.sum(axis=1), 1, rtol=RTOL[dtype] * 10)


def test_file_names_opset_and_matching_ir_version(tmp_path):
    net, _ = random_net("relu", np.float64, 0)
    for opset, ir_version in ((17, 8), (13, 7)):
        to_onnx(net, tmp_path / "m.onnx", opset=opset)
        model = onnx.load(tmp_path / "m.onnx")
        onnx.checker.check_model(model, full_check=True)
        assert [(o.domain, o.version) for o in model.opset_import] == [("", opset)]
        assert model.ir_version == ir_version
        assert [n.op_type for n in model.graph.node] == ["MatMul", "Add", "Relu"] * 2 + ["MatMul", "Relu"]


@pytest.mark.parametrize("dtype, alpha, ops", [
    (np.float64, 0.01, ["Mul", "Max"]),      # 0.01 is not a float32: a LeakyRelu attribute would round it
    (np.float64, 0.25, ["LeakyRelu"]),
    (np.float32, 0.01, ["LeakyRelu"]),       # glassnet multiplies by float32(0.01) too
])
def test_leaky_relu_alpha_is_kept_exactly(dtype, alpha, ops):
    net = gn.Network([gn.Dense(4, 3, activation=LeakyReLU(alpha))], dtype=dtype)
    X = np.random.default_rng(1).normal(size=(50, 4)).astype(dtype)
    model = build_model(net)
    assert [n.op_type for n in model.graph.node][2:] == ops
    np.testing.assert_array_equal(run(model, X), net.predict(X))


def test_standardization_goes_in_the_graph(rng):
    net, X = random_net("tanh", np.float64, 4)
    mean, scale = rng.normal(size=5), rng.uniform(0.5, 2, size=5)
    raw = X * scale + mean
    model = build_model(net, standardize=(mean, scale))
    assert [n.op_type for n in model.graph.node][:2] == ["Sub", "Div"]
    np.testing.assert_allclose(run(model, raw), net.predict((raw - mean) / scale), rtol=1e-12, atol=1e-15)


def test_trained_classifier_exports(rng):
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > X[:, 1]).astype(int) + (X[:, 2] > 0)
    net = gn.Network([gn.Dense(3, 8, activation="leaky_relu"), gn.Dense(8, 3, activation="softmax")], seed=2)
    net.fit(X, y, epochs=30, loss="categorical_crossentropy", verbose=0)
    np.testing.assert_allclose(run(build_model(net), X), net.predict(X), rtol=1e-12)


class Swish(Activation):
    name = "swish"

    def forward(self, z, out=None):
        return z / (1 + np.exp(-z))


class HardSigmoid(Sigmoid):  # same name as glassnet's sigmoid, other values: must not become an ONNX Sigmoid
    def forward(self, z, out=None):
        return np.clip(0.2 * z + 0.5, 0, 1)


class Scaled(gn.Dense):
    def forward(self, x, keep=True):
        return 2 * super().forward(x, keep)


@pytest.mark.parametrize("call, message", [
    (lambda net: build_model(net, opset=12), "opset must be an integer from 13"),
    (lambda net: build_model(net, opset="17"), "opset must be an integer"),
    (lambda net: build_model("net"), "needs a glassnet Network; got str"),
    (lambda net: build_model(net, standardize=([0, 0], [1, 1])), "needs 4 means and 4 non-zero scales; got 2 and 2"),
    (lambda net: build_model(net, standardize=(np.zeros(4), np.zeros(4))), "non-zero scales"),
    (lambda net: build_model(gn.Network([gn.Dense(4, 2, activation=Swish())])), "cannot export activation 'swish'"),
    (lambda net: build_model(gn.Network([gn.Dense(4, 2, activation=HardSigmoid())])), r"'sigmoid' \(HardSigmoid\)"),
    (lambda net: build_model(gn.Network([Scaled(4, 2)])),
     r"layer type\(s\) Scaled to ONNX: their onnx\(\) does not describe what their forward\(\) computes"),
])
def test_unsupported_cases_are_refused(call, message):
    net = gn.Network([gn.Dense(4, 2, activation="sigmoid")])
    with pytest.raises(gn.InputError, match=message):
        call(net)


# --- glassnet export: model files from CSV data ------------------------------------------------------

def write_csv(path, rng, task):
    """200 rows of raw numbers on very different scales; the target is a class or a value."""
    X = rng.normal(size=(200, 3)) * [1.0, 50.0, 0.01] + [5.0, -300.0, 0.2]
    z = (X[:, 0] - 5) + (X[:, 1] + 300) / 50
    target = np.where(z > 0.5, "high", np.where(z < -0.5, "low", "mid")) if task == "classification" else 3 * z + 7
    lines = ["a,b,c,target"] + [f"{a:.17g},{b:.17g},{c:.17g},{t}" for (a, b, c), t in zip(X, target)]
    path.write_text("\n".join(lines) + "\n")
    return path


def trained_model(tmp_path, rng, task, dtype, hidden="tanh"):
    """What `glassnet train` does, through the library: prepare the CSV, fit, save with the preprocessing."""
    table = tables.read_csv(write_csv(tmp_path / "data.csv", rng, task))
    prep, (train, val, _) = table_training.prepare(table, "target", "auto", 0.2, 0.2, seed=0)
    out = "softmax" if task == "classification" else "linear"
    net = gn.Network([gn.Dense(prep.n_inputs, 6, activation=hidden), gn.Dense(6, prep.n_outputs, activation=out)],
                     seed=0, dtype=dtype)
    net.fit(prep.inputs(train), prep.targets(train), epochs=20, verbose=0,
            loss="categorical_crossentropy" if task == "classification" else "mse")
    Model(net, prep).save(tmp_path / "model.safetensors")
    return table, prep, net


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_cli_export_takes_raw_csv_features(task, dtype, tmp_path, rng, capsys):
    table, prep, net = trained_model(tmp_path, rng, task, dtype)
    assert main(["export", str(tmp_path / "model.safetensors"), "--onnx", str(tmp_path / "m.onnx")]) == 0
    assert "wrote" in capsys.readouterr().out
    # one float64 (rows, 1) input per column, standardized in the graph
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    out = session.run(None, {c: table.numbers(c)[:, None] for c in ["a", "b", "c"]})[0]
    expected = net.predict(prep.inputs(table))  # glassnet's own path: standardize in float64, then the network
    atol = 0
    if task == "regression":
        expected = prep.target.decode(expected)[:, None]
        # y = a * scale + mean: a's relative agreement becomes an absolute one of scale * |a| (values near 0 cancel)
        atol = RTOL[dtype] * prep.target.scale
    np.testing.assert_allclose(out, expected, rtol=RTOL[dtype], atol=atol)
    props = {p.key: p.value for p in onnx.load(tmp_path / "m.onnx").metadata_props}
    assert json.loads(props["glassnet.inputs"]) == [{"name": c, "column": c, "type": "float64"} for c in "abc"]
    if task == "classification":
        assert json.loads(props["glassnet.classes"]) == ["high", "low", "mid"]


def test_cli_export_takes_text_columns_as_strings(tmp_path, rng, capsys):
    """(Once refused: text columns are now one string input each, one-hot encoded in the graph.)"""
    csv = write_csv(tmp_path / "data.csv", rng, "regression")
    lines = csv.read_text().splitlines()
    csv.write_text("\n".join([lines[0] + ",colour"] + [f"{row},{'red' if i % 2 else 'blue'}"
                                                         for i, row in enumerate(lines[1:])]) + "\n")
    prep, _ = table_training.prepare(tables.read_csv(csv), "target", "auto", 0.2, 0.2, seed=0)
    Model(gn.Network([gn.Dense(prep.n_inputs, 1)]), prep).save(tmp_path / "model.safetensors")
    assert main(["export", str(tmp_path / "model.safetensors"), "--onnx", str(tmp_path / "m.onnx")]) == 0
    assert "'colour' (string)" in capsys.readouterr().out
    graph = onnx.load(tmp_path / "m.onnx").graph
    assert [(i.name, i.type.tensor_type.elem_type) for i in graph.input][-1] == ("colour", onnx.TensorProto.STRING)


def test_cli_export_errors_are_one_line(tmp_path, capsys):

    assert main(["export", str(tmp_path / "missing.safetensors"), "--onnx", str(tmp_path / "m.onnx")]) == 2
    assert "no such model file" in capsys.readouterr().err
    gn.Network([gn.Dense(2, 1)]).save(tmp_path / "plain.safetensors")
    assert main(["export", str(tmp_path / "plain.safetensors"), "--onnx", str(tmp_path / "m.onnx"),
                 "--opset", "9"]) == 2
    assert "opset must be an integer from 13" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "plain.safetensors"), "--onnx", str(tmp_path / "no" / "m.onnx")]) == 2
    assert f"the folder {tmp_path / 'no'} does not exist" in capsys.readouterr().err
