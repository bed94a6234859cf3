"""Tables a sweep over 131 real and hand-made files found misread or refused wrongly: words that float() reads
('Nan', 'INF') and codes with an exponent ('0E0') in text columns, the typeset minus sign, lines of blanks,
Excel's 'sep=' line, pandas' quoted decimal commas, a file of row names only, a code-like target, and a huge
target value whose refusal depended on the split."""

import numpy as np
import pandas as pd
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.tabular.csvfile import read_csv


def write(path, text):
    path.write_text(text)
    return path


def train(path, target, *more):
    return main(["train", str(path), "--target", target, "--epochs", "2", "--ensemble", "1", "--quiet", *more])


def test_words_float_reads_are_text_in_a_text_column(tmp_path, capsys):
    names = ["Anna", "Bo", "Nan", "Li", "Wei", "Jo"]
    rows = "".join(f"{names[i % 6]},{i % 5},{'Nan' if i % 3 else 'Bo'}\n" for i in range(30))
    path = write(tmp_path / "names.csv", "name,x,who\n" + rows)
    table = read_csv(path)
    assert set(table.data["name"]) == set(names) and set(table.data["who"]) == {"Nan", "Bo"}
    out = tmp_path / "m.safetensors"
    assert train(path, "who", "--out", str(out)) == 0
    assert main(["predict", str(out), str(path)]) == 0
    assert set(capsys.readouterr().out.split()[1:]) <= {"Nan", "Bo"}  # (the labels as written, not 'nan')
    positions = write(tmp_path / "pos.csv", "pos,y\n" + "".join(f"{['C', 'P', 'INF', 'OF'][i % 4]},{i % 2}\n"
                                                                 for i in range(30)))
    assert set(read_csv(positions).data["pos"]) == {"C", "P", "INF", "OF"}


def test_a_code_with_an_exponent_is_text_where_most_cells_are_text(tmp_path):
    codes = ["00M", "00R", "00V", "0E0", "01G", "01J"]
    table = read_csv(write(tmp_path / "airports.csv", "iata,y\n" + "".join(f"{c},{i}\n" for i, c in enumerate(codes))))
    assert table.data["iata"].tolist() == codes and "iata" not in table.problems
    numbers = write(tmp_path / "science.csv", "a,y\n1e5,1\n2e3,2\n3e1,3\nmissing,4\n")  # (mostly numbers)
    with pytest.raises(gn.InputError, match=r"'missing' is not a number, but line 2 holds the number '1e5'.*"
                                            r"--na-values=missing"):
        gn.train_table(numbers, "y", epochs=1)


@pytest.mark.parametrize("cells", [["1E-05", "2E-05"] * 45 + ["ND", "<LOD", "trace"] * 3 + ["ND"],
                                   ["1e3"] + ["ND", "<LOD", "trace"] * 3])
