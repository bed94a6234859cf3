"""An ensemble's ``validation_split``: each member holds out the rows its seed's network would hold out, learns
from the rest in its own order, and keeps its own best epoch; ``glassnet train`` uses it for ensembles."""

import numpy as np
import pandas as pd
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.training import validation_rows


def layers(n_out=2, out="softmax", dropout=0.0):
    hidden = [gn.Dense(5, 12, activation="tanh"), gn.Dense(12, 6, activation="relu")]
    return hidden + ([gn.Dropout(dropout)] if dropout else []) + [gn.Dense(6, n_out, activation=out)]


def table(seed=0, rows=150):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 5))
    return X, (X[:, 0] * X[:, 1] + 0.3 * X[:, 2] > 0).astype(int), X[:, :1] ** 2 - X[:, 1:2]


@pytest.mark.parametrize("task", ["classification", "weighted", "regression"])
def test_each_member_is_its_seeds_network_trained_alone_with_the_same_validation_split(task):
    X, labels, values = table()
    y, loss, out = (values, "mse", "linear") if task == "regression" else \
        (labels, "categorical_crossentropy", "softmax")
    if task == "weighted":  # class weights read each row's class through the member axis
        loss = gn.losses.CategoricalCrossentropy(label_smoothing=0.1, class_weight=[0.7, 1.6])
    n_out = 1 if task == "regression" else 2
    seeds, epochs = [5, 1, 9], 12
    ens = gn.Ensemble(layers(n_out, out), seeds=seeds)
    history = ens.fit(X, y, epochs=epochs, batch_size=16, loss=loss, shuffle=False, validation_split=0.2,
                      early_stopping=epochs, verbose=0)
    val_losses = []
    for k, seed in enumerate(seeds):
        alone = gn.Network(layers(n_out, out), seed=seed)
        mine = alone.fit(X, y, epochs=epochs, batch_size=16, loss=loss, shuffle=False, validation_split=0.2,
                         early_stopping=epochs, verbose=0)
        np.testing.assert_allclose(ens.member(k).flat, alone.flat, rtol=0, atol=1e-12)  # its own best epoch's
        assert history.best_epochs[k] == mine.best_epoch
        val_losses.append(mine["val_loss"])
    np.testing.assert_allclose(history["val_loss"], np.mean(val_losses, axis=0), rtol=1e-12)
    assert history.best_epoch is None
    assert not np.allclose(ens.member(0).flat, ens.member(1).flat)


def test_members_hold_out_different_rows_so_the_ensemble_learns_from_every_row():
    X, labels, _ = table(rows=200)
    held = [set(validation_rows(np.eye(2)[labels], 20, seed)[1].tolist()) for seed in range(8)]
    assert len(set.union(*held)) > 100 and all(len(h) == 20 for h in held)
    assert not set.intersection(*held)  # no row is held out by every member


def test_training_stops_when_every_member_has_waited_its_patience():
    X, labels, _ = table(1)
    ens = gn.Ensemble(layers(dropout=0.2), seeds=4)
    history = ens.fit(X, labels, epochs=400, batch_size=16, loss="categorical_crossentropy",
                      optimizer=gn.Adam(lr=0.02), validation_split=0.2, early_stopping=5, verbose=0)
    assert history.epochs < 400
    assert max(history.best_epochs) + 5 == history.epochs  # the last member to improve decides
    assert min(history.best_epochs) < max(history.best_epochs)
    assert all(best >= 1 for best in history.best_epochs)


def test_a_shared_first_layer_trains_on_own_rows_and_stops_by_the_members_mean_loss():
    X, labels, _ = table(2)
    ens = gn.Ensemble([gn.layers.SharedDense(5, 12, activation="relu"), gn.Dense(12, 2, activation="softmax")], seeds=3)
    history = ens.fit(X, labels, epochs=60, batch_size=16, loss="categorical_crossentropy",
                      validation_split=0.2, early_stopping=3, verbose=0)
    assert history.best_epochs is None and history.best_epoch is not None
    mean = np.asarray(history["val_loss"])
    assert mean[history.best_epoch - 1] == mean.min()
    assert ens.evaluate(X, labels)["accuracy"] > 0.7


