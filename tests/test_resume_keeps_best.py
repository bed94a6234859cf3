"""resume: the saved patience by default, the weights of the lowest validation loss kept (and said), never a
model worse on validation than the one it was loaded from unless --keep-last, and what happens without
validation rows."""

import re
from importlib import resources

import numpy as np
import pytest

import glassnet as gn
from glassnet import optimizers
from glassnet.cli import main
from glassnet.tabular import datasets
from glassnet.tabular.splits import split_table


def cli(*args):
    return main([str(a) for a in args])


TRAIN = ("train", "iris", "--target", "species", "--quiet", "--seed", "2", "--ensemble", "1")  # (common val. rows)


def validation_loss(path):
    """The validation loss of the weights in the model file at ``path``, measured here from its saved settings."""
    model = gn.load_model(path)
    prep, settings = model.preprocessing, model.record.settings
    val = split_table(datasets.load("iris"), prep.target, settings["val_split"], settings["test_split"],
                      settings["seed"])[1]
    return model.network.evaluate(prep.inputs(val), prep.targets(val))["loss"]


def with_lr(path, lr):
    """The model at ``path`` with its optimizer's learning rate set to ``lr`` (1.0 on iris: every epoch worse)."""
    model = gn.load_model(path)
    model.network.optimizer.lr = lr
    model.save(path)
    return path


