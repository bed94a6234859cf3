"""The tabular benchmark (issue 13): glassnet against scikit-learn's MLP, a linear model, histogram gradient
boosting and LightGBM on real tables that installable packages ship (``tabular_data.py``).

    python benchmarks/tabular.py                       # every table, seeds 0-19, the defaults and the ablation
                                                       # recipes: writes benchmarks/TABULAR.md (about 45 minutes)
    python benchmarks/tabular.py --smoke               # three small tables, one seed, few epochs: seconds
    python benchmarks/tabular.py --recipes wide,units_64 --no-defaults  # other glassnet recipes (RECIPES)
    python benchmarks/tabular.py --held-out            # the defaults on seven tables they were not chosen on:
                                                       # writes benchmarks/TABULAR_HELDOUT.md (about 5 minutes)

Rules: every contender gets the same training and test rows (per seed, a seeded 80/20 split, stratified for
classes) and nothing else; each learns from the training rows only (glassnet and the MLP keep 10% of them for
their own validation or not, as their defaults do). Scores are accuracy for classes and R^2 for numbers, on the
test rows, averaged over the seeds. A table's *normalized score* for a contender is its score divided by the
best contender's on that table; the report gives their mean, wins table by table, and training time (fit and
predict, one thread for every library).
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from tabular_data import DATASETS, HELD_OUT, Dataset
from tabular_glassnet import ABLATION, DEFAULT, RECIPES, Recipe, glassnet_fit_predict, with_epochs

Predict = Callable[[pd.DataFrame, pd.DataFrame, str, str, int], np.ndarray]
HERE = Path(__file__).resolve().parent


# --- the other contenders: scikit-learn pipelines ---------------------------------------------

def _columns(train: pd.DataFrame, target: str) -> tuple[list[str], list[str]]:
    inputs = [c for c in train.columns if c != target]
    numeric = [c for c in inputs if pd.api.types.is_numeric_dtype(train[c])]
    return numeric, [c for c in inputs if c not in numeric]


def _encoder(train: pd.DataFrame, target: str, scale: bool) -> object:
    """Median imputation with missing-indicators (and standardization when ``scale``) for numbers, a
    "(missing)" category and one-hot encoding for text: the standard scikit-learn preprocessing."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric, text = _columns(train, target)
    number_steps = [SimpleImputer(strategy="median", add_indicator=True)] + ([StandardScaler()] if scale else [])
    text_steps = [SimpleImputer(strategy="constant", fill_value="(missing)"),
                  OneHotEncoder(handle_unknown="ignore", sparse_output=False)]
    return ColumnTransformer([("numbers", make_pipeline(*number_steps), numeric),
                              ("text", make_pipeline(*text_steps), text)])


def _sklearn_contender(make: Callable[[str, int], object], scale: bool) -> Predict:
    def fit_predict(train: pd.DataFrame, test: pd.DataFrame, target: str, task: str, seed: int) -> np.ndarray:
        from sklearn.pipeline import make_pipeline

        model = make_pipeline(_encoder(train, target, scale), make(task, seed))
        model.fit(train.drop(columns=[target]), _target(train[target], task))
        return model.predict(test.drop(columns=[target]))

    return fit_predict


def _target(y: pd.Series, task: str) -> np.ndarray:
    return y.astype(str).to_numpy() if task == "classification" else y.to_numpy(dtype=float)


def _mlp(task: str, seed: int) -> object:
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.preprocessing import StandardScaler

    if task == "classification":
        return MLPClassifier(random_state=seed)
    return TransformedTargetRegressor(MLPRegressor(random_state=seed), transformer=StandardScaler())


def _linear(task: str, seed: int) -> object:
    from sklearn.linear_model import LogisticRegression, Ridge

    return LogisticRegression(max_iter=5000) if task == "classification" else Ridge()


def _hgb(task: str, seed: int) -> object:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    cls = HistGradientBoostingClassifier if task == "classification" else HistGradientBoostingRegressor
    return cls(random_state=seed)


def _lightgbm(task: str, seed: int) -> object:
    import lightgbm

    cls = lightgbm.LGBMClassifier if task == "classification" else lightgbm.LGBMRegressor
    return cls(random_state=seed, verbose=-1, n_jobs=1)


