"""Mistakes a user can make with the Python API: each gets a clear glassnet error, or is made harmless."""

import math
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet import checks
from glassnet.activations import LeakyReLU
from glassnet.errors import DivergenceError, InputError
from glassnet.sklearn import GlassnetClassifier, GlassnetRegressor


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    return X, (X[:, 0] > 0).astype(float)


def small(**kw):
    return gn.Network([gn.Dense(2, 4, activation="tanh"), gn.Dense(4, 1)], **kw)


@pytest.mark.parametrize("dtype", ["bogus", 1, None, "(2)f8", [1], "int32"])
def test_unknown_dtype_is_refused(dtype):
    with pytest.raises(InputError, match="dtype must be float32 or float64"):
        small(dtype=dtype)
    with pytest.raises(InputError, match="dtype must be float32 or float64"):
        checks.float_dtype(dtype)


def test_a_layer_belongs_to_one_network():
    d = gn.Dense(2, 2, activation="tanh")
    with pytest.raises(InputError, match="layer 1 is already part of a network"):
        gn.Network([d, d, gn.Dense(2, 1)])
    first, second = gn.Dense(2, 4), gn.Dense(4, 1)
    net = gn.Network([first, second])
    before = net.predict(np.ones((1, 2)))
    with pytest.raises(InputError, match="layer 0 is already part of a network"):
        gn.Network([first, second], seed=5)
    np.testing.assert_array_equal(net.predict(np.ones((1, 2))), before)  # the first network is untouched


@pytest.mark.parametrize("layers", [gn.Dense(2, 3), None, [], ["dense"]])
def test_network_needs_a_list_of_layers(layers):
    with pytest.raises(InputError, match=r"non-empty list of layers \(Dense, Dropout, or your own"):
        gn.Network(layers)


def test_gradcheck_reports_non_finite_gradients_and_checks_h(data):
    X, y = data
    net = small()
    assert gn.gradcheck(net, X[:5], y[:5]) < 1e-6
    for h in (math.nan, 0, -1e-6, 1.0, "x", True):
        with pytest.raises(InputError, match="h must be a small positive number"):
            gn.gradcheck(net, X[:5], y[:5], h=h)
    np.copyto(net.layers[0].weights, np.nan)
    assert math.isnan(gn.gradcheck(net, X[:5], y[:5]))


def test_history_keeps_one_value_per_epoch_when_validation_comes_and_goes(data):
    X, y = data
    net = small()
    net.fit(X, y, epochs=2, validation_split=0.25, verbose=0)
    net.fit(X, y, epochs=2, verbose=0)
    third = net.fit(X, y, epochs=2, validation_split=0.25, verbose=0)
    assert {len(v) for v in net.history.values()} == {6} and {len(v) for v in third.values()} == {2}
    val = net.history["val_loss"]
    assert math.isnan(val[2]) and math.isnan(val[3]) and val[4:] == third["val_loss"]
    assert all(math.isfinite(v) for v in val[:2] + val[4:])


def test_an_optimizer_with_another_networks_state_is_refused(data):
    X, y = data
    adam = gn.Adam()
    small().fit(X, y, epochs=1, optimizer=adam, verbose=0)
    wider = gn.Network([gn.Dense(2, 8, activation="tanh"), gn.Dense(8, 1)])
    with pytest.raises(InputError, match=r"optimizer has already made \d+ update\(s\), for another network"):
        wider.fit(X, y, epochs=1, optimizer=adam, verbose=0)
    sgd = gn.SGD(lr=0.1)
    gn.Network([gn.Dense(2, 1, bias=False)]).fit(X, y, epochs=1, optimizer=sgd, verbose=0)
    with pytest.raises(InputError, match="give each network an optimizer of its own"):  # (the bias: no state)
        gn.Network([gn.Dense(2, 1)]).fit(X, y, epochs=1, optimizer=sgd, verbose=0)
    same_shapes = small()
    with pytest.raises(InputError, match="would carry over"):  # same shapes: before, it silently carried over
        same_shapes.fit(X, y, epochs=1, optimizer=adam, verbose=0)
    momentum = gn.SGD(lr=0.1, momentum=0.9)
    net = small()
    net.fit(X, y, epochs=1, optimizer=momentum, verbose=0)
    net.fit(X, y, epochs=1, optimizer=momentum, verbose=0)  # its own optimizer again: goes on


