"""CSV reading, preprocessing (checked against scikit-learn), splits and bundled datasets."""

import json

import numpy as np
import pytest
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from glassnet.cli import main
from glassnet.errors import InputError, ModelFileError
from glassnet.tabular import cells, datasets, fitting, preprocessing, splits
from glassnet.tabular import csvfile as tables
from glassnet.tabular import workflow as table_training
from glassnet.tabular.table import Table


def write(tmp_path, text, name="t.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return str(path)


def rows(table):
    """Each row's cells as text (numbers written back as short text: 2.0 as '2')."""
    return [[table.text(c, i) for c in table.columns] for i in range(len(table))]


def test_read_csv_bom_quotes_blank_lines_and_line_numbers(tmp_path):
    path = write(tmp_path, '\ufeff"size", "colour, shade" ,y\n1.5,"red, dark",a\n\n2,"multi\nline",b\n 3 ,blue,a\n')
    table = tables.read_csv(path)
    assert table.columns == ["size", "colour, shade", "y"]
    assert rows(table) == [["1.5", "red, dark", "a"], ["2", "multi\nline", "b"], ["3", "blue", "a"]]
    assert table.numbers("size").tolist() == [1.5, 2.0, 3.0]
    assert table.lines.tolist() == [2, 4, 6]  # the blank line 3 is skipped; the quoted cell spans lines 4 and 5


@pytest.mark.parametrize("text, match", [
    ("", "is empty"),
    ("a,b\n", "has a header but no data rows"),
    ("1,2\n3,4\n", "line 1 holds numbers, not column names"),
    ("a,,a\n1,2,3\n", "column 'a' appears twice"),
    ("a,b,a\n1,2,3\n", "column 'a' appears twice"),
    ("a,b\n1,2\n3\n4,5\n", r"line 3: 1 cell\(s\), but the header has 2 columns"),
    ("a,b\n1,2\n3,4,5\n", r"line 3: 3 cell\(s\)"),
])
def test_read_csv_errors_say_what_and_where(tmp_path, text, match):
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=match) as info:
        tables.read_csv(path)
    assert str(info.value).startswith(path)


