"""Huge but finite numbers: a column whose standardization overflows float64 is refused before training, naming
the file and column; a new value that standardizes to infinity is refused naming the file, line and column."""

import re
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.errors import InputError
from glassnet.tabular import csvfile as tables
from glassnet.tabular import fitting
from glassnet.tabular import workflow as table_training
from glassnet.tabular.table import Table


def write_csv(path, header, columns):
    rows = zip(*columns)
    path.write_text(",".join(header) + "\n" + "".join(",".join(map(repr, map(float, r))) + "\n" for r in rows))
    return path


def run_cli(args, capsys):
    """(exit code, stderr, warnings) of glassnet.cli.main(args), with every warning recorded."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(args)
    return code, capsys.readouterr().err, [str(w.message) for w in caught]


def huge_columns(rng, n=60):
    """Column a: uniform magnitudes times +-1e300; b ordinary; label 0/1; y a regression target of about 1e300."""
    a = rng.random(n) * rng.choice([-1.0, 1.0], n) * 1e300
    return {"a": a, "b": rng.normal(size=n), "label": np.arange(n) % 2, "y": rng.normal(size=n) * 1e300}


CASES = {  # name: (columns, target, column named in the error)
    "huge input": (("a", "b", "label"), "label", "a"),
    "huge regression target": (("b", "label", "y"), "y", "y"),
}


@pytest.mark.parametrize("case", [*CASES, "mean overflows"])
def test_train_refuses_a_column_too_large_to_standardize(tmp_path, capsys, rng, case):
    if case == "mean overflows":  # the mean of 1e308 and 1.7e308 is finite, their sum is not
        n = 24
        columns = {"a": np.where(np.arange(n) % 2, 1.7e308, 1e308), "b": np.arange(n), "label": np.arange(n) % 2}
        header, target, column = ("a", "b", "label"), "label", "a"
    else:
        columns = huge_columns(rng)
        header, target, column = CASES[case]
    csv = write_csv(tmp_path / "huge.csv", header, [columns[h] for h in header])
    out = tmp_path / "keep.safetensors"
    out.write_bytes(b"a good model, not to be replaced")
    code, err, caught = run_cli(["train", str(csv), "--target", target, "--out", str(out), "--epochs", "3",
                                 "--quiet"], capsys)
    assert code == 2
    found = re.fullmatch(rf"glassnet train: error: {re.escape(str(csv))} line (\d+), column {column!r}: '([^']+)' "
                         r"is too large to standardize the column with \(the squares of its values overflow "
                         r"float64\); correct the cell if it is wrong, or divide the column by a power of ten\n", err)
    assert found, err
    values, named = np.abs(columns[column]).astype(float), abs(float(found[2]))  # (a large cell, on its line)
    assert named == values[int(found[1]) - 2] and named >= np.sort(values)[len(values) // 2]
    assert caught == []
    assert out.read_bytes() == b"a good model, not to be replaced"


def test_large_values_that_fit_are_standardized_exactly(tmp_path, rng):
    """Values of about 1e150: their squares still fit float64, so the statistics are numpy's, unchanged."""
    a = rng.normal(size=60) * 1e150
    table = tables.read_csv(write_csv(tmp_path / "big.csv", ("a", "label"), [a, np.arange(60) % 2]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prep, (train, _, _) = table_training.prepare(table, "label", "auto", 0.1, 0.2, 0)
    values = train.numbers("a")
    assert (prep.columns[0].mean, prep.columns[0].scale) == (values.mean(), values.std())
    assert np.isfinite(prep.inputs(train)).all()


@pytest.fixture
def model(tmp_path):
    """A model trained on ordinary numbers: column a in [0, 1) (scale about 0.3), a regression target y with a
    scale below 1."""
    rng = np.random.default_rng(7)
    a, b = rng.random(40), rng.normal(size=40)
    csv = write_csv(tmp_path / "train.csv", ("a", "b", "y"), [a, b, (a + 2 * b) / 10])
    out = tmp_path / "m.safetensors"
    assert main(["train", str(csv), "--target", "y", "--epochs", "2", "--scaling", "standard", "--quiet", "--out",
                 str(out)]) == 0
    return out


def test_predict_names_a_value_too_large_for_the_models_standardization(tmp_path, capsys, model):
    csv = tmp_path / "new.csv"
    csv.write_text("a,b\n0.5,1\n1.7e308,0\n")
    code, err, caught = run_cli(["predict", str(model), str(csv)], capsys)
    a = gn.load_model(model).preprocessing.columns[0]
    assert code == 2 and caught == []
    assert err == (f"glassnet predict: error: {csv} line 3, column 'a': '1.7e308' is too large for the model's "
                   f"standardization ((x - {a.mean:.6g}) / {a.scale:.6g} overflows float64)\n")


def test_a_regression_target_too_large_for_the_standardization_is_named(tmp_path, model):
    prep = gn.load_model(model).preprocessing
    table = tables.read_csv(write_csv(tmp_path / "more.csv", ("a", "b", "y"),
                                      [[0.5, 0.1], [1.0, 2.0], [3.0, -1.7e308]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match=r"more\.csv line 3, column 'y': '-1\.7e\+308' is too large for the "
                                                  r"model's standardization"):
            prep.targets(table)


def test_tiny_values_keep_their_spread():
    """Squares of 1e-200 underflow to 0, so a plain standard deviation calls the column constant."""
    table = Table("tiny.csv", ["a"], {"a": np.array([1e-200, 3e-200, 2e-200])}, np.array([2, 3, 4]))
    mean, scale = fitting.fit_standardization(table, "a")
    assert mean == pytest.approx(2e-200, rel=1e-12) and scale == pytest.approx(np.sqrt(2 / 3) * 1e-200, rel=1e-12)
    same = Table("same.csv", ["a"], {"a": np.full(3, 1e-200)}, np.array([2, 3, 4]))
    assert fitting.fit_standardization(same, "a") == (1e-200, 0.0)  # constant: the callers decide
