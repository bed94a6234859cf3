"""How long `glassnet train` takes with its defaults, whole process, against `--preset quick` and `--ensemble 1`.

    python benchmarks/train_time.py            # the tables below, 3 repeats each, median
    python benchmarks/train_time.py --smoke    # small tables, one repeat: checks that it runs

Tables (written as CSV files to a temporary folder, seeded):
- ``5000 x 12``: 5,000 rows of 12 numeric columns, a binary target (the issue's target: default training of a
  5,000-row table under 10 s on a 2-core machine);
- ``5000 x 50 + text``: 5,000 rows of 50 numeric columns (5% of cells missing) and 2 text columns of 20
  categories each, a 3-class target;
- ``5000 x 20 text``: 5,000 rows of 20 text columns of 50 categories each (1,000 one-hot inputs), a 3-class
  target: where the default is slowest (its cost grows with inputs x units x members; here the members share
  their first layer, ``glassnet.layers.SharedDense``);
- ``20000 x 12, batch 32, 20 epochs``: the ensemble's cost, `--ensemble 8` against `--ensemble 1` (the issue's
  target: at most 3x).
Each repeat runs every command once, round-robin, in the environment as given: `glassnet train` uses one BLAS
thread unless told (``--threads``); the wide table also runs with ``--threads 0`` (BLAS's own number of threads).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_table(path: Path, rows: int, numbers: int, texts: int, classes: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, numbers))
    categories = rng.integers(0, 50 if texts > 2 else 20, size=(rows, texts))
    signal = X[:, 0] * X[:, 1] + X[:, 2] - 0.5 * X[:, 3] ** 2 if numbers else categories[:, 1] % 5 * 0.3
    signal = signal + (categories[:, 0] % 3 if texts else 0)
    y = np.digitize(signal, np.quantile(signal, np.linspace(0, 1, classes + 1)[1:-1]))
    cells = X.astype(object)
    if numbers > 12:
        cells[rng.random(X.shape) < 0.05] = ""
    header = [f"x{j}" for j in range(numbers)] + [f"t{j}" for j in range(texts)] + ["y"]
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for i in range(rows):
            values = [c if c == "" else f"{c:.5f}" for c in cells[i]]
            f.write(",".join(values + [f"c{k}" for k in categories[i]] + [f"class{y[i]}"]) + "\n")


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small tables, one repeat")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    scale, repeats = (10, 1) if args.smoke else (1, args.repeats)
    glassnet = [sys.executable, "-m", "glassnet.cli"]
    with tempfile.TemporaryDirectory() as folder:
        tables = {"5000 x 12": (5000, 12, 0, 2), "5000 x 50 + text": (5000, 50, 2, 3),
                  "5000 x 20 text": (5000, 0, 20, 3), "20000 x 12": (20000, 12, 0, 2)}
        paths = {}
        for name, (rows, numbers, texts, classes) in tables.items():
            paths[name] = Path(folder) / f"{name.replace(' ', '')}.csv"
            write_table(paths[name], rows // scale, numbers, texts, classes)
        out = ["--target", "y", "--out", str(Path(folder) / "m.safetensors"), "--quiet"]
        fixed = ["--batch-size", "32", "--epochs", str(max(1, 20 // scale)), "--patience", "0"]
        runs = {}
        for name in ("5000 x 12", "5000 x 50 + text", "5000 x 20 text"):
            runs[(name, "defaults")] = glassnet + ["train", str(paths[name])] + out
            runs[(name, "--preset quick")] = glassnet + ["train", str(paths[name]), "--preset", "quick"] + out
        runs[("5000 x 20 text", "--threads 0")] = runs[("5000 x 20 text", "defaults")] + ["--threads", "0"]
        for k in (8, 1):
            runs[("20000 x 12, batch 32, 20 epochs", f"--ensemble {k}")] = (
                glassnet + ["train", str(paths["20000 x 12"]), "--ensemble", str(k)] + fixed + out)
        times: dict[tuple[str, str], list[float]] = {key: [] for key in runs}
        keys = list(runs)
        for r in range(repeats):
            for key in keys[r % len(keys):] + keys[:r % len(keys)]:
                times[key].append(seconds(runs[key]))
    print(f"`python benchmarks/train_time.py{' --smoke' if args.smoke else ''}`: whole `glassnet train` processes, "
          f"median of {repeats}; {os.cpu_count()} cores\n")
    print("| table | command | seconds | ratio |\n|---|---|---:|---:|")
    medians = {key: statistics.median(v) for key, v in times.items()}
    for (table, command), value in medians.items():
        base = medians.get((table, "--preset quick")) or medians.get((table, "--ensemble 1"))
        print(f"| {table} | {command} | {value:.2f} | {value / base:.2f}x |")


if __name__ == "__main__":
    main()
