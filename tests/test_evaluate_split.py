"""evaluate --split test|all: the held-out test rows rebuilt from the training data and the saved settings (any
other data refused by its row count and fingerprint), a warning when all rows include the training rows; the
table fingerprint itself; R^2 in regression reports."""

import json

import numpy as np
import pytest
from sklearn import metrics as sk

import glassnet as gn
from csv_models import regression_csv
from glassnet.cli import main
from glassnet.tabular import datasets
from glassnet.tabular.cells import Reader
from glassnet.tabular.csvfile import read_csv
from glassnet.tabular.evaluation import evaluate
from glassnet.tabular.fingerprint import fingerprint
from glassnet.tabular.splits import split_table
from glassnet.tabular.table import Table


def cli(*args):
    return main([str(a) for a in args])


@pytest.fixture(scope="module")
def iris_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("iris") / "iris.safetensors"
    assert cli("train", "iris", "--target", "species", "--epochs", "20", "--seed", "4", "--quiet", "--out", path) == 0
    return path


def write_csv(path, table, rows=None, order=None):
    order = order or list(range(len(table.columns)))
    rows = text_rows(table) if rows is None else rows
    path.write_text(",".join(table.columns[j] for j in order) + "\n"
                    + "".join(",".join(r[j] for j in order) + "\n" for r in rows))
    return path


def text_rows(table):
    """Each row's cells as text, as a CSV file writes them."""
    return [[table.text(c, i) for c in table.columns] for i in range(len(table))]


def test_split_test_measures_the_rows_train_held_out(iris_model, capsys):
    model, iris = gn.load_model(iris_model), datasets.load("iris")
    test = split_table(iris, model.preprocessing.target, 0.1, 0.2, 4)[2]  # train's defaults, seed 4
    assert cli("evaluate", iris_model, "iris", "--split", "test", "--json") == 0
    out, err = capsys.readouterr()
    got = json.loads(out)
    assert got == evaluate(model, test) == model.record.test_metrics and got["n_rows"] == 30
    assert err == ""
    assert cli("evaluate", iris_model, "iris", "--split", "test") == 0
    assert capsys.readouterr().out.startswith(f"classification on 30 test rows of iris\n  accuracy "
                                              f"{got['accuracy']:.4f}")


def test_split_test_takes_the_training_file_with_its_columns_in_another_order(iris_model, tmp_path, capsys):
    iris = datasets.load("iris")
    moved = write_csv(tmp_path / "moved.csv", iris, order=[4, 2, 0, 3, 1])
    assert cli("evaluate", iris_model, moved, "--split", "test", "--json") == 0
    assert json.loads(capsys.readouterr().out) == gn.load_model(iris_model).record.test_metrics


def test_split_all_on_the_training_data_warns(iris_model, tmp_path, capsys):
    assert cli("evaluate", iris_model, "iris") == 0
    out, err = capsys.readouterr()
    assert out.startswith("classification on 150 rows of iris")
    assert err == (f"warning: iris is the data {iris_model} was trained on, so these figures include the rows it "
                   "learned from and flatter it; --split test measures the held-out test rows only\n")
    iris = datasets.load("iris")
    fresh = write_csv(tmp_path / "fresh.csv", iris, rows=text_rows(iris)[::3])  # (rows it has not all seen)
    assert cli("evaluate", iris_model, fresh, "--split", "all") == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("change, message", [
    (lambda rows: rows[:120], "has 120 rows, but {model} was trained on data of 150 rows"),
    (lambda rows: rows[1:] + rows[:1], "is not the data {model} was trained on (the same number of rows, but "
                                       "other cells: its fingerprint differs)"),
    (lambda rows: [rows[0][:3] + ["5.0"] + rows[0][4:]] + rows[1:], "its fingerprint differs"),
])
def test_split_test_refuses_other_data(iris_model, tmp_path, capsys, change, message):
    iris = datasets.load("iris")
    other = write_csv(tmp_path / "other.csv", iris, rows=change(text_rows(iris)))
    assert cli("evaluate", iris_model, other, "--split", "test") == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    assert err.startswith(f"glassnet evaluate: error: {other} ") and message.format(model=iris_model) in err


def older(path, tmp_path, **record):
    """A copy of the model at ``path`` as a glassnet without the fingerprint saved it, record fields replaced."""
    model = gn.load_model(path)
    for key in ("rows", "fingerprint"):
        del model.record.settings[key]
    for key, value in record.items():
        setattr(model.record, key, value)
    model.save(tmp_path / "old.safetensors")
    return tmp_path / "old.safetensors"


def test_older_models_are_checked_by_their_row_count_with_a_warning(iris_model, tmp_path, capsys):
    old = older(iris_model, tmp_path)
    assert cli("evaluate", old, "iris", "--split", "test", "--json") == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == gn.load_model(iris_model).record.test_metrics
    assert err == (f"warning: {old} records neither the number of rows nor the fingerprint of its training data "
                   "(saved by the playground or an older glassnet), so iris cannot be checked against them\n")
    iris = datasets.load("iris")
    fewer = write_csv(tmp_path / "fewer.csv", iris, rows=text_rows(iris)[:100])
    assert cli("evaluate", old, fewer, "--split", "test") == 2
    assert f"{fewer} gives 20 test rows, but {old} was tested on 30: it is not the data" in capsys.readouterr().err
    assert cli("evaluate", old, "iris") == 0  # --split all: the same DATA argument as training
    assert "warning: iris is the data" in capsys.readouterr().err


def test_a_model_recording_rows_but_no_fingerprint_is_checked_by_its_rows(iris_model, tmp_path, capsys):
    model = gn.load_model(iris_model)
    del model.record.settings["fingerprint"]
    model.save(tmp_path / "rows.safetensors")
    assert cli("evaluate", tmp_path / "rows.safetensors", "iris", "--split", "test", "--json") == 0
    assert "iris was checked by its number of rows only" in capsys.readouterr().err


