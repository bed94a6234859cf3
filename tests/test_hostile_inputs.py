"""Issue 11's items, one test each that fails without its fix (the suites in test_destinations, test_fuzz and
test_durability try the same ground more widely)."""

import os
import resource
import subprocess
import sys
import time

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.tabular import csvfile as tables
from glassnet.tabular.model import Model, TrainingRecord


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    path = tmp_path_factory.mktemp("iris") / "iris.safetensors"
    assert main(["train", "iris", "--target", "species", "--epochs", "2", "--quiet", "--out", str(path)]) == 0
    return path


def test_predict_output_that_cannot_be_written_whole_is_an_error(iris, tmp_path):
    """A file size limit (or a full disk): before, predict > file wrote a truncated CSV and exited 0."""
    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    with open(tmp_path / "p.csv", "wb") as out:
        run = subprocess.run([sys.executable, "-m", "glassnet.cli", "predict", str(iris), "iris", "--proba"],
                             stdout=out, stderr=subprocess.PIPE, text=True, preexec_fn=small_files, timeout=60)
    assert run.returncode == 2 and run.stderr == "glassnet predict: error: File too large\n"
    run = subprocess.run([sys.executable, "-m", "glassnet.cli", "predict", str(iris), "iris", "--out",
                          str(tmp_path / "q.csv")], capture_output=True, text=True, preexec_fn=small_files, timeout=60)
    assert run.returncode == 2 and f"File too large: {tmp_path / 'q.csv'}" in run.stderr  # (the target, not a temp)
    assert not (tmp_path / "q.csv").exists() and not list(tmp_path.glob(".q.csv.*"))


def test_a_quote_that_never_closes_is_named_even_in_a_column_predict_does_not_use(iris, tmp_path, capsys):
    """Before: 3 rows in, 1 prediction out (the csv module took the rest of the file as one cell)."""
    data = tmp_path / "new.csv"
    data.write_text('sepal_length,sepal_width,petal_length,petal_width,note\n5.1,3.5,1.4,0.2,"ok"\n'
                    '6.2,2.9,4.3,1.3,"oops\n7.7,3.0,6.1,2.3,fine\n')
    assert main(["predict", str(iris), str(data)]) == 2
    assert "new.csv line 3: a quote opens a cell that is never closed" in capsys.readouterr().err


def test_inputs_must_be_regular_files(tmp_path, capsys):
    os.mkfifo(tmp_path / "pipe.csv")
    for source in (str(tmp_path / "pipe.csv"), "/dev/zero"):  # before: blocked forever / read without end
        start = time.perf_counter()
        assert main(["train", source, "--target", "y"]) == 2
        assert "is not a regular file (a device, a pipe or a socket)" in capsys.readouterr().err
        assert time.perf_counter() - start < 5
    for model in (str(tmp_path / "pipe.csv"), "/dev/zero"):
        assert main(["info", model]) == 2
        assert "is not a regular file" in capsys.readouterr().err


@pytest.mark.parametrize("cell, match", [
    ("1_000", r"'1_000' is not written as an ASCII decimal number"),
    ("３", r"'３' is not written as an ASCII decimal number"),
    ("١٢", r"'١٢' is not written as an ASCII decimal number"),
    ("2.5\xa0", r"'2.5\\xa0' is not written as an ASCII decimal number"),
])
def test_only_ascii_decimals_are_numbers(tmp_path, cell, match):
    table = tables.read_csv(_csv(tmp_path, f"a,y\n1.5,x\n{cell},y\n"))
    with pytest.raises(gn.InputError, match=match):
        table.is_numeric("a")


def test_decimal_commas_are_named_not_one_hot(tmp_path):
    """Before: '1,34'-style columns became ~40 one-hot categories."""
    rows = "".join(f'"{i},{i * 7 % 10}",{i % 2}\n' for i in range(40))
    table = tables.read_csv(_csv(tmp_path, "a,y\n" + rows))
    with pytest.raises(gn.InputError, match=r"'0,0' is a number written with a decimal comma; pass --decimal , .*"
                                             r"or write it with a point"):
        table.is_numeric("a")


def test_integer_labels_beyond_2_53_stay_apart(tmp_path):
    """Before: 9007199254740993 and 9007199254740992 merged into one class named by neither."""
    table = tables.read_csv(_csv(tmp_path, "a,y\n1,9007199254740993\n2,9007199254740992\n3,9007199254740993\n"))
    from glassnet.tabular.fitting import fit_classes

    assert fit_classes(table, "y").classes == ["9007199254740992", "9007199254740993"]


def test_wide_tables_are_read_in_linear_time(tmp_path):
    """Table.column (now Table.data) looked its column up with list.index: 20,000 columns x 30 rows took 12.8 s to
    train."""
    width = 20_000
    text = ",".join(f"c{j}" for j in range(width)) + ",y\n" + "".join(
        ",".join(str((i + j) % 5) for j in range(width)) + f",{i % 2}\n" for i in range(30))
    start = time.perf_counter()
    table = tables.read_csv(_csv(tmp_path, text))
    for name in table.columns:
        table.numbers(name)
    table.require(table.columns)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("call, match", [
    (lambda net: net.predict([[10**400, 1, 2]]), "X holds an integer too large for a float"),
    (lambda net: setattr(net.layers[0], "bias", np.nan), "bias is nan; it must be a finite number"),
    (lambda net: net.predict(np.ma.masked_array(np.ones((2, 3)), mask=[[0, 1, 0], [0, 0, 0]])),
     r"X is a masked array with 1 masked value\(s\); glassnet does not read masks"),
])
def test_odd_api_calls_get_one_input_error(call, match):
    with pytest.raises(gn.InputError, match=match):
        call(gn.Network([gn.Dense(3, 1)]))


def test_bytes_paths_and_numpy_scalars_save(tmp_path):
    net = gn.Network([gn.Dense(3, 1)], seed=0)
    path = os.fsencode(tmp_path / "bytes.safetensors")
    Model(net, record=TrainingRecord({"seed": np.int64(3), "lr": np.float32(0.5)})).save(path)
    assert gn.load_model(path).record.settings == {"seed": 3, "lr": 0.5}
    np.testing.assert_array_equal(gn.load(path).layers[0].weights, net.layers[0].weights)
    assert np.ma.is_masked(np.ma.masked_array([1.0], mask=[1]))  # (masks are NumPy's; refused above)
    assert gn.Network([gn.Dense(3, 1)]).predict(np.ma.masked_array(np.ones((1, 3)))).shape == (1, 1)


def _csv(folder, text):
    path = folder / "t.csv"
    path.write_text(text)
    return path
