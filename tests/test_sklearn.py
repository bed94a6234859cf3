"""The scikit-learn estimators: scikit-learn's own checks, pipelines and searches, and closed-form references."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from glassnet import InputError
from glassnet.sklearn import GlassnetClassifier, GlassnetRegressor

# Few epochs keep the checks fast (about 2 s for all four estimators). The float32 ones train in float32 with
# early stopping on a held-out 10%.
FAST = {"hidden_layer_sizes": (16,), "learning_rate": 0.01, "epochs": 20}
FLOAT32 = {**FAST, "dtype": "float32", "early_stopping": 5}
CHECKED = [GlassnetClassifier(**FAST), GlassnetRegressor(**FAST),
           GlassnetClassifier(**FLOAT32), GlassnetRegressor(**FLOAT32)]


def expected_failures(estimator):
    """Only one, by design: a float32 regressor predicts in float32, and this check insists on float64."""
    if isinstance(estimator, GlassnetRegressor) and estimator.dtype == "float32":
        return {"check_regressor_multioutput": "dtype='float32' predicts float32 values on purpose; "
                                               "the check requires float64 predictions"}
    return {}


@parametrize_with_checks(CHECKED, expected_failed_checks=expected_failures)
def test_scikit_learn_checks(estimator, check, monkeypatch):
    # without it, check_array_api_input (NumPy inputs under array-API dispatch) would skip
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y


def small_classifier(**params):
    return GlassnetClassifier(**{"hidden_layer_sizes": (8,), "learning_rate": 0.02, "epochs": 60,
                                 "random_state": 0, **params})


def test_pipeline_scales_then_classifies(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), small_classifier()).fit(X, y)
    assert pipe.score(X, y) > 0.9
    scaled = StandardScaler().fit_transform(X)
    net_proba = pipe[-1].network_.predict(scaled)
    np.testing.assert_allclose(pipe.predict_proba(X), net_proba, rtol=1e-12)
    np.testing.assert_array_equal(pipe.predict(X), pipe[-1].classes_[net_proba.argmax(axis=1)])


def test_cross_val_score(iris):
    X, y = iris
    scores = cross_val_score(make_pipeline(StandardScaler(), small_classifier()), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.8


def test_grid_search_picks_the_better_configuration(iris):
    X, y = iris
    grid = {"glassnetclassifier__learning_rate": [1e-5, 0.02], "glassnetclassifier__hidden_layer_sizes": [(4,), (8,)]}
    search = GridSearchCV(make_pipeline(StandardScaler(), small_classifier()), grid, cv=3).fit(X, y)
    assert search.best_params_["glassnetclassifier__learning_rate"] == 0.02  # 60 epochs at 1e-5 barely move
    assert search.best_score_ > 0.85
    assert len(search.cv_results_["params"]) == 4


def test_no_hidden_layer_classifier_is_multinomial_logistic_regression(iris):
    """Softmax of x.W + b with weight decay w/2 |W|^2 on the mean cross-entropy is scikit-learn's
    LogisticRegression with C = 1 / (w * rows) (intercept not penalized). The problem is convex, so full-batch
    gradient descent converges to its optimum (Adam with a fixed step would only circle it, about 1e-3 away)."""
    X, y = iris
    X = StandardScaler().fit_transform(X)
    decay = 0.01
    ours = GlassnetClassifier(hidden_layer_sizes=(), optimizer="sgd", batch_size=None, learning_rate=1.0,
                              epochs=3000, weight_decay=decay, shuffle=False, random_state=0).fit(X, y)
    ref = LogisticRegression(C=1 / (decay * len(X)), tol=1e-10, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-5)


def test_no_hidden_layer_regressor_is_least_squares(rng):
    X = rng.normal(size=(200, 3))
    Y = X @ rng.normal(size=(3, 2)) + 0.3 + 0.1 * rng.normal(size=(200, 2))
    ours = GlassnetRegressor(hidden_layer_sizes=(), batch_size=None, learning_rate=0.05, epochs=2000,
                             shuffle=False, random_state=0).fit(X, Y)
    A = np.hstack([X, np.ones((len(X), 1))])
    coef, *_ = np.linalg.lstsq(A, Y, rcond=None)
    assert ours.predict(X).shape == (200, 2)
    np.testing.assert_allclose(ours.predict(X), A @ coef, atol=1e-6)


@pytest.mark.parametrize("make", [small_classifier, lambda **p: GlassnetRegressor(random_state=3, **p)])
def test_partial_fit_epochs_equal_fit(make, iris):
    X, y = iris
    whole = make(epochs=5).fit(X, y)
    steps = make()
    for _ in range(5):
        steps.partial_fit(X, y, **({"classes": np.unique(y)} if hasattr(steps, "predict_proba") else {}))
    np.testing.assert_array_equal(whole.network_.predict(X), steps.network_.predict(X))
    assert steps.history_["loss"] == whole.history_["loss"] and steps.n_iter_ == 5


def test_partial_fit_needs_classes_first_and_knows_them(iris):
    X, y = iris
    with pytest.raises(InputError, match="classes="):
        small_classifier().partial_fit(X, y)
    clf = small_classifier().partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    with pytest.raises(InputError, match=r"not given to the first partial_fit: \[2\]"):
        clf.partial_fit(X, y)


def test_float32_end_to_end(iris):
    X, y = iris
    clf = small_classifier(dtype="float32").fit(X, y)
    assert clf.network_.dtype == np.float32 and clf.predict_proba(X).dtype == np.float32


def test_early_stopping_holds_out_rows_and_stops(rng):
    X, y = rng.normal(size=(200, 4)), rng.normal(size=200)  # nothing to learn: validation loss stops improving
    reg = GlassnetRegressor(epochs=500, early_stopping=5, learning_rate=0.01, random_state=0).fit(X, y)
    assert reg.n_iter_ < 500 and len(reg.history_["val_loss"]) == reg.n_iter_


@pytest.mark.parametrize("params, message", [
    ({"optimizer": "rmsprop"}, "unknown optimizer 'rmsprop'; expected one of: adam, sgd"),
    ({"hidden_layer_sizes": (8, 0)}, "hidden_layer_sizes must be a positive integer"),
    ({"activation": "swish"}, "unknown activation 'swish'"),
    ({"dtype": "float16"}, "dtype must be float32 or float64"),
    ({"early_stopping": 3, "validation_fraction": 1.5}, r"validation_fraction must be in \(0, 1\)"),
    ({"epochs": 0}, "epochs must be a positive integer"),
    ({"validation_fraction": 0}, r"validation_fraction must be in \(0, 1\); got 0"),  # checked even when unused
    ({"shuffle": "yes"}, "shuffle must be True or False; got 'yes'"),
    ({"learning_rate": -1}, r"learning_rate must be a number in \(0.0, inf\); got -1"),
    ({"batch_size": 0}, "batch_size must be a positive integer or None; got 0"),
])
def test_bad_hyper_parameters_are_named(params, message, iris):
    X, y = iris
    with pytest.raises(InputError, match=message):
        small_classifier(**params).fit(X, y)


def test_a_pickled_estimator_goes_on_learning():
    """joblib.dump / load, then partial_fit: the loaded network's layers and optimizer share one storage again."""
    import pickle

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(100, 3)), rng.normal(size=100)
    model = GlassnetRegressor(hidden_layer_sizes=(8,), epochs=3, random_state=0).fit(X, y)
    loaded = pickle.loads(pickle.dumps(model))
    before = loaded.predict(X)
    np.testing.assert_array_equal(before, model.predict(X))
    for _ in range(5):
        loaded.partial_fit(X, y)
        model.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert not np.array_equal(loaded.predict(X), before)
