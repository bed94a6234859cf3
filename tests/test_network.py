"""Network behaviour: training, determinism, dtypes, early stopping, divergence and bad input."""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import activations, losses


def blobs(rng, n=200):
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, y


def classifier(seed=0, dtype=np.float64):
    return gn.Network([gn.Dense(2, 8, activation="tanh"), gn.Dense(8, 2, activation="softmax")],
                      seed=seed, dtype=dtype)


def test_minibatch_training_learns_a_linear_boundary(rng):
    X, y = blobs(rng)
    net = classifier()
    history = net.fit(X, y, epochs=30, batch_size=16, loss="categorical_crossentropy",
                      optimizer=gn.Adam(lr=0.05), verbose=0)
    assert history["loss"][-1] < history["loss"][0] / 3
    assert net.evaluate(X, y)["accuracy"] > 0.95
    assert net.predict(X).shape == (200, 2)
    np.testing.assert_allclose(net.predict(X).sum(axis=1), 1)


def test_same_seed_same_result_different_seed_different_result(rng):
    X, y = blobs(rng)
    runs = []
    for seed in (3, 3, 4):
        net = classifier(seed)
        net.fit(X, y, epochs=3, batch_size=10, loss="categorical_crossentropy", optimizer="adam", verbose=0)
        runs.append(net.layers[0].weights.copy())
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_two_fits_continue_like_one(rng):
    X, y = blobs(rng)
    one, two = classifier(), classifier()
    one.fit(X, y, epochs=6, batch_size=32, loss="categorical_crossentropy", optimizer=gn.Adam(lr=0.01), verbose=0)
    two.fit(X, y, epochs=2, batch_size=32, loss="categorical_crossentropy", optimizer=gn.Adam(lr=0.01), verbose=0)
    two.fit(X, y, epochs=4, batch_size=32, verbose=0)
    for a, b in zip(one.layers, two.layers):
        np.testing.assert_array_equal(a.weights, b.weights)
    assert one.history["loss"] == two.history["loss"]
    assert two.epochs_trained == 6


def test_full_batch_mean_loss_equals_evaluate_before_the_update(rng):
    X, y = blobs(rng, 50)
    net = classifier()
    before = net.evaluate(X, y, loss="categorical_crossentropy")
    history = net.fit(X, y, epochs=1, batch_size=None, shuffle=False, loss="categorical_crossentropy",
                      optimizer=gn.SGD(lr=0.1), verbose=0)
    assert history["loss"][0] == pytest.approx(before["loss"], rel=1e-12)
    assert history["accuracy"][0] == pytest.approx(before["accuracy"])


def test_float32_end_to_end(rng, monkeypatch):
    X, y = blobs(rng)
    net = classifier(dtype=np.float32)
    seen = []
    original = np.dot

    def spy(a, b, out=None):
        seen.append((np.asarray(a).dtype, np.asarray(b).dtype))
        return original(a, b, out=out)

    import glassnet.layers.dense

    monkeypatch.setattr(glassnet.layers.dense.np, "dot", spy)
    net.fit(X, y, epochs=2, batch_size=32, loss="categorical_crossentropy", optimizer="adam", verbose=0)
    monkeypatch.undo()
    assert seen and all(a == np.float32 and b == np.float32 for a, b in seen)
    for layer in net.layers:
        for arr in (layer.weights, layer.bias, layer.grad_weights, layer.grad_bias, layer.z, layer.a):
            assert arr.dtype == np.float32
    assert net.predict(X).dtype == np.float32


def test_validation_split_and_early_stopping_restore_best(rng):
    X, y = blobs(rng, 300)
    y_noisy = np.where(rng.random(300) < 0.3, 1 - y, y)
    net = gn.Network([gn.Dense(2, 64, activation="relu"), gn.Dense(64, 2, activation="softmax")], seed=1)
    history = net.fit(X, y_noisy, epochs=300, batch_size=8, loss="categorical_crossentropy",
                      optimizer=gn.Adam(lr=0.02), validation_split=0.3, early_stopping=5, verbose=0)
    assert "val_loss" in history and "val_accuracy" in history
    assert len(history["loss"]) < 300
    best = int(np.argmin(history["val_loss"]))
    assert history.best_epoch == best + 1
    assert len(history["val_loss"]) == best + 1 + 5
    val_rows = gn.training.validation_rows(np.eye(2)[y_noisy], 90, seed=1)[1]  # random, stratified, by the seed
    X_val, y_val = X[val_rows], y_noisy[val_rows]
    assert net.evaluate(X_val, y_val)["loss"] == pytest.approx(history["val_loss"][best], rel=1e-10)


