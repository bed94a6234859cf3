"""The data commands in-process (glassnet.cli.main): training, metrics checked against scikit-learn, predictions,
exact resume (also after Ctrl-C), checkpoints, progress, info and plots."""

import csv
import json
import re
import sys

import numpy as np
import pytest
from sklearn import metrics as sk

import glassnet as gn
from glassnet import cli as cli_module
from glassnet import optimizers
from glassnet.cli import main
from glassnet.tabular import datasets
from glassnet.tabular.csvfile import read_csv
from glassnet.tabular.evaluation import evaluate
from glassnet.tabular.model import Model
from glassnet.tabular.splits import split_table
from glassnet.tabular.workflow import prepare


def cli(*args):
    return main([str(a) for a in args])


def test_train_iris_with_defaults_reports_held_out_accuracy(tmp_path, capsys):
    out = tmp_path / "iris.safetensors"
    assert cli("train", "iris", "--target", "species", "--out", out) == 0
    text = capsys.readouterr().out
    assert "150 rows -> 120 training, each of the 8 members holding out 15 of them for its validation, 30 test" in text
    assert ("network: ensemble of 8: 4 -> 32 relu -> dropout 0.2 -> 3 softmax (2072 parameters)" in text
            and f"saved {out}" in text)
    model = gn.load_model(out)
    settings = model.record.settings
    test = split_table(datasets.load("iris"), model.preprocessing.target, settings["val_split"],
                       settings["test_split"], settings["seed"])[2]
    accuracy = evaluate(model, test)["accuracy"]
    assert f"classification on 30 test rows of iris\n  accuracy {accuracy:.4f}" in text
    assert accuracy >= 0.9
    assert model.record.test_metrics == evaluate(model, test)  # the test metrics are saved with the model


def predictions(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_evaluate_and_predict_match_scikit_learn(tmp_path, capsys):
    model, iris = tmp_path / "m.safetensors", datasets.load("iris")
    assert cli("train", "iris", "--target", "species", "--epochs", "15", "--quiet", "--out", model) == 0
    # new rows: columns in another order, no target column
    order = [3, 0, 2, 1]
    rows = tmp_path / "rows.csv"
    rows.write_text(",".join(iris.columns[j] for j in order) + "\n"
                    + "".join(",".join(iris.text(iris.columns[j], i) for j in order) + "\n" for i in range(len(iris))))
    assert cli("predict", model, rows, "--proba", "--out", tmp_path / "p.csv") == 0
    table = predictions(tmp_path / "p.csv")
    assert table[0] == ["species", "proba_setosa", "proba_versicolor", "proba_virginica"]
    printed = np.array([[float(x) for x in r[1:]] for r in table[1:]])  # (6 significant digits)
    loaded = gn.load_model(model)
    proba = loaded.network.predict(loaded.preprocessing.inputs(iris))
    np.testing.assert_allclose(printed, proba, rtol=5e-6)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)  # (the default network computes in float32)
    classes = ["setosa", "versicolor", "virginica"]
    assert [r[0] for r in table[1:]] == [classes[k] for k in proba.argmax(axis=1)]
    capsys.readouterr()
    assert cli("evaluate", model, "iris", "--json") == 0
    got = json.loads(capsys.readouterr().out)
    truth = [classes.index(s) for s in iris.data["species"]]
    predicted = proba.argmax(axis=1)
    assert got["task"] == "classification" and got["n_rows"] == 150
    assert got["accuracy"] == pytest.approx(sk.accuracy_score(truth, predicted))
    assert got["log_loss"] == pytest.approx(sk.log_loss(truth, proba.astype(np.float64)), rel=1e-9)
    p, r, f, support = sk.precision_recall_fscore_support(truth, predicted, zero_division=0)
    for name, ours, theirs in (("precision", got["precision"], p), ("recall", got["recall"], r), ("f1", got["f1"], f)):
        np.testing.assert_allclose([ours[c] for c in classes], theirs, err_msg=name)
    assert got["confusion_matrix"] == sk.confusion_matrix(truth, predicted).tolist()
    assert list(got["support"].values()) == support.tolist()
    assert cli("evaluate", model, "iris") == 0
    assert "confusion matrix (rows: true class" in capsys.readouterr().out


