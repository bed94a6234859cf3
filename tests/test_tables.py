"""Real tables (issue 12): missing cells, column roles, unseen categories, separators and decimal marks,
Parquet/Feather/DataFrames, ``gn.train_table`` and reading in chunks."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.errors import InputError
from glassnet.tabular import csvfile, datasets
from glassnet.tabular.csvfile import read_csv

PENGUINS = """species,island,bill,flipper,sex,id
Adelie,Torgersen,39.1,181,male,p1
Adelie,Torgersen,NA,186,female,p2
Gentoo,Biscoe,46.1,211,NA,p3
Gentoo,Biscoe,50.0,230,male,p4
Chinstrap,Dream,46.5,192,female,p5
Chinstrap,Dream,50.0,196,male,p6
Adelie,Dream,38.0,180,female,p7
Gentoo,Biscoe,48.0,220,,p8
Chinstrap,Dream,49.0,195,male,p9
Adelie,Torgersen,?,185,female,p10
Adelie,Biscoe,37.5,183,N/A,p11
Gentoo,Biscoe,47.5,nan,female,p12
"""


def write(tmp_path, text: str, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def train(tmp_path, text: str, *args: str, out: str = "m.safetensors") -> tuple[int, str]:
    data = write(tmp_path, text)
    model = str(tmp_path / out)
    code = main(["train", data, *args, "--out", model, "--epochs", "5", "--val-split", "0", "--test-split", "0"])
    return code, model


# --- missing cells ----------------------------------------------------------------------

def test_missing_tokens_are_missing_and_more_can_be_named(tmp_path):
    table = read_csv(write(tmp_path, "a,b\n1,x\n,y\nNA,z\nN/A,NULL\nnan,?\n-1,None\n"))
    np.testing.assert_array_equal(table.missing("a"), [False, True, True, True, True, False])
    np.testing.assert_array_equal(table.missing("b"), [False, False, False, True, True, True])
    assert table.is_numeric("a") and not table.is_numeric("b")
    table = read_csv(write(tmp_path, "a,b\n1,x\n-999,y\n2,missing\n"), na_values=["-999", "missing"])
    np.testing.assert_array_equal(table.missing("a"), [False, True, False])
    np.testing.assert_array_equal(table.missing("b"), [False, False, True])


def test_impute_fills_the_training_median_and_adds_an_indicator(tmp_path):
    model = gn.train_table(write(tmp_path, PENGUINS), "species", ignore="id", epochs=3, val_split=0,
                           test_split=0, seed=1, scaling="standard")
    prep = model.preprocessing
    bill = prep.columns[prep.input_columns.index("bill")]
    observed = [39.1, 46.1, 50.0, 46.5, 50.0, 38.0, 48.0, 49.0, 37.5, 47.5]
    assert bill.fill == np.median(observed) and bill.indicator
    assert bill.mean == pytest.approx(np.mean(observed)) and bill.scale == pytest.approx(np.std(observed))
    sex = prep.columns[prep.input_columns.index("sex")]
    assert sex.categories == ["female", "male"] and sex.missing
    assert "bill (missing)" in prep.feature_names and "sex=(missing)" in prep.feature_names
    table = read_csv(write(tmp_path, "island,bill,flipper,sex\nDream,,190,\nDream,45,190,male\n", "new.csv"))
    X = prep.inputs(table)
    names = prep.feature_names
    assert X[0, names.index("bill")] == pytest.approx((bill.fill - bill.mean) / bill.scale)
    assert X[0, names.index("bill (missing)")] == 1 and X[1, names.index("bill (missing)")] == 0
    assert X[0, names.index("sex=(missing)")] == 1 and X[0, names.index("sex=male")] == 0
    assert X[1, names.index("sex=male")] == 1


def test_train_says_what_it_imputed_and_predict_fills_every_row(tmp_path, capsys):
    code, model = train(tmp_path, PENGUINS, "--target", "species", "--ignore", "id")
    out = capsys.readouterr().out
    assert code == 0
    assert "imputed missing cells: 'bill' 2 row(s) (median 47)" in out
    assert "'flipper' 1 row(s)" in out and "'sex' 3 row(s) ((missing))" in out
    capsys.readouterr()
    assert main(["predict", model, write(tmp_path, PENGUINS)]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1 + 12
    assert "'bill' 2" in captured.err and "'sex' 3" in captured.err


def test_missing_drop_and_error(tmp_path, capsys):
    code, _ = train(tmp_path, PENGUINS, "--target", "species", "--ignore", "id", "--missing", "drop")
    assert code == 0
    assert "dropped 6 row(s) with missing or infinite cells ('bill' 2, 'flipper' 1, 'sex' 3)" in capsys.readouterr().out
    code, _ = train(tmp_path, PENGUINS, "--target", "species", "--ignore", "id", "--missing", "error")
    err = capsys.readouterr().err
    assert code == 2 and "column 'bill' has empty, NaN or infinite cells on lines 3, 11" in err
    assert "--missing impute" in err


def test_rows_without_a_target_are_left_out(tmp_path, capsys):
    text = PENGUINS.replace("Chinstrap,Dream,49.0", "NA,Dream,49.0")
    code, _ = train(tmp_path, text, "--target", "species", "--ignore", "id")
    assert code == 0 and "left out 1 row(s) whose target 'species' is missing" in capsys.readouterr().out
    code, _ = train(tmp_path, text, "--target", "species", "--ignore", "id", "--missing", "error")
    assert code == 2 and "the target 'species' is missing on line 10" in capsys.readouterr().err


def test_a_column_missing_everywhere_is_left_out_with_a_warning(tmp_path, capsys):
    code, model = train(tmp_path, "a,b,y\n1,,0\n2,,1\n3,NA,0\n4,,1\n", "--target", "y")
    assert code == 0 and "column 'b' is empty in every row; it is left out" in capsys.readouterr().err
    assert gn.load_model(model).preprocessing.input_columns == ["a"]


def test_infinite_cells_are_named_not_imputed(tmp_path, capsys):
    code, _ = train(tmp_path, "a,y\n1,0\ninf,1\n3,0\n4,1\n", "--target", "y")
    assert code == 2 and "line 3, column 'a': 'inf' is not a finite number" in capsys.readouterr().err


# --- column roles and unseen categories ---------------------------------------------------

def test_ignore_leaves_columns_out_and_an_id_column_is_named(tmp_path, capsys):
    rows = "".join(f"id{i},{i % 7},{'ab'[i % 2]}\n" for i in range(40))
    code, model = train(tmp_path, "patient,x,y\n" + rows, "--target", "y")
    assert code == 0
    err = capsys.readouterr().err
    assert "column 'patient' holds text with a different value in nearly every row (40 of 40)" in err
    assert "--ignore patient" in err
    code, model = train(tmp_path, "patient,x,y\n" + rows, "--target", "y", "--ignore", "patient")
    assert code == 0 and "patient" not in capsys.readouterr().err
    assert gn.load_model(model).preprocessing.input_columns == ["x"]
    code, _ = train(tmp_path, "patient,x,y\n" + rows, "--target", "y", "--ignore", "patent")
    assert code == 2 and "lacks column(s) 'patent' that --ignore names (did you mean 'patient'?)" in \
        capsys.readouterr().err


def test_predict_copies_id_columns_first(tmp_path, capsys):
    code, model = train(tmp_path, PENGUINS, "--target", "species", "--ignore", "id")
    capsys.readouterr()
    assert main(["predict", model, write(tmp_path, PENGUINS), "--id", "id,island"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id,island,species"
    assert [line.split(",")[:2] for line in lines[1:3]] == [["p1", "Torgersen"], ["p2", "Torgersen"]]
    assert main(["predict", model, write(tmp_path, PENGUINS), "--id", "nope"]) == 2
    assert "lacks column(s) 'nope' that --id names" in capsys.readouterr().err


def test_unseen_categories_are_zeros_with_a_warning_or_an_error(tmp_path, capsys):
    code, model = train(tmp_path, PENGUINS, "--target", "species", "--ignore", "id")
    capsys.readouterr()
    new = write(tmp_path, "island,bill,flipper,sex\nAtlantis,40,190,male\nDream,45,200,female\nMars,41,180,male\n",
                "new.csv")
    assert main(["predict", model, new]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 4
    assert "categories never seen in training, encoded as all zeros: 'island' 2 row(s)" in captured.err
    prep = gn.load_model(model).preprocessing
    X = prep.inputs(read_csv(new))
    island = [i for i, n in enumerate(prep.feature_names) if n.startswith("island=")]
    np.testing.assert_array_equal(X[0, island], 0)
    assert main(["predict", model, new, "--unknown", "error"]) == 2
    assert "new.csv line 2, column 'island': category 'Atlantis' was never seen in training" in \
        capsys.readouterr().err


def test_a_missing_cell_where_training_had_none_is_said_as_such_and_refused_on_error(tmp_path, capsys):
    """island has no missing cell in training, so no (missing) category: a missing one is all zeros, said as
    such (not "filled as in training"), and refused with --unknown error."""
    code, model = train(tmp_path, PENGUINS, "--target", "species", "--ignore", "id")
    capsys.readouterr()
    new = write(tmp_path, "island,bill,flipper,sex\nDream,45,200,female\nNA,40,190,male\n", "new.csv")
    assert main(["predict", model, new]) == 0
    err = capsys.readouterr().err
    assert "missing cells in text columns that had none in training, encoded as all zeros: 'island' 1 row(s)" in err
    assert "filled as in training" not in err and "never seen" not in err
    prep = gn.load_model(model).preprocessing
    island = [i for i, n in enumerate(prep.feature_names) if n.startswith("island=")]
    np.testing.assert_array_equal(prep.inputs(read_csv(new))[1, island], 0)
    assert main(["predict", model, new, "--unknown", "error"]) == 2
    assert "new.csv line 3, column 'island': a missing cell, which this column's training rows never had" in \
        capsys.readouterr().err


def test_a_long_list_of_known_classes_is_shortened(tmp_path, capsys):
    rows = "".join(f"{i % 3},c{i}\n" for i in range(60))
    code, model = train(tmp_path, "x,y\n" + rows, "--target", "y")
    capsys.readouterr()
    assert main(["evaluate", model, write(tmp_path, "x,y\n1,zzz\n", "e.csv")]) == 2
    err = capsys.readouterr().err
    assert "'zzz' was never seen in training" in err and "(60 in all)" in err and len(err) < 600


# --- separators, decimal marks, file formats -----------------------------------------------

@pytest.mark.parametrize("sep", [";", "\t", "|", ","])
def test_the_separator_is_found_in_the_header(tmp_path, sep):
    table = read_csv(write(tmp_path, sep.join(["a", "b", "name"]) + "\n" + sep.join(["1.5", "2", '"x,y"']) + "\n"))
    assert table.columns == ["a", "b", "name"] and table.numbers("a")[0] == 1.5


def test_sep_and_decimal_options(tmp_path, capsys):
    text = "a;b;y\n1,5;2;0\n2,5;3;1\n3,5;1;0\n4,0;0;1\n"
    with pytest.raises(InputError, match=r"line 2, column 'a': '1,5' is a number written with a decimal comma; "
                                         r"pass --decimal ,"):
        read_csv(write(tmp_path, text)).is_numeric("a")
    table = read_csv(write(tmp_path, text), decimal=",")
    np.testing.assert_array_equal(table.numbers("a"), [1.5, 2.5, 3.5, 4.0])
    table = read_csv(write(tmp_path, "a|b\n1|2\n"), sep="|")
    assert table.columns == ["a", "b"]
    assert read_csv(write(tmp_path, "a\tb\n1\t2\n"), sep="tab").columns == ["a", "b"]
    with pytest.raises(InputError, match="line 2: 3 cell"):
        read_csv(write(tmp_path, "a;b\n1;2;3\n"), sep=";")
    both = read_csv(write(tmp_path, 'a,b\n"1,5",2\n'), sep=",", decimal=",")  # (a quoted decimal comma)
    assert both.data["a"].tolist() == [1.5] and both.data["b"].tolist() == [2.0]
    code, model = train(tmp_path, text, "--target", "y", "--decimal", ",")
    assert code == 0 and gn.load_model(model).preprocessing.decimal == ","
    capsys.readouterr()
    assert main(["predict", model, write(tmp_path, "a;b\n2,5;1\n", "new.csv")]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_parquet_and_feather_read_as_the_csv_does(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    csv_path = write(tmp_path, PENGUINS)
    frame = pd.read_csv(csv_path, keep_default_na=False)  # (cells as written: 'NA' stays text for glassnet)
    frame["bill"] = pd.to_numeric(frame["bill"], errors="coerce")
    frame["flipper"] = pd.to_numeric(frame["flipper"], errors="coerce")
    frame.to_parquet(tmp_path / "p.parquet")
    frame.to_feather(tmp_path / "p.feather")
    expected = read_csv(csv_path)
    for data in (str(tmp_path / "p.parquet"), str(tmp_path / "p.feather"), frame):
        table = datasets.resolve(data)
        assert table.columns == expected.columns
        for name in expected.columns:
            np.testing.assert_array_equal(table.missing(name), expected.missing(name), err_msg=name)
            if expected.is_numeric(name):
                np.testing.assert_array_equal(table.numbers(name), expected.numbers(name))
            else:
                assert list(table.data[name]) == list(expected.data[name])
        assert "row 3, column 'bill'" in table.where(2, "bill")
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="bad.parquet: not a readable Parquet file"):
        datasets.resolve(str(tmp_path / "bad.parquet"))


def test_narrow_floats_huge_floats_and_durations_read_from_a_frame_or_parquet_as_from_the_csv_pandas_writes(tmp_path):
    """float32 and float16 cells read as the shortest decimal (what to_csv writes), floats past 2**53 keep their
    text as the CSV reader keeps it, durations read as pandas writes them: one table, one fingerprint."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from glassnet.tabular.fingerprint import fingerprint

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "f32": (rng.normal(size=40) * 10.0 ** rng.integers(-30, 30, 40)).astype(np.float32),
        "f16": rng.normal(size=40).astype(np.float16),
        "nullable": pd.array(rng.normal(size=40), dtype="Float32"),
        "huge": rng.normal(size=40) * 1e20,
        "took": pd.to_timedelta(rng.integers(-50, 50, 40), unit="h") + pd.to_timedelta(rng.integers(0, 2, 40) * 5,
                                                                                         unit="us"),
        "y": ["p", "q"] * 20})
    frame.loc[3, ["f32", "f16", "huge", "took"]] = np.nan
    frame.loc[4, "nullable"] = pd.NA
    frame.loc[5, "huge"] = np.inf
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    expected = read_csv(tmp_path / "t.csv")
    assert expected.data["f32"][0] == float(str(frame["f32"][0]))  # (the shortest decimal, not the float32 value)
    for data in (str(tmp_path / "t.parquet"), frame):
        table = datasets.resolve(data)
        for name in ("f32", "f16", "nullable", "huge"):
            np.testing.assert_array_equal(table.numbers(name), expected.numbers(name), err_msg=name)
        assert list(table.data["took"]) == list(expected.data["took"])
        assert fingerprint(table) == fingerprint(expected)
    ids = ["f32", "f16", "nullable", "took"]  # (columns predict --id copies: as the CSV has them)
    written = read_csv(tmp_path / "t.csv", keep=ids).exact
    for data in (str(tmp_path / "t.parquet"), frame):
        kept = datasets.resolve(data, None, ".", [], ids).exact
        assert all(list(kept[name]) == list(written[name]) for name in ids), data