def test_split_test_needs_held_out_rows_and_training_settings(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    assert cli("train", "iris", "--target", "species", "--epochs", "2", "--test-split", "0", "--quiet",
               "--out", model) == 0
    assert cli("evaluate", model, "iris", "--split", "test") == 2
    assert "was trained with --test-split 0, so no rows were held out" in capsys.readouterr().err
    bare = older(model, tmp_path, settings=None)
    assert cli("evaluate", bare, "iris", "--split", "test") == 2
    assert "lacks valid training settings" in capsys.readouterr().err


@pytest.mark.parametrize("key, value", [("fingerprint", 5), ("rows", -1), ("rows", "150"), ("rows", True),
                                        ("ignore", [1]), ("ignore", "sepal_length"), ("sep", "ab")])
def test_bad_saved_fingerprints_and_row_counts_are_model_file_errors(iris_model, tmp_path, capsys, key, value):
    model = gn.load_model(iris_model)
    model.record.settings[key] = value
    model.save(tmp_path / "bad.safetensors")
    assert cli("evaluate", tmp_path / "bad.safetensors", "iris", "--split", "test") == 2
    assert f"lacks valid training settings {key}, which rebuild its training splits" in capsys.readouterr().err


def test_bad_split_names_are_refused(iris_model, capsys):
    with pytest.raises(SystemExit) as stop:
        cli("evaluate", iris_model, "iris", "--split", "train")
    assert stop.value.code == 2 and "argument --split: invalid choice: 'train'" in capsys.readouterr().err


def table(columns, *rows):
    cells = list(zip(*rows)) if rows else [()] * len(columns)
    data = {c: Reader().convert(column)[0] if column else np.empty(0) for c, column in zip(columns, cells)}
    return Table("t.csv", list(columns), data, np.arange(2, 2 + len(rows)))


def test_fingerprint_names_the_content_not_the_column_order():
    base = fingerprint(table("ab", ("1", "x"), ("2", "y")))
    assert base.startswith("sha256:") and len(base) == 7 + 64
    assert fingerprint(table("ba", ("x", "1"), ("y", "2"))) == base
    for other in (table("ab", ("2", "y"), ("1", "x")),  # rows in another order
                  table("ac", ("1", "x"), ("2", "y")),  # a column renamed
                  table("ab", ("1", "x"), ("2", "z")),  # a cell changed
                  table("ab", ("1", "x"), ("2", "y"), ("2", "y")),  # a row added
                  table("ab", ("1", "x"))):
        assert fingerprint(other) != base


@pytest.mark.parametrize("one, two", [
    (table("a", ("x",), ("yz",)), table("a", ("xy",), ("z",))),  # the cells' borders
    (table("a", ("x\0",), ("y",)), table("a", ("x",), ("\0y",))),  # NULs in cells
    (table("a", ("",)), table("a")),  # one empty cell, no cell
    (table(["a", "b"], ("x", "y")), table(["ab"], ("xy",))),  # the columns' borders
])
def test_fingerprints_of_look_alike_tables_differ(one, two):
    assert fingerprint(one) != fingerprint(two)


def test_numbers_written_with_leading_zeros_fingerprint_as_their_values(tmp_path):
    """'02134' is the number 2134 in the fingerprint, as in a Parquet file of the numbers and as in models saved
    before its text was kept (for the leading-zero warning); 16-digit integers still count by their text."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from glassnet.tabular.arrowfile import read_arrow

    (tmp_path / "z.csv").write_text("zip,y\n02134,1\n10001,2\n")
    (tmp_path / "n.csv").write_text("zip,y\n2134,1\n10001,2\n")
    pd.DataFrame({"zip": [2134, 10001], "y": [1, 2]}).to_parquet(tmp_path / "z.parquet")
    zero = read_csv(tmp_path / "z.csv")
    assert zero.text("zip", 0) == "02134"  # (kept, as written)
    assert fingerprint(zero) == fingerprint(read_csv(tmp_path / "n.csv")) == \
        fingerprint(read_arrow(tmp_path / "z.parquet"))
    (tmp_path / "l.csv").write_text("id,y\n9007199254740993,1\n9007199254740992,2\n")
    (tmp_path / "m.csv").write_text("id,y\n9007199254740992,1\n9007199254740992,2\n")
    assert fingerprint(read_csv(tmp_path / "l.csv")) != fingerprint(read_csv(tmp_path / "m.csv"))


def test_regression_reports_show_r2(tmp_path, capsys):
    csv_path, model = tmp_path / "r.csv", tmp_path / "r.safetensors"
    regression_csv(csv_path)
    assert cli("train", csv_path, "--target", "y", "--epochs", "30", "--quiet", "--out", model) == 0
    assert cli("evaluate", model, csv_path, "--split", "test", "--json") == 0
    got = json.loads(capsys.readouterr().out)
    loaded = gn.load_model(model)
    test = split_table(read_csv(csv_path), loaded.preprocessing.target, 0.1, 0.2, 0)[2]
    truth = test.numbers("y")
    predicted = loaded.preprocessing.target.decode(loaded.network.predict(loaded.preprocessing.inputs(test)))
    assert got["r2"] == pytest.approx(sk.r2_score(truth, predicted.ravel()), rel=1e-6)  # (a float32 network)
    assert cli("evaluate", model, csv_path, "--split", "test") == 0
    assert f"R^2 {got['r2']:.4f}" in capsys.readouterr().out
    assert cli("report", model, csv_path, "--out", tmp_path / "r.html") == 0
    assert "R&sup2; " in (tmp_path / "r.html").read_text()