@pytest.mark.parametrize("optimizer", [gn.SGD(lr=1e3, momentum=0.9), gn.Adam(lr=1e300)])
def test_after_divergence_training_can_go_on_with_a_smaller_rate(data, optimizer):
    X, y = data
    net = gn.Network([gn.Dense(2, 4, activation="relu"), gn.Dense(4, 1)], seed=0)
    with pytest.raises(DivergenceError, match="optimizer starts afresh"):
        net.fit(X, y * 1e3, epochs=200, batch_size=5, optimizer=optimizer, verbose=0)
    assert net.optimizer.state == [] and net.optimizer.steps == 0
    net.optimizer.lr = 1e-6
    history = net.fit(X, y, epochs=2, verbose=0)
    assert all(math.isfinite(v) for v in history["loss"])


@pytest.mark.parametrize("decoupled", [True, False])
def test_divergence_under_weight_decay_suggests_a_smaller_decay_too(data, decoupled):
    X, y = data
    net = gn.Network([gn.Dense(2, 4, activation="relu"), gn.Dense(4, 1)], seed=0)
    optimizer = gn.SGD(lr=0.01, weight_decay=1e6, decoupled=decoupled)  # each step multiplies W by 1 - 1e4
    with pytest.raises(DivergenceError, match=r"a smaller learning rate \(now 0.01\), or a smaller weight decay "
                                              r"\(now 1e\+06\)\.$"):
        net.fit(X, y, epochs=50, batch_size=5, optimizer=optimizer, verbose=0)
    with pytest.raises(DivergenceError, match=r"a smaller learning rate \(now 1e\+300\)\.$"):
        small(seed=0).fit(X, y * 1e3, epochs=50, batch_size=5, optimizer=gn.Adam(lr=1e300), verbose=0)


@pytest.mark.parametrize("X,match", [
    ([[1.0, 2.0], [3.0]], "X is ragged"),
    (None, "X is None"),
    (np.array([[1 + 2j, 0], [0, 1]]), "complex128"),
    (np.array([["2020-01-01", "2020-01-02"]] * 2, dtype="datetime64[D]"), "datetime64"),
    (np.zeros((2, 0)), "at least one row and one column"),
])
def test_bad_arrays_are_named(data, X, match):
    with pytest.raises(InputError, match=match):
        small().fit(X, [0.0, 1.0], verbose=0)


def test_values_too_large_for_float32_are_named():
    net = gn.Network([gn.Dense(2, 1)], dtype=np.float32)
    X = np.ones((4, 2))
    with pytest.raises(InputError, match=r"y \(as float32, whose largest value is 3.4e\+38\) contains NaN or infinity "
                                         "at row 2"):
        net.fit(X, [0, 0, 1e39, 0], verbose=0)
    with pytest.raises(InputError, match=r"X \(as float32.*at row 1, column 0"):
        net.fit(np.array([[0, 0], [1e39, 0]]), [0, 0], verbose=0)
    with pytest.raises(InputError, match=r"y \(as float32"):
        net.evaluate(X, [0, 0, 1e39, 0], loss="mse")


def test_weights_must_be_finite_numbers():
    layer = gn.Dense(2, 3)
    for bad, match in ((np.full((2, 3), np.nan), "NaN or infinity"), ([[1, 2, 3], [1, 2]], "ragged"),
                       (np.full((2, 3), "a"), "must hold numbers")):
        with pytest.raises(InputError, match=match):
            layer.weights = bad
    layer.weights = [["1", 2, 3], [4, 5, 6]]  # numbers written as text are numbers
    assert layer.weights[0, 0] == 1.0


def test_evaluate_before_fit_leaves_the_metrics_to_fit(data):
    X, y = data
    net = gn.Network([gn.Dense(2, 2, activation="softmax")])
    assert set(net.evaluate(X, np.eye(2)[y.astype(int)], loss="mse")) == {"loss", "mae"}
    assert set(net.fit(X, y, epochs=1, loss="categorical_crossentropy", verbose=0)) == {"loss", "accuracy"}


def test_numpy_numbers_and_a_single_metric_name_are_accepted(data):
    X, y = data
    net = small()
    history = net.fit(X, y, epochs=np.int64(1), validation_split=np.float32(0.25), metrics="mae",
                      optimizer=gn.SGD(lr=np.int64(1) / 10), verbose=0)
    assert set(history) == {"loss", "mae", "val_loss", "val_mae"}
    assert gn.SGD(lr=np.int64(1)).lr == 1.0
    for alpha in ("0.1", True, 1.5):
        with pytest.raises(InputError, match="leaky_relu alpha"):
            LeakyReLU(alpha)


