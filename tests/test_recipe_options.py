"""The training recipe's options on tables (issue 13): --weight-decay, --schedule, --label-smoothing,
--class-weight balanced and --ensemble K, each through glassnet train and gn.train_table; each test fails
without its option doing what it says."""

from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.errors import InputError

OPTIONS = {"epochs": 25, "seed": 3, "patience": 0, "preset": "quick"}  # (each option on the small network)


def table(tmp_path, minority: float = 0.5, rows: int = 200) -> str:
    """Two noisy features, class 'b' in a share ``minority`` of the rows, its centre shifted by 1."""
    rng = np.random.default_rng(0)
    labels = np.where(rng.random(rows) < minority, "b", "a")
    x = rng.normal(size=(rows, 2)) + (labels == "b")[:, None] * 1.0
    path = tmp_path / "t.csv"
    path.write_text("x1,x2,y\n" + "".join(f"{a:.4f},{b:.4f},{c}\n" for (a, b), c in zip(x, labels)))
    return str(path)


def weights(model: gn.Model) -> float:
    return float(sum((layer.weights ** 2).sum() for layer in model.network.layers if hasattr(layer, "weights")))


def test_weight_decay_shrinks_the_weights_and_is_saved(tmp_path):
    data = table(tmp_path)
    plain = gn.train_table(data, "y", **OPTIONS)
    decayed = gn.train_table(data, "y", weight_decay=0.5, **OPTIONS)
    assert weights(decayed) < 0.8 * weights(plain)
    config = decayed.network.optimizer.config()
    assert config["weight_decay"] == 0.5 and config["decoupled"] is True
    path = tmp_path / "m.safetensors"
    decayed.save(path)
    assert gn.load_model(path).network.optimizer.config() == config


@pytest.mark.parametrize("schedule, kind", [("cosine", "Cosine"), ("onecycle", "OneCycle")])
def test_schedules_drive_the_learning_rate_over_the_run(tmp_path, schedule, kind):
    data = table(tmp_path)
    model = gn.train_table(data, "y", schedule=schedule, batch_size=16, **OPTIONS)
    rate = model.network.optimizer.config()["lr"]
    train_rows = 200 - round(200 * 0.2) - round(200 * 0.1)
    batches = -(-train_rows // 16)
    assert rate["name"] == kind.lower() and rate["config"]["steps"] == 25 * batches
    constant = gn.train_table(data, "y", batch_size=16, **OPTIONS)
    assert model.network.history["loss"] != constant.network.history["loss"]


def test_label_smoothing_keeps_probabilities_from_the_extremes(tmp_path):
    data = table(tmp_path)
    sharp = gn.train_table(data, "y", **OPTIONS)
    smooth = gn.train_table(data, "y", label_smoothing=0.3, **OPTIONS)
    assert smooth.predict_proba_table(data).max() < sharp.predict_proba_table(data).max()
    assert smooth.network.loss.config()["label_smoothing"] == 0.3


def test_balanced_class_weights_move_the_threshold_towards_the_rare_class(tmp_path):
    data = table(tmp_path, minority=0.1, rows=400)
    plain = gn.train_table(data, "y", **OPTIONS)
    balanced = gn.train_table(data, "y", class_weight="balanced", **OPTIONS)
    b = plain.preprocessing.target.classes.index("b")
    assert (balanced.predict_proba_table(data)[:, b].mean() > plain.predict_proba_table(data)[:, b].mean() + 0.05)
    assert list(balanced.predict_table(data)).count("b") > list(plain.predict_table(data)).count("b")
    w = balanced.network.loss.config()["class_weight"]
    assert w[b] > 3 * w[1 - b]  # rows / (2 * rows of the class): about 5 and 0.56


def test_an_ensemble_is_k_networks_averaged_and_member_0_is_the_single_network(tmp_path):
    data = table(tmp_path)
    single = gn.train_table(data, "y", val_split=0, **OPTIONS)
    ensemble = gn.train_table(data, "y", ensemble=3, val_split=0, **OPTIONS)
    net = ensemble.network
    assert isinstance(net, gn.Ensemble) and net.seeds == [3, 4, 5]
    X = ensemble.preprocessing.inputs(ensemble.read(data))
    members = [net.member(k).predict(X) for k in range(3)]
    np.testing.assert_allclose(net.predict(X), np.mean(members, axis=0), rtol=1e-12)
    np.testing.assert_array_equal(members[0], single.network.predict(X))
    path = tmp_path / "e.safetensors"
    ensemble.save(path)
    np.testing.assert_array_equal(gn.load_model(path).predict_proba_table(data), ensemble.predict_proba_table(data))


def test_the_command_line_takes_every_option_and_refuses_bad_ones(tmp_path, capsys):
    data, out = table(tmp_path), str(tmp_path / "m.safetensors")
    assert main(["train", data, "--target", "y", "--epochs", "3", "--ensemble", "2", "--weight-decay", "0.01",
                 "--schedule", "cosine", "--label-smoothing", "0.1", "--class-weight", "balanced", "--out", out,
                 "--quiet"]) == 0
    settings = gn.load_model(out).record.settings
    assert (settings["ensemble"], settings["schedule"], settings["class_weight"]) == (2, "cosine", "balanced")
    assert main(["resume", out, data, "--epochs", "2", "--quiet"]) == 2  # (its cosine schedule has ended)
    assert re.search(r"cosine schedule of \d+ steps, which has ended", capsys.readouterr().err)
    for bad, said in ((["--ensemble", "0"], "--ensemble: must be an integer from 1 to 1024"),
                      (["--label-smoothing", "1.5"], "--label-smoothing"),
                      (["--schedule", "linear"], "invalid choice: 'linear'")):
        with pytest.raises(SystemExit):
            main(["train", data, "--target", "y", *bad])
        assert said in capsys.readouterr().err
    regression = tmp_path / "r.csv"
    regression.write_text("x,y\n" + "".join(f"{i},{i * 1.5 + 0.1}\n" for i in range(40)))
    assert main(["train", str(regression), "--target", "y", "--class-weight", "balanced", "--quiet"]) == 2
    assert "--label-smoothing and --class-weight are for classification" in capsys.readouterr().err
    with pytest.raises(InputError, match="--schedule must be one of constant, cosine, onecycle"):
        gn.train_table(data, "y", schedule="linear")
