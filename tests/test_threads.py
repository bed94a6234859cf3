"""BLAS threads while a table's network trains: one by default (`--threads`, `threads=`), BLAS's own number with
0; the user's setting is back afterwards, and the number of threads does not change what is learned."""

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import glassnet as gn
from glassnet.cli import main
from glassnet.errors import InputError
from glassnet.tabular import workflow


def blas() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


@pytest.fixture
def seen(monkeypatch):
    """The BLAS thread counts each fit ran under."""
    counts, fit = [], workflow.fit

    def spy(*args, **kwargs):
        counts.append(blas())
        return fit(*args, **kwargs)

    monkeypatch.setattr(workflow, "fit", spy)
    return counts


def test_blas_threads_limits_inside_the_block_only():
    with threadpool_limits(limits=2, user_api="blas"):
        with workflow.blas_threads(1):
            assert blas() and set(blas()) == {1}
        assert set(blas()) == {2}
        with workflow.blas_threads(0):
            assert set(blas()) == {2}


def test_train_table_trains_on_one_thread_unless_told(seen):
    with threadpool_limits(limits=2, user_api="blas"):
        one = gn.train_table("iris", "species", epochs=3, preset="quick", warn=lambda text: None)
        own = gn.train_table("iris", "species", epochs=3, preset="quick", threads=0, warn=lambda text: None)
        assert set(blas()) == {2}  # (the caller's setting is back)
    assert seen == [[1] * len(seen[0]), [2] * len(seen[1])]
    np.testing.assert_allclose(one.network.flat, own.network.flat, rtol=1e-12, atol=1e-15)
    assert "threads" not in one.record.settings  # (how fast, not what: resume chooses its own)


def test_cli_train_and_resume_take_threads(tmp_path, seen):
    out = str(tmp_path / "m.safetensors")
    assert main(["train", "iris", "--target", "species", "--preset", "quick", "--epochs", "2", "--quiet",
                 "--threads", "2", "--out", out]) == 0
    assert main(["resume", out, "iris", "--epochs", "1", "--quiet"]) == 0
    assert seen == [[2] * len(seen[0]), [1] * len(seen[1])]


@pytest.mark.parametrize("threads", [1.5, -1, 1025, 10**23, "2", True, None])
def test_bad_threads_is_refused(threads):
    with pytest.raises(InputError, match=r"--threads must be 0 \(BLAS's own number\) or an integer up to 1024"):
        gn.train_table("iris", "species", threads=threads)


def test_a_numpy_integer_is_a_number_of_threads(seen):
    gn.train_table("iris", "species", epochs=1, preset="quick", threads=np.int64(2), warn=lambda text: None)
    assert seen == [[2] * len(seen[0])]