def contenders(recipes: list[Recipe], smoke: bool) -> dict[str, Predict]:
    """Name -> fit-and-predict function; LightGBM only where it is installed."""
    import importlib.util

    found: dict[str, Predict] = {}
    for recipe in recipes:
        name = "glassnet" if recipe.name == DEFAULT.name else f"glassnet[{recipe.name}]"
        found[name] = (lambda r: lambda *args: glassnet_fit_predict(*args, recipe=r))(recipe)
    if not smoke:
        found["sklearn MLP"] = _sklearn_contender(_mlp, scale=True)
    found["linear"] = _sklearn_contender(_linear, scale=True)
    found["HistGB"] = _sklearn_contender(_hgb, scale=False)
    if importlib.util.find_spec("lightgbm") and not smoke:
        found["LightGBM"] = _sklearn_contender(_lightgbm, scale=False)
    return found


# --- running ---------------------------------------------------------------------------------

def split(frame: pd.DataFrame, data: Dataset, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from sklearn.model_selection import train_test_split

    stratify = frame[data.target].astype(str) if data.task == "classification" else None
    return train_test_split(frame, test_size=0.2, random_state=seed, stratify=stratify)


def score(data: Dataset, truth: pd.Series, predicted: np.ndarray) -> float:
    """Accuracy (labels compared as text) or R^2."""
    if data.task == "classification":
        return float(np.mean(truth.astype(str).to_numpy() == np.asarray(predicted).astype(str)))
    y, p = truth.to_numpy(dtype=float), np.asarray(predicted, dtype=float)
    return float(1 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2))


Results = dict[tuple[str, str], list[tuple[float, float]]]  # (table, contender) -> [(score, seconds)] per seed


def run(datasets: list[Dataset], players: dict[str, Predict], seeds: list[int], smoke: bool) -> Results:
    results: Results = {}
    for data in datasets:
        frame = data.load()
        if smoke:
            frame = frame.sample(n=min(len(frame), 200), random_state=0)
        for seed in seeds:
            train, test = split(frame, data, seed)
            for name, fit_predict in players.items():
                start = time.perf_counter()
                predicted = fit_predict(train, test, data.target, data.task, seed)
                seconds = time.perf_counter() - start
                results.setdefault((data.name, name), []).append((score(data, test[data.target], predicted),
                                                                   seconds))
        line = "  ".join(f"{n} {statistics.mean(s for s, _ in results[(data.name, n)]):.3f}" for n in players)
        print(f"{data.name}: {line}", file=sys.stderr, flush=True)
    return results


# --- the report ------------------------------------------------------------------------------

def mean_scores(results: Results, tables: list[str], names: list[str]) -> dict[tuple[str, str], float]:
    return {(t, n): statistics.mean(s for s, _ in results[(t, n)]) for t in tables for n in names}


def report(results: Results, datasets: list[Dataset], names: list[str], seeds: list[int], skipped: list[str],
           command: str, title: str = "Tabular benchmark") -> str:
    tables = [d.name for d in datasets]
    scores = mean_scores(results, tables, names)
    best = {t: max(scores[(t, n)] for n in names) for t in tables}
    normalized = {n: statistics.mean(scores[(t, n)] / best[t] for t in tables) for n in names}
    seconds = {n: sum(statistics.mean(s for _, s in results[(t, n)]) for t in tables) for n in names}
    out = [f"# {title}\n\n`{command}` on {platform.machine()} with Python {platform.python_version()}, "
           f"seeds {', '.join(map(str, seeds))}; scores are the mean over the seeds of accuracy (classification) "
           "or R^2 (regression) on the test rows; **bold**: the best on the table. How it is run and what the "
           "numbers say: docs/tabular.md.\n",
           "| table | task | rows | " + " | ".join(names) + " |", "|---|---|---:|" + "---:|" * len(names)]
    rows = {d.name: len(d.load()) for d in datasets}
    for d in datasets:
        cells = [(f"**{scores[(d.name, n)]:.3f}**" if scores[(d.name, n)] == best[d.name]
                  else f"{scores[(d.name, n)]:.3f}") for n in names]
        out.append(f"| {d.name} | {d.task[:5]}. | {rows[d.name]} | " + " | ".join(cells) + " |")
    out += ["", "## Overall\n", "| contender | mean normalized score | tables best | training time, all tables (s) |",
            "|---|---:|---:|---:|"]
    for n in sorted(names, key=lambda n: -normalized[n]):
        firsts = sum(scores[(t, n)] == best[t] for t in tables)
        out.append(f"| {n} | {normalized[n]:.4f} | {firsts} | {seconds[n]:.1f} |")
    out += ["", "## Wins of each glassnet recipe, table by table (wins / ties / losses)\n",
            "| glassnet | " + " | ".join(n for n in names if not n.startswith("glassnet")) + " |",
            "|---|" + "---:|" * sum(not n.startswith("glassnet") for n in names)]
    for g in (n for n in names if n.startswith("glassnet")):
        cells = []
        for other in (n for n in names if not n.startswith("glassnet")):
            diffs = [scores[(t, g)] - scores[(t, other)] for t in tables]
            cells.append(f"{sum(d > 1e-12 for d in diffs)} / {sum(abs(d) <= 1e-12 for d in diffs)} / "
                         f"{sum(d < -1e-12 for d in diffs)}")
        out.append(f"| {g} | " + " | ".join(cells) + " |")
    out += paired(results, tables, names)
    out += ablation(scores, tables, names)
    if skipped:
        out += ["", f"Skipped (package not installed): {', '.join(skipped)}."]
    return "\n".join(out) + "\n"


