"""Column scalers (glassnet.tabular.scaling) against scikit-learn's RobustScaler and QuantileTransformer and the
smooth clip's closed form."""

import json
import warnings
from statistics import NormalDist

import numpy as np
import pytest

import glassnet as gn
from glassnet.tabular.scaling import QuantileScaler, RobustScaler, normal_quantile, scaler_from_json, smooth_clip

sklearn_preprocessing = pytest.importorskip("sklearn.preprocessing")


def test_smooth_clip_is_about_x_near_zero_and_bounded_by_three():
    x = np.array([-1e9, -3.0, -1e-3, 0.0, 1e-3, 1.0, 3.0, 1e9])
    np.testing.assert_allclose(smooth_clip(x), x / np.sqrt(1 + x**2 / 9), rtol=1e-15)
    assert smooth_clip(np.array([1e-3]))[0] == pytest.approx(1e-3, rel=1e-6)
    assert smooth_clip(np.array([3.0]))[0] == pytest.approx(3 / np.sqrt(2))
    assert abs(smooth_clip(np.array([1e9]))[0] - 3) < 1e-8 and np.all(np.diff(smooth_clip(x)) > 0)


def test_robust_scaler_is_scikit_learns_robust_scaling_then_the_smooth_clip():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.lognormal(size=300), [1e6, np.nan, np.nan]])
    ours = RobustScaler().fit(x)
    ref = sklearn_preprocessing.RobustScaler().fit(x[~np.isnan(x), None])
    fresh = np.array([0.5, 2.0, 1e6, np.nan, -4.0])
    expected = smooth_clip((fresh - ref.center_[0]) / ref.scale_[0])
    np.testing.assert_allclose(ours.transform(fresh), expected, rtol=1e-13)
    assert np.isnan(ours.transform(fresh)[3]) and ours.transform(np.array([1e6]))[0] < 3  # the outlier: near 3
    standardized = (1e6 - np.nanmean(x)) / np.nanstd(x)
    inliers = ours.transform(x[:300])
    assert np.std(inliers) > 0.5 and np.std((x[:300] - np.nanmean(x)) / np.nanstd(x)) < 0.01 < standardized


def test_robust_scaler_falls_back_to_the_range_then_to_zero():
    spiky = np.array([0.0] * 9 + [4.0, 8.0, 0.0])  # quartiles both 0: scale 2 / (max - min) = 0.25
    assert RobustScaler().fit(spiky).scale == 0.25
    np.testing.assert_allclose(RobustScaler().fit(spiky).transform(np.array([8.0])), smooth_clip(np.array([2.0])))
    constant = RobustScaler().fit(np.full(5, 7.0))
    np.testing.assert_array_equal(constant.transform(np.array([7.0, 100.0])), [0.0, 0.0])


