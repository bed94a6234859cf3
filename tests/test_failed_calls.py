"""A call that is refused changes nothing (from an audit of the Python API): a fit that raises leaves a network's
loss, optimizer and metrics, an estimator's fitted model, and the layers given to a constructor as they were.
And a few values that were misread or replaced silently: weights set before a network is built, pandas' NA,
outputs that overflow, NumPy dtypes given to train_table, quantile scaling fitted on one row."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

import glassnet as gn
from glassnet.sklearn import GlassnetClassifier, GlassnetRegressor

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 3))
LABELS = (X[:, 0] > 0).astype(int)
VALUES = 2 * X[:, 0] + 1


def small(**options):
    return {"epochs": 20, "ensemble": 2, "random_state": 0, **options}


def test_a_refused_refit_of_the_regressor_keeps_the_model_it_had():
    reg = GlassnetRegressor(**small()).fit(X, VALUES)
    before, n_iter, mean = reg.predict(X), reg.n_iter_, reg.y_mean_.copy()
    with pytest.raises(ValueError, match="leaves none to train on"):
        reg.fit(X[:1], VALUES[:1])
    np.testing.assert_array_equal(reg.predict(X), before)
    assert reg.n_iter_ == n_iter and np.array_equal(reg.y_mean_, mean)


def test_a_classifier_whose_only_fit_was_refused_is_not_fitted():
    clf = GlassnetClassifier(**small(learning_rate=-1))
    with pytest.raises(ValueError, match="learning_rate"):
        clf.fit(X, LABELS)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    first = GlassnetClassifier(**small(class_weight="balanced"))
    with pytest.raises(ValueError, match="balanced"):
        first.partial_fit(X, LABELS, classes=[0, 1])
    with pytest.raises(NotFittedError):
        first.predict(X)


def test_a_refused_refit_of_the_classifier_keeps_its_classes_and_network():
    clf = GlassnetClassifier(**small()).fit(X, np.where(LABELS, "yes", "no"))
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="learning_rate"):
        clf.set_params(learning_rate=-1).fit(X[:, :2], LABELS)
    clf.set_params(learning_rate=0.005)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert clf.classes_.tolist() == ["no", "yes"] and clf.n_features_in_ == 3


def test_partial_fit_refuses_classes_that_fit_would_refuse_in_y():
    for classes in ([0, 1, np.nan], [0, 0.5, 1]):
        clf = GlassnetClassifier(**small())
        with pytest.raises(ValueError):
            clf.partial_fit(X, LABELS, classes=classes)
        with pytest.raises(NotFittedError):
            clf.predict(X)


def test_quantile_scaling_fitted_on_one_row_by_partial_fit_is_warned_of():
    with pytest.warns(UserWarning, match=r"column\(s\) \[0, 1, 2\] hold a single value"):
        GlassnetClassifier(**small(scaling="quantile")).partial_fit(X[:1], LABELS[:1], classes=[0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (enough rows, or another scaling: no warning)
        GlassnetClassifier(**small(scaling="quantile")).partial_fit(X[:10], LABELS[:10], classes=[0, 1])
        GlassnetClassifier(**small(scaling="robust")).partial_fit(X[:1], LABELS[:1], classes=[0, 1])


def trained():
    net = gn.Network([gn.Dense(3, 4, activation="tanh"), gn.Dense(4, 2, activation="softmax")], seed=0)
    net.fit(X, LABELS, epochs=2, loss="categorical_crossentropy", optimizer=gn.Adam(lr=0.01), verbose=0)
    return net


def test_a_refused_fit_leaves_the_loss_optimizer_and_metrics_as_they_were():
    net = trained()
    loss, optimizer, steps, metrics = net.loss, net.optimizer, net.optimizer.steps, list(net.metrics)
    given = gn.SGD(lr=5.0)
    with pytest.raises(gn.InputError, match="2 feature column"):
        net.fit(X[:, :2], LABELS, loss="mse", optimizer=given, metrics=["mae"], verbose=0)
    with pytest.raises(gn.InputError, match="validation X has 2 feature"):
        net.fit(X, LABELS, optimizer=given, validation_data=(X[:, :2], LABELS), verbose=0)
    assert net.loss is loss and net.optimizer is optimizer and optimizer.steps == steps and net.metrics == metrics
    net.fit(X, LABELS, epochs=1, verbose=0)  # (goes on as before)
    assert net.optimizer is optimizer and optimizer.steps > steps
    other = gn.Network([gn.Dense(2, 2, activation="softmax")], seed=0)  # the refused fit's optimizer is unused
    other.fit(X[:, :2], LABELS, epochs=1, loss="categorical_crossentropy", optimizer=given, verbose=0)


def test_a_refused_optimizer_leaves_an_ensemble_its_own():
    ens = gn.Ensemble([gn.Dense(3, 2, activation="softmax")], seeds=2)
    ens.fit(X, LABELS, epochs=1, loss="categorical_crossentropy", verbose=0)
    own = ens.optimizer
    with pytest.raises(gn.InputError, match="clipnorm"):
        ens.fit(X, LABELS, optimizer=gn.Adam(clipnorm=1.0), verbose=0)
    assert ens.optimizer is own
    ens.fit(X, LABELS, epochs=1, verbose=0)


def test_a_refused_ensemble_leaves_its_layers_free_for_a_network():
    layers = [gn.Dense(3, 5, activation="tanh"), gn.Dense(5, 2, activation="softmax")]
    with pytest.raises(gn.InputError, match="dtype"):
        gn.Ensemble(layers, seeds=2, dtype=np.float16)
    with pytest.raises(gn.InputError, match="layer 1 expects 4 inputs"):  # (refused by the widths, later)
        gn.Ensemble([layers[0], gn.Dense(4, 2)], seeds=2)
    drop = gn.Dropout(0.1)  # (a layer that takes no member axis: refused before any layer is built)
    with pytest.raises(gn.InputError, match=r"layer 2 \(Layer\) cannot be stacked"):
        gn.Ensemble([gn.Dense(3, 5), drop, gn.layers.Layer(), gn.Dense(5, 1)], seeds=2)
    assert drop.n_in is None and not drop.members
    net = gn.Network(layers, seed=0)
    np.testing.assert_array_equal(net.predict(X), gn.Network([gn.Dense(3, 5, activation="tanh"),
                                                              gn.Dense(5, 2, activation="softmax")], seed=0).predict(X))


def test_weights_set_before_the_network_is_built_are_kept_as_the_bias_is():
    first = gn.Dense(3, 2)
    first.weights, first.bias = np.ones((3, 2)), np.array([5.0, 6.0])
    net = gn.Network([first, gn.Dense(2, 4)], seed=3)
    assert np.all(net.layers[0].weights == 1) and net.layers[0].bias.tolist() == [5.0, 6.0]
    drawn = gn.Network([gn.Dense(3, 2), gn.Dense(2, 4)], seed=3)  # (the next layer's draw is the same)
    np.testing.assert_array_equal(net.layers[1].weights, drawn.layers[1].weights)
    ens = gn.Ensemble([gn.Dense(3, 2), gn.Dense(2, 1)], seeds=2)  # (what the ensemble's initializer gives)
    given = gn.Dense(3, 2)
    given.weights = np.full((3, 2), 0.5)
    ens2 = gn.Ensemble([given, gn.Dense(2, 1)], seeds=2)
    assert np.all(ens2.layers[0].weights == 0.5) and not np.all(ens.layers[0].weights == 0.5)
    np.testing.assert_array_equal(ens2.layers[1].weights, ens.layers[1].weights)


def test_a_dense_layer_pickled_before_it_kept_given_weights_takes_new_ones():
    net = gn.Network([gn.Dense(2, 3)], seed=0)
    state = net.layers[0].__getstate__()
    state.pop("_given", None)  # (as a layer pickled by the version before this rule was)
    layer = gn.Dense.__new__(gn.Dense)
    layer.__setstate__(state) if hasattr(layer, "__setstate__") else layer.__dict__.update(state)
    layer.weights = np.ones((2, 3))
    assert np.all(layer.weights == 1)


def test_interrupting_an_estimators_fit_leaves_the_model_it_had(monkeypatch):
    clf = GlassnetClassifier(**small()).fit(X, np.where(LABELS, "yes", "no"))
    before = clf.predict_proba(X)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(gn.Ensemble, "fit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X[:, :2], LABELS)
    assert clf.classes_.tolist() == ["no", "yes"] and clf.n_features_in_ == 3
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_the_quantile_warning_points_at_the_caller():
    with pytest.warns(UserWarning, match="scaling='quantile'") as caught:
        GlassnetClassifier(**small(scaling="quantile")).partial_fit(X[:1], LABELS[:1], classes=[0, 1])
    assert caught[0].filename == __file__


@pytest.mark.parametrize("dtype, big", [(np.float64, 1e308), (np.float32, 3e38)])
def test_outputs_that_overflow_are_named_not_returned_as_nan(dtype, big):
    layers = [gn.Dense(3, 4, activation="relu"), gn.Dense(4, 2, activation="softmax")]
    net = gn.Network(layers, seed=0, dtype=dtype)
    rows = np.array([[0.1, 0.2, 0.3], [big, big, big]])
    with pytest.raises(gn.InputError, match=r"X row 1: the network's outputs are not finite .* scale them down"):
        net.predict(rows)
    assert np.isfinite(net.predict(rows[:1])).all()
    ens = gn.Ensemble([gn.Dense(3, 4, activation="relu"), gn.Dense(4, 2, activation="softmax")], seeds=2, dtype=dtype)
    with pytest.raises(gn.InputError, match="X row 1"):
        ens.predict(rows)


def test_pandas_missing_values_are_named_as_missing():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0], "c": [5.0, 6.0]}).astype("Float64")
    frame.iloc[1, 2] = pd.NA
    net = gn.Network([gn.Dense(3, 1)], seed=0)
    with pytest.raises(gn.InputError, match=r"X contains NaN or infinity at row 1, column 2"):
        net.predict(frame)
    np.testing.assert_array_equal(net.predict(frame.iloc[:1]), net.predict(np.array([[1.0, 3.0, 5.0]])))
    with pytest.raises(gn.InputError, match="must hold numbers"):  # (text is still text)
        net.predict(np.array([[1, "x", 2]], dtype=object))


def test_train_table_takes_numpy_dtypes_as_the_network_does():
    model = gn.train_table("iris", "species", dtype=np.float32, epochs=2, ensemble=1)
    assert model.network.dtype == np.float32
    with pytest.raises(gn.InputError, match="dtype must be float32 or float64"):
        gn.train_table("iris", "species", dtype=np.int8, epochs=2)
