"""What an option fuzz of every command found: explain and report saying nothing of overflow where the other
commands refuse, standard streams that are closed, full or not UTF-8, and option values taken silently."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main

SRC = Path(gn.__file__).parent.parent


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def shell(command, cwd, **env):
    """``command`` run by bash with glassnet as a program (a fresh process, with its own streams)."""
    environment = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONDONTWRITEBYTECODE": "1", **env}
    glassnet = f"{sys.executable} -m glassnet.cli"
    return subprocess.run(["bash", "-c", command.replace("glassnet", glassnet)], cwd=cwd, env=environment,
                          capture_output=True, text=True, errors="backslashreplace", timeout=120)


@pytest.fixture
def regression(tmp_path):
    rng = np.random.default_rng(0)
    rows = "".join(f"{a:.3f},{b:.3f},{3 * a - b:.3f}\n" for a, b in rng.normal(size=(40, 2)))
    data = write(tmp_path / "reg.csv", "x1,x2,t\n" + rows)
    model = tmp_path / "reg.safetensors"
    assert main(["train", str(data), "--target", "t", "--scaling", "standard", "--ensemble", "1", "--epochs", "2",
                 "--quiet", "--out", str(model)]) == 0
    return data, model


def test_explain_refuses_rows_that_overflow_the_network(tmp_path, regression, capsys):
    _, model = regression
    huge = write(tmp_path / "huge.csv", "x1,x2,t\n1,1,3\n2.9e38,2.9e38,1\n")
    capsys.readouterr()
    assert main(["explain", str(model), str(huge), "--rows", "2"]) == 2
    err = capsys.readouterr().err
    assert "huge.csv line 3: the model's outputs are NaN or infinite" in err and len(err.splitlines()) == 1
    steep = write(tmp_path / "steep.csv", "x1,x2,t\n1,1,3\n1e37,1,2\n")  # (outputs that fit, a step that does not)
    assert main(["explain", str(model), str(steep), "--rows", "2"]) == 2
    assert "holds NaN or infinite values" in capsys.readouterr().err


def test_report_refuses_metrics_that_overflow_as_evaluate_does(tmp_path, regression, capsys):
    data, model = regression[0], tmp_path / "quick.safetensors"  # (float64 and tanh: outputs stay finite)
    assert main(["train", str(data), "--target", "t", "--preset", "quick", "--epochs", "2", "--quiet", "--out",
                 str(model)]) == 0
    bundle = gn.load_model(model)
    for layer in bundle.network.layers:
        if getattr(layer, "weights", None) is not None:  # (not the dropout layer)
            layer.weights[:] = 1e300
    bundle.save(tmp_path / "huge.safetensors")
    capsys.readouterr()
    for command in (["evaluate"], ["report", "--out", str(tmp_path / "r.html")]):
        assert main([command[0], str(tmp_path / "huge.safetensors"), str(data), *command[1:]]) == 2
        assert "came out infinite or NaN" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_an_output_encoding_other_than_utf8_gets_escapes_not_a_traceback(tmp_path):
    rows = "".join(f"{'größe' if i == 0 else 'klein'},{i},{'a' if i % 2 else 'b'}\n" for i in range(20))
    write(tmp_path / "u.csv", "name,x,y\n" + rows)
    trained = shell("glassnet train u.csv --target y --preset quick --epochs 1 --out u.st --quiet", tmp_path)
    assert trained.returncode == 0, trained.stderr
    info = shell("glassnet info u.st", tmp_path, PYTHONIOENCODING="ascii")
    assert info.returncode == 0 and "gr\\xf6\\xdfe" in info.stdout and "Traceback" not in info.stderr
    wrong = shell("glassnet train u.csv --target größe", tmp_path, PYTHONIOENCODING="latin-1:strict")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    predicted = shell("glassnet predict u.st u.csv --id name > p.csv", tmp_path, PYTHONIOENCODING="ascii")
    assert predicted.returncode == 0  # (the CSV is data: UTF-8, as glassnet reads it)
    assert (tmp_path / "p.csv").read_text(encoding="utf-8").splitlines()[1].startswith("größe,")


def test_closed_or_full_standard_streams_change_nothing_that_is_saved(tmp_path):
    rows = "".join(f"{i % 5},{i % 3},{'a' if i % 2 else 'b'}\n" for i in range(30))
    write(tmp_path / "c.csv", "x1,x2,y\n" + rows)
    closed = "the standard output is closed (>&-), so the output cannot be written"  # (as a full one: exit 2)
    trained = shell("glassnet train c.csv --target y --preset quick --epochs 1 --out m.st >&-", tmp_path)
    assert trained.returncode == 2 and closed in trained.stderr and not (tmp_path / "m.st").exists()
    quiet = shell("glassnet train c.csv --target y --preset quick --epochs 1 --out m.st --quiet >&- 2>&-", tmp_path)
    assert quiet.returncode == 0 and (tmp_path / "m.st").exists()  # (nothing to write there; errors unsaid)
    for command in ("info m.st", "predict m.st c.csv"):  # (their output is what they make)
        lost = shell(f"glassnet {command} >&-", tmp_path)
        assert lost.returncode == 2 and closed in lost.stderr and "Traceback" not in lost.stderr
    predicted = shell("glassnet predict m.st c.csv --out p.csv >&-", tmp_path)
    assert predicted.returncode == 0 and len((tmp_path / "p.csv").read_text().splitlines()) == 31
    if Path("/dev/full").exists():
        refused = shell("glassnet train c.csv --target nope 2>/dev/full", tmp_path)
        assert refused.returncode == 2  # (the error cannot be said; the exit code still says it)
        warned = shell("glassnet train c.csv --target y --preset quick --epochs 1 --out w.st --quiet 2>/dev/full",
                       tmp_path)
        assert warned.returncode == 0 and (tmp_path / "w.st").exists()  # (x1 numbers the rows: a warning)


@pytest.mark.parametrize("args, message", [
    (["train", "{data}", "--target", "y", "--hidden", "1,,2"], "each layer size must be a positive integer; got ''"),
    (["train", "{data}", "--target", "y", "--plot", ""], "--plot is empty; give a file name"),
    (["train", "{data}", "--target", "y", "--missing", "impute", "--drop-missing"], "not allowed with argument"),
    (["predict", "{model}", "{data}", "--sep", ""], "--sep must be one character"),
    (["predict", "{model}", "{data}", "--out", ""], "--out is empty; give a file name"),
    (["resume", "{model}", "{data}", "--out", "", "--epochs", "1"], "--out is empty; give a file name"),
])
def test_empty_or_contradictory_option_values_are_refused(tmp_path, capsys, args, message):
    data = write(tmp_path / "c.csv", "x1,x2,y\n" + "".join(f"{i % 5},{i % 3},{'ab'[i % 2]}\n" for i in range(30)))
    model = tmp_path / "m.safetensors"
    assert main(["train", str(data), "--target", "y", "--preset", "quick", "--epochs", "1", "--quiet", "--out",
                 str(model)]) == 0
    before = model.read_bytes()
    capsys.readouterr()
    argv = [a.format(data=data, model=model) for a in args]
    if "not allowed" in message or "layer size" in message:  # (argparse's own: exit 2 through SystemExit)
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
    else:
        assert main(argv) == 2
    assert message in capsys.readouterr().err and model.read_bytes() == before


def test_a_dash_is_the_standard_output_for_predict_and_refused_for_files(tmp_path, capsys, monkeypatch):
    data = write(tmp_path / "c.csv", "x1,x2,y\n" + "".join(f"{i % 5},{i % 3},{'ab'[i % 2]}\n" for i in range(30)))
    model = tmp_path / "m.safetensors"
    assert main(["train", str(data), "--target", "y", "--preset", "quick", "--epochs", "1", "--quiet", "--out",
                 str(model)]) == 0
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["predict", str(model), str(data), "--out", "-"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "y" and not (tmp_path / "-").exists()
    for argv in (["train", str(data), "--target", "y", "--out", "-"], ["report", str(model), "--out", "-"],
                 ["export", str(model), "--onnx", "-"]):
        assert main(argv) == 2
        assert "-: this file is not written to the standard output" in capsys.readouterr().err
    assert not (tmp_path / "-").exists()
