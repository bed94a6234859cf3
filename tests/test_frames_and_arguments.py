"""DataFrames as practitioners hand them over, and train_table's arguments of the wrong kind: a nullable integer
column that is missing in every row given, a ``category`` column of numbers (read as a CSV file would be), real
floats in a text column with a decimal comma, a column of categories that is all missing tokens when it is also
copied out with --id; a separator, decimal mark, column list or callback of the wrong type is an InputError naming
it, and any list-like of names is taken."""

import numpy as np
import pandas as pd
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.errors import InputError

QUIET = {"say": lambda text: None, "warn": lambda text: None}


def frame(n=200, seed=0):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"a": rng.normal(size=n), "k": pd.array(rng.integers(0, 9, n), dtype="Int64")})
    data["y"] = np.where(data["a"] > 0, "p", "n")
    return data


def test_a_nullable_integer_cell_missing_in_the_only_row_is_filled_as_any_missing_cell():
    data = frame()
    data.loc[0, "k"] = pd.NA
    model = gn.train_table(data, "y", epochs=2, ensemble=2, **QUIET)
    alone, together = model.predict_proba_table(data.iloc[[0]]), model.predict_proba_table(data.iloc[:3])
    np.testing.assert_allclose(alone[0], together[0], rtol=1e-6)
    empty = data.assign(k=pd.array([pd.NA] * len(data), dtype="Int64"))
    warned = []
    model = gn.train_table(empty, "y", epochs=2, ensemble=2, say=lambda text: None, warn=warned.append)
    assert "k" not in model.preprocessing.input_columns and any("'k' is empty in every row" in w for w in warned)


def test_a_category_column_is_read_as_a_csv_file_would_be_and_real_floats_stay_numbers_with_a_decimal_comma():
    rng = np.random.default_rng(1)
    rooms = rng.integers(1, 6, 240)
    data = pd.DataFrame({"rooms": pd.Series(rooms).astype("category"), "a": rng.normal(size=240).round(3)})
    data["y"] = np.where(rooms > 3, "big", "small")
    model = gn.train_table(data, "y", epochs=40, seed=0, **QUIET)
    assert model.preprocessing.feature_names == ["rooms", "a"]  # (a number, as models before it were trained)
    assert model.predict_table(data.head(30)) == model.predict_table(data.head(30).assign(rooms=rooms[:30]))
    mixed = data.assign(a=data["a"].astype(object))
    mixed.loc[0, "a"] = None  # (an object column of real floats, and one missing cell)
    comma = gn.train_table(mixed, "y", decimal=",", epochs=2, ensemble=2, **QUIET)
    assert comma.preprocessing.feature_names[:2] == ["rooms", "a"]  # (one number, not 240 categories)
    np.testing.assert_allclose(comma.predict_proba_table(mixed.head(5)), comma.predict_proba_table(
        mixed.head(5).assign(a=[None, *(str(v).replace(".", ",") for v in mixed["a"][1:5])])), rtol=1e-6)


def test_copying_a_category_column_out_with_id_leaves_its_missing_cells_missing(tmp_path, capsys):
    rng = np.random.default_rng(2)
    x = rng.normal(size=300).round(3)
    c = rng.choice(["a", "b", "", "NA"], 300)
    lines = [f"{a},{b},{int(a + (b == 'a') > 0)}" for a, b in zip(x, c)]
    (tmp_path / "t.csv").write_text("\n".join(["x,c,y", *lines]) + "\n")
    model = tmp_path / "m.safetensors"
    assert main(["train", str(tmp_path / "t.csv"), "--target", "y", "--epochs", "5", "--ensemble", "2",
                 "--quiet", "--out", str(model)]) == 0
    (tmp_path / "p.csv").write_text("x,c\n0.5,NA\n0.5,\n")  # (a column of missing cells only: read as numbers)
    outputs = []
    for extra in ([], ["--id", "c"]):
        capsys.readouterr()
        assert main(["predict", str(model), str(tmp_path / "p.csv"), "--proba", *extra]) == 0
        captured = capsys.readouterr()
        assert "never seen in training" not in captured.err
        outputs.append([line.split(",")[-2:] for line in captured.out.splitlines()[1:]])
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("options, message", [
    ({"sep": 5}, "--sep must be one character"),
    ({"sep": "!!"}, "--sep must be one character"),
    ({"decimal": "x"}, "--decimal must be '.' or ','; got 'x'"),
    ({"decimal": 5}, "--decimal must be '.' or ','; got 5"),
    ({"ignore": 5}, "ignore must be text"),
    ({"ignore": {"k": 1}}, "ignore must be text"),
    ({"na_values": 5}, "--na-values must be text"),
    ({"say": 5}, "say must be a function"),
    ({"warn": "loud"}, "warn must be a function"),
])
def test_train_table_names_an_argument_of_the_wrong_kind(options, message):
    for data in (frame(), "iris"):  # (a DataFrame's model keeps sep and decimal for the files it reads later)
        with pytest.raises(InputError, match=message.replace("(", r"\(").replace(".", r"\.")):
            gn.train_table(data, "y" if not isinstance(data, str) else "species", epochs=1, **options)


