"""``--scaling standard|robust|quantile`` on tables (issue 13): what each makes of a numeric column, checked
against scikit-learn's scalers fitted on the training rows; saved, loaded, resumed, exported and refused."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.errors import InputError, ModelFileError
from glassnet.tabular.datasets import resolve
from glassnet.tabular.preprocessing import Preprocessor
from glassnet.tabular.workflow import prepare

sklearn_preprocessing = pytest.importorskip("sklearn.preprocessing")
pytestmark = pytest.mark.filterwarnings("ignore:.*missing cells filled")
OPTIONS = {"epochs": 8, "seed": 2, "hidden": [5], "patience": 0, "preset": "quick"}


def table(tmp_path, rows: int = 240) -> str:
    """A long-tailed column with outliers and missing cells, a plain one, a text one and a class target."""
    rng = np.random.default_rng(4)
    tail = rng.lognormal(0, 1.5, rows)
    tail[::37] *= 1e4  # outliers
    plain = rng.normal(5, 2, rows).round(2)
    colour = rng.choice(["red", "blue"], rows)
    label = np.where(np.log(tail) + (plain - 5) / 2 + (colour == "red") > 0.5, "yes", "no")
    cells = [[f"{t:.6g}" if i % 11 else "", f"{p}", c, y] for i, (t, p, c, y) in
             enumerate(zip(tail, plain, colour, label))]
    path = tmp_path / "t.csv"
    path.write_text("tail,plain,colour,y\n" + "".join(",".join(r) + "\n" for r in cells))
    return str(path)


def reference(kind: str, column: np.ndarray, fresh: np.ndarray) -> np.ndarray:
    """scikit-learn's scaler fitted on a column's present training values, applied to ``fresh`` (then the smooth
    clip x / sqrt(1 + x^2 / 9) for robust)."""
    present = column[~np.isnan(column), None]
    if kind == "robust":
        x = sklearn_preprocessing.RobustScaler().fit(present).transform(fresh[:, None])[:, 0]
        return x / np.sqrt(1 + x * x / 9)
    ref = sklearn_preprocessing.QuantileTransformer(n_quantiles=min(len(present), 1000),
                                                    output_distribution="normal").fit(present)
    return ref.transform(fresh[:, None])[:, 0]


@pytest.mark.parametrize("kind", ["robust", "quantile"])
def test_inputs_are_the_scaler_fitted_on_the_training_rows_applied_to_the_median_filled_column(tmp_path, kind):
    prep, (train, val, test) = prepare(resolve(table(tmp_path)), "y", seed=2, scaling=kind)
    assert prep.scaling == kind and prep.feature_names == ["tail", "tail (missing)", "plain", "colour=blue",
                                                           "colour=red"]
    for rows in (train, test):
        inputs = prep.inputs(rows)
        for name, j in (("tail", 0), ("plain", 2)):
            raw, fitted = rows.numbers(name), train.numbers(name)
            filled = np.where(np.isnan(raw), np.median(fitted[~np.isnan(fitted)]), raw)
            np.testing.assert_allclose(inputs[:, j], reference(kind, fitted, filled), rtol=1e-9, atol=1e-9)
        np.testing.assert_array_equal(inputs[:, 1], np.isnan(rows.numbers("tail")))
    if kind == "robust":  # the outliers are kept in order but within +-3; standardization squeezes the rest
        assert np.abs(prep.inputs(train)[:, 0]).max() < 3
        standard = prepare(resolve(table(tmp_path)), "y", seed=2)[0]
        spread = [np.subtract(*np.percentile(p.inputs(train)[:, 0], [75, 25])) for p in (standard, prep)]
        assert spread[0] < 0.05 and 0.5 < spread[1] < 1


def test_scaling_does_not_change_the_splits(tmp_path):
    data = resolve(table(tmp_path))
    splits = [prepare(data, "y", seed=5, scaling=kind)[1] for kind in ("standard", "robust", "quantile")]
    for other in splits[1:]:
        for a, b in zip(splits[0], other):
            np.testing.assert_array_equal(a.numbers("plain"), b.numbers("plain"))


@pytest.mark.parametrize("kind", ["robust", "quantile"])
def test_a_scaled_model_saves_loads_and_predicts_the_same(tmp_path, kind):
    data = table(tmp_path)
    model = gn.train_table(data, "y", scaling=kind, out=tmp_path / "m.safetensors", **OPTIONS)
    assert model.record.settings["scaling"] == kind
    loaded = gn.load_model(tmp_path / "m.safetensors")
    assert loaded.preprocessing.to_json() == model.preprocessing.to_json()
    assert loaded.preprocessing.columns[0].scaling["kind"] == kind
    np.testing.assert_array_equal(loaded.predict_proba_table(data), model.predict_proba_table(data))
    standard = gn.train_table(data, "y", **OPTIONS)
    assert not np.array_equal(standard.predict_proba_table(data), model.predict_proba_table(data))


def test_standard_is_the_quick_presets_bit_for_bit_and_saves_as_before(tmp_path):
    data = table(tmp_path)
    plain = gn.train_table(data, "y", **OPTIONS)
    named = gn.train_table(data, "y", scaling="standard", **OPTIONS)
    np.testing.assert_array_equal(plain.predict_proba_table(data), named.predict_proba_table(data))
    spec = plain.preprocessing.to_json()
    assert all("scaling" not in c for c in spec["columns"])  # files read by glassnet before scalers
    column, rows = plain.preprocessing.columns[1], resolve(data)
    assert np.array_equal(plain.preprocessing.inputs(rows)[:, 2], (rows.numbers("plain") - column.mean) / column.scale)
    for j, out in enumerate(("a.safetensors", "b.safetensors")):
        assert main(["train", data, "--target", "y", "--epochs", "5", "--seed", "1", "--out", str(tmp_path / out),
                     "--preset", "quick", "--quiet"] + (["--scaling", "standard"] if j else [])) == 0
    first, second = (gn.load_model(tmp_path / out).predict_proba_table(data) for out in ("a.safetensors",
                                                                                           "b.safetensors"))
    np.testing.assert_array_equal(first, second)


def test_an_old_model_file_loads_as_standard():
    model = gn.load_model("tests/data/v1_iris.safetensors")
    assert model.preprocessing.scaling == "standard"
    assert all(c.scaling is None for c in model.preprocessing.columns)


def test_a_damaged_scaler_in_a_model_file_is_refused(tmp_path):
    model = gn.train_table(table(tmp_path), "y", scaling="robust", **OPTIONS)
    spec = model.preprocessing.to_json()
    spec["columns"][0]["scaling"] = {"kind": "robust", "center": "x", "scale": 1.0}
    with pytest.raises(ModelFileError, match="preprocessing is malformed.*scaling: a robust scaler needs a finite"):
        Preprocessor.from_json(json.loads(json.dumps(spec)))
    spec["columns"][0]["scaling"] = {"kind": "minmax"}
    with pytest.raises(ModelFileError, match="unknown scaler 'minmax'"):
        Preprocessor.from_json(spec)


def test_scale_inputs_applies_the_scaler_for_drawings(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.lognormal(0, 1, (150, 2))
    path = tmp_path / "two.csv"
    path.write_text("a,b,y\n" + "".join(f"{a:.5f},{b:.5f},{int(a > b)}\n" for a, b in x))
    model = gn.train_table(str(path), "y", scaling="robust", **OPTIONS)
    prep, rows = model.preprocessing, resolve(str(path))
    raw = np.column_stack([rows.numbers("a"), rows.numbers("b")])
    np.testing.assert_array_equal(prep.scale_inputs(raw), prep.inputs(rows))
    np.testing.assert_array_equal(model.network.predict(prep.scale_inputs(raw)), model.predict_proba_table(str(path)))


def test_info_says_the_scaling(tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    gn.train_table(table(tmp_path), "y", scaling="robust", out=out, **OPTIONS)
    assert main(["info", str(out)]) == 0
    said = capsys.readouterr().out
    assert "numeric inputs: robust scaling" in said
    assert "input 'plain': number, robust scaling: (x - median" in said and "smoothly clipped to +-3" in said


def test_resume_rebuilds_the_splits_of_a_scaled_model(tmp_path):
    data, out = table(tmp_path), tmp_path / "m.safetensors"
    gn.train_table(data, "y", scaling="quantile", out=out, **OPTIONS)
    assert main(["resume", str(out), data, "--epochs", "3", "--out", str(tmp_path / "r.safetensors"),
                 "--quiet"]) == 0
    resumed = gn.load_model(tmp_path / "r.safetensors")
    assert resumed.preprocessing.to_json() == gn.load_model(out).preprocessing.to_json()
    assert resumed.network.history.epochs == 11


def test_a_bad_scaling_is_refused(tmp_path, capsys):
    data = table(tmp_path)
    with pytest.raises(InputError, match="--scaling must be one of standard, robust, quantile; got 'minmax'"):
        gn.train_table(data, "y", scaling="minmax", **OPTIONS)
    with pytest.raises(SystemExit) as stop:
        main(["train", data, "--target", "y", "--scaling", "minmax"])
    assert stop.value.code == 2 and "--scaling: invalid choice: 'minmax'" in capsys.readouterr().err


def test_a_column_too_narrow_for_robust_scaling_is_named_with_what_to_do(tmp_path, capsys):
    """Values k * 1e-310: the interquartile range is subnormal and 1 / it overflows; standard scaling copes."""
    rng = np.random.default_rng(1)
    a, x = rng.normal(size=120), rng.integers(1, 5, size=120) * 1e-310
    path = tmp_path / "sub.csv"
    path.write_text("a,x,y\n" + "".join(f"{u},{v!r},{'p' if u > 0 else 'n'}\n" for u, v in zip(a, x.tolist())))
    args = ["train", str(path), "--target", "y", "--epochs", "2", "--quiet", "--out", str(tmp_path / "m.safetensors")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no leaked RuntimeWarning)
        assert main(args) == 2
    said = capsys.readouterr().err
    assert f"error: {path}, column 'x': values too close together for the robust scaling" in said
    assert "multiply the column by a power of ten, or use scaling 'standard'" in said
    assert main(args + ["--scaling", "standard"]) == 0


def test_robust_scaling_exports_to_onnx_and_matches_onnxruntime(tmp_path, capsys):
    ort = pytest.importorskip("onnxruntime")
    data, out = table(tmp_path), tmp_path / "m.safetensors"
    model = gn.train_table(data, "y", scaling="robust", out=out, **OPTIONS)
    assert main(["export", str(out), "--onnx", str(tmp_path / "m.onnx")]) == 0
    rows = resolve(data)
    rows.data["tail"][:3] = [1e300, -1e200, 0.0]  # (far out: clipped to +-3 in both)
    feed = {"tail": rows.numbers("tail")[:, None], "plain": rows.numbers("plain")[:, None],
            "colour": np.array(rows.data["colour"], dtype=object)[:, None]}
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(None, feed)[0]
    np.testing.assert_allclose(got, model.network.predict(model.preprocessing.inputs(rows)), rtol=0, atol=1e-9)
    assert np.abs(model.preprocessing.inputs(rows)[:2, 0]).round(12).tolist() == [3.0, 3.0]


def test_quantile_scaling_is_refused_by_onnx_export_in_one_line(tmp_path, capsys):
    pytest.importorskip("onnx")
    out = tmp_path / "m.safetensors"
    gn.train_table(table(tmp_path), "y", scaling="quantile", out=out, **OPTIONS)
    assert main(["export", str(out), "--onnx", str(tmp_path / "m.onnx")]) == 2
    err = capsys.readouterr().err
    assert err == ("glassnet export: error: cannot export column 'tail' to ONNX: glassnet has no ONNX form of its "
                   "quantile scaling (train with --scaling standard or robust to export)\n")
    assert not (tmp_path / "m.onnx").exists()