def test_read_csv_missing_folder_and_binary(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        tables.read_csv(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="is a folder"):
        tables.read_csv(tmp_path)
    with pytest.raises(InputError, match="not UTF-8"):
        tables.read_csv(write(tmp_path, b"a,b\n\xff\xfe,1\n"))


def table_of(text, tmp_path):
    return tables.read_csv(write(tmp_path, text))


def test_mixed_column_names_both_cells(tmp_path):
    table = table_of("a,y\n1,x\n2,x\nabc,y\n", tmp_path)
    with pytest.raises(InputError, match=r"line 4, column 'a': 'abc' is not a number, but line 2 holds the number"):
        table.is_numeric("a")
    assert not table.is_numeric("y")


def test_missing_cells_are_reported_by_line_or_dropped(tmp_path):
    # (one more row than before, line 8: --missing drop keeps two classes to train on)
    table = table_of("a,b,y\n1,2,x\n,3,y\n4,nan,x\n5,inf,y\n6,7,\n8,9,x\n10,11,y\n", tmp_path)
    bad = {c: table.lines[table.missing(c) | (np.isinf(table.data[c]) if table.is_numeric(c) else False)].tolist()
           for c in ("a", "b", "y")}
    assert bad == {"a": [3], "b": [4, 5], "y": [6]}
    with pytest.raises(InputError, match=r"the target 'y' is missing on line 6 \(1 row\(s\)\)"):
        table_training.prepare(table, "y", "auto", 0, 0, 0, missing="error")
    labelled = table.take(np.flatnonzero(~table.missing("y")))
    with pytest.raises(InputError, match=r"column 'a' has empty, NaN or infinite cells on line 3 \(1 row\(s\)\) "
                                         r"\(and 1 more column\(s\)\); fill them in, or pass --missing impute"):
        table_training.prepare(labelled, "y", "auto", 0, 0, 0, missing="error")
    notes = table_training.Notes()
    kept = table_training.prepare(table, "y", "auto", 0, 0, 0, missing="drop", notes=notes)[1][0]
    assert kept.lines.tolist() == [2, 7, 8] and kept.numbers("a").tolist() == [1, 8, 10]
    assert notes.info == ["left out 1 row(s) whose target 'y' is missing",
                          "dropped 3 row(s) with missing or infinite cells ('a' 1, 'b' 2)"]


def test_numbers_names_the_bad_cell(tmp_path):
    # (a column's type is now decided for the whole file when it is read: rows taken from it keep the problem)
    table = table_of("a,b\n1,x\n2.5e3,y\nhello,z\n", tmp_path)
    with pytest.raises(InputError, match=r"t.csv line 4, column 'a': 'hello' is not a number"):
        table.numbers("a")
    with pytest.raises(InputError, match=r"t.csv line 2, column 'b': 'x' is not a number; the column holds text"):
        table.numbers("b")
    np.testing.assert_array_equal(table_of("a,b\n1,x\n2.5e3,y\n", tmp_path).numbers("a"), [1.0, 2500.0])


@pytest.fixture
def mixed(tmp_path):
    rng = np.random.default_rng(0)
    lines = ["height,colour,weight,kind"]
    for i in range(60):
        lines.append(f"{rng.normal(170, 10):.3f},{rng.choice(['red', 'green', 'blue'])},{rng.normal(70, 5):.3f},"
                     f"{['cat', 'dog'][i % 2]}")
    return table_of("\n".join(lines) + "\n", tmp_path)


def test_preprocessing_matches_sklearn_fitted_on_training_rows_only(mixed):
    prep, (train, val, test) = table_training.prepare(mixed, "kind", "auto", 0.2, 0.25, seed=3)
    assert prep.task == "classification" and prep.target.classes == ["cat", "dog"]
    assert prep.input_columns == ["height", "colour", "weight"]
    assert prep.feature_names == ["height", "colour=blue", "colour=green", "colour=red", "weight"]

    def sk_inputs(fit_rows, rows):
        nums = ["height", "weight"]
        scaler = StandardScaler().fit(np.column_stack([fit_rows.numbers(c) for c in nums]))
        onehot = OneHotEncoder(categories=[sorted(set(fit_rows.data["colour"]))], handle_unknown="ignore")
        onehot.fit(np.array(list(fit_rows.data["colour"]))[:, None])
        scaled = scaler.transform(np.column_stack([rows.numbers(c) for c in nums]))
        hot = onehot.transform(np.array(list(rows.data["colour"]))[:, None]).toarray()
        return np.column_stack([scaled[:, 0], hot, scaled[:, 1]])

    for rows in (train, val, test):
        np.testing.assert_allclose(prep.inputs(rows), sk_inputs(train, rows), rtol=1e-12, atol=1e-12)
    # fitted on the training rows only: the whole table's statistics differ
    assert not np.allclose(prep.inputs(test), sk_inputs(mixed, test))
    one = Table("x", mixed.columns, {"height": np.array([170.0]), "colour": np.array(["red"], dtype=object),
                                     "weight": np.array([70.0]), "kind": np.array(["cat"], dtype=object)},
                np.array([2]))
    np.testing.assert_allclose((np.array([[170.0, 0, 0, 1, 70.0]]) - prep.means) / prep.scales, sk_inputs(train, one))
    assert prep.has_categories
    np.testing.assert_array_equal([prep.means[1:4], prep.scales[1:4]], [[0, 0, 0], [1, 1, 1]])


def test_preprocessing_json_round_trip(mixed):
    prep, (train, _, test) = table_training.prepare(mixed, "kind", "auto", 0.2, 0.2, seed=1)
    again = preprocessing.Preprocessor.from_json(json.loads(json.dumps(prep.to_json())))
    np.testing.assert_array_equal(again.inputs(test), prep.inputs(test))
    np.testing.assert_array_equal(again.targets(test), prep.targets(test))
    assert again.to_json() == prep.to_json()


@pytest.mark.parametrize("mutate", [
    lambda s: s.pop("target"),
    lambda s: s.update(columns=[]),
    lambda s: s["columns"][0].update(kind="embedding"),
    lambda s: s["columns"][0].update(scale=0.0),
    lambda s: s["columns"][0].update(mean="1"),
    lambda s: s["columns"][1].update(categories=["a", "a"]),
    lambda s: s["target"].update(classes=["only"]),
    lambda s: s["target"].update(task="ranking"),
    lambda s: s.update(columns="height"),
])
def test_malformed_preprocessing_json_is_a_model_file_error(mixed, mutate):
    spec = table_training.prepare(mixed, "kind", "auto", 0.2, 0.2, seed=1)[0].to_json()
    mutate(spec)
    with pytest.raises(ModelFileError, match="preprocessing"):
        preprocessing.Preprocessor.from_json(spec)


def test_unseen_category_is_an_error_or_zeros(mixed, tmp_path):
    prep = table_training.prepare(mixed, "kind", "auto", 0.2, 0.2, seed=1)[0]
    new = table_of("height,colour,weight\n170,red,70\n160,purple,60\n", tmp_path)
    with pytest.raises(InputError, match=r"t.csv line 3, column 'colour': category 'purple' was never seen in "
                                         r"training"):
        prep.inputs(new, unknown="error")
    np.testing.assert_array_equal(prep.inputs(new, unknown="ignore")[1, 1:4], [0, 0, 0])
    np.testing.assert_array_equal(prep.inputs(new)[1, 1:4], [0, 0, 0])  # (zeros is now the default)
    with pytest.raises(InputError, match=r"lacks column\(s\) 'weight' that the model needs"):
        prep.inputs(table_of("height,colour\n1,red\n", tmp_path))


def test_targets_task_choice_and_numeric_class_names(tmp_path):
    table = table_of("x,code,value,word\n" + "".join(
        f"{i},{['1', '2.0', '10'][i % 3]},{i * 0.37:.2f},{'ab'[i % 2]}\n" for i in range(30)), tmp_path)
    assert fitting.choose_task(table, "code", "auto") == "classification"
    assert fitting.choose_task(table, "value", "auto") == "regression"
    assert fitting.choose_task(table, "word", "auto") == "classification"
    assert fitting.choose_task(table, "code", "regression") == "regression"
    with pytest.raises(InputError, match="target column 'word' holds text; regression needs numbers"):
        fitting.choose_task(table, "word", "regression")
    target = fitting.fit_classes(table, "code")
    assert target.classes == ["1", "2", "10"]  # by value; "2.0" and "2" are one class
    np.testing.assert_array_equal(target.encode(table)[:4], [0, 1, 2, 0])
    assert target.decode(np.eye(3)[[2, 0]]) == ["10", "1"]


def test_a_few_whole_numbers_read_as_a_regression_say_how_to_make_them_classes(tmp_path, capsys):
    few = tmp_path / "few.csv"
    few.write_text("x,y\n" + "".join(f"{i * 0.1:.1f},{i % 3}\n" for i in range(14)))
    assert main(["train", str(few), "--target", "y", "--preset", "quick", "--epochs", "2", "--out",
                 str(tmp_path / "m.gnm")]) == 0
    assert "warning: target 'y' holds 3 distinct whole numbers (0, 1, 2) in 14 rows, fewer than 5 rows per value, " \
        "so they are read as numbers to predict (regression); if they are classes, pass --task classification" in \
        capsys.readouterr().err
    table = table_of("x,y,z\n" + "".join(f"{i},{i % 3},{i * 0.5}\n" for i in range(30)), tmp_path)
    assert fitting.codes_as_numbers(table, "x") is None  # (30 distinct whole numbers: a measurement)
    assert fitting.codes_as_numbers(table, "z") is None  # (not whole)
    assert main(["train", str(few), "--target", "y", "--task", "regression", "--preset", "quick", "--epochs", "2",
                 "--out", str(tmp_path / "m.gnm")]) == 0
    assert "distinct whole numbers" not in capsys.readouterr().err


def test_regression_target_is_standardized_on_training_rows_and_decoded(tmp_path):
    table = table_of("x,y\n" + "".join(f"{i},{3 * i + 1}\n" for i in range(24)), tmp_path)
    prep, (train, _, test) = table_training.prepare(table, "y", "auto", 0.0, 0.25, seed=0)
    y_train = train.numbers("y")
    assert prep.task == "regression" and prep.target.mean == pytest.approx(y_train.mean())
    assert prep.target.scale == pytest.approx(y_train.std())
    encoded = prep.targets(test)
    np.testing.assert_allclose(prep.target.decode(encoded), test.numbers("y"))


def test_single_class_and_no_inputs(tmp_path):
    with pytest.raises(InputError, match="target column 'y' has a single class 'a'"):
        table_training.prepare(table_of("x,y\n1,a\n2,a\n", tmp_path), "y", "auto", 0, 0, 0)
    with pytest.raises(InputError, match="no column besides the target 'y'"):
        table_training.prepare(table_of("y\na\nb\n", tmp_path), "y", "auto", 0, 0, 0)


def test_stratified_split_is_proportional_disjoint_and_reproducible():
    labels = np.repeat([0, 1, 2], [60, 30, 10])
    train, val, test = splits.split(100, labels, 0.2, 0.3, seed=7)
    assert sorted(np.concatenate([train, val, test])) == list(range(100))
    assert (len(train), len(val), len(test)) == (50, 20, 30)
    assert np.bincount(labels[test]).tolist() == [18, 9, 3]  # 30% of each class
    assert np.bincount(labels[val]).tolist() == [12, 6, 2]
    again = splits.split(100, labels, 0.2, 0.3, seed=7)
    other = splits.split(100, labels, 0.2, 0.3, seed=8)
    assert all(np.array_equal(a, b) for a, b in zip((train, val, test), again))
    assert not np.array_equal(test, other[2])


def test_split_rounding_follows_the_largest_remainders():
    labels = np.repeat([0, 1, 2], [5, 3, 2])  # 40% test: quotas 2, 1.2, 0.8 -> 2, 1, 1
    test = splits.split(10, labels, 0.0, 0.4, seed=0)[2]
    assert np.bincount(labels[test], minlength=3).tolist() == [2, 1, 1]


@pytest.mark.parametrize("n, labels, val, test, match", [
    (4, None, 0.1, 0.0, "4 rows are too few for --val-split 0.1"),
    (2, np.array([0, 1]), 0.0, 0.5, "class 'a' has 1 row"),
    (10, None, 0.5, 0.5, "must be below 1"),
    (10, None, -0.1, 0.2, r"--val-split must be in \[0, 1\)"),
])
def test_split_errors(n, labels, val, test, match):
    with pytest.raises(InputError, match=match):
        splits.split(n, labels, val, test, 0, ["a", "b"], "d.csv")


def test_bundled_datasets():
    sizes = {"circles": 200, "iris": 150, "moons": 200, "spirals": 300, "xor": 4}
    for name, spec in datasets.DATASETS.items():
        table = datasets.load(name)
        assert table.columns[-1] == spec.target and len(table) == sizes[name]
        again = datasets.load(name)  # generated from a fixed seed
        assert all(np.array_equal(again.data[c], table.data[c]) for c in table.columns)
    iris = datasets.load("iris")
    assert len(iris) == 150 and iris.columns[-1] == "species"
    assert np.unique(iris.data["species"], return_counts=True)[1].tolist() == [50] * 3
    means = [iris.numbers(c).mean() for c in iris.columns[:4]]
    np.testing.assert_allclose(means, [5.8433, 3.0573, 3.758, 1.1993], atol=1e-4)  # Fisher's published means
    xor = datasets.load("xor")
    assert np.column_stack([xor.numbers(c) for c in ("x1", "x2", "y")]).tolist() == [[0, 0, 0], [0, 1, 1], [1, 0, 1],
                                                                                    [1, 1, 0]]
    for name in ("moons", "circles", "spirals"):
        labels = datasets.load(name).numbers("label")
        assert (labels == 0).sum() == (labels == 1).sum() and set(labels) == {0, 1}


def test_circles_radii_and_moons_shape():
    X, y = datasets.circles(noise=0.0)
    np.testing.assert_allclose(np.hypot(*X.T), np.where(y == 0, 1.0, 0.5))
    X, y = datasets.moons(noise=0.0)
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1.0)