def regression_csv(path, rows=160):
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=rows), rng.uniform(0, 10, rows)
    colour = rng.choice(["red", "blue"], rows)
    y = 3 * a - 0.5 * b + np.where(colour == "red", 4.0, 0.0) + 100 + rng.normal(0, 0.1, rows)
    path.write_text("a,colour,b,y\n" + "".join(f"{u:.4f},{c},{v:.4f},{t:.4f}\n" for u, c, v, t in zip(a, colour, b, y)))
    return y


def test_regression_with_a_text_column_end_to_end(tmp_path, capsys):
    csv_path, model = tmp_path / "r.csv", tmp_path / "r.safetensors"
    y = regression_csv(csv_path)
    assert cli("train", csv_path, "--target", "y", "--preset", "quick", "--hidden", "", "--epochs", "300", "--lr",
               "0.05", "--quiet", "--out", model) == 0
    assert gn.load_model(model).preprocessing.feature_names == ["a", "colour=blue", "colour=red", "b"]
    assert cli("predict", model, csv_path) == 0
    table = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert table[0] == ["y"]
    predicted = np.array([float(r[0]) for r in table[1:]])
    assert np.abs(predicted - y).max() < 0.5  # un-standardized: on the target's own scale (around 100)
    assert cli("evaluate", model, csv_path, "--json") == 0
    got = json.loads(capsys.readouterr().out)
    assert set(got) == {"task", "n_rows", "mae", "rmse", "r2"} and got["task"] == "regression"
    truth = read_csv(csv_path).numbers("y")
    assert got["mae"] == pytest.approx(sk.mean_absolute_error(truth, predicted), rel=1e-6)
    assert got["rmse"] == pytest.approx(sk.root_mean_squared_error(truth, predicted), rel=1e-6)
    assert got["r2"] == pytest.approx(sk.r2_score(truth, predicted), rel=1e-9) and got["r2"] > 0.99


def same_model(a, b):
    a, b = gn.load(a), gn.load(b)
    for (name, pa, _), (_, pb, _) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        np.testing.assert_array_equal(pa, pb, err_msg=name)
    for sa, sb in zip(a.optimizer.state, b.optimizer.state, strict=True):
        for key in sa:
            np.testing.assert_array_equal(sa[key], sb[key])
    assert a.optimizer.steps == b.optimizer.steps
    assert a.history == b.history and a.rng.bit_generator.state == b.rng.bit_generator.state


TINY = ("train", "moons", "--target", "label", "--patience", "0", "--quiet", "--hidden", "6", "--seed", "3")


def test_train_then_resume_equals_one_run(tmp_path):
    one, two = tmp_path / "one.safetensors", tmp_path / "two.safetensors"
    assert cli(*TINY, "--epochs", "5", "--out", one) == 0
    assert cli(*TINY, "--epochs", "3", "--out", two) == 0
    assert cli("resume", two, "moons", "--epochs", "2", "--quiet", "--keep-last") == 0  # (as --patience 0 did)
    same_model(one, two)
    assert gn.load(two).epochs_trained == 5


def test_ctrl_c_saves_the_last_whole_epoch_and_resume_is_exact(tmp_path, monkeypatch, capsys):
    full, cut = tmp_path / "full.safetensors", tmp_path / "cut.safetensors"
    assert cli(*TINY, "--epochs", "6", "--out", full) == 0
    steps_per_epoch = gn.load(full).optimizer.steps // 6
    original, calls = optimizers.Adam.step, []

    def interrupt(self, params):
        calls.append(1)
        if len(calls) == 3 * steps_per_epoch + 5:  # inside epoch 4
            raise KeyboardInterrupt
        original(self, params)

    monkeypatch.setattr(optimizers.Adam, "step", interrupt)
    assert cli(*TINY, "--epochs", "6", "--out", cut) == 130
    err = capsys.readouterr().err
    assert f"saved the model after epoch 3 to {cut}" in err and f"glassnet resume {cut} moons --epochs N" in err
    monkeypatch.undo()
    saved = gn.load(cut)
    assert saved.epochs_trained == 3 and saved.optimizer.steps == 3 * steps_per_epoch
    assert cli("resume", cut, "moons", "--epochs", "3", "--quiet", "--keep-last") == 0
    same_model(full, cut)


