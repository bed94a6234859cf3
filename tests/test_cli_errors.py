"""Every bad input the CLI can meet, through the real command line in a subprocess: one clear line on stderr
(what, and where), exit code 2, no traceback."""

import pickle
import subprocess
import sys

import numpy as np
import pytest
from safetensors.numpy import save_file

import glassnet as gn
from glassnet.cli import main

CSV = {
    "empty.csv": "",
    "noheader.csv": "1.5,2,0\n3,4,1\n",
    "ragged.csv": "a,b,y\n1,2,x\n3,4,y\n5,6\n",
    "holes.csv": "a,b,y\n1,2,x\n3,,y\n5,nan,x\n7,inf,y\n" + "".join(f"{i},{i},{'xy'[i % 2]}\n" for i in range(20)),
    "one_class.csv": "a,b,y\n1,2,x\n3,4,x\n5,6,x\n",
    "few.csv": "a,b,y\n1,2,x\n3,4,y\n5,6,x\n",
    "train.csv": "size,colour,y\n" + "".join(f"{i % 7},{['red', 'blue'][i % 2]},{'ab'[i % 3 == 0]}\n"
                                            for i in range(30)),
    "purple.csv": "size,colour\n1,red\n2,purple\n",
    "no_colour.csv": "size,y\n1,a\n",
    "nan_size.csv": "size,colour\n1,red\nnan,blue\n",
    "thousands.csv": "price,y\n" + "".join(f'"{i + 1},{250 + i:03d}",{i % 2}\n' for i in range(30)),
    "constant.csv": "x,y\n" + "".join(f"{i},5.5\n" for i in range(30)),
    "proba.csv": "size,colour,proba_a\n1,red,0.5\n",
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_errors")
    for name, text in CSV.items():
        (folder / name).write_text(text)
    assert main(["train", str(folder / "train.csv"), "--target", "y", "--epochs", "2", "--quiet",
                 "--out", str(folder / "model.safetensors")]) == 0
    (folder / "pickle.safetensors").write_bytes(pickle.dumps({"weights": [1, 2]}))
    save_file({"w": np.zeros(2)}, str(folder / "foreign.safetensors"), metadata={"by": "someone else"})
    return folder


CASES = [
    (["train", "missing.csv", "--target", "y"], "missing.csv: no such file (nor a bundled dataset"),
    (["train", "empty.csv", "--target", "y"], "empty.csv is empty: a CSV needs a header line and data rows"),
    (["train", "noheader.csv", "--target", "y"], "noheader.csv line 1 holds numbers, not column names"),
    (["train", "ragged.csv", "--target", "y"], "ragged.csv line 4: 2 cell(s), but the header has 3 columns"),
    (["train", "few.csv", "--target", "label"], "few.csv lacks column(s) 'label' that --target names; its columns "
                                                "are 'a', 'b', 'y'"),
    (["train", "holes.csv", "--target", "y", "--missing", "error"], "holes.csv: column 'b' has empty, NaN or "
                                                                    "infinite cells on lines 3, 4, 5 (3 row(s)); fill "
                                                                    "them in, or pass --missing impute"),
    (["train", "one_class.csv", "--target", "y"], "one_class.csv: target column 'y' has a single class 'x'; "
                                                  "classification needs at least two"),
    (["train", "few.csv", "--target", "y", "--ensemble", "1"], "few.csv: 3 rows are too few for --val-split 0.1: "
                                                             "that set would be empty"),
    (["train", "few.csv", "--target", "y"], "few.csv: 2 training rows are too few for --val-split 0.1: each member's "
                                            "validation set would be empty"),
    (["predict", "model.safetensors", "purple.csv", "--unknown", "error"], "purple.csv line 3, column 'colour': "
                                                                           "category 'purple' was never seen in "
                                                                           "training"),
    (["predict", "model.safetensors", "no_colour.csv"], "no_colour.csv lacks column(s) 'colour' that the model "
                                                        "needs; its columns are 'size', 'y'"),
    (["evaluate", "model.safetensors", "purple.csv"], "purple.csv lacks column(s) 'y' that the model needs"),
    (["predict", "train.csv", "train.csv"], "train.csv: not a safetensors model file, or truncated"),
    (["evaluate", "pickle.safetensors", "train.csv"], "pickle.safetensors: this is a pickle"),
    (["info", "foreign.safetensors"], "foreign.safetensors: a safetensors file, but not a glassnet model"),
    (["resume", "missing.safetensors", "train.csv", "--epochs", "1"], "missing.safetensors: no such model file"),
    (["train", "constant.csv", "--target", "y"], "constant.csv: target column 'y' is 5.5 in every training row; "
                                                 "there is nothing to learn"),
    (["train", "thousands.csv", "--target", "y"], "thousands.csv line 2, column 'price': '1,250' is a number "
                                                  "written with thousands separators; remove them"),
    # destinations are checked before any work
    (["train", "train.csv", "--target", "y", "--out", "."], "--out . is a folder, not a file name"),
    (["train", "train.csv", "--target", "y", "--out", ""], "--out is empty; give a file name"),
    (["train", "train.csv", "--target", "y", "--out", "nowhere/m.safetensors"], "--out nowhere/m.safetensors: the "
                                                                                "folder"),
    (["train", "train.csv", "--target", "y", "--out", "train.csv"], "--out train.csv is the data file itself"),
    (["train", "train.csv", "--target", "y", "--plot", "curves.xyz", "--out", "new.safetensors"],
     "--plot curves.xyz: the name must end in a picture type matplotlib writes: "),
    (["resume", "model.safetensors", "train.csv", "--epochs", "1", "--out", "."], "--out . is a folder"),
    (["resume", "model.safetensors", "train.csv", "--epochs", "1", "--out", "train.csv"], "is the data file itself"),
    (["plot", "model.safetensors", "--out", "curves"], "--out curves: the name must end in a picture type"),
    (["report", "model.safetensors", "--out", "nowhere/r.html"], "--out nowhere/r.html: the folder"),
    (["predict", "model.safetensors", "train.csv", "--out", "."], "--out . is a folder"),
    (["export", "model.safetensors", "--onnx", "nowhere/m.onnx"], "--onnx nowhere/m.onnx: the folder"),
    (["train", "train.csv", "--target", "y", "--hidden", "99999999999", "--out", "big.safetensors"],
     "not enough memory"),
    # --sep and --decimal say how DATA is written
    (["report", "model.safetensors", "--decimal", ",", "--out", "r.html"], "there is no DATA to read with --decimal: "
                                                                           "give DATA, or leave out --decimal"),
    (["plot", "model.safetensors", "--sep", ";", "--out", "c.png"], "there is no DATA to read with --sep"),
    (["explain", "--tutorial", "--sep", ";", "--decimal", "."], "there is no DATA to read with --sep and --decimal"),
    # predict's CSV names no column twice (glassnet's own reader would refuse it)
    (["predict", "model.safetensors", "train.csv", "--id", "size,y"], "--id y: the predictions already have a "
                                                                      "column 'y'; leave it out of --id"),
    (["predict", "model.safetensors", "proba.csv", "--id", "proba_a", "--proba"],
     "--id proba_a: the class probabilities (--proba) already have a column 'proba_a'"),
]


@pytest.mark.parametrize("args, message", CASES, ids=[" ".join(a[:2]) + f" [{i}]" for i, (a, _) in enumerate(CASES)])
def test_bad_input_gets_one_clear_line_and_exit_2(files, args, message):
    run = subprocess.run([sys.executable, "-m", "glassnet.cli", *args], cwd=files, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 2, run.stderr
    assert run.stderr == f"glassnet {args[0]}: error: " + run.stderr.split(": error: ", 1)[1]
    assert len(run.stderr.splitlines()) == 1 and message in run.stderr
    assert run.stdout == ""


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_output_redirected_into_an_input_is_refused_before_it_writes(files, stream):
    """predict ... >> train.csv (or 2>> model.safetensors) would append to its own input: exit 2, both unchanged."""
    for name in ("train.csv", "model.safetensors"):
        before = {n: (files / n).read_bytes() for n in ("train.csv", "model.safetensors")}
        with open(files / name, "ab") as into:
            run = subprocess.run([sys.executable, "-m", "glassnet.cli", "predict", "model.safetensors", "train.csv"],
                                 cwd=files, timeout=60, **{stream: into},
                                 **{"stderr" if stream == "stdout" else "stdout": subprocess.PIPE})
        assert run.returncode == 2
        assert {n: (files / n).read_bytes() for n in before} == before
        if stream == "stdout":
            assert f"the standard output is the input file {name}, which the output would write into" in \
                run.stderr.decode()


def test_failed_commands_leave_files_alone(files):
    model, data = files / "model.safetensors", files / "train.csv"
    before = model.read_bytes(), data.read_bytes()
    for args in (["train", "train.csv", "--target", "y", "--out", "train.csv"],
                 ["train", "train.csv", "--target", "y", "--plot", "c.xyz", "--out", "model.safetensors"]):
        assert subprocess.run([sys.executable, "-m", "glassnet.cli", *args], cwd=files, capture_output=True,
                              timeout=60).returncode == 2
    assert (model.read_bytes(), data.read_bytes()) == before and not (files / "new.safetensors").exists()


def test_seed_must_be_a_valid_seed(files, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["train", str(files / "train.csv"), "--target", "y", "--seed", "-1"])
    assert stop.value.code == 2 and "--seed: must be an integer in [0, 2**32); got '-1'" in capsys.readouterr().err


def test_predict_fills_missing_cells_and_encodes_unseen_categories_with_a_warning(files):
    """(Once errors: predict now writes one row per input row, saying on stderr what it filled or did not know.)"""
    for name, warning in (("nan_size.csv", "nan_size.csv: missing cells filled as in training (median or (missing)): "
                                           "'size' 1"),
                          ("purple.csv", "purple.csv: categories never seen in training, encoded as all zeros: "
                                         "'colour' 1 row(s)")):
        run = subprocess.run([sys.executable, "-m", "glassnet.cli", "predict", "model.safetensors", name], cwd=files,
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert run.stderr == f"warning: {warning}\n"
        assert len(run.stdout.splitlines()) == 3  # the header and one prediction per row


def test_drop_missing_skips_the_rows_it_names(files):
    run = subprocess.run([sys.executable, "-m", "glassnet.cli", "train", "holes.csv", "--target", "y", "--epochs",
                          "1", "--drop-missing", "--out", "dropped.safetensors"], cwd=files, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "holes.csv: 21 rows -> " in run.stdout  # 24 rows, 3 dropped


def test_a_reader_that_stops_early_does_not_stop_training(tmp_path):
    """`glassnet train ... | head -1`: the output after the first line goes nowhere, the model is still saved."""
    out = tmp_path / "m.safetensors"
    proc = subprocess.Popen([sys.executable, "-m", "glassnet.cli", "train", "iris", "--target", "species",
                             "--epochs", "40", "--patience", "0", "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # the reader goes away before the first line
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and err == ""
    assert gn.load(out).epochs_trained == 40


def test_metrics_beyond_float64_are_an_error_not_infinity(files, tmp_path, capsys):
    rows = "".join(f"{i},{2 * i + 1}\n" for i in range(40))
    (tmp_path / "reg.csv").write_text("x,y\n" + rows)
    model = tmp_path / "reg.safetensors"
    assert main(["train", str(tmp_path / "reg.csv"), "--target", "y", "--epochs", "2", "--preset", "quick",
                 "--quiet", "--out", str(model)]) == 0
    bundle = gn.load_model(model)
    bundle.preprocessing.target.scale = 1.5e308  # finite, so the file loads; every prediction overflows
    bundle.save(model)
    capsys.readouterr()
    assert main(["evaluate", str(model), str(tmp_path / "reg.csv"), "--json", "--split", "test"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    assert "reg.csv: mae, r2 came out infinite or NaN: the model's outputs are beyond float64" in err
    bundle.preprocessing.target.mean = 1.7e308  # now the largest predictions overflow too
    bundle.save(model)
    assert main(["predict", str(model), str(tmp_path / "reg.csv")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "reg.csv line " in err and ": the prediction is beyond float64 on the target's scale" in err


def test_an_input_cell_that_overflows_a_prediction_is_named(tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = "".join(f"{a:.3f},{b:.3f},{a - b:.3f}\n" for a, b in rng.normal(size=(60, 2)))
    (tmp_path / "reg.csv").write_text("x1,x2,y\n" + rows)
    model = tmp_path / "reg.safetensors"
    assert main(["train", str(tmp_path / "reg.csv"), "--target", "y", "--epochs", "2", "--preset", "quick",
                 "--activation", "relu", "--quiet", "--out", str(model)]) == 0  # (relu: no ceiling, as tanh has)
    (tmp_path / "new.csv").write_text("x1,x2\n0.5,0.5\n1,1e308\n")
    capsys.readouterr()
    assert main(["predict", str(model), str(tmp_path / "new.csv")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1, err
    assert "new.csv line 3: " in err and "'x2'" in err, err


def test_csv_reading_names_the_line_of_bad_bytes_and_skips_blank_lines_before_the_header(tmp_path):
    from glassnet.tabular import csvfile as tables

    (tmp_path / "latin.csv").write_bytes(b"a,b,y\n1,2,x\n3,\xe9,y\n")
    with pytest.raises(gn.InputError, match=r"latin.csv line 3 is not UTF-8 text .*save the file as UTF-8"):
        tables.read_csv(tmp_path / "latin.csv")
    (tmp_path / "blank.csv").write_text("\n\na,b\n1,2\n")
    table = tables.read_csv(tmp_path / "blank.csv")
    assert table.columns == ["a", "b"] and [table.text(c, 0) for c in "ab"] == ["1", "2"] and list(table.lines) == [4]
    (tmp_path / "twice.csv").write_text("\na,a\n1,2\n")
    with pytest.raises(gn.InputError, match=r"twice.csv line 2: column 'a' appears twice"):
        tables.read_csv(tmp_path / "twice.csv")


@pytest.mark.parametrize("args, message", [
    (["predict", "model.safetensors", "train.csv", "--out", "train.csv"], "--out train.csv is the data file itself"),
    (["predict", "model.safetensors", "train.csv", "--out", "model.safetensors"], "is the model file itself"),
    (["report", "model.safetensors", "train.csv", "--out", "train.csv"], "--out train.csv is the data file itself"),
    (["report", "model.safetensors", "--out", "model.safetensors"], "is the model file itself"),
    (["export", "model.safetensors", "--onnx", "model.safetensors"], "--onnx model.safetensors is the model file"),
    (["plot", "model.safetensors", "--out", "model.safetensors"], "is the model file itself"),
    (["train", "train.csv", "--target", "y", "--out", "same.png", "--plot", "same.png"],
     "--plot same.png is the --out file itself"),
    (["resume", "model.safetensors", "train.csv", "--epochs", "1", "--plot", "model.safetensors"],
     "--plot model.safetensors is the --out file itself"),
    (["train", "train.csv", "--target", "y", "--hidden", "", "--dropout", "0.5", "--out", "d.safetensors"],
     "dropout acts on hidden layers, and this network has none"),
])
def test_no_command_writes_over_its_own_inputs(files, monkeypatch, capsys, args, message):
    monkeypatch.chdir(files)
    before = {name: (files / name).read_bytes() for name in ("model.safetensors", "train.csv")}
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"glassnet {args[0]}: error: ") and message in err and len(err.splitlines()) == 1
    assert {name: (files / name).read_bytes() for name in before} == before
    assert not (files / "same.png").exists() and not (files / "d.safetensors").exists()


def test_ctrl_c_while_measuring_the_test_rows_still_saves(tmp_path, monkeypatch, capsys):
    import glassnet.tabular.evaluation

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(glassnet.tabular.evaluation, "evaluate", interrupted)
    out = tmp_path / "m.safetensors"
    assert main(["train", "iris", "--target", "species", "--epochs", "3", "--quiet", "--out", str(out)]) == 130
    assert "saved the model after epoch 3" in capsys.readouterr().err
    assert gn.load_model(out).network.epochs_trained == 3 and gn.load_model(out).record.test_metrics is None


@pytest.fixture(scope="module")
def extreme(tmp_path_factory):
    """A float64 relu model and a float32 one (standard scaling, so a huge cell stays huge), and rows with cells
    near the float64 limit (with and without the target)."""
    folder = tmp_path_factory.mktemp("extreme")
    rng = np.random.default_rng(0)
    rows = "".join(f"{a:.4f},{b:.4f},{c:.4f},{'red' if c > 0 else 'blue'},{'yes' if a + b > 0 else 'no'}\n"
                   for a, b, c in rng.normal(size=(60, 3)))
    (folder / "cls.csv").write_text("a,b,c,color,label\n" + rows)
    for name, extra in (("s64.safetensors", ["--activation", "relu"]), ("s32.safetensors", ["--dtype", "float32"])):
        assert main(["train", str(folder / "cls.csv"), "--target", "label", "--epochs", "3", "--quiet", "--preset",
                     "quick", *extra, "--out", str(folder / name)]) == 0
    (folder / "huge.csv").write_text("a,b,c,color,label\n1e308,1e308,1e308,red,yes\n"
                                     "-1e308,-1e308,-1e308,red,no\n0,0,0,red,no\n")
    (folder / "big.csv").write_text("a,b,c,color,label\n0.5,0,0,red,no\n1e300,0,0,red,yes\n")
    (folder / "two.csv").write_text("a,b,c,color,label\n0.5,0,0,red,no\n0,-1e300,0,red,no\n1e300,0,0,red,yes\n")
    return folder


@pytest.mark.parametrize("command", [["predict", "s64.safetensors", "huge.csv", "--proba", "--out", "out.csv"],
                                     ["report", "s64.safetensors", "huge.csv", "--out", "out.html"],
                                     ["evaluate", "s64.safetensors", "huge.csv", "--json"]])
def test_outputs_beyond_float64_are_an_error_not_nan_probabilities(extreme, command):
    """(Once wrote NaN probabilities and a class made up from them, with a RuntimeWarning, and exit code 0.)"""
    run = subprocess.run([sys.executable, "-m", "glassnet.cli", *command], cwd=extreme, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1, run.stderr
    assert run.stderr.startswith(f"glassnet {command[0]}: error: huge.csv line 2: the model's outputs are NaN or "
                                 "infinite: its inputs overflow float64 inside the network")
    assert "2 row(s) in all" in run.stderr and not run.stdout and not (extreme / command[-1]).is_file()
    with pytest.raises(gn.InputError, match="huge.csv line 2: the model's outputs are NaN or infinite"):
        gn.load_model(extreme / "s64.safetensors").predict_proba_table(str(extreme / "huge.csv"))


@pytest.mark.parametrize("command", ["predict", "report", "evaluate"])
def test_a_cell_beyond_float32_is_named_by_line_and_column(extreme, monkeypatch, capsys, command):
    """(Once named the network's input array: "X (as float32, ...) contains NaN or infinity at row 1, column 0".)"""
    monkeypatch.chdir(extreme)
    out = ["--json"] if command == "evaluate" else ["--out", "out.txt"]
    assert main([command, "s32.safetensors", "big.csv", *out]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"glassnet {command}: error: big.csv line 3, column 'a': '1e300' is too large for this "
                          "float32 model (its scaled input, ") and "beyond float32's largest value" in err
    assert len(err.splitlines()) == 1 and not (extreme / "out.txt").exists()
    assert main([command, "s32.safetensors", "two.csv", *out]) == 2  # the first line, whatever its column
    assert "two.csv line 3, column 'b': '-1e300' is too large" in capsys.readouterr().err


@pytest.mark.parametrize("lines, line", [(["1,2,3,red,plain", '1,2,3,"red,plain'], 3),  # (the last line)
                                         (['1,2,3,"red,plain', "1,2,3,red,plain", "4,5,6,x,y"], 2),
                                         (['1,2,3,"red,plain', '1,2,3",x,y', "4,5,6,x,y"], 2)])  # (closed later)
def test_an_unclosed_quote_is_named_as_such(tmp_path, capsys, lines, line):
    path = tmp_path / "q.csv"
    path.write_text("\n".join(["a,b,c,d,e", *lines]) + "\n")
    assert main(["train", str(path), "--target", "e"]) == 2
    err = capsys.readouterr().err
    assert f"q.csv line {line}: " in err and " cell(s), but the header has 5 columns (a quote opened on this line " \
           "is not closed on it" in err and len(err.splitlines()) == 1


def test_a_comment_line_above_the_header_is_named(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("# made by a logger, v2\na,b,y\n1,2,x\n3,4,z\n")
    assert main(["train", str(path), "--target", "y"]) == 2
    err = capsys.readouterr().err
    assert "c.csv line 2: 3 cell(s), but the header has 2 columns (is the header line a comment?" in err


def test_a_header_named_with_a_hash_is_not_taken_for_a_comment_past_its_first_row(tmp_path, capsys):
    path = tmp_path / "h.csv"
    path.write_text('#,name,y\n1,ann,x\n2,"bob,z\n3,cy,x\n4,dd,z\n')
    assert main(["train", str(path), "--target", "y"]) == 2
    err = capsys.readouterr().err
    assert "h.csv line 3: " in err and "a quote opened on this line is not closed on it" in err
    assert "comment" not in err


def test_a_file_read_as_one_column_names_the_separator(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_text("a,b,y\n1,2,x\n3,4,z\n")
    assert main(["train", str(path), "--target", "a,b,y", "--sep", ";"]) == 2
    assert "has no column besides the target 'a,b,y' to learn from; its one column's name holds a separator: read " \
        "with another --sep?" in capsys.readouterr().err