def difference(results: Results, table: str, a: str, b: str) -> tuple[float, float]:
    """The mean over the seeds (two or more) of a's score minus b's on ``table`` (both on the same split each seed),
    and its standard error."""
    diffs = [x - y for (x, _), (y, _) in zip(results[(table, a)], results[(table, b)], strict=True)]
    return statistics.mean(diffs), statistics.stdev(diffs) / math.sqrt(len(diffs))


def paired(results: Results, tables: list[str], names: list[str]) -> list[str]:
    """glassnet's defaults against each other contender, table by table: the mean score difference over the seeds
    with its standard error, called better or worse only when it is more than two standard errors from 0 (a
    difference the seeds' noise is unlikely to make), else level."""
    others = [n for n in names if not n.startswith("glassnet")]
    if "glassnet" not in names or not others:
        return []
    if len(results[(tables[0], "glassnet")]) < 2:
        return ["", "(One seed: no standard error, so no seed-by-seed comparison.)"]
    out = ["", "## The defaults against each contender, seed by seed\n",
           "glassnet's score minus the contender's, mean over the seeds ± its standard error (each seed's split "
           "is shared, so the difference is paired); **better** or *worse* where it is more than two standard "
           "errors from 0, else within the seeds' noise.\n",
           "| table | " + " | ".join(others) + " |", "|---|" + "---:|" * len(others)]
    verdicts = {n: [0, 0, 0] for n in others}
    for t in tables:
        cells = []
        for n in others:
            mean, error = difference(results, t, "glassnet", n)
            kind = 0 if mean > 2 * error else 2 if mean < -2 * error else 1
            verdicts[n][kind] += 1
            text = f"{mean:+.3f} ± {error:.3f}"
            cells.append(f"**{text}**" if kind == 0 else f"*{text}*" if kind == 2 else text)
        out.append(f"| {t} | " + " | ".join(cells) + " |")
    out.append("| better / level / worse | " + " | ".join(" / ".join(map(str, verdicts[n])) for n in others) + " |")
    return out


def ablation(scores: dict[tuple[str, str], float], tables: list[str], names: list[str]) -> list[str]:
    """What each recipe's change costs the defaults, table by table: defaults' score minus the recipe's (so a
    positive number is what the default's ingredient buys), and the change in mean normalized score."""
    recipes = [n for n in names if n.startswith("glassnet[")]
    if "glassnet" not in names or not recipes:
        return []
    best = {t: max(scores[(t, n)] for n in names) for t in tables}
    out = ["", "## Ablation: the defaults' score minus each recipe's (positive: the default is better)\n",
           "| recipe | what changes | mean normalized | " + " | ".join(tables) + " |",
           "|---|---|---:|" + "---:|" * len(tables)]
    for name in recipes:
        recipe = RECIPES[name[len("glassnet["):-1]]
        change = statistics.mean((scores[(t, "glassnet")] - scores[(t, name)]) / best[t] for t in tables)
        cells = [f"{scores[(t, 'glassnet')] - scores[(t, name)]:+.3f}" for t in tables]
        out.append(f"| {name} | {recipe.note} | {change:+.4f} | " + " | ".join(cells) + " |")
    return out


