"""A hyper-parameter sweep on a Dask cluster: GridSearchCV under joblib's dask backend, no glassnet changes."""

import os

import joblib
import numpy as np
import pytest
from distributed import Client, LocalCluster
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from glassnet.sklearn import GlassnetClassifier

GRID = {"glassnetclassifier__learning_rate": [1e-5, 0.02], "glassnetclassifier__hidden_layer_sizes": [(4,), (8,)]}


def search():
    """Accuracy, plus the id of the process that fitted and scored each split (a "score" only read back here)."""
    def pid(estimator, X, y):
        return os.getpid()

    model = make_pipeline(StandardScaler(), GlassnetClassifier(epochs=60, random_state=0))
    return GridSearchCV(model, GRID, cv=3, scoring={"accuracy": "accuracy", "pid": pid}, refit="accuracy", n_jobs=-1)


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        yield client


def test_grid_search_runs_on_the_dask_workers(client):
    X, y = load_iris(return_X_y=True)
    with joblib.parallel_backend("dask"):
        remote = search().fit(X, y)
    local = search().set_params(n_jobs=1).fit(X, y)

    # the cluster computes exactly what one process computes, and 60 epochs at 1e-5 barely move the weights
    np.testing.assert_array_equal(remote.cv_results_["mean_test_accuracy"], local.cv_results_["mean_test_accuracy"])
    assert remote.best_params_ == local.best_params_
    assert remote.best_params_["glassnetclassifier__learning_rate"] == 0.02
    assert remote.best_score_ == max(remote.cv_results_["mean_test_accuracy"]) > 0.85

    worker_pids = set(client.run(os.getpid).values())
    used = {int(pid) for i in range(3) for pid in remote.cv_results_[f"split{i}_test_pid"]}
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids
    assert used <= worker_pids, f"fits ran in processes {used}, the workers are {worker_pids}"
    assert {int(p) for p in local.cv_results_["split0_test_pid"]} == {os.getpid()}


def test_example_sweep_on_a_running_scheduler(client, monkeypatch, capsys):
    """examples/sweep_dask.py pointed at a scheduler address, as on a real cluster."""
    import runpy
    from pathlib import Path

    example = Path(__file__).resolve().parent.parent / "examples" / "sweep_dask.py"
    monkeypatch.setattr("sys.argv", [str(example), "--scheduler", client.scheduler.address, "--epochs", "2"])
    runpy.run_path(str(example), run_name="__main__")
    out = capsys.readouterr().out
    assert f"Dask scheduler {client.scheduler.address} with 2 workers" in out
    assert "12 configurations x 3 folds" in out and "best cross-validated accuracy" in out
    workers = set(client.scheduler_info()["workers"])
    ran_on = {line.split()[-1] for line in out.splitlines() if "tasks ran on worker" in line}
    assert ran_on and ran_on <= workers
