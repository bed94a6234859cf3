"""Evaluation metrics against scikit-learn, including the edge cases (empty classes, constant targets, p = 0)."""

import numpy as np
import pytest
from sklearn import metrics as sk

from glassnet import metrics


@pytest.mark.parametrize("seed", range(5))
def test_classification_metrics_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    k = 4
    labels = rng.integers(0, k, 60)
    proba = rng.dirichlet(np.ones(k) * 0.5, 60)
    proba[:, 3] = 0  # class 3 is never predicted: precision 0/0 -> 0, like zero_division=0
    proba /= proba.sum(axis=1, keepdims=True)
    predicted = proba.argmax(axis=1)
    confusion = metrics.confusion_matrix(labels, predicted, k)
    np.testing.assert_array_equal(confusion, sk.confusion_matrix(labels, predicted, labels=range(k)))
    ours = metrics.precision_recall_f1(confusion)
    theirs = sk.precision_recall_fscore_support(labels, predicted, labels=range(k), zero_division=0)[:3]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert metrics.log_loss(labels, proba) == pytest.approx(sk.log_loss(labels, proba, labels=range(k)), rel=1e-12)


def test_log_loss_clips_zero_probabilities_like_sklearn():
    labels = np.array([0, 1])
    proba = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert np.isfinite(metrics.log_loss(labels, proba))
    assert metrics.log_loss(labels, proba) == pytest.approx(sk.log_loss(labels, proba), rel=1e-12)


@pytest.mark.parametrize("y, predicted", [
    (np.array([3.0, -1.0, 2.5, 7.0]), np.array([2.5, 0.0, 2.0, 8.0])),
    (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])),
    (np.array([2.0, 2.0, 2.0]), np.array([2.0, 2.0, 2.0])),   # constant target, perfect: R^2 = 1
    (np.array([2.0, 2.0, 2.0]), np.array([1.0, 2.0, 3.0])),   # constant target, imperfect: R^2 = 0
])
def test_regression_metrics_match_sklearn(y, predicted):
    assert metrics.rmse(y, predicted) == pytest.approx(sk.root_mean_squared_error(y, predicted), rel=1e-12)
    assert metrics.r2(y, predicted) == pytest.approx(sk.r2_score(y, predicted), rel=1e-12)


@pytest.mark.parametrize("k", [1, 5])
def test_training_accuracy_matches_sklearn(k):
    rng = np.random.default_rng(k)
    labels, a = rng.integers(0, max(k, 2), 50), rng.random((50, k))
    y = labels[:, None].astype(float) if k == 1 else np.eye(k)[labels]
    predicted = (a[:, 0] >= 0.5).astype(int) if k == 1 else a.argmax(axis=1)
    value = metrics.accuracy(y, a)
    assert type(value) is float and value == pytest.approx(sk.accuracy_score(labels, predicted), abs=1e-15)


def test_many_classes_are_summed_up_not_printed_saved_or_drawn_whole(tmp_path, capsys):
    """Past metrics.SHOWN_CLASSES classes the confusion matrix (classes x classes) is left out of the terminal,
    the model file and the report; evaluate --json still gives it."""
    import json

    from glassnet.cli import main
    from glassnet.metrics import SHOWN_CLASSES

    k = SHOWN_CLASSES + 10
    rng = np.random.default_rng(0)
    path = tmp_path / "many.csv"
    path.write_text("x,y\n" + "".join(f"{i % k + rng.normal(0, 0.1):.3f},c{i % k}\n" for i in range(6 * k)))
    model = tmp_path / "m.safetensors"
    assert main(["train", str(path), "--target", "y", "--preset", "quick", "--epochs", "2", "--out", str(model)]) == 0
    out = capsys.readouterr().out
    assert f"... ({k} classes in all" in out and "confusion matrix (rows" not in out
    assert len(out.splitlines()) < SHOWN_CLASSES + 20
    from glassnet.tabular.model import Model

    assert "confusion_matrix" not in Model.load(model).record.test_metrics
    assert main(["info", str(model)]) == 0
    target = next(line for line in capsys.readouterr().out.splitlines() if "target:" in line)
    assert f"into {k} classes (c0, c1, c10," in target and "c26, ...)" in target and "c27" not in target
    assert main(["evaluate", str(model), str(path), "--json"]) == 0
    assert np.array(json.loads(capsys.readouterr().out)["confusion_matrix"]).shape == (k, k)
    assert main(["report", str(model), str(path), "--out", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text()
    assert f"The matrix of {k} classes" in page and 'class="confusion"' not in page


def test_info_names_twenty_categories_of_a_column_each_cut_to_sixty_characters(tmp_path, capsys):
    from glassnet.cli import main

    path = tmp_path / "long.csv"
    path.write_text("word,x,y\n" + "".join(f"{'w' * 200}{i % 30},{i},{i % 2}\n" for i in range(300)))
    model = tmp_path / "m.safetensors"
    assert main(["train", str(path), "--target", "y", "--preset", "quick", "--epochs", "1", "--out", str(model),
                 "--quiet"]) == 0
    assert main(["info", str(model)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "one-hot over" in line)
    assert "... (30 in all)" in line and "w" * 58 not in line and len(line) < 20 * 64 + 100
