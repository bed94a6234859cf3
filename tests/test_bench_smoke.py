"""benchmarks/bench.py --smoke runs, every installed contender takes part, and the loss checks pass.

Nothing here is timed as pass or fail: the benchmark is not a test. In CI (CI set) torch, scikit-learn
and threadpoolctl must be installed (`make test` installs the bench extra), so no contender is skipped there.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.fixture(scope="module")
def smoke():
    done = subprocess.run([sys.executable, str(BENCH / "bench.py"), "--smoke"], capture_output=True, text=True,
                          timeout=600)
    return done


def loss_rows(stdout: str) -> list[list[str]]:
    part = stdout.split("## Loss agreement", 1)[1].split("\n## ", 1)[0]
    return [[c.strip() for c in line.strip("|").split("|")] for line in part.splitlines()
            if line.startswith("| ") and not line.startswith("| section")]


def test_smoke_runs_and_every_loss_agrees(smoke):
    assert smoke.returncode == 0, smoke.stderr[-4000:]
    rows = loss_rows(smoke.stdout)
    assert rows, smoke.stdout[-2000:]
    assert all(row[-1] == "ok" for row in rows), [row for row in rows if row[-1] != "ok"]


def test_every_installed_contender_is_checked(smoke):
    if os.environ.get("CI"):
        missing = [m for m in ("torch", "sklearn", "threadpoolctl") if not installed(m)]
        assert not missing, f"CI must install the bench extra; missing {missing}"
    tutorial, mlp = ["numpy loop", "glassnet fit"], ["numpy loop", "glassnet fit", "glassnet fit shuffle=True"]
    if installed("torch"):
        tutorial += ["torch manual", "torch autograd+SGD"]
        mlp.append("torch autograd+SGD")
    if installed("sklearn"):
        tutorial.append("sklearn MLPRegressor")
        mlp.append("sklearn MLPClassifier")
    expected = {("1. tutorial", name) for name in tutorial}
    expected |= {(f"2. mlp batch {b}", name) for b in (32, 128) for name in mlp}
    checked = {(row[0], row[1]) for row in loss_rows(smoke.stdout)}
    assert expected <= checked, expected - checked


def test_smoke_keeps_the_openblas_environment(smoke):
    if "OPENBLAS_CORETYPE" in os.environ:
        assert "kept as the environment set them" in smoke.stdout


def test_a_contender_doing_one_step_fewer_fails_its_check():
    sys.path.insert(0, str(BENCH))
    try:
        import harness
        import tutorial
    finally:
        sys.path.remove(str(BENCH))
    full = tutorial.sse(tutorial.plain_numpy(300)())
    short = tutorial.sse(tutorial.plain_numpy(299)())
    sensitivity = harness.relative_change(short, full)
    assert not harness.Check("t", "short", "full", short, full, harness.RTOL_FLOAT64, sensitivity).ok
    assert harness.Check("t", "same", "full", full, full, harness.RTOL_FLOAT64, sensitivity).ok
    assert not harness.Check("t", "loose", "full", full, full, 2 * sensitivity, sensitivity).ok
