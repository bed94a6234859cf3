"""Network.fit(validation_split=F): a seeded random split, stratified by class where the targets are classes, in
place of the last rows of the file (which, for rows sorted by class, held out one class only)."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import training


def held_out(monkeypatch, net, X, y, fraction, **fit):
    """The (training, validation) arrays that ``fit`` hands to the training loop."""
    seen = {}

    def capture(net, X, Y, val, settings, members=None):
        seen.update(train=(X, Y), val=val)
        return gn.History()

    monkeypatch.setattr(training, "train", capture)
    net.fit(X, y, validation_split=fraction, verbose=0, **fit)
    return seen["train"], seen["val"]


def rows_of(part, X):
    """Indices into X of the rows of ``part`` (X's rows are distinct)."""
    where = {tuple(row): i for i, row in enumerate(X)}
    return [where[tuple(row)] for row in part]


def sorted_by_class(counts=(50, 30, 20)):
    y = np.repeat(np.arange(len(counts)), counts)
    X = np.column_stack([np.arange(len(y), dtype=float), y + 0.5])
    return X, y


def test_rows_sorted_by_class_give_a_validation_set_of_every_class_in_proportion(monkeypatch):
    X, y = sorted_by_class()
    net = gn.Network([gn.Dense(2, 3, activation="softmax")], seed=4)
    (X_train, Y_train), (X_val, Y_val) = held_out(monkeypatch, net, X, y, 0.2, loss="categorical_crossentropy")
    assert np.bincount(Y_val.argmax(axis=1)).tolist() == [10, 6, 4]  # 20% of each class
    train_rows, val_rows = rows_of(X_train, X), rows_of(X_val, X)
    assert sorted(train_rows + val_rows) == list(range(100))  # a partition of the rows
    assert train_rows == sorted(train_rows)  # training rows keep their order
    np.testing.assert_array_equal(Y_train.argmax(axis=1), y[train_rows])
    assert val_rows != list(range(80, 100))  # not the last rows


def test_integer_labels_in_one_column_are_stratified_too(monkeypatch):
    X, y = sorted_by_class((90, 10))
    net = gn.Network([gn.Dense(2, 1, activation="sigmoid")], seed=0)
    _, (_, Y_val) = held_out(monkeypatch, net, X, y, 0.3, loss="binary_crossentropy")
    assert np.bincount(Y_val[:, 0].astype(int)).tolist() == [27, 3]


def test_the_split_follows_the_network_seed_and_is_the_same_in_every_fit_call(monkeypatch):
    X, y = sorted_by_class()

    def val_rows(seed):
        net = gn.Network([gn.Dense(2, 3, activation="softmax")], seed=seed)
        return rows_of(held_out(monkeypatch, net, X, y, 0.25, loss="categorical_crossentropy")[1][0], X)

    assert val_rows(7) == val_rows(7)
    assert val_rows(7) != val_rows(8)


def test_a_real_fit_watches_the_held_out_rows_and_reproduces():
    X, y = sorted_by_class()
    X = (X - X.mean(axis=0)) / X.std(axis=0)

    def fit():
        net = gn.Network([gn.Dense(2, 3, activation="softmax")], seed=2)
        return net, net.fit(X, y, epochs=5, loss="categorical_crossentropy", validation_split=0.2, verbose=0)

    (net, history), (_, again) = fit(), fit()
    assert history == again
    rows = training.validation_rows(np.eye(3)[y], 20, seed=2)[1]
    assert net.evaluate(X[rows], y[rows])["loss"] == pytest.approx(history["val_loss"][-1], rel=1e-12)


def test_continuous_targets_are_drawn_at_random():
    y = np.linspace(0, 1, 200)[:, None]  # sorted: the last rows would all be the largest
    train_rows, val_rows = training.validation_rows(y, 40, seed=0)
    assert len(val_rows) == 40 and len(np.intersect1d(train_rows, val_rows)) == 0
    assert y[val_rows].min() < 0.2 and y[val_rows].max() > 0.8


def test_rounding_goes_to_random_classes_not_the_first():
    y = np.arange(100, dtype=float)[:, None]  # 100 classes of one row (whole numbers): 20 rows to place
    picks = [tuple(training.validation_rows(y, 20, seed)[1]) for seed in range(5)]
    assert len(set(picks)) == 5 and all(len(p) == 20 for p in picks)
    assert tuple(range(20)) not in picks


def test_soft_targets_are_not_taken_for_classes():
    Y = np.full((10, 2), 0.5)
    train_rows, val_rows = training.validation_rows(Y, 3, seed=0)
    assert len(val_rows) == 3 and len(train_rows) == 7


@pytest.mark.parametrize("fraction, rows", [(0.01, 10), (0.99, 10)])
def test_a_split_that_leaves_a_set_empty_is_refused(fraction, rows):
    net = gn.Network([gn.Dense(1, 1)])
    with pytest.raises(gn.InputError, match=f"validation_split={fraction} of {rows} rows leaves an empty"):
        net.fit(np.zeros((rows, 1)), np.zeros(rows), validation_split=fraction, verbose=0)