def merge(paths: list[str]) -> str:
    """One table of the per-table mean scores of several reports (each contender once), with the mean normalized
    score of each recomputed against the best of all of them: how recipes from separate runs compare."""
    scores: dict[str, dict[str, float]] = {}
    for path in paths:
        lines = [line for line in Path(path).read_text().splitlines() if line.startswith("| ")]
        header = [c.strip() for c in lines[0].strip("|").split("|")]
        for line in lines[1:]:
            cells = [c.strip().strip("*") for c in line.strip("|").split("|")]
            if len(cells) != len(header) or cells[1] not in ("class.", "regre."):
                break
            for name, value in zip(header[3:], cells[3:]):
                scores.setdefault(name, {})[cells[0]] = float(value)
    tables = list(next(iter(scores.values())))
    best = {t: max(s[t] for s in scores.values()) for t in tables}
    out = ["| contender | mean normalized score | " + " | ".join(tables) + " |", "|---|---:|" + "---:|" * len(tables)]
    ranked = sorted(scores, key=lambda n: -statistics.mean(scores[n][t] / best[t] for t in tables))
    for name in ranked:
        mean = statistics.mean(scores[name][t] / best[t] for t in tables)
        out.append(f"| {name} | {mean:.4f} | " + " | ".join(f"{scores[name][t]:.3f}" for t in tables) + " |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="three small tables, one seed, few epochs; no file")
    parser.add_argument("--seeds", default=",".join(map(str, range(20))),
                        help="comma-separated split and model seeds (default: 0,1,...,19)")
    parser.add_argument("--tables", help="comma-separated table names (default: all)")
    parser.add_argument("--held-out", action="store_true",
                        help="the tables that chose nothing (HELD_OUT), not the suite's; no recipes unless --recipes; "
                        "writes benchmarks/TABULAR_HELDOUT.md unless --out")
    parser.add_argument("--recipes", help="glassnet recipes to add (default: the ablation's, " + ", ".join(ABLATION)
                        + "; none with --held-out); any of: " + ", ".join(RECIPES))
    parser.add_argument("--no-defaults", action="store_true", help="leave glassnet's defaults out (with --recipes)")
    parser.add_argument("--out", help="the report (default: benchmarks/TABULAR.md)")
    parser.add_argument("--merge", nargs="+", metavar="REPORT", help="print one table of these reports' scores")
    args = parser.parse_args(argv)
    if args.recipes is None:
        args.recipes = "" if args.held_out else ",".join(ABLATION)
    if args.out is None:
        args.out = str(HERE / ("TABULAR_HELDOUT.md" if args.held_out else "TABULAR.md"))
    if args.merge:
        print(merge(args.merge))
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    warnings.filterwarnings("ignore")  # scikit-learn's MLP warns that 200 iterations did not converge
    tables = HELD_OUT if args.held_out else DATASETS
    smoke = ["tips", "cars_origin"] if args.held_out else ["iris", "penguins", "diabetes"]
    wanted = args.tables.split(",") if args.tables else (smoke if args.smoke else None)
    datasets = [d for d in tables if wanted is None or d.name in wanted]
    missing = sorted(set(wanted or ()) - {d.name for d in tables})
    if missing:
        held = "" if args.held_out or not set(missing) & {d.name for d in HELD_OUT} else \
            " (held-out ones need --held-out)"
        parser.error(f"unknown table(s) {', '.join(missing)}; known: {', '.join(d.name for d in tables)}{held}")
    skipped = [f"{d.name} ({d.package})" for d in datasets if not d.available()]
    datasets = [d for d in datasets if d.available()]
    unknown = [r for r in args.recipes.split(",") if r and r not in RECIPES]
    if unknown:
        parser.error(f"unknown recipe(s) {', '.join(unknown)}; known: {', '.join(RECIPES)}")
    recipes = ([] if args.no_defaults else [DEFAULT]) + [RECIPES[r] for r in args.recipes.split(",") if r]
    if not recipes:
        parser.error("--no-defaults leaves no glassnet recipe to run: name some with --recipes")
    if args.smoke:
        recipes = [with_epochs(r, 5) for r in recipes]
    seeds = [0] if args.smoke else [int(s) for s in args.seeds.split(",")]
    players = contenders(recipes, args.smoke)
    results = run(datasets, players, seeds, args.smoke)
    given = argv if argv is not None else sys.argv[1:]
    shown = [a for i, a in enumerate(given) if a != "--out" and (i == 0 or given[i - 1] != "--out")]
    command = "python benchmarks/tabular.py " + " ".join(shown)
    title = "Tabular benchmark: the held-out tables" if args.held_out else "Tabular benchmark"
    text = report(results, datasets, list(players), seeds, skipped, command.strip(), title)
    print(text)
    if not args.smoke:
        Path(args.out).write_text(text)
    bad = [k for k, v in results.items() if not all(math.isfinite(s) for s, _ in v)]
    if bad:
        raise SystemExit(f"non-finite scores: {bad}")


if __name__ == "__main__":
    main()
