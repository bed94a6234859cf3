"""ONNX export of models trained from tables: the graph takes the raw columns (numbers with NaN for missing cells,
text as strings) and does glassnet's imputation, standardization and one-hot encoding itself; onnxruntime must
reproduce ``Model.predict_proba_table`` / ``predict_table`` within 1e-5."""

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import glassnet as gn
from glassnet.activations import Sigmoid
from glassnet.cli import main
from glassnet.formats.onnx import build_model, column_inputs
from glassnet.tabular.cells import NA_VALUES
from glassnet.tabular.model import Model
from glassnet.tabular.preprocessing import Category, Numeric, Preprocessor, Target

TOL = 1e-5
COLOURS = ["red", "green", "blue"]
SIZES = ["S", "M", "L"]
# predict-time rows: every kind of missing cell, categories never seen in training, the model's own NA token
NEW_ROWS = [  # (x1, petal width (cm), colour, size, output)
    ("1.5", "0.2", "red", "M", "3"),
    ("NA", "1.1", "", "S", "-1"),
    ("", "2.0", "NA", "L", "0.5"),
    ("?", "0.7", "purple", "XL", "2"),
    ("-0.3", "1.9", "null", "", "7"),
    ("nan", "0.0", "unknown", "N/A", "1"),
    ("2.25", "3.5", "None", "?", "-4"),
    ("0", "1.0", "Red", "m", "0"),
]


def columns(rng, n):
    """n training rows as CSV text cells, with missing numbers (x1) and missing text (colour) written as NA
    tokens and empty cells; size is never missing in training; 'output' is an input column whose name clashes
    with the graph's output."""
    x1 = rng.normal(1.0, 2.0, n)
    width = rng.uniform(0, 4, n)
    colour = rng.choice(COLOURS, n)
    size = rng.choice(SIZES, n)
    extra = rng.integers(-5, 8, n).astype(float)
    score = 0.8 * x1 + np.where(colour == "red", 1.5, np.where(colour == "green", -1.0, 0.0)) \
        + 0.5 * np.vectorize(SIZES.index)(size) - 0.3 * width + 0.1 * extra + rng.normal(0, 0.3, n)
    x1_cells = [f"{v:.17g}" for v in x1]
    colour_cells = list(colour)
    for i in range(0, n, 9):
        x1_cells[i] = ("NA", "", "?")[i % 3]
    for i in range(3, n, 11):
        colour_cells[i] = ("", "NA", "null", "unknown")[i % 4]
    return x1_cells, [f"{v:.17g}" for v in width], colour_cells, list(size), [f"{v:g}" for v in extra], score


def write(path, rows, header=("x1", "petal width (cm)", "colour", "size", "output", "target")):
    path.write_text("\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n")
    return path


def train(tmp_path, task, dtype, seed=0):
    rng = np.random.default_rng(seed)
    *cells, score = columns(rng, 160)
    target = np.where(score > 1.5, "high", np.where(score < 0, "low", "mid")) if task == "classification" \
        else [f"{v:.6f}" for v in score]
    csv = write(tmp_path / "train.csv", zip(*cells, target))
    model = gn.train_table(str(csv), "target", epochs=25, seed=seed, hidden=[6], dtype=dtype, na_values=["unknown"],
                           task=task, test_split=0.2, val_split=0.1)
    model.save(tmp_path / "model.safetensors")
    new = write(tmp_path / "new.csv", [row for row in NEW_ROWS], header=("x1", "petal width (cm)", "colour", "size",
                                                                         "output"))
    return model, new


def feed(rows, names):
    """The raw columns as onnxruntime takes them: numbers as float64 (rows, 1) with NaN for missing cells, text as
    strings (rows, 1), exactly as written in the file."""
    x1, width, colour, size, output = zip(*rows)
    number = lambda cells: np.array([float("nan") if c in NA_VALUES else float(c) for c in cells])[:, None]  # noqa
    text = lambda cells: np.array(cells, dtype=object)[:, None]  # noqa: E731
    values = [number(x1), number(width), text(colour), text(size), number(output)]
    return dict(zip(names, values))