def test_checkpoint_every_k_epochs(tmp_path, monkeypatch):
    saved, original = [], Model.save

    def spy(model, path):
        saved.append(model.network.epochs_trained)
        original(model, path)

    monkeypatch.setattr(Model, "save", spy)
    assert cli(*TINY, "--epochs", "5", "--checkpoint-every", "2", "--out", tmp_path / "m.safetensors") == 0
    assert saved == [2, 4, 5]


def test_progress_lines_bar_and_quiet(tmp_path, capsys, monkeypatch):
    out = tmp_path / "m.safetensors"
    args = ("train", "xor", "--target", "y", "--val-split", "0", "--test-split", "0", "--epochs", "3", "--out", out)
    assert cli(*args, "--quiet") == 0
    assert capsys.readouterr() == ("", "")
    assert cli(*args) == 0
    text = capsys.readouterr().out
    assert "epoch 1/3 - loss: " in text and "epoch 3/3 - loss: " in text
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert cli(*args) == 0
    captured = capsys.readouterr()
    assert "epoch 1/3" not in captured.out and "3/3" in captured.err and "epoch/s" in captured.err


def test_info_describes_the_model(tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    cli("train", "iris", "--target", "species", "--epochs", "4", "--patience", "0", "--quiet", "--out", out)
    assert cli("info", out) == 0
    text = capsys.readouterr().out
    for part in ("network: ensemble of 8: 4 -> 32 relu -> dropout 0.2 -> 3 softmax; 2072 parameters, float32, "
                 "seed 0", "loss: categorical_crossentropy (label_smoothing 0.1); metrics: accuracy",
                 "optimizer: Adam(lr=0.005",
                 "history: 4 epochs; last: loss ", "lowest val_loss",
                 "target: classification of 'species' into 3 classes (setosa, versicolor, virginica)",
                 "input 'petal_width': number, robust scaling: (x - median 1.3)", "training settings: "):
        assert part in text
    assert "data iris" in text.split("training settings: ")[1].splitlines()[0]  # (no longer the first setting)


def test_options_reach_the_model(tmp_path):
    out = tmp_path / "m.safetensors"
    assert cli("train", "circles", "--target", "label", "--hidden", "", "--optimizer", "sgd", "--lr", "0.1",
               "--dtype", "float32", "--epochs", "2", "--batch-size", "50", "--quiet", "--out", out) == 0
    model = gn.load_model(out)
    net = model.network
    assert [(layer.n_in, layer.n_out, layer.activation.name) for layer in net.layers] == [(2, 2, "softmax")]
    assert net.optimizer.name == "sgd" and net.optimizer.lr == 0.1 and net.dtype == np.float32
    assert net.layers[0].weights.dtype == np.float32 and model.record.settings["batch_size"] == 50
    assert net.optimizer.steps == 2 * 3  # 140 training rows in batches of 50


@pytest.mark.parametrize("rows,batch", [(150, 8), (2000, 14), (50000, 256)])
def test_default_batch_size_grows_with_the_training_rows(tmp_path, capsys, rows, batch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, 2))
    path = tmp_path / "d.csv"
    np.savetxt(path, np.column_stack([X, X[:, 0] > X[:, 1]]), fmt="%.5g", delimiter=",", header="a,b,label",
               comments="")
    out = tmp_path / "m.safetensors"
    assert cli("train", path, "--target", "label", "--epochs", "1", "--out", out) == 0
    text = capsys.readouterr().out
    training_rows = int(text.split(" rows -> ")[1].split(" training")[0])
    assert training_rows == round(rows * 0.8) and f"batch {batch}\n" in text
    learned_from = training_rows - round(rows * 0.1)  # (each member holds out its own validation rows)
    model = gn.load_model(out)
    assert model.record.settings["batch_size"] == batch and model.network.optimizer.steps == -(-learned_from // batch)


def test_plots(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    assert cli(*TINY, "--epochs", "20", "--out", model, "--plot", tmp_path / "curve.png") == 0
    assert cli("plot", model, "moons", "--out", tmp_path / "boundary.png") == 0
    assert cli("plot", model, "--out", tmp_path / "again.png") == 0
    for name in ("curve.png", "boundary.png", "again.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    two = tmp_path / "two.csv"  # regression on two columns; the rows to draw lack the target
    two.write_text("a,b,y\n" + "".join(f"{i % 5},{i % 7},{(i % 5) * 0.3 - (i % 7) * 0.1 + 0.05 * (i % 3)}\n"
                                         for i in range(40)))
    cli("train", two, "--target", "y", "--epochs", "3", "--quiet", "--out", tmp_path / "two.safetensors")
    (tmp_path / "ab.csv").write_text("a,b\n0,0\n4,6\n")
    assert cli("plot", tmp_path / "two.safetensors", tmp_path / "ab.csv", "--out", tmp_path / "surface.png") == 0
    assert (tmp_path / "surface.png").read_bytes()[:4] == b"\x89PNG"
    iris = tmp_path / "iris.safetensors"
    cli("train", "iris", "--target", "species", "--epochs", "2", "--quiet", "--out", iris)
    capsys.readouterr()
    assert cli("plot", iris, "iris", "--out", tmp_path / "x.png") == 2
    assert "needs a model with exactly two numeric input columns; this one has: sepal_length" in \
        capsys.readouterr().err


def test_without_matplotlib_one_line_says_how_to_install(tmp_path, capsys, monkeypatch):
    model = tmp_path / "m.safetensors"
    cli(*TINY, "--epochs", "1", "--out", model)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    capsys.readouterr()
    assert cli("plot", model, "moons", "--out", tmp_path / "b.png") == 2
    assert cli(*TINY, "--epochs", "1", "--out", tmp_path / "n.safetensors", "--plot", tmp_path / "c.png") == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ['glassnet plot: error: plotting needs matplotlib, which is not installed: '
                   'pip install "glassnet[plot]"', 'glassnet train: error: plotting needs matplotlib, which is '
                   'not installed: pip install "glassnet[plot]"']
    assert not (tmp_path / "n.safetensors").exists()  # refused before training


def test_datasets_lists_every_bundled_set(capsys):
    assert cli("datasets") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:]] == list(datasets.DATASETS)
    assert "sepal_length,sepal_width,petal_length,petal_width,species" in lines[2]


def test_every_command_has_help(capsys):
    for command in ("datasets", "train", "evaluate", "predict", "resume", "info", "plot"):
        with pytest.raises(SystemExit) as info:
            cli(command, "--help")
        assert info.value.code == 0 and "usage: glassnet " + command in capsys.readouterr().out


@pytest.mark.parametrize("args, match", [
    (("train", "iris", "--target", "species", "--epochs", "0"), "--epochs: must be a positive integer; got '0'"),
    (("train", "iris", "--target", "species", "--val-split", "1.5"), r"--val-split: must be in \[0, 1\); got '1.5'"),
    (("train", "iris", "--target", "species", "--patience", "-1"),
     r"--patience: must be 0 \(never stop early\) or a positive integer; got '-1'"),
    (("train", "iris", "--target", "species", "--checkpoint-every", "x"), "--checkpoint-every: must be 0 \\(off\\)"),
    (("train", "iris", "--target", "species", "--dropout", "1"), r"--dropout: must be in \[0, 1\); got '1'"),
    (("resume", "m.safetensors", "iris", "--epochs", "-2"), "--epochs: must be a positive integer; got '-2'"),
    (("train", "iris", "--target", "species", "--threads", "-1"),
     r"--threads: must be 0 \(BLAS's own number\) or an integer up to 1024; got '-1'"),
    (("train", "iris", "--target", "species", "--threads", "99999999999999999999"),
     "--threads: must be 0 .*; got '9+'"),
    (("resume", "m.safetensors", "iris", "--epochs", "1", "--threads", "two"), "--threads: must be 0 .*; got 'two'"),
])
def test_bad_options(args, match, capsys):
    with pytest.raises(SystemExit) as stop:  # checked by argparse with glassnet.constraints' rules
        cli(*args)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.splitlines()[-1].startswith(f"glassnet {args[0]}: error: argument ")
    assert __import__("re").search(match, err)


def test_bad_hidden_sizes_are_argparse_errors(capsys):
    with pytest.raises(SystemExit) as info:
        cli("train", "iris", "--target", "species", "--hidden", "8,x")
    assert info.value.code == 2 and "argument --hidden: each layer size must be a positive integer; got 'x'; " \
        "expected sizes like 32,16" in capsys.readouterr().err


def test_models_without_csv_preprocessing_or_settings(tmp_path, capsys):
    plain = tmp_path / "plain.safetensors"
    gn.Network([gn.Dense(4, 3, activation="softmax")]).save(plain)
    assert cli("evaluate", plain, "iris") == 2
    assert "holds no CSV preprocessing (it was saved from Python" in capsys.readouterr().err
    Model(gn.load(plain), prepare(datasets.load("iris"), "species", "auto", 0.1, 0.2, 0)[0]).save(plain)
    assert cli("resume", plain, "iris", "--epochs", "1") == 2
    assert "lacks valid training settings data, val_split" in capsys.readouterr().err


def test_proba_needs_classification_and_unknown_classes_are_named(tmp_path, capsys):
    csv_path, model = tmp_path / "r.csv", tmp_path / "r.safetensors"
    regression_csv(csv_path, rows=40)
    cli("train", csv_path, "--target", "y", "--epochs", "1", "--quiet", "--out", model)
    assert cli("predict", model, csv_path, "--proba") == 2
    assert "--proba needs a classification model" in capsys.readouterr().err
    iris_model = tmp_path / "i.safetensors"
    cli("train", "iris", "--target", "species", "--epochs", "1", "--quiet", "--out", iris_model)
    odd = tmp_path / "odd.csv"
    odd.write_text("sepal_length,sepal_width,petal_length,petal_width,species\n5,3,1,0.2,setosa\n5,3,1,0.2,rosa\n")
    assert cli("evaluate", iris_model, odd) == 2
    assert "odd.csv line 3, column 'species': the class 'rosa' was never seen in training" in capsys.readouterr().err


def test_failed_resume_leaves_the_model_alone(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    cli(*TINY, "--epochs", "1", "--out", model)
    before = model.read_bytes()
    assert cli("resume", model, tmp_path / "none.csv", "--epochs", "1") == 2
    assert model.read_bytes() == before


def test_resume_refuses_a_model_trained_with_another_loss(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    assert cli("train", "iris", "--target", "species", "--epochs", "1", "--quiet", "--out", model) == 0
    bundle = gn.load_model(model)
    bundle.network.loss = gn.losses.get("mse")  # saved from Python with another loss
    bundle.save(model)
    before = model.read_bytes()
    assert cli("resume", model, "iris", "--epochs", "1") == 2
    assert "does classification with the loss 'mse'; resume continues the training glassnet train does, with " \
           "'categorical_crossentropy'" in capsys.readouterr().err
    assert model.read_bytes() == before


def test_predict_gives_a_float32_networks_regression_in_float64(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(400, 2))
    y = 1.7e9 + 20 * x[:, 0] - 10 * x[:, 1] + rng.normal(size=400)  # (float32 steps are 128 apart near 1.7e9)
    data, model = tmp_path / "big.csv", tmp_path / "big.safetensors"
    data.write_text("a,b,y\n" + "".join(f"{a:.6f},{b:.6f},{v:.3f}\n" for (a, b), v in zip(x, y)))
    assert cli("train", data, "--target", "y", "--epochs", "5", "--quiet", "--out", model) == 0
    loaded = gn.load_model(model)
    assert loaded.network.dtype == np.float32  # (the default preset's)
    assert cli("predict", model, data, "--out", tmp_path / "p.csv") == 0
    printed = np.array([float(row[0]) for row in predictions(tmp_path / "p.csv")[1:]])
    np.testing.assert_allclose(printed, loaded.predict_table(data), rtol=1e-12)
    assert len(np.unique(printed)) > 390 and np.sqrt(np.mean((printed - y) ** 2)) < 30


def test_early_stopping_without_validation_rows_says_it_watched_the_training_loss(tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    assert cli("train", "iris", "--target", "species", "--val-split", "0", "--patience", "3", "--ensemble", "1",
               "--out", out) == 0
    text = capsys.readouterr().out
    assert "no better training loss in 3 epochs; kept the weights of epoch" in text
    assert "whose training loss was lowest" in text and "validation loss" not in text


def option_names(command):
    """The option strings the parser of ``glassnet command`` takes."""
    sub = next(a for a in cli_module.build_parser()._actions if a.dest == "command")
    return {name for action in sub.choices[command]._actions for name in action.option_strings}


def two_formats(tmp_path):
    """The same table written twice: ordinary (dot.csv: ',' between cells, '1.5') and with decimal commas
    (comma.csv: ';' between cells, '1,5')."""
    rng = np.random.default_rng(2)
    rows = [(f"{a:.2f}", f"{b:.2f}", int(a > b)) for a, b in rng.normal(size=(60, 2))]
    (tmp_path / "dot.csv").write_text("x1,x2,y\n" + "".join(f"{a},{b},{y}\n" for a, b, y in rows))
    (tmp_path / "comma.csv").write_text("x1;x2;y\n" + "".join(f"{a.replace('.', ',')};{b.replace('.', ',')};{y}\n"
                                                              for a, b, y in rows))
    return tmp_path / "dot.csv", tmp_path / "comma.csv"


def test_commands_that_read_data_take_sep_and_decimal_and_advise_only_those(tmp_path, capsys):
    dot, comma = two_formats(tmp_path)
    model = tmp_path / "m.safetensors"  # trained on decimal commas: they are its default
    assert cli("train", comma, "--target", "y", "--decimal", ",", "--epochs", "3", "--quiet", "--out", model) == 0
    ordinary = ("--sep", ",", "--decimal", ".")
    runs = {"predict": (model, dot, "--out", tmp_path / "p.csv"), "evaluate": (model, dot, "--split", "test"),
            "report": (model, dot, "--out", tmp_path / "r.html"), "plot": (model, dot, "--out", tmp_path / "b.png"),
            "explain": (model, dot, "--rows", "2"),
            "resume": (model, dot, "--epochs", "1", "--quiet", "--out", tmp_path / "more.safetensors")}
    for command, args in runs.items():
        capsys.readouterr()
        assert cli(command, *args) == 2, command  # '1.5' where the decimal mark is ','
        error = capsys.readouterr().err
        assert "but the decimal mark is ','; pass --decimal . (in Python" in error, command
        assert set(re.findall(r"--[a-z][a-z-]*", error)) <= option_names(command), (command, error)
        assert cli(command, *args, *ordinary) == 0, command
    assert cli("predict", model, comma, "--out", tmp_path / "from_comma.csv") == 0  # the same cells, read alike
    assert predictions(tmp_path / "p.csv") == predictions(tmp_path / "from_comma.csv")


@pytest.mark.parametrize("data, options, advice", [
    ("comma.csv", (), "pass --decimal ,"),  # a model of ordinary numbers, on decimal commas
    ("comma.csv", ("--sep", ","), "(is the separator ';'? pass --sep)"),
    ("dot.csv", ("--decimal", ","), "but the decimal mark is ','; pass --decimal . (in Python"),
])
def test_read_errors_advise_options_the_command_has(tmp_path, capsys, data, options, advice):
    two_formats(tmp_path)
    model = tmp_path / "m.safetensors"
    assert cli("train", tmp_path / "dot.csv", "--target", "y", "--epochs", "2", "--quiet", "--out", model) == 0
    for command in ("predict", "evaluate"):
        assert cli(command, model, tmp_path / data, *options) == 2
        error = capsys.readouterr().err
        assert advice in error and len(error.splitlines()) == 1
        assert set(re.findall(r"--[a-z][a-z-]*", error)) <= option_names(command)
        good = {"comma.csv": ("--sep", ";", "--decimal", ","), "dot.csv": ()}[data]
        assert cli(command, model, tmp_path / data, *good) == 0


def test_a_model_of_decimal_commas_names_a_point_it_meets(tmp_path, capsys):
    dot, comma = two_formats(tmp_path)
    model, semicolons = tmp_path / "m.safetensors", tmp_path / "semicolons.csv"
    assert cli("train", comma, "--target", "y", "--decimal", ",", "--epochs", "2", "--quiet", "--out", model) == 0
    semicolons.write_text(dot.read_text().replace(",", ";"))  # ';' between cells, '1.5'
    capsys.readouterr()
    assert cli("predict", model, semicolons) == 2
    assert "holds a '.', but the decimal mark is ','; pass --decimal . (in Python: decimal=\".\")" in \
        capsys.readouterr().err
    assert cli("predict", model, semicolons, "--decimal", ".") == 0


def test_the_training_summary_keeps_each_class_name_on_its_line(tmp_path, capsys):
    data, model = tmp_path / "odd.csv", tmp_path / "m.safetensors"
    names = ['"two\nlines"', "tab\tbed", "ansi\x1b[31m"]
    data.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{names[i % 3]}\n" for i in range(60)))
    assert cli("train", data, "--target", "y", "--epochs", "2", "--ensemble", "1", "--out", model) == 0
    shown = ["two\\nlines", "tab\\tbed", "ansi\\x1b[31m"]
    printed = capsys.readouterr().out
    assert f"into 3 classes ({', '.join(sorted(shown))})" in printed
    lines = printed.splitlines()
    start = lines.index(next(line for line in lines if line.lstrip().startswith("class ")))
    table = lines[start:start + 4] + lines[start + 5:start + 8]  # the per-class rows and the confusion matrix
    assert [line.split()[0] for line in table[1:4]] == sorted(shown) == [line.split()[0] for line in table[4:]]
    assert len({len(line) for line in table[:4]}) == 1 and len({len(line) for line in table[4:]}) == 1  # aligned
    assert not any(line.startswith(("lines", "bed")) for line in lines)
    assert cli("info", model) == 0
    assert f"classes ({', '.join(sorted(shown))})" in capsys.readouterr().out


def test_a_huge_r2_is_printed_in_a_few_digits(tmp_path, capsys):
    data, model = tmp_path / "r.csv", tmp_path / "r.safetensors"
    regression_csv(data)
    assert cli("train", data, "--target", "y", "--epochs", "3", "--preset", "quick", "--quiet", "--out", model) == 0
    assert cli("evaluate", model, data) == 0
    assert re.search(r"R\^2 -?\d\.\d{4}\n", capsys.readouterr().out)  # an ordinary R^2: four decimals
    bundle = gn.load_model(model)
    bundle.preprocessing.target.scale *= 1e12  # predictions some 1e12 away from the truth: R^2 near -1e24
    bundle.save(model)
    assert cli("evaluate", model, data) == 0
    r2 = evaluate(bundle, read_csv(data))["r2"]
    assert r2 < -1e20 and f"R^2 {r2:.4g}\n" in capsys.readouterr().out
    assert cli("report", model, data, "--out", tmp_path / "r.html") == 0
    assert f"R&sup2; {r2:.4g}." in (tmp_path / "r.html").read_text()
