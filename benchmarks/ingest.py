"""Ingestion (issue 12): ``glassnet train big.csv --target y --epochs 1`` as a whole process against a process
doing ``pandas.read_csv(path).to_numpy()`` (pandas' own C reader, and its pyarrow engine when pyarrow is
installed), on the same file, interleaved run by run; peak memory from the child's maximum resident set size.

    python benchmarks/ingest.py [--rows 200000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import installed

FEATURES = 19  # plus the target: 20 columns of numbers
GLASSNET = "glassnet train --epochs 1"


def write_table(path: Path, rows: int, seed: int = 0) -> None:
    """``rows`` x (FEATURES + 1) numbers with 8 significant digits, y a noisy sum of the first three."""
    import numpy as np

    rng = np.random.default_rng(seed)
    with open(path, "w") as f:
        f.write(",".join([f"x{i}" for i in range(FEATURES)] + ["y"]) + "\n")
        for start in range(0, rows, 100_000):
            X = rng.normal(size=(min(100_000, rows - start), FEATURES))
            y = X[:, :3].sum(axis=1) + rng.normal(scale=0.1, size=len(X))
            np.savetxt(f, np.column_stack([X, y]), delimiter=",", fmt="%.8g")


# Each child says its own peak (VmHWM) as it exits: ru_maxrss would count the parent's memory that the fork copied
# before exec (a benchmark process holding 700 MB made every child "peak" at 700 MB).
PEAK = ("import atexit, sys; atexit.register(lambda: print('PEAK', open('/proc/self/status').read()"
        ".split('VmHWM:')[1].split()[0], file=sys.stderr)); ")


def _run(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak resident MiB) of one child process."""
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{argv} failed: {done.stderr}")
    return wall, int(done.stderr.split("PEAK")[-1].split()[0]) / 1024


def cases(path: Path, out: Path) -> dict[str, list[str]]:
    py = sys.executable
    train = ["train", str(path), "--target", "y", "--epochs", "1", "--out", str(out), "--quiet"]
    found = {GLASSNET: [py, "-c", PEAK + f"from glassnet.cli import main; sys.exit(main({train!r}))"]}
    if installed("pandas"):
        found["pandas.read_csv().to_numpy()"] = [py, "-c", PEAK + f"import pandas; pandas.read_csv({str(path)!r})"
                                                 ".to_numpy()"]
        if installed("pyarrow"):
            found["pandas.read_csv(engine='pyarrow').to_numpy()"] = [
                py, "-c", PEAK + f"import pandas; pandas.read_csv({str(path)!r}, engine='pyarrow').to_numpy()"]
    return found


def measure(rows: int, repeats: int) -> dict[str, dict[str, float]]:
    """Median wall seconds and peak MiB per case, cases interleaved repeat by repeat."""
    with tempfile.TemporaryDirectory() as folder:
        path, out = Path(folder) / "big.csv", Path(folder) / "model.safetensors"
        write_table(path, rows)
        runs = cases(path, out)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
        for _ in range(repeats):
            for name, argv in runs.items():
                samples[name].append(_run(argv))
        size = path.stat().st_size
    return {name: {"wall": statistics.median(w for w, _ in s), "peak": max(p for _, p in s), "bytes": size}
            for name, s in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    for name, m in measure(args.rows, args.repeats).items():
        print(f"{name:48s} {m['wall']:6.2f} s  peak {m['peak']:6.0f} MiB  ({m['bytes'] / 2**20:.0f} MiB file)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
