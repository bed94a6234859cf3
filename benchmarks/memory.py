"""Sections 4 and 5: memory and time per epoch on long data (rows x 20 float32, a 20-64-64-1 ReLU MLP,
mean squared error, SGD, batch 256, shuffled as ``fit`` does by default).

Memory is measured in a child process (``python memory.py --child glassnet|numpy ...``), which prints JSON:
resident memory after its warm-up (``base``), after making the data, after each epoch, and its peak
(VmHWM, reset with /proc/self/clear_refs once the data exists, where the kernel allows it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from harness import wait_for_quiet

FEATURES, HIDDEN, LR = 20, 64, 0.01


def make_data(rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """N(0, 1) float32 features and y = tanh(x . w) (rows, 1), made without float64 temporaries."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, FEATURES), dtype=np.float32)
    y = X @ rng.standard_normal((FEATURES, 1), dtype=np.float32)
    np.tanh(y, out=y)
    return X, y


def glassnet_net():
    import glassnet as gn

    return gn.Network([gn.Dense(FEATURES, HIDDEN, activation="relu"), gn.Dense(HIDDEN, HIDDEN, activation="relu"),
                       gn.Dense(HIDDEN, 1)], seed=0, dtype=np.float32)


def glassnet_train(X, y, epochs: int, batch: int, callback) -> int:
    """Train; return the model's parameter bytes."""
    import glassnet as gn

    net = glassnet_net()
    net.fit(X, y, epochs=epochs, batch_size=batch, loss="mse", optimizer=gn.SGD(lr=LR), verbose=0,
            callback=lambda epoch, values: callback())
    return sum(p.nbytes for p, _, _ in net.parameters())


def numpy_train(X, y, epochs: int, batch: int, callback) -> int:
    """A hand-written shuffled loop (rows gathered per batch with fancy indexing), for comparison."""
    rng = np.random.default_rng(0)
    sizes = (FEATURES, HIDDEN, HIDDEN, 1)
    params = [(rng.normal(0, np.sqrt(2 / i), (i, o)).astype(np.float32), np.zeros(o, np.float32))
              for i, o in zip(sizes, sizes[1:])]
    (W0, b0), (W1, b1), (W2, b2) = params
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch):
            idx = order[start:start + batch]
            x, t = X[idx], y[idx]
            h1 = np.maximum(x @ W0 + b0, 0)
            h2 = np.maximum(h1 @ W1 + b1, 0)
            d = (h2 @ W2 + b2 - t) * (2 / t.size)
            g2, c2 = h2.T @ d, d.sum(axis=0)
            d = (d @ W2.T) * (h2 > 0)
            g1, c1 = h1.T @ d, d.sum(axis=0)
            d = (d @ W1.T) * (h1 > 0)
            g0, c0 = x.T @ d, d.sum(axis=0)
            for p, g in ((W2, g2), (b2, c2), (W1, g1), (b1, c1), (W0, g0), (b0, c0)):
                p -= LR * g
        callback()
    return sum(W.nbytes + b.nbytes for W, b in params)


TRAINERS = {"glassnet": glassnet_train, "numpy": numpy_train}


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def child(which: str, rows: int, epochs: int, batch: int, threads: int) -> dict:
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(threads)
    except ImportError:
        pass
    train = TRAINERS[which]
    train(*make_data(2048, seed=1), 1, batch, lambda: None)  # load code paths and BLAS buffers first
    base = _status_kb("VmRSS")
    X, y = make_data(rows)
    after_data = _status_kb("VmRSS")
    reset = _reset_peak()
    per_epoch = []
    model_bytes = train(X, y, epochs, batch, lambda: per_epoch.append(_status_kb("VmRSS")))
    return {"which": which, "rows": rows, "base_kb": base, "data_kb": after_data, "peak_kb": _status_kb("VmHWM"),
            "epoch_kb": per_epoch, "data_bytes": X.nbytes + y.nbytes, "model_bytes": model_bytes,
            "peak_reset": reset}


def measure(which: str, rows: int, epochs: int, batch: int, threads: int) -> dict:
    """Run the child for ``which`` and add the ratios: peak / (data + model) counted from the child's
    resident memory after warm-up (interpreter, libraries, BLAS buffers), and the raw one."""
    argv = [sys.executable, __file__, "--child", which, "--rows", str(rows), "--epochs", str(epochs),
            "--batch", str(batch), "--threads", str(threads)]
    out = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)
    payload = out["data_bytes"] + out["model_bytes"]
    out["ratio"] = (out["peak_kb"] - out["base_kb"]) * 1024 / payload
    out["ratio_raw"] = out["peak_kb"] * 1024 / payload
    out["epoch_growth_kb"] = max(out["epoch_kb"]) - min(out["epoch_kb"])
    return out


def epoch_times(rows_list: list[int], repeats: int, rows_per_fit: int, batch: int) -> list[tuple[int, float]]:
    """Seconds per epoch of glassnet fit at each row count: the median over ``repeats`` rounds, each round
    fitting every size once (in a rotated order), so a machine that drifts affects all sizes alike. A fit
    trains on about ``rows_per_fit`` rows in all (at least 2 epochs); its first epoch is left out (it includes
    fit's one-off checks and buffer allocation), the others are averaged."""
    import glassnet as gn

    X, y = make_data(max(rows_list))
    times: dict[int, list[float]] = {rows: [] for rows in rows_list}
    for r in range(repeats):
        for rows in rows_list[r % len(rows_list):] + rows_list[:r % len(rows_list)]:
            net = glassnet_net()
            wait_for_quiet()
            stamps = [time.perf_counter()]
            net.fit(X[:rows], y[:rows], epochs=1 + -(-rows_per_fit // rows), batch_size=batch, loss="mse",
                    optimizer=gn.SGD(lr=LR), verbose=0,
                    callback=lambda epoch, values, s=stamps: s.append(time.perf_counter()))
            times[rows].append(float(np.mean(np.diff(stamps)[1:])))
    return [(rows, float(np.median(times[rows]))) for rows in rows_list]


def linear_fit(points: list[tuple[int, float]]) -> dict:
    """Least-squares t = a + b * rows: slope b (s/row), R^2, and the per-row time of the largest size over
    that of the smallest (1.0 = exactly linear)."""
    rows, secs = (np.array(v, dtype=float) for v in zip(*points))
    slope, intercept = np.polyfit(rows, secs, 1)
    residual = secs - (intercept + slope * rows)
    r2 = 1 - float(residual @ residual) / float(((secs - secs.mean()) ** 2).sum())
    return {"slope": float(slope), "intercept": float(intercept), "r2": r2,
            "per_row_ratio": (secs[-1] / rows[-1]) / (secs[0] / rows[0])}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Memory child of benchmarks/bench.py")
    parser.add_argument("--child", choices=sorted(TRAINERS), required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    a = parser.parse_args()
    print(json.dumps(child(a.child, a.rows, a.epochs, a.batch, a.threads)))