def test_numbers_with_an_exponent_among_words_are_still_numbers(tmp_path, cells):
    """Measurements with markers such as 'ND' (not codes of letters and digits): the mix is an error, as before."""
    path = write(tmp_path / "lab.csv", "conc,y\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(cells)))
    with pytest.raises(gn.InputError, match=r"a column holds numbers or text, not both"):
        read_csv(path).is_numeric("conc")


def test_the_typeset_minus_sign_is_named(tmp_path, capsys):
    path = write(tmp_path / "minus.csv", "a,y\n" + "".join(f"{'−' if i % 2 else ''}{i},{i % 2}\n" for i in range(20)))
    assert train(path, "y") == 2
    assert "'−1' is not written as an ASCII decimal number" in capsys.readouterr().err


@pytest.mark.parametrize("blank", [" ", "\t", "  \t ", " , "])
def test_a_line_of_blanks_is_skipped_as_a_blank_line_is(tmp_path, capsys, blank):
    lines = [f"{i},{i % 3},{'yes' if i % 2 else 'no'}\n" for i in range(20)]
    path = write(tmp_path / "t.csv", "a,b,y\n" + "".join(lines[:7]) + blank + "\n" + "".join(lines[7:]) + blank + "\n")
    table = read_csv(path)
    assert len(table) == 20 and table.data["a"].tolist() == list(range(20))
    assert train(path, "y") == 0
    bad = write(tmp_path / "bad.csv", "a,b,y\n1,2,x\n" + blank + "\n3,4\n")  # (line numbers stay the file's)
    assert train(bad, "y") == 2 and "bad.csv line 4: 2 cell(s)" in capsys.readouterr().err


def test_excels_sep_line_names_the_separator(tmp_path, capsys):
    rows = "".join(f"{i};{i % 4},5;{'yes' if i % 2 else 'no'}\n" for i in range(20))
    path = write(tmp_path / "excel.csv", "sep=;\r\na;b;y\r\n" + rows.replace("\n", "\r\n"))
    table = read_csv(path, decimal=",")
    assert table.columns == ["a", "b", "y"] and table.lines[0] == 3 and table.data["b"][:2].tolist() == [0.5, 1.5]
    assert train(path, "y", "--decimal", ",") == 0
    bad = write(tmp_path / "bad.csv", "sep=;\na;b;y\n1;2;x\n3;4\n")
    assert train(bad, "y") == 2 and "bad.csv line 4: 2 cell(s), but the header has 3" in capsys.readouterr().err


def test_quoted_decimal_commas_read_with_a_comma_separator(tmp_path, capsys):
    frame = pd.DataFrame({"bill": [16.99, 10.34, 21.01, 23.68] * 5, "tip": [1.01, 1.66, 3.5, 3.31] * 5,
                          "day": ["Sun", "Sat"] * 10})
    path = tmp_path / "tips.csv"
    frame.to_csv(path, index=False, decimal=",")  # (pandas quotes the numbers: "16,99")
    table = read_csv(path, decimal=",")
    np.testing.assert_array_equal(table.data["bill"], frame["bill"].to_numpy())
    assert train(path, "day", "--decimal", ",") == 0
    unquoted = write(tmp_path / "unquoted.csv", "a,b,y\n1,5,2,x\n")
    assert train(unquoted, "y", "--decimal", ",") == 2
    assert 'a number must be quoted: "1,5"' in capsys.readouterr().err


def test_a_file_of_row_names_and_a_target_says_so(tmp_path, capsys):
    path = write(tmp_path / "co2.csv", ",co2\n" + "".join(f"2000-01-{d:02d},{300 + d / 2}\n" for d in range(1, 29)))
    assert train(path, "co2") == 2
    err = capsys.readouterr().err
    assert "no column is left to learn from: '(unnamed column 1)' holds row names" in err and "empty" not in err


def test_a_target_of_codes_is_warned_of(tmp_path, capsys):
    path = write(tmp_path / "zip.csv", "x,zip\n" + "".join(f"{i % 7},{'02134' if i % 7 > 3 else '02138'}\n"
                                                          for i in range(30)))
    assert main(["train", str(path), "--target", "zip", "--epochs", "2", "--ensemble", "1"]) == 0
    err = capsys.readouterr().err
    assert "column 'zip' holds numbers written with a leading zero ('02138', line 2)" in err
    assert "and its classes keep their zeros" in err


@pytest.mark.parametrize("seed", range(4))
def test_a_huge_target_value_is_refused_whichever_split_holds_it(tmp_path, capsys, seed):
    rows = "".join(f"{i},{'1e+300' if i == 2 else (7 * i) % 13}\n" for i in range(40))
    path = write(tmp_path / "huge.csv", "x,t\n" + rows)
    assert train(path, "t", "--seed", str(seed)) == 2
    assert "huge.csv line 4, column 't': '1e+300' is too large to standardize" in capsys.readouterr().err


def test_a_model_trained_before_on_a_huge_test_value_still_resumes(tmp_path, monkeypatch):
    """A model trained before the whole column was checked (the huge value among its test rows) goes on training:
    only its training rows are standardized when its splits are rebuilt."""
    import functools

    from glassnet.tabular import train_table as module

    rows = "".join(f"{i},{'1e+300' if i == 2 else (7 * i) % 13}\n" for i in range(40))
    path, model = write(tmp_path / "huge.csv", "x,t\n" + rows), tmp_path / "m.safetensors"
    monkeypatch.setattr(module, "prepare", functools.partial(module.prepare, whole_target=False))  # (as then)
    seed = next(s for s in range(20) if train(path, "t", "--seed", str(s), "--out", str(model)) == 0)
    monkeypatch.undo()
    assert main(["resume", str(model), str(path), "--epochs", "1", "--quiet", "--out", str(tmp_path / "r.st")]) == 0
    assert seed >= 0


def test_evaluate_blames_a_column_read_wrongly_only_if_the_model_uses_it(tmp_path, capsys):
    rows = [(i % 7, (3 * i) % 5, "yes" if i % 2 else "no") for i in range(40)]
    trained = write(tmp_path / "a.csv", "x,t,y\n" + "".join(f"{x},{t},{y}\n" for x, t, y in rows))
    model = tmp_path / "m.safetensors"
    assert train(trained, "y", "--out", str(model)) == 0
    noted = write(tmp_path / "b.csv", "x,t,y,note\n" + "".join(f"{x},{t},{y},{'abc' if i == 5 else i}\n"
                                                                for i, (x, t, y) in enumerate(rows)))
    capsys.readouterr()
    assert main(["evaluate", str(model), str(noted), "--split", "test"]) == 2
    err = capsys.readouterr().err
    assert "b.csv is not the data" in err and "note" not in err  # (a column the model never reads)
    wrong = write(tmp_path / "c.csv", trained.read_text().replace("\n3,", "\nabc,", 1))
    assert main(["evaluate", str(model), str(wrong), "--split", "test"]) == 2
    err = capsys.readouterr().err
    assert "column 'x': 'abc' is not a number" in err and "; so " in err and "c.csv is not the data" in err


def test_the_whole_target_is_checked_after_missing_rows_are_dropped(tmp_path, capsys):
    rows = "".join(f"{i},{(7 * i) % 13}\n" for i in range(30)) + ",1e300\n"  # (its input missing: dropped)
    path = write(tmp_path / "drop.csv", "x,t\n" + rows)
    assert train(path, "t", "--missing", "drop") == 0
    assert train(path, "t") == 2 and "'1e300' is too large to standardize" in capsys.readouterr().err


def test_the_playground_refuses_a_huge_target_whichever_split_holds_it(tmp_path):
    from glassnet.tabular.csvfile import read_csv
    from glassnet.web.session import Settings, build_run

    rows = "".join(f"{i % 7},{i % 5},{'1e300' if i == 2 else (7 * i) % 13}\n" for i in range(40))
    table = read_csv(write(tmp_path / "pg.csv", "a,b,t\n" + rows))
    for seed in range(3):
        with pytest.raises(gn.InputError, match="'1e300' is too large to standardize"):
            build_run(Settings.parse({"dataset": "upload", "seed": seed, "val_split": 0.3}), table)


def categories_model(tmp_path, cells):
    frame = pd.DataFrame({"a": np.arange(20) % 7 + 0.5, "y": ["p", "q"] * 10, "c": cells * (20 // len(cells))})
    frame.to_csv(tmp_path / "train.csv", index=False)
    return gn.train_table(tmp_path / "train.csv", "y", preset="quick", epochs=2, ensemble=1, seed=0)


@pytest.mark.parametrize("cells, alone", [(["0E0", "1E5", "00M", "K2X", "A1B"], ["0E0", "1E5"]),
                                          (["Nan", "INF", "x", "y"], ["Nan", "INF"])])
def test_a_category_float_reads_is_known_in_a_batch_of_it_alone(tmp_path, cells, alone):
    """A batch whose column holds only such cells is read as numbers; the model still knows them by their text."""
    import warnings

    model = categories_model(tmp_path, cells)
    mixed = model.predict_proba_table(pd.DataFrame({"a": [1.5] * 3, "c": [alone[0], alone[1], cells[-1]]}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no 'unseen category', no 'missing cell')
        frame = pd.DataFrame({"a": [1.5, 1.5], "c": alone})
        np.testing.assert_array_equal(model.predict_proba_table(frame), mixed[:2])
        frame.to_csv(tmp_path / "alone.csv", index=False)
        np.testing.assert_array_equal(model.predict_proba_table(tmp_path / "alone.csv"), mixed[:2])


def test_exponent_codes_read_alike_in_chunks_and_by_arrow(tmp_path, monkeypatch):
    """8,192 rows of exponent codes, then letter-digit codes: the chunk read as numbers keeps its text, so the
    csv reader gives what Arrow (which reads the column at once) gives."""
    from glassnet.tabular import arrowcsv

    codes = ["0E0", "1E5"] * 4200 + ["00M", "K2X", "A1B"] * 3000
    path = write(tmp_path / "codes.csv", "c,y\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(codes)))
    by_csv = read_csv(path)
    assert by_csv.data["c"][:2].tolist() == ["0E0", "1E5"] and "c" not in by_csv.problems
    pytest.importorskip("pyarrow")
    monkeypatch.setattr(arrowcsv, "SMALLEST", 0)  # (Arrow for a small file too)
    by_arrow = read_csv(path)
    assert by_arrow.data["c"].tolist() == by_csv.data["c"].tolist() and "c" not in by_arrow.problems