def test_validation_split_errors_name_the_rows():
    X, labels, _ = table(rows=4)
    with pytest.raises(gn.InputError, match="validation_split=0.1 of 4 rows"):
        gn.Ensemble(layers(), seeds=2).fit(X, labels, loss="categorical_crossentropy", validation_split=0.1,
                                           verbose=0)


def frame(rows=240, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 3))
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2],
                         "y": np.where(x[:, 0] + x[:, 1] * x[:, 2] > 0, "yes", "no")})


def test_train_table_gives_an_ensembles_members_their_own_validation_rows():
    said = []
    model = gn.train_table(frame(), "y", epochs=40, say=said.append)
    assert model.record.settings["own_validation"] is True
    assert "192 training, each of the 8 members holding out 24 of them for its validation, 48 test" in said[0]
    assert len(model.last_run.best_epochs) == 8 and model.record.test_metrics["accuracy"] > 0.8
    one = gn.train_table(frame(), "y", epochs=40, ensemble=1, say=said.append)
    assert one.record.settings["own_validation"] is False
    assert any("168 training, 24 validation, 48 test" in s for s in said)
    assert gn.train_table(frame(), "y", epochs=5, val_split=0.0).record.settings["own_validation"] is False


def test_too_few_rows_for_each_members_validation_is_a_clear_error():
    with pytest.raises(gn.InputError, match="too few for --val-split 0.04: each member's validation set"):
        gn.train_table(frame(rows=12), "y", epochs=2, val_split=0.04, test_split=0.25)


def test_resume_goes_on_with_each_members_own_rows(tmp_path, capsys):
    path = tmp_path / "t.csv"
    frame().to_csv(path, index=False)
    model = tmp_path / "m.glassnet"
    assert main(["train", str(path), "--target", "y", "--epochs", "20", "--out", str(model), "--quiet"]) == 0
    assert main(["resume", str(model), str(path), "--epochs", "15", "--patience", "5"]) == 0
    out = capsys.readouterr().out
    assert "on 192 training rows (patience 5; each member validated on its own rows, keeping its best epoch)" in out
    assert "each member kept the weights of its best epoch: " in out
    assert gn.load_model(model).network.epochs_trained > 20


def test_going_on_never_leaves_a_member_worse_on_its_own_rows_than_it_began():
    X, labels, _ = table(3)
    ens = gn.Ensemble(layers(), seeds=3)
    ens.fit(X, labels, epochs=30, batch_size=16, loss="categorical_crossentropy", validation_split=0.2,
            early_stopping=30, verbose=0)
    Y = np.eye(2)[labels]
    members = ens._held_out(X, Y, 0.2)[3]
    before = ens.measure_members(X[members.val], Y[members.val])[0]
    ens.optimizer.lr = 5.0  # every step from here makes things worse
    history = ens.fit(X, labels, epochs=4, batch_size=16, validation_split=0.2, early_stopping=2, verbose=0)
    after = ens.measure_members(X[members.val], Y[members.val])[0]
    assert history.best_epochs == [30, 30, 30]
    np.testing.assert_allclose(after, before, rtol=1e-12)


@pytest.mark.parametrize("ensemble", [1, 3])
def test_the_sklearn_estimators_give_an_ensembles_members_their_own_rows(monkeypatch, ensemble):
    from glassnet import training
    from glassnet.integrations.sklearn import GlassnetClassifier

    seen, real = {}, training.train

    def spy(net, X, Y, val, settings, members=None):
        seen.update(rows=len(X), val=val, members=members)
        return real(net, X, Y, val, settings, members)

    monkeypatch.setattr(training, "train", spy)
    X, labels, _ = table(rows=200)
    GlassnetClassifier(ensemble=ensemble, epochs=3, random_state=0).fit(X, labels)
    if ensemble == 1:
        assert seen["members"] is None and seen["rows"] == 180 and len(seen["val"][0]) == 20
    else:
        assert seen["val"] is None and seen["rows"] == 200 and seen["members"].val.shape == (3, 20)