def test_validation_data(rng):
    X, y = blobs(rng)
    net = classifier()
    history = net.fit(X[:150], y[:150], epochs=2, loss="categorical_crossentropy", verbose=0,
                      validation_data=(X[150:], y[150:]))
    assert net.evaluate(X[150:], y[150:])["loss"] == pytest.approx(history["val_loss"][-1])


def test_divergence_stops_with_a_clear_error_and_keeps_finite_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)) * 10
    y = rng.normal(size=(64, 1)) * 10
    net = gn.Network([gn.Dense(3, 16, activation="relu"), gn.Dense(16, 1)], seed=0)
    with pytest.raises(gn.DivergenceError, match=r"diverged at epoch \d+.*smaller learning rate"):
        net.fit(X, y, epochs=500, batch_size=None, loss="mse", optimizer=gn.SGD(lr=5.0), verbose=0)
    assert all(np.isfinite(p).all() for p, _, _ in net.parameters())
    assert np.isfinite(net.evaluate(X, y)["loss"])


def test_after_divergence_the_history_matches_the_weights_it_kept():
    """The weights go back to the start of the epoch before the one that blew up: the history ends there too."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 3)) * 10, rng.normal(size=(64, 1)) * 10
    net = gn.Network([gn.Dense(3, 16, activation="relu"), gn.Dense(16, 1)], seed=0)
    with pytest.raises(gn.DivergenceError) as info:
        net.fit(X, y, epochs=500, batch_size=None, loss="mse", optimizer=gn.SGD(lr=0.1), verbose=0)
    epoch = int(info.value.args[0].split("epoch ")[1].split(":")[0])
    kept = int(info.value.args[0].split("start of epoch ")[1].split(",")[0])
    assert kept == epoch - 1 and net.epochs_trained == kept - 1
    again = gn.Network([gn.Dense(3, 16, activation="relu"), gn.Dense(16, 1)], seed=0)
    again.fit(X, y, epochs=kept - 1, batch_size=None, loss="mse", optimizer=gn.SGD(lr=0.1), verbose=0)
    np.testing.assert_array_equal(again.flat, net.flat)
    assert again.history == net.history


def test_copies_and_pickles_are_whole_networks_that_go_on_learning():
    import pickle

    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(2000, 4)), rng.normal(size=(2000, 1))
    net = gn.Network([gn.Dense(4, 32, activation="tanh"), gn.Dense(32, 1)], seed=0)
    net.fit(X, y, epochs=2, batch_size=50, validation_data=(X, y), verbose=0)
    for twin in (net.copy(), pickle.loads(pickle.dumps(net))):
        np.testing.assert_array_equal(twin.predict(X), net.predict(X))
        assert twin.layers[0].weights.base is not None and np.shares_memory(twin.layers[0].weights, twin.flat)
        twin.fit(X, y, epochs=2, batch_size=50, verbose=0)
        net_copy = net.copy()
        net_copy.fit(X, y, epochs=2, batch_size=50, verbose=0)
        np.testing.assert_array_equal(twin.predict(X), net_copy.predict(X))  # it learned, as the original would
        assert not np.array_equal(twin.predict(X), net.predict(X))
    assert len(pickle.dumps(net)) < 40_000  # no batch or validation arrays (2000 x 32 floats would be 512 kB)


def test_verbose_lines(rng, capsys):
    X, y = blobs(rng, 40)
    classifier().fit(X, y, epochs=3, loss="categorical_crossentropy", verbose=1)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3 - loss: ") and "accuracy" in lines[0]


def test_verbose_zero_prints_nothing(rng, capsys):
    X, y = blobs(rng, 40)
    classifier().fit(X, y, epochs=3, loss="categorical_crossentropy", verbose=0)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("name", ["sigmoid", "softmax", "tanh", "relu", "leaky_relu", "linear"])
def test_activations_are_stable_at_extremes(name):
    z = np.array([[-1000.0, 1000.0, 0.0], [1000.0, 1000.0, -1000.0]])
    for dtype in (np.float64, np.float32):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            a = activations.get(name).forward(z.astype(dtype))
        assert not np.isnan(a).any() and a.dtype == dtype


def test_sigmoid_and_softmax_values():
    a = activations.get("sigmoid").forward(np.array([[-1000.0, 0.0, 1000.0]]))
    np.testing.assert_allclose(a, [[0.0, 0.5, 1.0]], atol=1e-300)
    s = activations.get("softmax").forward(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(s, [[0.5, 0.5, 0.0]])


def test_crossentropy_never_takes_log_zero():
    z = np.array([[-1000.0], [1000.0]])
    a = activations.get("sigmoid").forward(z.copy())
    y = np.array([[1.0], [0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = losses.get("binary_crossentropy").value(y, a, z)
    assert value == pytest.approx(1000.0)
    z = np.array([[0.0, 1000.0]])
    value = losses.get("categorical_crossentropy").value(np.array([[1.0, 0.0]]), None, z)
    assert value == pytest.approx(1000.0)


def test_losses_closed_form():
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    a = np.array([[0.8, 0.2], [0.4, 0.6]])
    z = np.log(a)  # softmax(log a) = a since rows sum to 1
    assert losses.get("sse").value(y, a, z) == pytest.approx(0.5 * (0.04 + 0.04 + 0.16 + 0.16))
    assert losses.get("mse").value(y, a, z) == pytest.approx((0.04 + 0.04 + 0.16 + 0.16) / 4)
    assert losses.get("mae").value(y, a, z) == pytest.approx((0.2 + 0.2 + 0.4 + 0.4) / 4)
    assert losses.get("categorical_crossentropy").value(y, a, z) == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2)
    zb = np.array([[0.3], [-1.2]])
    yb = np.array([[1.0], [0.0]])
    p = 1 / (1 + np.exp(-zb))
    expected = -np.mean(yb * np.log(p) + (1 - yb) * np.log(1 - p))
    assert losses.get("binary_crossentropy").value(yb, p, zb) == pytest.approx(expected)


def test_sgd_momentum_nesterov_and_adam_by_hand():
    g0, g1 = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    for opt, expected in [
        (gn.SGD(lr=0.1), -0.1 * (g0 + g1)),
        (gn.SGD(lr=0.1, momentum=0.9), -0.1 * (g0 + (0.9 * g0 + g1))),
        (gn.SGD(lr=0.1, momentum=0.9, nesterov=True), -0.1 * ((g0 + 0.9 * g0) + (g1 + 0.9 * (0.9 * g0 + g1)))),
    ]:
        p = np.zeros(2)
        for g in (g0, g1):
            opt.step([(p, g.copy(), True)])
        np.testing.assert_allclose(p, expected)
    p, opt = np.zeros(2), gn.Adam(lr=0.1)
    m = v = np.zeros(2)
    ref = np.zeros(2)
    for t, g in enumerate((g0, g1), start=1):
        opt.step([(p, g.copy(), True)])
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g**2
        ref -= 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(p, ref)


def test_weight_decay_and_clipnorm():
    p = np.array([1.0, 1.0])
    gn.SGD(lr=0.1, weight_decay=0.5).step([(p, np.zeros(2), True)])
    np.testing.assert_allclose(p, [0.95, 0.95])
    b = np.array([1.0])
    gn.SGD(lr=0.1, weight_decay=0.5).step([(b, np.zeros(1), False)])  # biases are not decayed
    np.testing.assert_allclose(b, [1.0])
    p, q = np.zeros(1), np.zeros(1)
    gn.SGD(lr=1.0, clipnorm=1.0).step([(p, np.array([3.0]), True), (q, np.array([4.0]), True)])
    np.testing.assert_allclose([p[0], q[0]], [-0.6, -0.8])


def test_initializers_have_the_documented_spread():
    rs = np.random.RandomState(0)
    from glassnet import initializers

    w = initializers.get("glorot_uniform")(rs, (300, 200))
    assert np.abs(w).max() <= np.sqrt(6 / 500) and abs(w.std() - np.sqrt(2 / 500)) < 0.003
    w = initializers.get("he_normal")(rs, (400, 300))
    assert abs(w.std() - np.sqrt(2 / 400)) < 0.002
    net = gn.Network([gn.Dense(10, 10, activation="relu"), gn.Dense(10, 10, activation="tanh")], seed=0)
    assert np.abs(net.layers[1].weights).max() <= np.sqrt(6 / 20)
    assert np.all(net.layers[0].bias == 0)


# --- bad input -------------------------------------------------------------------------------

def test_mismatched_rows():
    with pytest.raises(ValueError, match="X has 4 row.*y has 3"):
        classifier().fit(np.ones((4, 2)), np.ones(3), loss="categorical_crossentropy", verbose=0)


def test_wrong_feature_count_at_predict():
    with pytest.raises(ValueError, match="3 feature column.*expects 2"):
        classifier().predict(np.ones((4, 3)))


@pytest.mark.parametrize("bad,match", [(np.nan, "NaN or infinity at row 1, column 0"),
                                       (np.inf, "NaN or infinity at row 1, column 0")])
def test_non_finite_input(bad, match):
    X = np.ones((4, 2))
    X[1, 0] = bad
    with pytest.raises(ValueError, match=match):
        classifier().predict(X)
    with pytest.raises(ValueError, match="y contains NaN"):
        classifier().fit(np.ones((4, 2)), [0, 1, np.nan, 0], loss="categorical_crossentropy", verbose=0)


@pytest.mark.parametrize("X,match", [([["a", "b"]], "must hold numbers"), (np.ones((0, 2)), "empty"),
                                     (np.ones(2), "must be 2-D")])
def test_bad_feature_arrays(X, match):
    with pytest.raises(ValueError, match=match):
        classifier().predict(X)


@pytest.mark.parametrize("make,match", [
    (lambda: gn.Dense(2, 3, activation="swish"), "unknown activation 'swish'; expected one of"),
    (lambda: gn.Dense(0, 3), "n_in must be a positive integer"),
    (lambda: gn.Network([gn.Dense(2, 3), gn.Dense(4, 1)]), "layer 0 has 3 outputs but layer 1 expects 4"),
    (lambda: gn.Network([]), "non-empty list"),
    (lambda: gn.Network([gn.Dense(2, 1)], seed=-1), "seed must be"),
    (lambda: gn.Network([gn.Dense(2, 1)], dtype=np.int32), "float32 or float64"),
    (lambda: gn.Network([gn.Dense(2, 1)], init="zeros"), "unknown initializer 'zeros'"),
    (lambda: gn.SGD(lr=-1), "lr must be a number"),
    (lambda: gn.SGD(lr=0.1, nesterov=True), "nesterov=True needs a momentum"),
    (lambda: gn.Adam(beta1=1.0), "beta1 must be"),
])
def test_bad_construction(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("kwargs,match", [
    ({"loss": "hinge"}, "unknown loss 'hinge'"),
    ({"optimizer": "rmsprop"}, "unknown optimizer 'rmsprop'"),
    ({"epochs": 0}, "epochs must be a positive integer"),
    ({"batch_size": 0}, "batch_size must be"),
    ({"validation_split": 1.5}, "validation_split must be in"),
    ({"loss": "binary_crossentropy"}, "needs a 'sigmoid' output layer"),
    ({"metrics": ["f1"]}, "unknown metric 'f1'"),
    ({"verbose": 5}, "verbose must be 0, 1 or 2"),
])
def test_bad_fit_arguments(kwargs, match):
    args = {"loss": "categorical_crossentropy", "verbose": 0, **kwargs}
    with pytest.raises(ValueError, match=match):
        classifier().fit(np.ones((4, 2)), [0, 1, 1, 0], **args)


def test_bad_class_labels():
    with pytest.raises(ValueError, match="integer labels in 0..1"):
        classifier().fit(np.ones((4, 2)), [0, 1, 2, 0], loss="categorical_crossentropy", verbose=0)
    net = gn.Network([gn.Dense(2, 1, activation="sigmoid")])
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        net.fit(np.ones((4, 2)), [0, 1, 2, 0], loss="binary_crossentropy", verbose=0)
