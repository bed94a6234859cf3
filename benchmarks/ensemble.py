"""What an ensemble costs: K networks trained together as one batched computation (``glassnet.Ensemble``) against
one network, same process, same data, same batches.

    python benchmarks/ensemble.py                 # 20,000 x 12 rows, batch 32, 20 epochs, K = 8 vs 1, 3 repeats
    python benchmarks/ensemble.py --smoke         # tiny, seconds

Each repeat trains every contender once, round-robin (each repeat starting with another), from fresh weights;
the figure is the median of the repeats. The issue's target: K = 8 costs at most 3x one network. The networks
are `--preset quick`'s (one hidden layer of 16 tanh units) and a wider one (two of 128 relu units); the default
recipe's network, whole `glassnet train` processes, is timed by benchmarks/train_time.py. BLAS runs on
``--threads`` threads (default 1: on batches of 32 rows more threads only add hand-over time, and on a shared
2-core machine they made one network 20x slower).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import glassnet as gn


def data(rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 12))
    return X, (X[:, 0] * X[:, 1] + X[:, 2] - 0.5 * X[:, 3] ** 2 > 0).astype(int)


def network(hidden: list[int], activation: str, members: int) -> gn.Network:
    sizes = [12, *hidden]
    stack = [gn.Dense(a, b, activation=activation) for a, b in zip(sizes, sizes[1:])]
    stack.append(gn.Dense(sizes[-1], 2, activation="softmax"))
    return gn.Network(stack, seed=0) if members == 1 else gn.Ensemble(stack, seeds=members)


def train_seconds(X: np.ndarray, y: np.ndarray, hidden: list[int], activation: str, members: int,
                  epochs: int) -> float:
    net = network(hidden, activation, members)
    start = time.perf_counter()
    net.fit(X, y, epochs=epochs, batch_size=32, loss="categorical_crossentropy", optimizer=gn.Adam(lr=0.003),
            verbose=0)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks that it runs")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
    except ImportError:
        print("(threadpoolctl is not installed: BLAS uses its default threads)")
    rows, epochs, repeats = (2000, 2, 1) if args.smoke else (20000, 20, args.repeats)
    X, y = data(rows)
    print(f"# Ensemble cost: {rows:,} x 12 rows, batch 32, {epochs} epochs, median of {repeats}, "
          f"{args.threads} BLAS thread(s)\n")
    print(f"| network | 1 network (s) | ensemble of {args.members} (s) | ratio |")
    print("|---|---:|---:|---:|")
    for hidden, activation in (([16], "tanh"), ([128, 128], "relu")):
        times: dict[int, list[float]] = {1: [], args.members: []}
        for r in range(repeats):
            order = [1, args.members] if r % 2 == 0 else [args.members, 1]
            for k in order:
                times[k].append(train_seconds(X, y, hidden, activation, k, epochs))
        one, many = statistics.median(times[1]), statistics.median(times[args.members])
        name = f"12 -> {' -> '.join(f'{h} {activation}' for h in hidden)} -> 2 softmax"
        print(f"| {name} | {one:.2f} | {many:.2f} | {many / one:.2f}x |")


if __name__ == "__main__":
    main()