def export(tmp_path, capsys, opset=17):
    assert main(["export", str(tmp_path / "model.safetensors"), "--onnx", str(tmp_path / "m.onnx"),
                 "--opset", str(opset)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"wrote {tmp_path / 'm.onnx'}: inputs 'x1' (float64), 'petal_width__cm_' (float64, column "
                           "'petal width (cm)'), 'colour' (string), 'size' (string), 'output_2' (float64, column "
                           "'output'), each (rows, 1); output 'output'")
    assert said.rstrip().endswith("; text cells are matched as given: strip the blanks around them, as glassnet's "
                                  "readers do")
    return onnx.load(tmp_path / "m.onnx")


def session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_export_reproduces_predict_table_with_text_and_missing_cells(task, dtype, tmp_path, capsys):
    model, new = train(tmp_path, task, dtype)
    prep = model.preprocessing
    assert prep.has_categories and prep.imputes and prep.na_values == ["unknown"]
    by_name = {c.name: c for c in prep.columns}
    assert by_name["x1"].indicator and by_name["colour"].missing and not by_name["size"].missing
    onnx_model = export(tmp_path, capsys)
    inputs = json.loads({p.key: p.value for p in onnx_model.metadata_props}["glassnet.inputs"])
    names = [d["name"] for d in inputs]
    assert [d["column"] for d in inputs] == prep.input_columns
    expected = model.predict_proba_table(new) if task == "classification" else model.predict_table(new)[:, None]
    got = session(onnx_model).run(None, feed(NEW_ROWS, names))[0]
    assert got.dtype == np.float64 and got.shape == expected.shape
    diff = float(np.max(np.abs(got - expected)))
    print(f"{task} {dtype}: max abs difference {diff:.3g}")
    assert diff <= TOL
    if dtype == "float64":
        assert diff <= 1e-12
    # and on the training file itself (every missing-cell token of training, no unseen category)
    rows = [r[:5] for r in (line.split(",") for line in (tmp_path / "train.csv").read_text().splitlines()[1:])]
    expected = (model.predict_proba_table(tmp_path / "train.csv") if task == "classification"
                else model.predict_table(tmp_path / "train.csv")[:, None])
    assert np.max(np.abs(session(onnx_model).run(None, feed(rows, names))[0] - expected)) <= TOL


def test_the_graph_encodes_each_cell_as_glassnet_does(tmp_path, capsys):
    """The network inputs themselves: a graph cut after the preprocessing gives Preprocessor.inputs exactly."""
    model, new = train(tmp_path, "classification", "float64")
    prep = model.preprocessing
    identity = gn.Network([gn.Dense(prep.n_inputs, prep.n_inputs, activation="linear", bias=False)])
    identity.layers[0].weights[:] = np.eye(prep.n_inputs)
    alone = Preprocessor(prep.columns, Target("t", "regression", mean=0.0, scale=1.0), prep.na_values)
    graph = build_model(identity, 17, preprocessing=_Wide(alone, prep.n_inputs))
    names = column_inputs(prep.input_columns)
    got = session(graph).run(None, feed(NEW_ROWS, names))[0]
    expected = prep.inputs(model.read(new))
    np.testing.assert_array_equal(got, expected)
    # the cells themselves: (missing) column where training had missing text, all zeros for size's missing cells
    features = prep.feature_names
    row = dict(zip(features, got[1]))  # x1 'NA', colour ''
    assert row["x1 (missing)"] == 1 and row["colour=(missing)"] == 1
    row = dict(zip(features, got[3]))  # colour 'purple', size 'XL': unseen
    assert [row[f"colour={c}"] for c in sorted(COLOURS)] == [0, 0, 0] and row["colour=(missing)"] == 0
    row = dict(zip(features, got[4]))  # size '' (training had no missing size): all zeros
    assert [row[f"size={s}"] for s in sorted(SIZES)] == [0, 0, 0] and "size=(missing)" not in row
    assert dict(zip(features, got[5]))["colour=(missing)"] == 1  # the model's own token 'unknown'


class _Wide:
    """A preprocessor whose 'target' has as many outputs as it has inputs (to run the preprocessing alone)."""

    def __init__(self, prep, n):
        self._prep, self.n_outputs = prep, n

    def __getattr__(self, name):
        return getattr(self._prep, name)


def test_metadata_names_inputs_types_and_classes(tmp_path, capsys):
    model, _ = train(tmp_path, "classification", "float64")
    graph = export(tmp_path, capsys, opset=13).graph
    props = {p.key: p.value for p in onnx.load(tmp_path / "m.onnx").metadata_props}
    assert json.loads(props["glassnet.inputs"]) == [
        {"name": "x1", "column": "x1", "type": "float64"},
        {"name": "petal_width__cm_", "column": "petal width (cm)", "type": "float64"},
        {"name": "colour", "column": "colour", "type": "string"},
        {"name": "size", "column": "size", "type": "string"},
        {"name": "output_2", "column": "output", "type": "float64"}]
    assert json.loads(props["glassnet.classes"]) == model.preprocessing.target.classes == ["high", "low", "mid"]
    assert props["glassnet.task"] == "classification" and props["glassnet.target"] == "target"
    assert "unknown" in json.loads(props["glassnet.na_values"])
    assert [(i.name, i.type.tensor_type.elem_type) for i in graph.input] == [
        ("x1", onnx.TensorProto.DOUBLE), ("petal_width__cm_", onnx.TensorProto.DOUBLE),
        ("colour", onnx.TensorProto.STRING), ("size", onnx.TensorProto.STRING), ("output_2", onnx.TensorProto.DOUBLE)]
    assert [o.name for o in graph.output] == ["output"]
    ops = {(n.domain, n.op_type) for n in graph.node}
    assert {("", "IsNaN"), ("", "Where"), ("ai.onnx.ml", "LabelEncoder"), ("", "Equal"), ("", "Concat")} <= ops
    domains = {o.domain: o.version for o in onnx.load(tmp_path / "m.onnx").opset_import}
    assert domains == {"": 13, "ai.onnx.ml": 2}


def test_all_numeric_model_takes_one_input_per_column(tmp_path, capsys):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 2)) * [1.0, 40.0] + [2.0, -100.0]
    rows = [(f"{a:.17g}", f"{b:.17g}", f"{a + b / 40:.6f}") for a, b in X]
    write(tmp_path / "num.csv", rows, header=("a", "b", "y"))
    model = gn.train_table(str(tmp_path / "num.csv"), "y", epochs=10, seed=0, hidden=[4], dtype="float64")
    assert not model.preprocessing.imputes
    model.save(tmp_path / "model.safetensors")
    assert main(["export", str(tmp_path / "model.safetensors"), "--onnx", str(tmp_path / "m.onnx")]) == 0
    assert "inputs 'a' (float64), 'b' (float64), each (rows, 1)" in capsys.readouterr().out
    got = session(onnx.load(tmp_path / "m.onnx")).run(None, {"a": X[:, :1], "b": X[:, 1:]})[0]
    assert np.max(np.abs(got[:, 0] - model.predict_table(tmp_path / "num.csv"))) <= 1e-12
    # a missing number (NaN) takes the training median, as glassnet fills it, even with no indicator input
    fill = model.preprocessing.columns[0].fill
    got = session(onnx.load(tmp_path / "m.onnx")).run(None, {"a": np.array([[np.nan]]), "b": np.array([[0.0]])})[0]
    want = session(onnx.load(tmp_path / "m.onnx")).run(None, {"a": np.array([[fill]]), "b": np.array([[0.0]])})[0]
    assert got[0, 0] == want[0, 0]