def test_resolve_prefers_files_and_names_bundled_sets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert datasets.resolve("iris").source == "iris"
    (tmp_path / "iris").write_text("a,b\n1,2\n")
    assert datasets.resolve("iris").columns == ["a", "b"]
    with pytest.raises(InputError, match=r"nope.csv: no such file \(nor a bundled dataset: circles, iris"):
        datasets.resolve("nope.csv")


def test_a_cell_of_100000_digits_is_read_at_once(tmp_path):
    """Found by fuzzing: the number pattern tried every way to split a long run of digits (hours for this cell)."""
    import time

    start = time.perf_counter()
    table = table_of("a,y\n" + "7" * 100_000 + "-1.5,x\n2,y\n", tmp_path)
    with pytest.raises(InputError, match=r"'7777.*'\.\.\.\(100,004 characters\) is not a number, but line 3 holds"):
        table.is_numeric("a")
    assert cells.class_label("9" * 5000) == "inf"  # (past Python's 4,300-digit int conversion: as a float)
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("cells_written", [
    ["1", "1.0", "2", "", "NA", "-999", "3e0", "2"],  # numbers: 1 and 1.0 one class; -999 named missing below
    ["9007199254740993", "9007199254740992", "", "9007199254740993"],  # past 2**53: kept as written
    ["0E0", "00M", "0E0", "", "1A", "2B", "3C"],  # codes float() reads, among codes of letters and digits
    ["b", "a", "", "NA", "a", "c"],  # text with missing cells
])
def test_class_labels_are_named_cell_by_cell_however_many_rows_share_them(tmp_path, cells_written):
    """Target.label_codes names each distinct cell once: the rows' labels are what naming each cell alone gives."""
    text = "x,y\n" + "".join(f"{i},{cell}\n" for i, cell in enumerate(cells_written))
    table = tables.read_csv(write(tmp_path, text), na_values=["-999"])
    target = preprocessing.Target("y", "classification", numeric=table.is_numeric("y"))
    missing = table.missing("y")
    kept = table.exact.get("y", table.data["y"]) if table.is_numeric("y") else table.data["y"]
    expected = [None if gone else (cells.class_label(cell) if table.is_numeric("y") else cell)
                for gone, cell in zip(missing, kept)]
    names, rows = target.label_codes(table)
    assert [names[k] for k in rows] == expected
    target.classes = sorted(set(expected) - {None})
    if None not in expected:
        assert [target.classes[k] for k in target.encode(table)] == expected
    else:
        with pytest.raises(InputError, match=f"line {2 + expected.index(None)}.*the class is missing"):
            target.encode(table)