def test_each_member_holds_out_as_many_rows_as_a_common_validation_set_would():
    """--val-split is a share of all the rows, as for one network: a 6-row table still trains."""
    said = []
    gn.train_table(frame(rows=6), "y", epochs=2, say=said.append)
    assert "6 rows -> 5 training, each of the 8 members holding out 1 of them for its validation, 1 test" in said[0]


def test_members_losses_on_their_own_rows_are_exact_for_confidently_wrong_outputs():
    X, labels, _ = table(4)
    for out, loss, n_out in (("sigmoid", "binary_crossentropy", 1), ("softmax", "categorical_crossentropy", 2)):
        ens = gn.Ensemble([gn.Dense(5, 4, activation="relu"), gn.Dense(4, n_out, activation=out)], seeds=2,
                          dtype=np.float32)
        ens.configure(loss)
        for _, values, _ in ens.named_parameters():
            values *= 300  # outputs far beyond what float32 probabilities can tell apart from 0 and 1
        Y = ens.check_data(X, labels)[1]
        each = ens.measure_members(np.stack([X, X]).astype(np.float32), np.stack([Y, Y]))[0]
        for k in range(2):
            alone = ens.member(k)
            alone.configure(loss)
            assert each[k] == pytest.approx(alone.measure(X.astype(np.float32), Y)["loss"], rel=1e-5)


def test_resume_without_patience_never_saves_a_member_worse_than_it_loaded(tmp_path, capsys):
    path = tmp_path / "t.csv"
    frame().to_csv(path, index=False)
    model = tmp_path / "m.glassnet"
    assert main(["train", str(path), "--target", "y", "--epochs", "30", "--patience", "0", "--lr", "0.02",
                 "--out", str(model), "--quiet"]) == 0
    loaded = gn.load_model(model)
    loaded.network.optimizer.lr = 3.0  # every epoch from here is worse
    loaded.save(model)
    capsys.readouterr()
    assert main(["resume", str(model), str(path), "--epochs", "5"]) == 0
    assert "no member did better than the weights it began with: each kept them" in capsys.readouterr().out
    np.testing.assert_array_equal(gn.load_model(model).network.flat, loaded.network.flat)


def test_a_member_never_loses_the_only_training_row_of_a_class():
    labels = np.array([0] * 11 + [1] * 11 + [2] * 11 + [3] * 11 + [4])
    Y = np.eye(5)[labels]
    for seed in range(40):
        train, val = validation_rows(Y, 9, seed)
        assert 44 in train and len(val) == 9
    said = []
    X = np.random.default_rng(0).normal(size=(45, 2))
    data = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": [f"c{k}" for k in labels[:-1]] + ["rare"]})
    model = gn.train_table(data, "y", epochs=2, val_split=0.2, test_split=0.0, say=said.append)
    assert model.record.settings["own_validation"]


def test_fractions_adding_up_to_one_are_named_as_such_for_an_ensemble():
    with pytest.raises(gn.InputError, match=r"--val-split \+ --test-split must be below 1; got 0.5 \+ 0.5"):
        gn.train_table(frame(rows=100), "y", epochs=2, val_split=0.5, test_split=0.5)


def test_the_kept_weights_line_names_each_members_epoch_or_its_start():
    import argparse

    from glassnet.cli.common import kept_weights
    from glassnet.history import History

    history, net = History(loss=[1.0, 0.9, 0.8]), argparse.Namespace(epochs_trained=13)  # (epochs 11-13 this run)
    args = argparse.Namespace(epochs=3, patience=30)
    history.best_epochs = [12, 10, 13]
    assert kept_weights(history, net, args) == \
        "each member kept the weights of its best epoch: 12, the weights it began with, 13"
    history.best_epochs = [10, 10, 7]
    assert kept_weights(history, net, args) == "no member did better than the weights it began with: each kept them"
