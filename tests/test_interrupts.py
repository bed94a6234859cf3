"""Ctrl-C anywhere in an epoch (a batch, validation, the callback, a checkpoint being saved) puts back the state of
the epoch's start, so that saving then and going on later is exactly one uninterrupted run."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.tabular.model import Model


def data(seed=0, n=120):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def network(dropout=0.0):
    layers = [gn.Dense(3, 8, activation="tanh")] + ([gn.Dropout(dropout)] if dropout else [])
    return gn.Network(layers + [gn.Dense(8, 2, activation="softmax")], seed=3)


def fit(net, epochs, **kwargs):
    X, y = data()
    return net.fit(X[:100], y[:100], epochs=epochs, batch_size=16, loss="categorical_crossentropy",
                   optimizer=gn.Adam(lr=0.01) if net.optimizer is None else None, validation_data=(X[100:], y[100:]),
                   verbose=0, **kwargs)


def assert_same(a, b):
    """Weights, optimizer state and steps, generator and history: bit for bit."""
    for (name, x, _), (_, y, _) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        np.testing.assert_array_equal(x, y, err_msg=name)
    assert a.optimizer.steps == b.optimizer.steps
    for sa, sb in zip(a.optimizer.state, b.optimizer.state, strict=True):
        for key in sa:
            np.testing.assert_array_equal(sa[key], sb[key])
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
    assert a.history == b.history


def Interrupt(wrapped, at):
    """``wrapped``, raising KeyboardInterrupt on its ``at``-th call instead (a function, so it binds as a method)."""
    calls = []

    def interrupting(*args, **kwargs):
        calls.append(1)
        if len(calls) == at:
            raise KeyboardInterrupt
        return wrapped(*args, **kwargs)

    return interrupting


@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("where", ["batch", "validation", "callback"])
def test_an_interrupted_epoch_is_undone_entirely(where, dropout, monkeypatch):
    reference = network(dropout)
    fit(reference, 3)
    net = network(dropout)
    callback = None
    if where == "batch":
        monkeypatch.setattr(gn.Adam, "step", Interrupt(gn.Adam.step, at=3 * 7 + 4))  # 7 batches an epoch
    elif where == "validation":
        monkeypatch.setattr(net, "measure", Interrupt(net.measure, at=4))
    else:
        callback = Interrupt(lambda epoch, values: None, at=4)
    with pytest.raises(KeyboardInterrupt):
        fit(net, 6, callback=callback)
    monkeypatch.undo()
    assert net.epochs_trained == 3
    assert_same(net, reference)  # the state after epoch 3, as if epoch 4 had never begun
    fit(net, 3)
    fit(reference, 3)
    assert_same(net, reference)


def test_interrupted_while_saving_a_checkpoint_then_resumed_is_one_run(tmp_path, monkeypatch, capsys):
    args = ["train", "moons", "--target", "label", "--patience", "0", "--quiet", "--hidden", "6", "--seed", "3",
            "--dropout", "0.2", "--checkpoint-every", "1"]
    full, cut = tmp_path / "full.safetensors", tmp_path / "cut.safetensors"
    assert main([*args, "--epochs", "6", "--out", str(full)]) == 0
    monkeypatch.setattr(Model, "save", Interrupt(Model.save, at=4))  # during the 4th epoch's checkpoint
    assert main([*args, "--epochs", "6", "--out", str(cut)]) == 130
    monkeypatch.undo()
    assert "saved the model after epoch 3" in capsys.readouterr().err
    assert gn.load(cut).epochs_trained == 3
    assert main(["resume", str(cut), "moons", "--epochs", "3", "--quiet", "--keep-last"]) == 0
    assert_same(gn.load(cut), gn.load(full))