def test_cells_pandas_writes_as_they_are_stay_as_they_are(tmp_path):
    """to_csv writes an object column's timedeltas each as str gives it, and a float32[pyarrow] column widened: so
    does the DataFrame reader (only timedelta64 columns and NumPy's float32 are written otherwise)."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from glassnet.tabular.fingerprint import fingerprint

    frame = pd.DataFrame({"took": pd.Series([datetime.timedelta(hours=1), pd.Timedelta("1.5s"), "x"], dtype=object),
                          "v": pd.array(np.array([0.1, 2.040919, 3], np.float32), dtype="float32[pyarrow]"),
                          "y": ["a", "b", "a"]})
    frame.to_csv(tmp_path / "t.csv", index=False)
    expected, table = read_csv(tmp_path / "t.csv"), datasets.resolve(frame)
    assert list(table.data["took"]) == list(expected.data["took"]) == ["1:00:00", "0 days 00:00:01.500000", "x"]
    assert table.data["v"][0] == expected.data["v"][0] == float(np.float32(0.1))
    assert fingerprint(table) == fingerprint(expected)


def test_a_model_of_an_older_reading_of_float32_and_durations_still_knows_its_file(tmp_path, capsys):
    """Before, float32 cells read widened (0.10000000149011612) and Arrow's durations as str gives them: a model
    trained then on the file checks it by the fingerprint it saved, and finds its float32 classes."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from glassnet.tabular.fingerprint import fingerprint

    rng = np.random.default_rng(1)
    x = rng.normal(size=120).astype(np.float32)
    took = pd.to_timedelta(rng.integers(0, 3, 120), unit="h")
    now = pd.DataFrame({"x": x, "took": took, "y": np.where(x > 0, 0.1, 0.7).astype(np.float32)})
    now.to_parquet(tmp_path / "now.parquet")
    then = pd.DataFrame({"x": x.astype(np.float64), "took": [str(v.to_pytimedelta()) for v in took],
                         "y": now["y"].astype(np.float64)})  # (what the older reading gave: widened, str's text)
    then.to_parquet(tmp_path / "then.parquet")
    read_now, read_then = (datasets.resolve(str(tmp_path / f"{name}.parquet")) for name in ("now", "then"))
    assert fingerprint(read_now) != fingerprint(read_then) == fingerprint(read_now, earlier=True)
    model = str(tmp_path / "m.safetensors")
    assert main(["train", str(tmp_path / "then.parquet"), "--target", "y", "--task", "classification", "--preset",
                 "quick", "--epochs", "2", "--out", model, "--quiet"]) == 0
    assert main(["evaluate", model, str(tmp_path / "now.parquet"), "--split", "test"]) == 0
    assert "0.10000000149011612" in capsys.readouterr().out


