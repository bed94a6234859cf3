"""Which epoch's weights a network holds: early stopping names it in the network's history (each member's, for
an ensemble validated on its own rows), a model file keeps it, ``glassnet info`` and the report say it, the next
fit starts from it, and a file that states it wrongly is refused."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from test_io import refused, rewrite


def data(rows=150, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 4))
    return X, (X[:, 0] * X[:, 1] + 0.3 * X[:, 2] > 0).astype(int)


def layers():
    return [gn.Dense(4, 10, activation="tanh"), gn.Dense(10, 2, activation="softmax")]


def fit(net, epochs, patience, lr=0.05):
    X, y = data()
    return net.fit(X, y, epochs=epochs, batch_size=16, loss="categorical_crossentropy", optimizer=gn.Adam(lr=lr),
                   validation_split=0.2, early_stopping=patience, verbose=0)


def test_the_networks_history_names_the_kept_epoch_until_the_next_fit():
    net = gn.Network(layers(), seed=3)
    history = fit(net, 60, 5)
    assert history.best_epoch is not None and net.history.best_epoch == history.best_epoch
    assert net.history.kept() == f"epoch {history.best_epoch}"
    fit(net, 3, None)  # (no early stopping: the weights are the last epoch's)
    assert net.history.best_epoch is None and net.history.kept() is None


def test_a_model_file_keeps_the_epoch_and_each_members_epochs(tmp_path):
    net = gn.Network(layers(), seed=3)
    fit(net, 60, 5)
    net.save(tmp_path / "one.safetensors")
    assert gn.load(tmp_path / "one.safetensors").history.best_epoch == net.history.best_epoch
    ens = gn.Ensemble(layers(), seeds=4)
    history = fit(ens, 60, 5)
    ens.save(tmp_path / "ens.safetensors")
    loaded = gn.load(tmp_path / "ens.safetensors")
    assert loaded.history.best_epochs == history.best_epochs and loaded.history.best_epoch is None
    assert loaded.history.kept() == f"each member's best epoch: {', '.join(map(str, history.best_epochs))}"
    fit(net, 2, None)
    net.save(tmp_path / "last.safetensors")  # (no "kept": the last epoch's weights)
    assert gn.load(tmp_path / "last.safetensors").history.kept() is None


def test_going_on_counts_each_members_kept_epoch_as_its_best_so_far():
    ens = gn.Ensemble(layers(), seeds=4)
    first = fit(ens, 40, 40).best_epochs
    before = [ens.member(k).flat.copy() for k in range(4)]
    then = fit(ens, 6, 6, lr=0.5).best_epochs  # (a rate too large: most members get no better)
    for k in range(4):
        assert then[k] in (first[k], *range(41, 47))
        if then[k] == first[k]:  # a member that got no better keeps its weights, and the epoch they are from
            np.testing.assert_array_equal(ens.member(k).flat, before[k])
    assert any(t == f for t, f in zip(then, first))


@pytest.mark.parametrize("kept, match", [
    ({"epoch": 0}, "'kept' is {'epoch': 0}"),
    ({"epoch": 999}, "each N an epoch of the 60 the history records"),
    ({"epoch": True}, "'kept' is {'epoch': True}"),
    ({"epoch": "5"}, "must be {'epoch': N}"),
    ({"epochs": [5]}, "'kept' is {'epochs': \\[5\\]}"),
    ({"epochs": []}, "'kept' is {'epochs': \\[\\]}"),
    ({"epoch": 5, "epochs": [5]}, "'kept' is"),
    ([5], "'kept' is \\[5\\]"),
    (None, "'kept' is None"),
])
def test_a_file_that_dates_its_weights_wrongly_is_refused(tmp_path, kept, match):
    net = gn.Network(layers(), seed=3)
    fit(net, 60, 60)
    path = tmp_path / "m.safetensors"
    net.save(path)
    rewrite(path, lambda m: m["training"].update(kept=kept))
    refused(path, match)


def test_an_ensemble_file_needs_one_epoch_for_each_member(tmp_path):
    ens = gn.Ensemble(layers(), seeds=3)
    fit(ens, 20, 20)
    path = tmp_path / "m.safetensors"
    ens.save(path)
    rewrite(path, lambda m: m["training"].update(kept={"epochs": [1, 2]}))
    refused(path, "for an ensemble, {'epochs': \\[one N for each member\\]}")
    rewrite(path, lambda m: m["training"].update(kept={"epochs": [1, 2, 21]}))
    refused(path, "each N an epoch of the 20 the history records")


def test_info_and_the_report_say_which_weights_the_model_holds(tmp_path, capsys):
    model, page = tmp_path / "m.safetensors", tmp_path / "r.html"
    assert main(["train", "iris", "--target", "species", "--ensemble", "3", "--epochs", "40", "--quiet",
                 "--out", str(model)]) == 0
    epochs = gn.load(model).history.best_epochs
    assert len(epochs) == 3
    said = f"each member's best epoch: {', '.join(map(str, epochs))}"
    capsys.readouterr()
    assert main(["info", str(model)]) == 0
    assert f"weights kept by early stopping: {said}" in capsys.readouterr().out
    assert main(["report", str(model), "--out", str(page)]) == 0
    assert f"<dt>weights kept by early stopping</dt><dd>{said}</dd>" in page.read_text()


def test_resume_dates_the_weights_it_keeps(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    train = ["train", "iris", "--target", "species", "--ensemble", "1", "--seed", "2", "--quiet"]
    assert main([*train, "--epochs", "30", "--out", str(model)]) == 0
    loaded = gn.load(model).history.best_epoch
    assert loaded is not None
    wild = gn.load_model(model)
    wild.network.optimizer.lr = 3.0  # (every later epoch is worse: resume keeps the weights it loaded)
    wild.save(model)
    capsys.readouterr()
    assert main(["resume", str(model), "iris", "--epochs", "3", "--patience", "0"]) == 0
    assert f"(epoch {loaded}): kept those" in capsys.readouterr().out
    assert gn.load(model).history.best_epoch == loaded
    assert main(["resume", str(model), "iris", "--epochs", "2", "--keep-last", "--quiet"]) == 0
    assert gn.load(model).history.best_epoch is None


def test_going_on_waits_its_patience_from_where_it_goes_on():
    ens = gn.Ensemble(layers(), seeds=3)
    fit(ens, 300, 5)
    then = fit(ens, 50, 5)  # (each member's kept epoch is old: its patience still counts from now)
    assert then.epochs >= 5


def stop(epoch, values):
    raise KeyboardInterrupt


@pytest.mark.parametrize("how", ["interrupt", "divergence"])
@pytest.mark.parametrize("kind", ["network", "ensemble"])
def test_a_fit_that_ends_where_it_began_keeps_the_record_of_its_weights(how, kind):
    regression = [gn.Dense(4, 10, activation="relu"), gn.Dense(10, 1)]
    net = gn.Network(regression, seed=3) if kind == "network" else gn.Ensemble(regression, seeds=3)
    X, _ = data()
    y = X[:, :1] - X[:, 1:2]
    net.fit(X, y, epochs=60, batch_size=16, loss="mse", validation_split=0.2, early_stopping=5, verbose=0)
    kept, weights = net.history.kept(), net.flat.copy()
    with pytest.raises(KeyboardInterrupt if how == "interrupt" else gn.DivergenceError):
        if how == "interrupt":  # (Ctrl-C in the first epoch: the weights it began with are put back)
            net.fit(X, y, epochs=3, batch_size=16, validation_split=0.2, callback=stop, verbose=0)
        else:  # (diverging in the first epoch: the same)
            net.fit(X, y * 1e3, epochs=3, batch_size=5, optimizer=gn.Adam(lr=1e300), verbose=0)
    np.testing.assert_array_equal(net.flat, weights)
    assert kept is not None and net.history.kept() == kept


def test_a_version_2_file_loads_and_may_not_say_kept(tmp_path):
    net = gn.Network(layers(), seed=3)
    fit(net, 60, 5)
    path = tmp_path / "m.safetensors"
    net.save(path)
    rewrite(path, lambda m: m.update(version=2))
    refused(path, "the training part holds 'kept', which format 3 added, but the file says format 2")
    rewrite(path, lambda m: (m.update(version=2), m["training"].pop("kept")))
    loaded = gn.load(path)
    np.testing.assert_array_equal(loaded.flat, net.flat)
    assert loaded.history.kept() is None