def test_the_estimators_refuse_hidden_layer_sizes_given_as_text():
    from glassnet.sklearn import GlassnetClassifier

    X, y = np.random.default_rng(0).normal(size=(20, 2)), np.array([0, 1] * 10)
    with pytest.raises(InputError, match="hidden_layer_sizes must be a size or a list of sizes; got '32'"):
        GlassnetClassifier(hidden_layer_sizes="32", epochs=1).fit(X, y)


def test_a_dataframe_or_parquet_file_of_decimal_comma_text_is_read_with_the_decimal_mark_given(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=200).round(2)
    data = pd.DataFrame({"x": [str(v).replace(".", ",") for v in x], "y": np.where(x > 0, "p", "n")})
    with pytest.raises(InputError, match="'x': '[-0-9]+,[0-9]+' is a number written with a decimal comma"):
        gn.train_table(data, "y", epochs=1, **QUIET)
    model = gn.train_table(data, "y", decimal=",", epochs=40, seed=0, **QUIET)
    assert model.preprocessing.feature_names == ["x"]  # (one number, not 200 categories)
    assert model.predict_table(data.head(20)) == list(data["y"].head(20))  # (read with the model's mark)
    pytest.importorskip("pyarrow")
    data.to_parquet(tmp_path / "t.parquet")
    again = gn.train_table(tmp_path / "t.parquet", "y", decimal=",", epochs=40, seed=0, **QUIET)
    assert again.predict_table(tmp_path / "t.parquet")[:20] == list(data["y"].head(20))


@pytest.mark.parametrize("names", [np.array(["k"]), pd.Index(["k"]), (n for n in ["k"]), {"k": 1}.keys()])
def test_any_list_like_of_names_is_taken(names):
    model = gn.train_table(frame(), "y", ignore=names, epochs=1, ensemble=2, **QUIET)
    assert model.preprocessing.input_columns == ["a"]


def test_a_file_remembers_the_reading_options_it_was_given(tmp_path):
    from glassnet.tabular.datasets import resolve

    (tmp_path / "t.csv").write_text("a;b\n1,5;x\n-999;y\n")
    table = resolve(tmp_path / "t.csv", sep=";", decimal=",", na_values=["-999"])
    assert table.read_with == {"sep": ";", "decimal": ",", "na_values": ["-999"]}
    again = resolve(tmp_path / "t.csv", **table.read_with)
    np.testing.assert_array_equal(again.data["a"], [1.5, np.nan])
    assert resolve(tmp_path / "t.csv", decimal=",").read_with == {"decimal": ","}  # (the separator: found again)
    pytest.importorskip("pyarrow")
    pd.DataFrame({"a": ["1,5", "-999"]}).to_parquet(tmp_path / "t.parquet")
    assert resolve(tmp_path / "t.parquet", decimal=",", na_values=["-999"]).read_with == {
        "decimal": ",", "na_values": ["-999"]}


def test_a_name_given_twice_is_named_with_its_option():
    with pytest.raises(InputError, match=r"'-999' is given twice in --na-values \('-999', '-999'\)"):
        gn.train_table(frame(), "y", na_values="-999,-999", epochs=1)
    with pytest.raises(InputError, match=r"'a' is given twice in --ignore"):
        gn.train_table(frame(), "y", ignore=["a", "a"], epochs=1)