def test_resume_keeps_the_epoch_of_lowest_validation_loss_and_says_which(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    assert cli(*TRAIN, "--epochs", "3", "--out", model) == 0  # under-trained: resuming improves it
    before = validation_loss(model)
    capsys.readouterr()
    assert cli("resume", model, "iris", "--epochs", "40") == 0
    out = capsys.readouterr().out
    run = gn.load(model).history["val_loss"][3:]
    best = int(np.argmin(run)) + 4
    assert len(run) == 40 and best < 43  # (a later epoch was worse: the last weights are not the ones kept)
    assert f"resuming {model} after epoch 3 on 105 training rows (patience 30); the validation loss of its " \
           f"weights is {before:.6g}" in out
    assert f"kept the weights of epoch {best}, whose validation loss {min(run):.6g} is the lowest (the weights " \
           f"{model} held: {before:.6g})" in out
    assert validation_loss(model) == pytest.approx(min(run), rel=1e-9) and min(run) < before


def trained_then_wild(path):
    """A model trained 30 epochs (keeping its best), whose optimizer then takes steps far too large (lr 3): every
    later epoch's validation loss is worse, by orders of magnitude."""
    assert cli(*TRAIN, "--epochs", "30", "--out", path) == 0
    return with_lr(path, 3.0)


def test_resume_never_saves_weights_worse_than_it_loaded(tmp_path, capsys):
    model = trained_then_wild(tmp_path / "m.safetensors")
    loaded = gn.load(model)
    before, kept = validation_loss(model), int(np.argmin(loaded.history["val_loss"])) + 1
    capsys.readouterr()
    assert cli("resume", model, "iris", "--epochs", "4", "--patience", "0") == 0
    out = capsys.readouterr().out
    resumed = gn.load(model)
    assert min(resumed.history["val_loss"][30:]) > before  # every epoch was worse ...
    np.testing.assert_array_equal(resumed.flat, loaded.flat)  # ... so the weights it was loaded with stay
    assert resumed.epochs_trained == 34 and resumed.history["val_loss"][:30] == loaded.history["val_loss"]
    assert f"no epoch beat the validation loss {before:.6g} of the weights {model} held (epoch {kept}): kept " \
           "those (--keep-last saves the last epoch's instead)" in out
    assert validation_loss(model) == pytest.approx(before, rel=1e-12)


def test_keep_last_saves_the_last_epoch_and_says_it_is_worse(tmp_path, capsys):
    model = trained_then_wild(tmp_path / "m.safetensors")
    before = validation_loss(model)
    capsys.readouterr()
    assert cli("resume", model, "iris", "--epochs", "4", "--keep-last") == 0
    last = gn.load(model).history["val_loss"][-1]
    assert last > before and validation_loss(model) == pytest.approx(last, rel=1e-9)
    assert f"kept the weights of the last epoch, 34 (--keep-last): validation loss {last:.6g}, worse than the " \
           f"{before:.6g} of the weights it was loaded with" in capsys.readouterr().out


def test_resume_uses_the_saved_patience(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    assert cli(*TRAIN, "--epochs", "10", "--patience", "3", "--out", model) == 0
    with_lr(model, 0.3)  # (noisy: early stopping comes soon)
    capsys.readouterr()
    assert cli("resume", model, "iris", "--epochs", "200") == 0
    out = capsys.readouterr().out
    run = gn.load(model).history["val_loss"][10:]
    best = int(np.argmin(run))
    assert "(patience 3)" in out and len(run) == best + 1 + 3 < 200  # stopped 3 epochs after its best
    assert f"stopped at epoch {10 + len(run)}: no better validation loss in 3 epochs; " in out


def test_patience_on_the_command_line_wins_and_old_models_never_stop_early(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    assert cli(*TRAIN, "--epochs", "10", "--patience", "3", "--out", model) == 0
    with_lr(model, 0.3)
    bundle = gn.load_model(model)
    del bundle.record.settings["patience"]  # as saved before the patience was recorded
    bundle.save(tmp_path / "old.safetensors")
    capsys.readouterr()
    assert cli("resume", model, "iris", "--epochs", "40", "--patience", "0", "--quiet") == 0
    assert cli("resume", tmp_path / "old.safetensors", "iris", "--epochs", "40") == 0
    assert "(patience 0)" in capsys.readouterr().out
    assert gn.load(model).epochs_trained == gn.load(tmp_path / "old.safetensors").epochs_trained == 50


def test_without_validation_rows_resume_keeps_the_last_weights(tmp_path, capsys):
    one, two = tmp_path / "one.safetensors", tmp_path / "two.safetensors"
    args = (*TRAIN, "--val-split", "0", "--patience", "0")
    assert cli(*args, "--epochs", "8", "--out", one) == 0
    assert cli(*args, "--epochs", "5", "--out", two) == 0
    capsys.readouterr()
    assert cli("resume", two, "iris", "--epochs", "3") == 0
    out = capsys.readouterr().out
    assert "kept the weights of the last epoch, 8 (no validation rows to compare them by)" in out
    assert "the validation loss of its weights" not in out
    np.testing.assert_array_equal(gn.load(one).flat, gn.load(two).flat)  # the same as one run of 8 epochs
    help_text = " ".join(resume_help(capsys).split())
    assert "Without validation rows (--val-split 0) there is nothing to compare: it keeps the last weights" \
        in help_text


def resume_help(capsys):
    with pytest.raises(SystemExit):
        main(["resume", "--help"])
    return capsys.readouterr().out


def test_help_says_the_defaults_of_patience_and_keep_last(capsys):
    text = " ".join(resume_help(capsys).split())
    assert "(0: never stop early) (default: the patience MODEL was trained with; 0 if it does not record one)" \
        in text
    assert re.search(r"--keep-last save the weights of the last epoch, even if their validation loss is worse", text)


@pytest.mark.parametrize("keep_last", [False, True])
def test_ctrl_c_while_resuming_never_saves_worse_weights_than_it_loaded(tmp_path, monkeypatch, capsys, keep_last):
    """Ctrl-C saves after the last whole epoch what resume would keep then: with lr 1 every epoch is worse, so the
    weights loaded (their validation loss the same); with --keep-last, the last epoch's state to go on from."""
    model = tmp_path / "m.safetensors"
    assert cli(*TRAIN, "--epochs", "2", "--out", model) == 0
    before = validation_loss(with_lr(model, 1.0))
    steps = gn.load(model).optimizer.steps // 2
    original, calls = optimizers.Adam.step, []

    def interrupt(self, params):
        calls.append(1)
        if len(calls) == 2 * steps + 3:  # inside the third resumed epoch
            raise KeyboardInterrupt
        original(self, params)

    monkeypatch.setattr(optimizers.Adam, "step", interrupt)
    assert cli("resume", model, "iris", "--epochs", "5", "--quiet", *(["--keep-last"] if keep_last else [])) == 130
    err = capsys.readouterr().err
    assert "interrupted: saved the model after epoch 4 (" in err and f") to {model}" in err
    assert "stopped at" not in err
    saved = gn.load(model)
    assert saved.epochs_trained == 4 and saved.optimizer.steps == 4 * steps
    if keep_last:
        assert "kept the weights of the last epoch, 4 (--keep-last)" in err
        assert validation_loss(model) > before
    else:
        assert "no epoch beat the validation loss" in err
        assert validation_loss(model) == pytest.approx(before, rel=1e-12)


def test_ctrl_c_while_resuming_an_ensemble_keeps_each_members_best(tmp_path, monkeypatch, capsys):
    """Members with validation rows of their own (the default ensemble): with lr 3 no epoch beats the weights
    loaded, so Ctrl-C saves those, as an uninterrupted resume does (it saved the blown-up last epoch's)."""
    model = tmp_path / "m.safetensors"
    assert cli("train", "iris", "--target", "species", "--quiet", "--seed", "2", "--epochs", "30", "--out",
               model) == 0
    loaded = gn.load(with_lr(model, 3.0)).flat.copy()
    steps = gn.load(model).optimizer.steps // 30
    original, calls = optimizers.Adam.step, []

    def interrupt(self, params):
        calls.append(1)
        if len(calls) == 4 * steps + 1:  # the first step of the fifth resumed epoch
            raise KeyboardInterrupt
        original(self, params)

    monkeypatch.setattr(optimizers.Adam, "step", interrupt)
    capsys.readouterr()
    assert cli("resume", model, "iris", "--epochs", "5", "--quiet") == 130
    assert "(no member did better than the weights it began with: each kept them) to" in capsys.readouterr().err
    saved = gn.load(model)
    assert saved.epochs_trained == 34
    np.testing.assert_array_equal(saved.flat, loaded)


def test_ctrl_c_before_an_epoch_ends_saves_nothing(tmp_path, monkeypatch, capsys):
    """A file already at --out is not replaced by an untrained model (Ctrl-C at once, for a wrong --out)."""
    model = tmp_path / "m.safetensors"
    assert cli(*TRAIN, "--epochs", "2", "--out", model) == 0
    kept = model.read_bytes()

    def interrupt(self, params):
        raise KeyboardInterrupt

    monkeypatch.setattr(optimizers.Adam, "step", interrupt)
    for command in (TRAIN + ("--epochs", "2", "--out", model), ("resume", model, "iris", "--epochs", "5")):
        assert cli(*command) == 130
        assert f"interrupted before an epoch ended: nothing saved ({model} is as it was)" in capsys.readouterr().err
        assert model.read_bytes() == kept


@pytest.mark.parametrize("value", ["x", -2, 1.5])
def test_a_bad_saved_patience_is_a_model_file_error(tmp_path, capsys, value):
    model = tmp_path / "m.safetensors"
    assert cli(*TRAIN, "--epochs", "1", "--out", model) == 0
    bundle = gn.load_model(model)
    bundle.record.settings["patience"] = value
    bundle.save(model)
    assert cli("resume", model, "iris", "--epochs", "1") == 2
    assert "lacks valid training settings patience, which rebuild its training splits" in capsys.readouterr().err


def test_a_schedule_that_has_ended_is_refused_and_one_ending_midway_is_said(tmp_path, capsys):
    """A cosine schedule's rate stays 0 once it ends: resuming it would train nothing, with exit 0."""
    model = tmp_path / "m.safetensors"
    assert cli(*TRAIN, "--epochs", "3", "--patience", "0", "--schedule", "cosine", "--out", model) == 0
    saved = model.read_bytes()
    capsys.readouterr()
    assert cli("resume", model, "iris", "--epochs", "5") == 2
    err = capsys.readouterr().err
    assert f"{model} was trained with a cosine schedule of 42 steps, which has ended (42 steps taken): its " \
           "learning rate stays at 0, so more epochs would not train it" in err
    assert model.read_bytes() == saved
    half = gn.load_model(model)
    half.network.optimizer.steps = 28  # (as if stopped after 2 of its 3 epochs of 14 batches)
    half.save(model)
    assert cli("resume", model, "iris", "--epochs", "5", "--keep-last") == 0
    assert "its cosine schedule ends after 1 of these 5 epochs, the rest at rate 0" in capsys.readouterr().out


def test_resume_refuses_data_other_than_the_training_data(tmp_path, capsys):
    """resume splits DATA again: on other rows, its validation and test rows would include training rows."""
    model, fewer = tmp_path / "m.safetensors", tmp_path / "fewer.csv"
    assert cli(*TRAIN, "--epochs", "2", "--out", model) == 0
    text = (resources.files("glassnet.tabular") / "bundled" / "iris.csv").read_text().splitlines()
    fewer.write_text("\n".join(text[:101]) + "\n")
    saved = model.read_bytes()
    capsys.readouterr()
    assert cli("resume", model, fewer, "--epochs", "2") == 2
    err = capsys.readouterr().err
    assert f"fewer.csv has 100 rows, but {model} was trained on data of 150 rows: resume splits it again" in err
    changed = tmp_path / "changed.csv"
    changed.write_text("\n".join([text[0], text[1].replace("5.1", "5.2", 1), *text[2:]]) + "\n")
    assert cli("resume", model, changed, "--epochs", "2") == 2
    assert "changed.csv is not the data" in capsys.readouterr().err
    assert model.read_bytes() == saved
