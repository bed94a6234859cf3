"""Tables as R, pandas and spreadsheets write them: row names (an empty first header cell, or a column named
``rownames``) are left out, a column that numbers the rows is warned of, empty header cells get a name, whole
numbers are classes only when there are rows enough for each, common missing-cell spellings are read as
missing, and a mixed column's error says what to do."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main


def rows(n=120, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).round(3)
    return x, np.where(x[:, 0] + x[:, 1] > 0, "yes", "no")


def write(path, header, lines):
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def train(path, *options, target="y"):
    out = path.with_suffix(".safetensors")
    code = main(["train", str(path), "--target", target, "--epochs", "3", "--ensemble", "2", "--out", str(out),
                 *options])
    return code, out


def inputs_of(path):
    return [c.name for c in gn.load_model(path).preprocessing.columns]


@pytest.mark.parametrize("header, cell", [('"","a","b","y"', '"{i}"'),  # R's write.csv
                                          (",a,b,y", "{i0}"),  # pandas' to_csv with its index
                                          ("rownames,a,b,y", "car {i}")])  # Rdatasets' row names
def test_row_names_are_left_out_and_said(tmp_path, capsys, header, cell):
    x, y = rows()
    lines = [f"{cell.format(i=i + 1, i0=i)},{a},{b},{label}" for i, ((a, b), label) in enumerate(zip(x, y))]
    code, model = train(write(tmp_path / "t.csv", header, lines))
    assert code == 0
    out = capsys.readouterr().out
    assert "row names (a different value in every row), not an input" in out
    assert inputs_of(model) == ["a", "b"]
    assert main(["predict", str(model), str(tmp_path / "t.csv")]) == 0  # (the file's own row names are no bother)


def test_a_rownames_column_that_repeats_is_an_input(tmp_path, capsys):
    x, y = rows()
    lines = [f"{i % 3},{a},{label}" for i, ((a, _), label) in enumerate(zip(x, y))]
    code, model = train(write(tmp_path / "t.csv", "rownames,a,y", lines))
    assert code == 0 and inputs_of(model) == ["rownames", "a"]
    assert "row names" not in capsys.readouterr().out


def test_empty_header_cells_are_named_and_an_empty_trailing_column_is_left_out(tmp_path, capsys):
    x, y = rows()
    lines = [f"{a},{b},{label}," for (a, b), label in zip(x, y)]  # (a spreadsheet's trailing comma)
    code, model = train(write(tmp_path / "t.csv", "a,,y,", lines))
    assert code == 0 and inputs_of(model) == ["a", "(unnamed column 2)"]
    assert "column '(unnamed column 4)' is empty in every row; it is left out" in capsys.readouterr().err


def test_a_column_that_numbers_the_rows_is_warned_of(tmp_path, capsys):
    x, y = rows()
    lines = [f"{i},{1900 + i},{a},{label}" for i, ((a, _), label) in enumerate(zip(x, y))]
    assert train(write(tmp_path / "t.csv", "id,year,a,y", lines))[0] == 0
    err = capsys.readouterr().err
    assert "column 'id' numbers the rows (0, 1, 2, ...): an id?" in err and "--ignore id" in err
    assert "'year'" not in err  # (rising whole numbers that do not start at 0 or 1: a real input)


@pytest.mark.parametrize("values, task", [
    ([3, 7, 9, 12, 15, 18, 20, 22, 25, 28, 31, 33, 35, 38] + [3, 7, 9, 12, 15, 18, 20], "regression"),  # 14 in 21
    (list(range(16)), "regression"),  # one row each
    ([0, 1] * 4, "classification"),  # two values are classes, however few the rows
    ([1, 2, 3] * 50, "classification"),
])
def test_whole_numbers_are_classes_only_with_rows_enough_for_each(tmp_path, capsys, values, task):
    x = np.random.default_rng(1).normal(size=len(values)).round(3)
    path = write(tmp_path / "t.csv", "a,y", [f"{a},{v}" for a, v in zip(x, values)])
    code, model = train(path, "--test-split", "0", "--val-split", "0")
    assert code == 0 and gn.load_model(model).preprocessing.task == task


def test_a_class_the_test_rows_lack_is_warned_of(tmp_path, capsys):
    x = np.random.default_rng(2).normal(size=300).round(3)
    labels = ["a"] * 298 + ["b"] * 2  # (a fifth of 2 rows rounds to no test row)
    assert train(write(tmp_path / "t.csv", "x,y", [f"{v},{c}" for v, c in zip(x, labels)]))[0] == 0
    assert "the 60 test rows hold no row of class(es) 'b'" in capsys.readouterr().err
    x, y = rows()
    assert train(write(tmp_path / "u.csv", "a,b,y", [f"{a},{b},{c}" for (a, b), c in zip(x, y)]))[0] == 0
    assert "test rows hold no row" not in capsys.readouterr().err


@pytest.mark.parametrize("token", ["#N/A", "n/a", "<NA>"])
def test_another_spelling_of_a_missing_cell_is_named_with_the_option_that_reads_it(tmp_path, capsys, token):
    x, y = rows()
    lines = [f"{token if i % 10 == 0 else a},{b},{label}" for i, ((a, b), label) in enumerate(zip(x, y))]
    path = write(tmp_path / "t.csv", "a,b,y", lines)
    assert train(path)[0] == 2
    assert f"if '{token}' marks a missing cell, pass --na-values=" in capsys.readouterr().err
    assert train(path, f"--na-values={token}")[0] == 0
    assert "imputed missing cells: 'a' 12 row(s)" in capsys.readouterr().out


@pytest.mark.parametrize("cell, said", [
    ("missing", "'missing' is not a number, but line 2 holds the number '0.126'; a column holds numbers or text, "
                "not both; if 'missing' marks a missing cell, pass --na-values=missing (in Python: "
                "na_values=['missing'])"),
    ("-", "if '-' marks a missing cell, pass --na-values=- "),
    ('"a\nb"', "a column holds numbers or text, not both\n"),  # (no advice to name a cell that spans lines)
])
def test_a_few_words_among_numbers_are_named_with_a_way_out(tmp_path, capsys, cell, said):
    x, y = rows()
    lines = [f"{cell if i == 5 else a},{label}" for i, ((a, _), label) in enumerate(zip(x, y))]
    assert train(write(tmp_path / "t.csv", "a,y", lines))[0] == 2
    assert said in capsys.readouterr().err


def test_a_number_among_words_is_the_one_named(tmp_path, capsys):
    x, y = rows()
    sizes = ["S", "M", "L"]
    lines = [f"{'10' if i == 50 else sizes[i % 3]},{a},{label}" for i, ((a, _), label) in enumerate(zip(x, y))]
    assert train(write(tmp_path / "t.csv", "size,a,y", lines))[0] == 2
    assert "line 52, column 'size': '10' is a number, but the column holds text (such as 'S', line 2)" \
        in capsys.readouterr().err


def test_a_class_too_small_names_only_the_splits_that_took_its_rows(tmp_path, capsys):
    path = write(tmp_path / "t.csv", "x,y", [f"{i},{60000 + 37 * i}" for i in range(1, 17)])
    assert train(path, "--task", "classification")[0] == 2  # (an ensemble: no common validation split)
    assert "too few for --test-split 0.2 to leave it a training row" in capsys.readouterr().err
    assert train(path, "--task", "classification", "--ensemble", "1")[0] == 2
    assert "too few for --val-split 0.1 and --test-split 0.2 to leave" in capsys.readouterr().err


def test_train_table_leaves_out_the_row_names_of_a_data_frame_read_back_by_pandas():
    pd = pytest.importorskip("pandas")
    x, y = rows()
    frame = pd.DataFrame({"Unnamed: 0": np.arange(len(y)), "a": x[:, 0], "b": x[:, 1], "y": y})
    said = []
    model = gn.train_table(frame, "y", epochs=2, ensemble=2, warn=said.append)
    assert [c.name for c in model.preprocessing.columns] == ["a", "b"]


@pytest.mark.parametrize("write_number", ["{:.1f}%", "${:.2f}", "€ {:.2f}"])
def test_numbers_written_with_a_unit_are_named_not_read_as_categories(tmp_path, capsys, write_number):
    x, y = rows()
    lines = [f"{write_number.format(abs(a) * 10)},{b},{label}" for (a, b), label in zip(x, y)]
    assert train(write(tmp_path / "t.csv", "a,b,y", lines))[0] == 2
    assert "is a number written with a unit ('%', '$', ...); write the numbers alone" in capsys.readouterr().err


def test_words_that_end_in_a_percent_sign_are_text(tmp_path):
    x, y = rows()
    lines = [f"{['low%', 'high%'][i % 2]},{a},{label}" for i, ((a, _), label) in enumerate(zip(x, y))]
    code, model = train(write(tmp_path / "t.csv", "level,a,y", lines))
    assert code == 0 and inputs_of(model) == ["level", "a"]


def test_a_number_token_is_missing_however_the_number_is_written(tmp_path, capsys):
    x, y = rows()
    written = ["-999", "-999.0", "-9.99e2"]
    lines = [f"{written[i % 3] if i % 10 == 0 else a},{b},{label}" for i, ((a, b), label) in enumerate(zip(x, y))]
    assert train(write(tmp_path / "t.csv", "a,b,y", lines), "--na-values=-999")[0] == 0
    assert "imputed missing cells: 'a' 12 row(s)" in capsys.readouterr().out


def test_a_number_below_one_with_a_comma_is_a_decimal_comma_not_thousands(tmp_path, capsys):
    x, y = rows()
    lines = [f"0,{int(abs(a) * 300) % 1000:03d};{label}" for (a, _), label in zip(x, y)]
    assert train(write(tmp_path / "t.csv", "a;y", lines))[0] == 2
    assert f"'0,{lines[0][2:5]}' is a number written with a decimal comma; pass --decimal ," \
        in capsys.readouterr().err


@pytest.mark.parametrize("write_date", ["2024-{:02d}-{:02d}", "{}/{}/2024", "2024-{:02d}-{:02d} 10:30:00",
                                        "2024/{:02d}/{:02d}", "{1:02d}.{0:02d}.2024"])
def test_a_column_of_dates_is_warned_of(tmp_path, capsys, write_date):
    x, y = rows()
    lines = [f"{write_date.format(1 + i % 12, 1 + i % 28)},{a},{label}" for i, ((a, _), label) in enumerate(zip(x, y))]
    assert train(write(tmp_path / "t.csv", "day,a,y", lines))[0] == 0
    err = capsys.readouterr().err
    assert "column 'day' holds dates, which are read as text" in err and "--ignore day" in err
    assert "an id?" not in err


def test_version_numbers_are_not_dates(tmp_path, capsys):
    x, y = rows()
    lines = [f"3.{i % 5}.{10 + i % 7},{a},{label}" for i, ((a, _), label) in enumerate(zip(x, y))]
    assert train(write(tmp_path / "t.csv", "version,a,y", lines))[0] == 0
    assert "holds dates" not in capsys.readouterr().err


@pytest.mark.parametrize("arrow", [False, True])
def test_numbers_written_with_a_leading_zero_are_warned_of_as_codes(tmp_path, capsys, monkeypatch, arrow):
    """Zip codes such as 02134 read as the number 2134: said, with the line, in both readers."""
    from glassnet.tabular import arrowcsv

    if arrow:
        pytest.importorskip("pyarrow")
    monkeypatch.setattr(arrowcsv, "SMALLEST", 0 if arrow else 10**12)
    x, y = rows()
    codes = ["10001", "94110", "02134"]
    lines = [f"{codes[i % 3]},{a},{label}" for i, ((a, _), label) in enumerate(zip(x, y))]
    assert train(write(tmp_path / "t.csv", "zip,a,y", lines))[0] == 0
    err = capsys.readouterr().err
    assert "column 'zip' holds numbers written with a leading zero ('02134', line 4), as codes are; they are read " \
        "as numbers (2134)" in err and "--ignore zip" in err
    assert train(write(tmp_path / "t.csv", "zip,a,y", [line.replace("02134", "2134") for line in lines]))[0] == 0
    assert "leading zero" not in capsys.readouterr().err
    assert train(write(tmp_path / "t.csv", "zip,a,y", [line.replace("02134", "0.5") for line in lines]))[0] == 0
    assert "leading zero" not in capsys.readouterr().err
    for blanks in (" 02134", "02134 ", "\t02134"):  # (both readers strip the blanks around a cell)
        assert train(write(tmp_path / "t.csv", "zip,a,y", [line.replace("02134", blanks) for line in lines]))[0] == 0
        assert "column 'zip' holds numbers written with a leading zero ('02134', line 4)" in capsys.readouterr().err


def test_measurements_under_an_empty_first_header_cell_stay_an_input(tmp_path, capsys):
    x, y = rows()
    lines = [f"{a},{b},{label}" for (a, b), label in zip(x, y)]
    code, model = train(write(tmp_path / "t.csv", ",b,y", lines))
    assert code == 0 and inputs_of(model) == ["(unnamed column 1)", "b"]
    assert "row names" not in capsys.readouterr().out


@pytest.mark.parametrize("cells, sep", [(['"$1,059.27"', '"$100.00"'], ","), (["-$3.50", "$4.00"], ","),
                                        (["1059.27 €", "3 €"], ","), (["10,6%", "3,5%"], ";")])
def test_other_ways_of_writing_units_are_named_too(tmp_path, capsys, cells, sep):
    x, y = rows(16)
    lines = [sep.join([cells[i % 2], str(a).replace(".", "," if sep == ";" else "."), label])
             for i, ((a, _), label) in enumerate(zip(x, y))]
    decimal = ("--decimal", ",") if sep == ";" else ()
    assert train(write(tmp_path / "t.csv", sep.join(["money", "a", "y"]), lines), *decimal, "--test-split", "0")[0] == 2
    assert "is a number written with a unit" in capsys.readouterr().err


def test_a_whole_number_class_too_small_to_train_names_task_regression(tmp_path, capsys):
    x = np.random.default_rng(3).normal(size=100).round(3)
    values = [0] * 87 + list(range(1, 14))  # (counts: 14 values in 100 rows, most of them once)
    assert train(write(tmp_path / "t.csv", "a,y", [f"{a},{v}" for a, v in zip(x, values)]))[0] == 2
    assert "if the numbers are measurements, not classes, pass --task regression" in capsys.readouterr().err


@pytest.mark.parametrize("cells, options", [(["10,6%", "3,5%"], ()),  # (a decimal comma, without --decimal ,)
                                            (["5%", "n/a", "10%"], ())])  # (and a word for a missing cell)
def test_units_are_named_whatever_the_decimal_mark_and_beside_a_missing_word(tmp_path, capsys, cells, options):
    x, y = rows(30)
    lines = [f"{cells[i % len(cells)]};{i};{label}" for i, (_, label) in enumerate(zip(x, y))]
    assert train(write(tmp_path / "t.csv", "money;a;y", lines), *options, "--test-split", "0")[0] == 2
    err = capsys.readouterr().err
    assert "is a number written with a unit" in err
    assert ("if 'n/a' marks a missing cell, pass --na-values=n/a" in err) == ("n/a" in cells)


def test_a_model_that_one_hot_encoded_a_column_of_units_still_resumes_and_tests(tmp_path, capsys, monkeypatch):
    from glassnet.tabular import cells

    x, y = rows()
    money = ["$1.00", "$2.50", "$4.00"]
    path = write(tmp_path / "t.csv", "v,a,y", [f"{money[i % 3]},{a},{label}"
                                               for i, ((a, _), label) in enumerate(zip(x, y))])
    with monkeypatch.context() as older:  # (as an older glassnet read it: three categories)
        older.setattr(cells, "_with_units", lambda texts, words: None)
        code, model = train(path)
    assert code == 0 and gn.load_model(model).preprocessing.columns[0].categories == money
    assert main(["evaluate", str(model), str(path), "--split", "test"]) == 0
    assert main(["resume", str(model), str(path), "--epochs", "2", "--quiet"]) == 0


def test_a_wrong_separator_is_named_when_a_column_is_missing(tmp_path, capsys):
    path = write(tmp_path / "t.csv", "a;b;y", ["1;2;x", "3;4;z"])
    assert train(path, "--sep", ",")[0] == 2
    assert "its columns are 'a;b;y'; its one column's name holds a separator: read with another --sep?" \
        in capsys.readouterr().err
    assert train(write(tmp_path / "u.csv", "a,b", ["1,2", "3,4"]))[0] == 2  # (a plain missing column: no such hint)
    assert "another --sep" not in capsys.readouterr().err



def test_resume_and_evaluate_name_a_wrong_separator_when_the_data_differs(tmp_path, capsys):
    x, y = rows()
    path = write(tmp_path / "t.csv", "a,b,y", [f"{a},{b},{label}" for (a, b), label in zip(x, y)])
    code, model = train(path)
    assert code == 0
    semi = write(tmp_path / "s.csv", "a;b;y", [f"{a};{b};{label}" for (a, b), label in zip(x, y)])
    capsys.readouterr()
    for command in (["resume", str(model), str(semi), "--epochs", "2"], ["evaluate", str(model), str(semi),
                                                                         "--split", "test"]):
        assert main([*command, "--sep", ","]) == 2
        assert capsys.readouterr().err.rstrip().endswith("its one column's name holds a separator: read with "
                                                         "another --sep?")
    assert main(["evaluate", str(model), str(semi), "--split", "test"]) == 0  # (found in the header: the same data)


def test_inputs_that_would_not_fit_in_memory_are_refused_before_they_are_made(tmp_path, capsys, monkeypatch):
    """A text column of all different values (an id) makes an input of each: past a third of the memory,
    the run stops with the column named instead of being ended by the system."""
    import os

    x, y = rows()
    path = write(tmp_path / "ids.csv", "name,a,b,y", [f"p{i},{a},{b},{label}" for i, ((a, b), label) in
                                                      enumerate(zip(x, y))])
    pages = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 45}  # (a machine of 180 KiB: 96 rows x 98 inputs is 74 KiB)
    monkeypatch.setattr(os, "sysconf", lambda name: pages[name])
    code, _ = train(path)
    assert code == 2
    err = capsys.readouterr().err
    assert "over a third of the memory here (0.0 GiB)" in err and "from column 'name'" in err
    assert "(--ignore name)" in err
    assert train(path, "--ignore", "name")[0] == 0


@pytest.mark.parametrize("arrow", [True, False])
def test_a_code_after_many_cells_that_begin_with_zero_is_found(tmp_path, monkeypatch, arrow):
    """(Arrow's reader looked at the first thousand cells of each chunk that begin with 0 and a digit: 00.5 ...)"""
    from glassnet.tabular import arrowcsv
    from glassnet.tabular.csvfile import read_csv

    monkeypatch.setattr(arrowcsv, "SMALLEST", 0 if arrow else 10**12)
    path = write(tmp_path / "codes.csv", "x,c", [f"{i},{'00.5' if i % 2 else 1}" for i in range(3000)] + ["3000,02134"])
    table = read_csv(path)
    assert table.text("c", 3000) == "02134" and table.text("c", 1) == "00.5"


def test_arrow_chunks_stay_below_what_arrow_takes(tmp_path):
    from glassnet.tabular import arrowcsv

    path = tmp_path / "sparse.csv"
    with open(path, "wb") as f:
        f.truncate(16 << 30)  # (a sparse file: no disk taken)
    assert arrowcsv._block(path) == 1 << 30 and arrowcsv._block(tmp_path / "sparse.csv") < 2**31