def test_network_without_preprocessing_keeps_one_matrix_input(tmp_path, capsys):
    gn.Network([gn.Dense(3, 2, activation="softmax")], seed=0).save(tmp_path / "plain.safetensors")
    assert main(["export", str(tmp_path / "plain.safetensors"), "--onnx", str(tmp_path / "m.onnx")]) == 0
    assert "input 'input' (rows, 3)" in capsys.readouterr().out
    assert [i.name for i in onnx.load(tmp_path / "m.onnx").graph.input] == ["input"]


def test_column_input_names():
    assert column_inputs(["a", "a b", "a-b", "3rd", "output", "", "é", "_ok"]) == [
        "a", "a_b", "a_b_2", "_3rd", "output_2", "_", "__2", "_ok"]
    assert column_inputs(["a b", "a_b"]) == ["a_b_2", "a_b"]  # (an identifier keeps its own name)


class Swish(Sigmoid):
    """Computes something else than the Sigmoid onnx() it inherits."""

    name = "swish"

    def forward(self, z):
        return z * super().forward(z)


def small_prep(categories=("a", "b")):
    return Preprocessor([Numeric("x", 0.0, 1.0, 0.5, True), Category("c", list(categories), True)],
                        Target("y", "classification", classes=["p", "q"]))


@pytest.mark.parametrize("call, message", [
    (lambda: build_model(gn.Network([gn.Dense(5, 2, activation=Swish())]), preprocessing=small_prep()),
     "cannot export activation 'swish'"),
    (lambda: build_model(gn.Network([gn.Dense(4, 2, activation="softmax")]), preprocessing=small_prep()),
     "the preprocessing makes 5 inputs and 2 outputs; the network has 4 and 2"),
    (lambda: build_model(gn.Network([gn.Dense(5, 2)]), preprocessing=small_prep(), standardize=([0], [1])),
     "either preprocessing or standardize/unstandardize"),
    (lambda: build_model(gn.Network([gn.Dense(5, 2)]), opset=12, preprocessing=small_prep()),
     "opset must be an integer from 13"),
    (lambda: build_model(gn.Network([gn.Dense(6, 2)]), preprocessing=small_prep(["a", "b", "bad \udcff"])),
     r"cannot export the category of column 'c' 'bad \\udcff' to ONNX: ONNX strings are UTF-8"),
])
def test_what_cannot_be_exported_is_refused_in_one_line(call, message):
    with pytest.raises(gn.InputError, match=message) as caught:
        call()
    assert "\n" not in str(caught.value)