def test_the_shortest_decimal_of_a_narrow_float_is_what_str_writes():
    from glassnet.tabular.arrowfile import shortest_decimal

    every_float16 = np.arange(2**16, dtype=np.uint16).view(np.float16)
    float32s = np.random.default_rng(0).integers(0, 2**32, 300_000, dtype=np.uint64).astype(np.uint32).view(
        np.float32)  # (any bits: every exponent, subnormals, NaNs)
    powers = np.float32(2.0) ** np.arange(-149, 128, dtype=np.float32)  # (the gap below is half the gap above)
    for narrow in (every_float16, float32s, powers, np.nextafter(powers, np.float32(0))):
        with np.errstate(invalid="ignore"):
            written = narrow.astype(str).astype(np.float64)
        np.testing.assert_array_equal(shortest_decimal(narrow), written)


def test_dates_read_from_a_frame_parquet_and_feather_as_from_the_csv_pandas_writes(tmp_path):
    """Datetimes all at midnight are their dates (2020-01-01, not 2020-01-01 00:00:00), as in to_csv's file:
    a model trained on one knows the dates of the others."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from glassnet.tabular.arrowfile import from_frame, read_arrow

    frame = pd.DataFrame({"day": pd.to_datetime(["2020-01-01", "2020-02-03", None]),
                          "when": pd.to_datetime(["2020-01-01 12:30", "2020-02-03 00:00", None]),
                          "utc": pd.to_datetime(["2020-01-01", "2020-02-03", "2020-02-04"]).tz_localize("UTC"),
                          "y": [1, 2, 3]})
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    frame.to_feather(tmp_path / "d.feather")
    tables = [read_csv(tmp_path / "d.csv"), from_frame(frame), read_arrow(tmp_path / "d.parquet"),
              read_arrow(tmp_path / "d.feather")]
    assert list(tables[0].data["day"]) == ["2020-01-01", "2020-02-03", None]
    assert tables[0].data["when"][1] == "2020-02-03 00:00:00"
    for table in tables[1:]:
        for name in ("day", "when", "utc"):
            assert list(table.data[name]) == list(tables[0].data[name]), name


def test_a_model_trained_on_parquet_predicts_a_csv(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"x": np.arange(40) % 5, "colour": ["red", "blue"] * 20, "y": ["a", "b"] * 20})
    frame.to_parquet(tmp_path / "t.parquet")
    model = str(tmp_path / "m.safetensors")
    assert main(["train", str(tmp_path / "t.parquet"), "--target", "y", "--epochs", "3", "--out", model,
                 "--quiet"]) == 0
    frame.to_csv(tmp_path / "t.csv", index=False)
    assert main(["predict", model, str(tmp_path / "t.csv")]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 41


# --- Python: train_table and predict_table ----------------------------------------------------

def test_train_table_on_a_dataframe_predicts_class_names(tmp_path):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=200),
                          "label": np.where(x > 0, "high", "low"), "colour": rng.choice(["r", "g", None], 200)})
    model = gn.train_table(frame, "label", epochs=60, seed=0)
    assert model.record.test_metrics["accuracy"] > 0.9
    predicted = model.predict_table(frame)
    assert set(predicted) <= {"high", "low"} and len(predicted) == 200
    assert np.mean(np.array(predicted) == frame["label"].to_numpy()) > 0.9
    proba = model.predict_proba_table(frame)
    assert proba.shape == (200, 2) and np.allclose(proba.sum(axis=1), 1)
    assert model.preprocessing.target.classes == ["high", "low"]
    assert [model.preprocessing.target.classes[k] for k in proba.argmax(axis=1)] == list(predicted)


def test_train_table_is_what_glassnet_train_does(tmp_path):
    data = write(tmp_path, PENGUINS)
    main(["train", data, "--target", "species", "--ignore", "id", "--epochs", "7", "--seed", "3", "--out",
          str(tmp_path / "cli.safetensors"), "--quiet"])
    cli = gn.load_model(str(tmp_path / "cli.safetensors"))
    model = gn.train_table(data, "species", ignore=["id"], epochs=7, seed=3)
    np.testing.assert_array_equal(model.predict_proba_table(data), cli.predict_proba_table(data))
    assert model.record.settings == cli.record.settings


def test_train_table_checks_its_options(tmp_path):
    data = write(tmp_path, PENGUINS)
    with pytest.raises(InputError, match="--epochs must be"):
        gn.train_table(data, "species", epochs=0)
    with pytest.raises(InputError, match="--missing must be one of impute, drop, error"):
        gn.train_table(data, "species", missing="guess")
    with pytest.raises(InputError, match="did you mean 'species'"):
        gn.train_table(data, "specie")
    with pytest.raises(InputError, match="expected a file path"):
        gn.train_table(42, "species")
    with pytest.raises(TypeError, match="unexpected keyword argument 'epoch'; did you mean 'epochs'"):
        gn.train_table(data, "species", epoch=1)
    with pytest.warns(UserWarning, match="column 'id'"):
        gn.train_table(write(tmp_path, PENGUINS * 1 + "".join(
            f"Adelie,Dream,40,190,male,q{i}\n" for i in range(20)), "more.csv"), "species", epochs=1)


# --- reading in chunks -----------------------------------------------------------------------

def test_chunks_join_into_the_same_columns(tmp_path, monkeypatch):
    monkeypatch.setattr(csvfile, "CHUNK", 3)
    rows = ["7,,x", "8,1.5,y", ",2.5,", "10,NA,z", "11,3,w", "12,4,q", "13,,r"]
    table = read_csv(write(tmp_path, "a,b,c\n" + "\n".join(rows) + "\n"))
    np.testing.assert_array_equal(table.numbers("a"), [7, 8, np.nan, 10, 11, 12, 13])
    np.testing.assert_array_equal(table.numbers("b"), [np.nan, 1.5, 2.5, np.nan, 3, 4, np.nan])
    assert list(table.data["c"]) == ["x", "y", None, "z", "w", "q", "r"]
    np.testing.assert_array_equal(table.lines, np.arange(2, 9))
    # a column empty in the first chunk and text later is text; numbers then text is named
    table = read_csv(write(tmp_path, "a,b\n,1\n,2\n,3\nhello,4\n"))
    assert list(table.data["a"]) == [None, None, None, "hello"]
    table = read_csv(write(tmp_path, "a,b\n1,1\n2,2\n3,3\nhello,4\n"))
    with pytest.raises(InputError, match=r"line 5, column 'a': 'hello' is not a number, but line 2 holds the "
                                         r"number '1'"):
        table.is_numeric("a")


def test_a_large_file_reads_as_numpy_does(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(20_000, 4)) * 10.0 ** rng.integers(-5, 5, size=(20_000, 4))
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write("a,b,c,d\n")
        np.savetxt(f, values, delimiter=",", fmt="%.17g")
    table = read_csv(path)
    np.testing.assert_array_equal(np.column_stack([table.numbers(c) for c in "abcd"]), values)
    assert table.lines[-1] == 20_001


def test_long_integer_labels_stay_exact_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(csvfile, "CHUNK", 2)
    big = 2**53
    table = read_csv(write(tmp_path, f"x,y\n1,{big}\n2,{big + 1}\n3,{big}\n4,{big + 1}\n5,1\n"))
    from glassnet.tabular.fitting import fit_classes  # (imported here: alone, this test must not rely on others)

    assert fit_classes(table, "y").classes == ["1", str(big), str(big + 1)]


# --- the Arrow reader gives the same tables --------------------------------------------------

def _same(a, b) -> None:
    assert a.columns == b.columns and list(a.lines) == list(b.lines)
    for name in a.columns:
        assert a.data[name].dtype == b.data[name].dtype, name
        if a.data[name].dtype == np.float64:
            np.testing.assert_array_equal(a.data[name], b.data[name])
        else:
            assert list(a.data[name]) == list(b.data[name]), name
        assert (name in a.problems) == (name in b.problems), name
        assert list(a.exact.get(name, [])) == list(b.exact.get(name, [])), name


def test_the_arrow_reader_gives_the_table_the_csv_reader_gives(tmp_path, monkeypatch):
    """Hundreds of tables, ordinary and hostile (tests/hostile.py): read with Arrow (forced on small files) and
    without, the same table or the same error."""
    import random

    pytest.importorskip("pyarrow")
    import hostile
    from glassnet.tabular import arrowcsv

    rng = random.Random(12)
    texts = [hostile.good_csv(rng).encode() for _ in range(10)]
    texts += [hostile.mutate_csv(hostile.good_csv(rng), rng.choice(hostile.CSV_KINDS), rng) for _ in range(90)]
    texts += [b"a,b,y\n1,2,0\n9007199254740993,NA,1\n,inf,0\n", b"a,b\n1.,x\n.5,y\n-nan,?\nINF,z\n",
              b"a,b\n1.5,2\n\n3,4\n", b'a,b\n1,"x\ny"\n', b"a,b\r\n1,2\r\n", b"a,b\n1,2\r3,4\n", b"a;b\n1;2\n",
              b"\xef\xbb\xbfa,b\n1,2\n", b"a, b\n1,2\n", b"a,b\n1,2,3\n", b'a,b\n1,"open\n', b"a,b\n 1 ,x\n"]
    for k, text in enumerate(texts):
        path = tmp_path / f"t{k}.csv"
        path.write_bytes(text)
        outcomes = []
        for smallest in (10**12, 0):
            monkeypatch.setattr(arrowcsv, "SMALLEST", smallest)
            try:
                outcomes.append(read_csv(path))
            except InputError as exc:
                outcomes.append(str(exc))
        if isinstance(outcomes[0], str) or isinstance(outcomes[1], str):
            assert outcomes[0] == outcomes[1], text[:200]
        else:
            _same(*outcomes)


# --- found by an audit: each of these was wrong once ----------------------------------------------

def test_arrow_and_python_agree_on_a_space_before_a_quote_and_a_blank_first_line(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    from glassnet.tabular import arrowcsv

    for text in ('x,c\n0.5, "a"\n1, "2.5"\n' * 3, "\nx,c\n1,a\n2,b\n", "  \nx,c\n1,a\n"):
        path = write(tmp_path, text)
        tables = []
        for smallest in (10**12, 0):
            monkeypatch.setattr(arrowcsv, "SMALLEST", smallest)
            tables.append(read_csv(path))
        _same(*tables)
    assert list(tables[0].data["c"]) == ["a"]


def test_odd_parquet_and_dataframe_columns(tmp_path):
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"x": [1.0, 2.0] * 20, "l": [[1, 2]] * 40, "b": [b"\xff\xfe", b"ok"] * 20,
                             "flag": [True, False] * 20, "y": ["p", "q"] * 20}), tmp_path / "odd.parquet")
    table = datasets.resolve(str(tmp_path / "odd.parquet"))
    assert table.data["l"][0] == "[1, 2]" and table.data["b"][0] == "\\xff\\xfe"
    frame = pd.DataFrame({"x": np.arange(40.0), "flag": [True, False] * 20,
                          "n": pd.Series([1.5, None, 2.0, 3.0] * 10, dtype=object), "y": ["p", "q"] * 20})
    framed = datasets.resolve(frame)
    assert set(framed.data["flag"]) == set(table.data["flag"]) == {"True", "False"}
    assert framed.is_numeric("n") and np.isnan(framed.numbers("n")[1]) and framed.numbers("n")[2] == 2.0


def test_parquet_integers_past_float64_keep_their_exact_text(tmp_path):
    """(Once a pyarrow traceback: "Integer value 2295172395842803444 not in range" from a safe cast to float64.)"""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    big = [2295172395842803444, -(2**63), 7, None] * 10
    pq.write_table(pa.table({"big": pa.array(big, pa.int64()), "y": ["p", "q"] * 20}), tmp_path / "ints.parquet")
    table = datasets.resolve(str(tmp_path / "ints.parquet"))
    assert table.is_numeric("big") and table.numbers("big")[0] == 2295172395842803444.0
    assert [table.text("big", i) for i in range(3)] == ["2295172395842803444", str(-(2**63)), "7"]


def test_a_column_present_only_outside_the_training_rows_is_left_out(tmp_path):
    rows = "".join(f"{i},{'7.5' if i == 3 else ''},{'pq'[i % 2]}\n" for i in range(50))
    import warnings

    left_out = 0
    for seed in range(6):
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            model = gn.train_table(write(tmp_path, "x,z,y\n" + rows), "y", epochs=1, seed=seed)
        if "z" not in model.preprocessing.input_columns:
            left_out += 1
            assert any("column 'z' is empty in every training row" in str(w.message) for w in said)
        else:
            assert model.preprocessing.columns[1].fill == 7.5
    assert left_out, "no seed put the one 'z' cell outside the training rows"


def test_predict_table_warns_as_predict_does(tmp_path):
    model = gn.train_table(write(tmp_path, PENGUINS), "species", ignore="id", epochs=2)
    with pytest.warns(UserWarning, match="never seen in training, encoded as all zeros: 'island' 1"):
        model.predict_table(write(tmp_path, "island,bill,flipper,sex\nAtlantis,40,190,male\n", "n.csv"))


def test_predict_copies_ids_as_written(tmp_path, capsys):
    code, model = train(tmp_path, PENGUINS, "--target", "species", "--ignore", "id")
    capsys.readouterr()
    new = write(tmp_path, "pid,island,bill,flipper,sex\n00123,Dream,40,190,male\n1.50,Dream,41,191,male\n"
                          "NA,Dream,42,192,male\n", "ids.csv")
    assert main(["predict", model, new, "--id", "pid,bill"]) == 0
    assert [line.split(",")[:2] for line in capsys.readouterr().out.splitlines()] == [
        ["pid", "bill"], ["00123", "40"], ["1.50", "41"], ["NA", "42"]]


def test_decimal_commas_with_point_thousands_are_named(tmp_path):
    text = "a;y\n-1.462,54;0\n606,37;1\n1.000,5;0\n"
    for decimal in (".", ","):
        with pytest.raises(InputError, match=r"'-1.462,54' is a number written with '.' between thousands and a "
                                             r"decimal comma; remove the thousands separators and pass --decimal ,"):
            read_csv(write(tmp_path, text), decimal=decimal).is_numeric("a")


def test_train_table_names_bad_arguments(tmp_path):
    data = write(tmp_path, PENGUINS)
    with pytest.raises(InputError, match="target must be a column name"):
        gn.train_table(data, 2)
    with pytest.raises(InputError, match="hidden must be a list of layer sizes"):
        gn.train_table(data, "species", hidden=16)
    with pytest.raises(InputError, match=r"did you mean 'species'"):
        gn.train_table(data, "Species")


def test_a_cell_may_be_as_long_as_a_line_and_the_csv_limit_is_put_back(tmp_path, monkeypatch):
    """README: lines up to 10,000,000 characters; the csv module alone takes cells of 131,072."""
    import csv

    from glassnet.tabular import arrowcsv

    rows = "".join(f"{i},{'z' * 200_000 if i == 3 else 'a'},{i % 2}\n" for i in range(6))
    path = write(tmp_path, "x,note,y\n" + rows)
    for smallest in (10**12, 0):  # (the csv module's reader, and Arrow's where pyarrow is there)
        monkeypatch.setattr(arrowcsv, "SMALLEST", smallest)
        assert len(read_csv(path).data["note"][3]) == 200_000
        assert csv.field_size_limit() == 131072


def test_files_read_at_once_in_threads_all_take_long_cells_and_the_limit_comes_back(tmp_path):
    import csv
    import threading

    path = write(tmp_path, "x,note\n" + "".join(f"{i},{'z' * 150_000}\n" for i in range(4)))
    lengths, start = [], threading.Barrier(4)

    def read():
        start.wait()
        for _ in range(3):
            lengths.append(len(read_csv(path, sep=",").data["note"][0]))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert lengths == [150_000] * 12
    assert csv.field_size_limit() == 131072



def test_predictions_made_in_chunks_are_those_of_the_whole_table(tmp_path, monkeypatch, capsys):
    """Model.outputs_of makes and computes ROWS_AT_ONCE rows at a time: the same outputs, the same counts of
    filled and unseen cells, and an error at a row of a later chunk named by its own line."""
    from glassnet.tabular import model as model_module

    model = gn.train_table(write(tmp_path, PENGUINS), "species", preset="quick", epochs=3, seed=0, ignore="id")
    model.save(tmp_path / "m.safetensors")
    new = write(tmp_path, PENGUINS.replace("Dream", "Mars", 1), "new.csv")
    line = 1 + next(i for i, row in enumerate(PENGUINS.splitlines()) if "Dream" in row)
    with pytest.warns(UserWarning, match=r"'island' 1 row\(s\)"):
        whole = model.predict_proba_table(new)
    monkeypatch.setattr(model_module, "ROWS_AT_ONCE", 2)
    made, inputs = [], type(model.preprocessing).inputs
    monkeypatch.setattr(type(model.preprocessing), "inputs", lambda prep, table, **kw: made.append(len(table)) or
                        inputs(prep, table, **kw))
    with pytest.warns(UserWarning, match=r"'island' 1 row\(s\)"):
        np.testing.assert_allclose(model.predict_proba_table(new), whole, rtol=1e-12)
    assert max(made) == 2 and sum(made) == len(whole)  # (never the whole table's inputs at once)
    with pytest.raises(InputError, match=f"line {line}, column 'island': category 'Mars' was never seen"):
        model.predict_table(new, unknown="error")
    assert main(["predict", str(tmp_path / "m.safetensors"), new, "--proba"]) == 0
    printed = [row.split(",")[1:] for row in capsys.readouterr().out.splitlines()[1:]]
    np.testing.assert_allclose(np.array(printed, dtype=float), whole, rtol=1e-5)