@pytest.mark.parametrize("values, match", [
    (np.array([1.0, 2.0, 3.0, 4.0]) * 1e-310, r"too close together .* spread, 1\.5e-310, .* overflows float64; "
                                               "multiply the column by a power of ten, or use scaling 'standard'"),
    (np.array([0.0, 0.0, 0.0, 0.0, 1e-310]), "too close together"),  # (quartiles equal: the range, subnormal)
    (np.array([-1e308, -1e308, 1e308, 1e308]), "too far apart .* divide the column by a power of ten"),
])
def test_robust_scaler_refuses_a_spread_no_float64_scale_can_bring_to_order_one(values, match):
    """1 / 1e-310 overflows float64, and 1e308 - (-1e308) too: the scale would be inf or 0, the column +-3 or 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no leaked RuntimeWarning)
        with pytest.raises(gn.InputError, match=match):
            RobustScaler().fit(values)
    assert RobustScaler().fit(np.array([1.0, 2.0, 3.0, 4.0]) * 1e-308).scale == pytest.approx(1 / 1.5e-308)


def test_quantile_scaler_equals_scikit_learns_on_the_training_values():
    rng = np.random.default_rng(1)
    x = rng.exponential(size=400)  # no ties: every training value is a reference
    ours = QuantileScaler().fit(x)
    ref = sklearn_preprocessing.QuantileTransformer(n_quantiles=400, output_distribution="normal").fit(x[:, None])
    np.testing.assert_allclose(ours.transform(x), ref.transform(x[:, None])[:, 0], rtol=1e-9, atol=1e-9)
    assert ours.transform(np.array([-1.0, 1e9])) == pytest.approx([NormalDist().inv_cdf(1e-7),
                                                                   NormalDist().inv_cdf(1 - 1e-7)])


@pytest.mark.parametrize("unit", [1e-311, 1e307])
def test_quantile_scaler_is_the_same_on_subnormal_and_huge_columns(unit):
    """Ranks do not depend on the unit; differences of 1e-311s or of +-1.7e308s once made inf - inf (NaN)."""
    k = np.random.default_rng(0).integers(-17, 18, size=300).astype(float)
    later = np.array([-17.5, -3.5, 0.25, 16.0, 17.5])  # (beyond the references at both ends)
    expected = QuantileScaler().fit(k).transform(later)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaler = QuantileScaler().fit(k * unit)
        got = scaler.transform(later * unit)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(scaler.references / unit, QuantileScaler().fit(k).references, rtol=1e-12)


def test_normal_quantile_is_the_standard_librarys_within_its_accuracy():
    p = np.concatenate([[1e-300, 1e-7, 0.02425, 0.5, 0.97575, 1 - 1e-7], np.linspace(1e-4, 1 - 1e-4, 999)])
    expected = [NormalDist().inv_cdf(v) for v in p]
    np.testing.assert_allclose(normal_quantile(p), expected, rtol=2e-9, atol=1e-12)
    assert np.isnan(normal_quantile(np.array([np.nan]))[0])


def test_quantile_scaler_on_a_large_column_is_scikit_learns_and_normal():
    rng = np.random.default_rng(2)
    x = rng.lognormal(size=5000)
    ours = QuantileScaler().fit(x)
    assert len(ours.references) == 1000
    ref = sklearn_preprocessing.QuantileTransformer(n_quantiles=1000, output_distribution="normal").fit(x[:, None])
    fresh = np.concatenate([rng.lognormal(size=2000), [0.0, 1e6]])
    out = ours.transform(fresh)
    np.testing.assert_allclose(out, ref.transform(fresh[:, None])[:, 0], rtol=1e-8, atol=1e-8)
    assert abs(np.mean(out)) < 0.1 and abs(np.std(out) - 1) < 0.1


def test_quantile_scaler_maps_a_shared_value_to_the_middle_of_its_run():
    x = np.array([1.0, 2.0, 2.0, 2.0, 3.0])  # references 1, 2, 2, 2, 3 at levels 0, .25, .5, .75, 1
    out = QuantileScaler().fit(x).transform(np.array([2.0]))
    assert out[0] == pytest.approx(NormalDist().inv_cdf((0.25 + 0.75) / 2), abs=1e-12)  # 0: symmetric
    asymmetric = QuantileScaler().fit(np.array([1.0, 2.0, 2.0, 3.0, 4.0])).transform(np.array([2.0]))
    assert asymmetric[0] == pytest.approx(NormalDist().inv_cdf((0.25 + 0.5) / 2), rel=1e-8)


@pytest.mark.parametrize("scaler", [RobustScaler, QuantileScaler])
def test_scalers_round_trip_through_json(scaler):
    rng = np.random.default_rng(3)
    x = rng.normal(size=50) ** 3
    fitted = scaler().fit(x)
    back = scaler_from_json(json.loads(json.dumps(fitted.to_json())))
    assert type(back) is scaler
    np.testing.assert_array_equal(back.transform(x), fitted.transform(x))


@pytest.mark.parametrize("call, match", [
    (lambda: RobustScaler().fit(np.array([np.nan, np.nan])), "at least one value that is not missing"),
    (lambda: QuantileScaler().fit(np.ones((2, 2))), "needs a 1-D array"),
    (lambda: RobustScaler().fit(np.array([1.0, np.inf])), "infinite value"),
    (lambda: scaler_from_json({"kind": "minmax"}), "unknown scaler 'minmax'"),
    (lambda: scaler_from_json({"kind": "robust", "center": "0", "scale": 1}), "finite number 'center'"),
    (lambda: scaler_from_json({"kind": "quantile", "references": [2, 1]}), "non-decreasing"),
])
def test_bad_scaler_input(call, match):
    with pytest.raises(gn.InputError, match=match):
        call()
