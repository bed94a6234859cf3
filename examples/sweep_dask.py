"""A hyper-parameter sweep of glassnet's scikit-learn classifier on a Dask cluster.

    pip install "glassnet[dask]"
    python examples/sweep_dask.py                                # a local cluster of 2 worker processes
    python examples/sweep_dask.py --scheduler tcp://10.0.0.5:8786   # a running cluster

For a real cluster, start a scheduler (``dask scheduler``, which prints its address, port 8786 by default)
and workers on the other machines (``dask worker tcp://10.0.0.5:8786``), each in an environment with
``glassnet[sklearn]`` installed, then pass that address as ``--scheduler``. Nothing in glassnet changes:
``GridSearchCV`` hands its fits to joblib, and ``joblib.parallel_backend("dask")`` sends them to the workers.
"""

from __future__ import annotations

import argparse
import collections
import time

import joblib
from distributed import Client, LocalCluster, get_task_stream
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from glassnet.sklearn import GlassnetClassifier

GRID = {
    "glassnetclassifier__hidden_layer_sizes": [(32,), (64,), (64, 32)],
    "glassnetclassifier__activation": ["relu", "tanh"],
    "glassnetclassifier__learning_rate": [0.001, 0.01],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (default: start a local cluster)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the local cluster (default: 2)")
    parser.add_argument("--epochs", type=int, default=30, help="training epochs per fit (default: 30)")
    args = parser.parse_args()

    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=":0")
        client = Client(cluster)
    print(f"Dask scheduler {client.scheduler.address} with {len(client.scheduler_info()['workers'])} workers")

    X, y = load_digits(return_X_y=True)  # 1797 8x8 images of digits, shipped with scikit-learn
    model = make_pipeline(StandardScaler(), GlassnetClassifier(epochs=args.epochs, random_state=0))
    search = GridSearchCV(model, GRID, cv=3, n_jobs=-1)
    start = time.perf_counter()
    with joblib.parallel_backend("dask"), get_task_stream(client) as tasks:
        search.fit(X, y)
    print(f"{len(search.cv_results_['params'])} configurations x 3 folds in {time.perf_counter() - start:.1f} s")
    print(f"best cross-validated accuracy {search.best_score_:.3f} with {search.best_params_}")
    for worker, n in sorted(collections.Counter(task["worker"] for task in tasks.data).items()):
        print(f"  {n} tasks ran on worker {worker}")
    client.close()


if __name__ == "__main__":
    main()
