"""Row reductions (glassnet.rows) against NumPy's own, and the finiteness check built on a BLAS sum."""

import numpy as np
import pytest

from glassnet import checks, rows
from glassnet.errors import InputError


@pytest.mark.parametrize("shape", [(1, 1), (5, 1), (512, 10), (3, 700), (64, 33)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_row_reductions_match_numpy(shape, dtype):
    z = np.random.default_rng(0).normal(0, 30, shape).astype(dtype)
    np.testing.assert_array_equal(rows.row_max(z), z.max(axis=1, keepdims=True))
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(rows.row_sum(z), z.sum(axis=1, keepdims=True, dtype=np.float64), rtol=rtol,
                               atol=rtol * np.abs(z).sum())
    exact = np.log(np.exp(z.astype(np.float64) - 100).sum(axis=1, keepdims=True)) + 100  # no overflow at |z| < 800
    np.testing.assert_allclose(rows.logsumexp(z), exact, rtol=rtol)
    assert rows.row_max(z).dtype == rows.logsumexp(z).dtype == dtype


def test_row_reductions_of_strided_views_and_extremes():
    z = np.arange(24.0).reshape(4, 6)[:, ::2]  # not contiguous
    np.testing.assert_array_equal(rows.row_max(z), z.max(axis=1, keepdims=True))
    np.testing.assert_array_equal(rows.row_sum(z), z.sum(axis=1, keepdims=True))
    big = np.array([[1000.0, 1000.0], [-1000.0, -1000.0]])
    np.testing.assert_allclose(rows.logsumexp(big), [[1000 + np.log(2)], [-1000 + np.log(2)]])


def test_nan_propagates_through_row_reductions():
    z = np.array([[0.0, 1.0], [np.nan, 2.0], [3.0, np.nan]])
    assert np.isnan(rows.row_max(z)[1:]).all() and rows.row_max(z)[0, 0] == 1.0
    assert np.isnan(rows.row_sum(z)[1:]).all()


@pytest.mark.parametrize("shape,where", [((6, 3), (4, 2)), ((7,), (5,)), ((3, 2, 2), (1, 1, 0)),
                                         ((70001, 2), (70000, 1))])  # past the first block of 65536 rows
def test_finiteness_check_finds_the_first_bad_value(shape, where):
    X = np.ones(shape, np.float32)
    X[where] = np.nan
    with pytest.raises(InputError, match=f"row {where[0]}"):
        checks.numeric_array(X, "X")


def test_large_finite_values_whose_sum_overflows_pass():
    X = np.full((4, 3), 3e38, np.float32)  # every value finite; any float32 sum of them is inf
    assert checks.numeric_array(X, "X") is X