def test_estimator_parameters_that_cannot_work(data):
    X, y = data
    with pytest.raises(InputError, match="hidden_layer_sizes must be a size or a list"):
        GlassnetClassifier(hidden_layer_sizes=None).fit(X, y)
    with pytest.raises(InputError, match="n_samples=1 leaves none to train on"):
        GlassnetRegressor(early_stopping=2).fit(X[:1], y[:1])


def test_numbers_beyond_the_float_range_are_refused_in_one_short_line():
    for make in (lambda: gn.Adam(lr=10**400), lambda: gn.SGD(momentum=-10**400), lambda: small(seed=10**400)):
        with pytest.raises(InputError) as error:
            make()
        assert len(str(error.value)) < 120 and "..." in str(error.value)


def test_modules_are_reachable_from_the_package_on_first_use():
    code = ("import glassnet as gn, sys; before = 'glassnet.losses' in sys.modules; "
            "print(before, gn.losses.get('mse').name, gn.activations.get('relu').name, gn.metrics.mae.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "mse", "relu", "mae"]
    with pytest.raises(AttributeError, match="no attribute 'lossess'"):
        gn.lossess  # noqa: B018


def test_estimator_history_keeps_one_value_per_epoch(data):
    X, y = data
    model = GlassnetClassifier(epochs=3, early_stopping=5, random_state=0).fit(X, y)
    model.set_params(early_stopping=None).partial_fit(X, y)
    assert {len(v) for v in model.history_.values()} == {model.n_iter_} == {4}
    assert math.isnan(model.history_["val_loss"][-1]) and math.isfinite(model.history_["loss"][-1])


@pytest.mark.parametrize("call, match", [
    (lambda: gn.Dense(3, 4, bias="no"), "Dense bias must be True or False; got 'no'"),
    (lambda: gn.SGD(momentum=0.5, nesterov="no"), "nesterov must be True or False; got 'no'"),
    (lambda: gn.SGD(lr=gn.schedules.Cosine), r"lr is the schedule class Cosine; give a schedule, e.g. "
                                             r"Cosine\(lr, steps, warmup=0, final=0.0\)"),
    (lambda: gn.Network([gn.Dense(2, 1)]).fit(np.ones((4, 2)), np.ones(4), callback="print"),
     "callback must be a function of \\(epoch, values\\) or None; got 'print'"),
])
def test_arguments_are_checked_before_any_work(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_a_schedule_of_your_own_that_gives_a_bad_rate_is_stopped():
    class Ramp(gn.schedules.Schedule):
        name = "ramp_test"

        def __call__(self, step):
            return 0.1 - 0.05 * step  # 0 at step 2 (no update), negative after: gradient ascent

    net = gn.Network([gn.Dense(2, 1)], seed=0)
    with pytest.raises(InputError, match=r"the ramp_test schedule's rate at step 3 must be a number in \[0.0, inf\); "
                                         r"got -0.05"):
        net.fit(np.ones((8, 2)), np.ones(8), epochs=5, batch_size=2, optimizer=gn.SGD(lr=Ramp()), verbose=0)


def test_settings_that_are_not_json_are_named_and_nan_history_is_fine(tmp_path):
    class Odd(gn.layers.Layer):
        name = "odd_test"

        def config(self):
            return {"scale": np.ones(2)}  # an array: not a value a JSON file can hold

        def forward(self, x, training=False, keep=True):
            return x

        def backward(self, grad, input_grad=True, pre_activation=False):
            return grad

    gn.layers.register(Odd)
    try:
        with pytest.raises(InputError, match="layer 1 cannot be saved: its settings are not plain JSON values "
                                             r"\(ndarray array\(\[1., 1.\]\) is not a plain JSON value\)"):
            gn.Network([gn.Dense(2, 2), Odd()]).save(tmp_path / "odd.safetensors")
        assert not (tmp_path / "odd.safetensors").exists()
    finally:
        del gn.layers.REGISTRY.classes["odd_test"]
    net = gn.Network([gn.Dense(2, 1)], seed=0)
    X, y = np.random.default_rng(0).normal(size=(8, 2)), np.ones(8)
    net.fit(X, y, epochs=1, validation_split=0.25, verbose=0)
    net.fit(X, y, epochs=1, verbose=0)  # no validation: NaN there
    net.save(tmp_path / "nan.safetensors")
    assert np.isnan(gn.load(tmp_path / "nan.safetensors").history["val_loss"][1])
