"""benchmarks/tabular.py --smoke runs on real bundled tables (one with text columns and missing cells) and reports
every contender's score, the normalized scores and the wins. Nothing is timed as pass or fail."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"

for module in ("sklearn", "pandas", "palmerpenguins", "threadpoolctl", "vega_datasets", "plotly"):
    pytest.importorskip(module)


def test_smoke_scores_every_table_with_every_contender():
    done = subprocess.run([sys.executable, str(BENCH / "tabular.py"), "--smoke", "--recipes", "quick,no_ensemble"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {line.split("|")[1].strip(): [c.strip().strip("*") for c in line.strip("|").split("|")]
            for line in done.stdout.splitlines() if line.startswith("| ") and ("class." in line or "regre." in line)}
    assert set(rows) == {"iris", "penguins", "diabetes"}
    for name, cells in rows.items():
        scores = [float(c) for c in cells[3:]]
        assert len(scores) == 5 and all(0.2 < s <= 1 for s in scores), (name, cells)
    assert rows["penguins"][3] != "" and float(rows["penguins"][3]) > 0.9  # glassnet read text and missing cells
    assert "| glassnet | " in done.stdout.split("## Wins", 1)[1]
    assert "mean normalized score" in done.stdout
    ablation = done.stdout.split("## Ablation", 1)[1].splitlines()
    removed = {line.split("|")[1].strip(): line for line in ablation if line.startswith("| glassnet[")}
    assert set(removed) == {"glassnet[quick]", "glassnet[no_ensemble]"}
    glassnet, single = (float(rows["diabetes"][i]) for i in (3, 5))  # defaults minus the one-network recipe:
    header = next(line for line in ablation if line.startswith("| recipe |")).strip("|").split("|")
    cells = dict(zip((c.strip() for c in header), removed["glassnet[no_ensemble]"].strip("|").split("|")))
    assert float(cells["diabetes"]) == pytest.approx(glassnet - single, abs=0.0011)  # (of unrounded scores)


def test_an_unknown_recipe_is_refused_by_name():
    done = subprocess.run([sys.executable, str(BENCH / "tabular.py"), "--smoke", "--recipes", "nope"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown recipe(s) nope" in done.stderr


def test_the_training_time_benchmark_runs_every_command():
    done = subprocess.run([sys.executable, str(BENCH / "train_time.py"), "--smoke"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line.split("|")[1:-1] for line in done.stdout.splitlines() if line.startswith("| ") and "x" in line]
    assert [r[1].strip() for r in rows] == ["defaults", "--preset quick"] * 3 + ["--threads 0", "--ensemble 8",
                                                                             "--ensemble 1"]
    assert all(float(r[2]) > 0 for r in rows) and rows[-1][3].strip() == "1.00x"


def test_the_paired_comparison_calls_a_difference_only_beyond_two_standard_errors(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import tabular

    seeds = [(0.90, 0.0), (0.92, 0.0), (0.94, 0.0), (0.96, 0.0)]
    results = {("t", "glassnet"): seeds,
               ("t", "ahead"): [(s - 0.1, 0.0) for s, _ in seeds],  # always 0.1 below: better
               ("t", "noisy"): [(s + d, 0.0) for (s, _), d in zip(seeds, (0.05, -0.05, 0.04, -0.03))],  # level
               ("t", "behind"): [(s + 0.02 + d, 0.0) for (s, _), d in zip(seeds, (0.001, -0.001, 0, 0))]}  # worse
    mean, error = tabular.difference(results, "t", "glassnet", "noisy")
    assert mean == pytest.approx(-0.0025) and error == pytest.approx(0.0499166 / 2, rel=1e-5)  # (stdev / sqrt 4)
    lines = tabular.paired(results, ["t"], ["glassnet", "ahead", "noisy", "behind"])
    row = next(line for line in lines if line.startswith("| t |")).strip("|").split("|")
    assert row[1].strip() == "**+0.100 ± 0.000**" and row[2].strip().startswith("-0.003 ±")
    assert row[3].strip().startswith("*-0.020 ±")
    assert lines[-1] == "| better / level / worse | 1 / 0 / 0 | 0 / 1 / 0 | 0 / 0 / 1 |"
    one = {key: values[:1] for key, values in results.items()}  # (one seed: no standard error, no verdict)
    assert tabular.paired(one, ["t"], ["glassnet", "ahead"]) == [
        "", "(One seed: no standard error, so no seed-by-seed comparison.)"]


def test_the_held_out_tables_load_as_their_list_says(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import tabular_data

    listed = {}
    for line in tabular_data.__doc__.split("HELD_OUT", 1)[1].splitlines():
        words = line.split()
        if len(words) > 3 and words[2].isdigit():
            listed[words[0]] = (words[1], int(words[2]), "regression" if words[3] == "regression" else "classification")
    assert set(listed) == {d.name for d in tabular_data.HELD_OUT}
    assert not {d.name for d in tabular_data.HELD_OUT} & {d.name for d in tabular_data.DATASETS}
    for data in tabular_data.HELD_OUT:
        frame = data.load()
        assert listed[data.name] == (data.package, len(frame), data.task), data.name
        assert frame[data.target].notna().all() and frame.shape[1] >= 3, data.name
        if data.task == "classification":
            assert 2 <= frame[data.target].nunique() <= 5, data.name


def test_the_held_out_smoke_run_scores_its_tables_and_refuses_an_unknown_one():
    done = subprocess.run([sys.executable, str(BENCH / "tabular.py"), "--held-out", "--smoke"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("# Tabular benchmark: the held-out tables")
    rows = {line.split("|")[1].strip() for line in done.stdout.splitlines() if "class." in line or "regre." in line}
    assert rows == {"tips", "cars_origin"}
    assert "## Ablation" not in done.stdout  # (no recipes unless asked)
    wrong = subprocess.run([sys.executable, str(BENCH / "tabular.py"), "--held-out", "--smoke", "--tables", "iris"],
                           capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2 and "unknown table(s) iris; known: cars_mpg" in wrong.stderr


@pytest.mark.parametrize("options, message", [
    (["--held-out", "--no-defaults"], "--no-defaults leaves no glassnet recipe to run"),
    (["--tables", "tips"], "unknown table(s) tips; known: iris, wine"),
])
def test_an_option_that_leaves_nothing_to_run_is_refused(options, message):
    done = subprocess.run([sys.executable, str(BENCH / "tabular.py"), "--smoke", *options], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert ("(held-out ones need --held-out)" in done.stderr) == ("tips" in options)