def test_cli_refusal_writes_nothing(tmp_path, capsys):
    Model(gn.Network([gn.Dense(5, 2, activation="softmax")]), small_prep()).save(tmp_path / "model.safetensors")
    assert main(["export", str(tmp_path / "model.safetensors"), "--onnx", str(tmp_path / "m.onnx"),
                 "--opset", "12"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("glassnet export: error: ") and "opset must be an integer from 13" in err
    assert err.count("\n") == 1
    assert not (tmp_path / "m.onnx").exists()


def test_a_number_given_as_na_values_is_missing_in_the_graph_as_in_glassnet(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=120), rng.normal(size=120)
    a[::7] = -999
    rows = [(f"{x:g}", f"{y:.6f}", f"{x + y:.6f}") for x, y in zip(a, b)]
    write(tmp_path / "num.csv", rows, header=("a", "b", "y"))
    model = gn.train_table(str(tmp_path / "num.csv"), "y", epochs=5, seed=0, hidden=[4], na_values=["-999"])
    assert model.preprocessing.columns[0].indicator  # (-999 was read as missing)
    model.save(tmp_path / "model.safetensors")
    assert main(["export", str(tmp_path / "model.safetensors"), "--onnx", str(tmp_path / "m.onnx")]) == 0
    frame = pd.DataFrame({"a": [-999.0, np.nan, 0.5], "b": [0.1, 0.1, 0.1]})
    want = model.predict_table(frame)
    assert want[0] == want[1] != want[2]  # a DataFrame's -999.0 is missing too, as the CSV's -999 was
    feeds = {name: frame[[name]].to_numpy() for name in ("a", "b")}
    got = session(onnx.load(tmp_path / "m.onnx")).run(None, feeds)
    assert np.max(np.abs(got[0][:, 0] - want)) <= 1e-9
