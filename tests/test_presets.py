"""Presets (glassnet.tabular.presets): the default recipe, --preset quick (the 0.1 network, bit for bit), options
given by name over the preset's, the preset's classification-only and hidden-layer-only parts dropped where they
do not apply, and an ensemble explained member by member."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.tabular.presets import PRESETS, with_preset

QUICK = {"hidden": [16], "activation": "tanh", "lr": 0.01, "scaling": "standard", "dropout": 0.0, "ensemble": 1,
         "label_smoothing": 0.0, "dtype": "float64"}


def regression_csv(tmp_path) -> str:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    lines = ["a,b,y"] + [f"{a:.6f},{b:.6f},{3 * a - b + 100:.6f}" for a, b in x]
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_the_default_preset_is_the_benchmarks_recipe():
    model = gn.train_table("iris", "species", epochs=2, patience=0)
    net, settings = model.network, model.record.settings
    assert isinstance(net, gn.Ensemble) and net.members == 8 and net.seeds == list(range(8))
    assert net.summary() == "ensemble of 8: 4 -> 32 relu -> dropout 0.2 -> 3 softmax"
    assert net.optimizer.lr == 0.005 and net.loss.label_smoothing == 0.1
    assert model.preprocessing.scaling == "robust" and net.dtype == np.float32
    assert settings["preset"] == "default"
    assert {k: settings[k] for k in PRESETS["default"]} == PRESETS["default"]


def test_quick_is_the_old_network_bit_for_bit():
    assert PRESETS["quick"] == QUICK
    quick = gn.train_table("iris", "species", preset="quick", epochs=5, patience=0)
    spelled = gn.train_table("iris", "species", epochs=5, patience=0, **QUICK)
    assert quick.network.summary() == "4 -> 16 tanh -> 3 softmax"
    np.testing.assert_array_equal(quick.predict_proba_table("iris"), spelled.predict_proba_table("iris"))
    assert quick.record.settings["preset"] == "quick" and spelled.record.settings["preset"] == "default"


def test_options_given_by_name_win_over_the_preset(tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    assert main(["train", "iris", "--target", "species", "--ensemble", "2", "--hidden", "8", "--epochs", "2",
                 "--activation", "tanh", "--out", str(out)]) == 0
    assert "network: ensemble of 2: 4 -> 8 tanh -> dropout 0.2 -> 3 softmax" in capsys.readouterr().out
    assert main(["train", "iris", "--target", "species", "--preset", "quick", "--dropout", "0.1", "--epochs", "2",
                 "--out", str(out)]) == 0
    assert "network: 4 -> 16 tanh -> dropout 0.1 -> 3 softmax (131 parameters); Adam(lr=0.01" in \
        capsys.readouterr().out
    assert with_preset("quick", {"lr": None, "epochs": 7}) == {"lr": 0.01, "epochs": 7}


def test_smoothing_is_for_classes_and_dropout_for_hidden_layers(tmp_path):
    data = regression_csv(tmp_path)
    model = gn.train_table(data, "y", epochs=2, patience=0)  # the preset's smoothing: left out, no error
    assert model.record.settings["label_smoothing"] == 0.0 and model.network.loss.name == "mse"
    with pytest.raises(gn.InputError, match="--label-smoothing and --class-weight are for classification"):
        gn.train_table(data, "y", epochs=2, label_smoothing=0.1)
    linear = gn.train_table(data, "y", hidden=[], epochs=2, patience=0)  # the preset's dropout: left out
    assert linear.network.summary() == "ensemble of 8: 2 -> 1 linear" and linear.record.settings["dropout"] == 0.0
    with pytest.raises(gn.InputError, match="dropout acts on hidden layers"):
        gn.train_table(data, "y", hidden=[], dropout=0.2, epochs=2)


def test_a_resumed_model_keeps_its_preset(tmp_path):
    out = tmp_path / "m.safetensors"
    assert main(["train", "iris", "--target", "species", "--preset", "quick", "--epochs", "3", "--patience", "0",
                 "--quiet", "--out", str(out)]) == 0
    assert main(["resume", str(out), "iris", "--epochs", "2", "--quiet"]) == 0
    model = gn.load_model(out)
    assert model.network.summary() == "4 -> 16 tanh -> 3 softmax" and model.record.settings["preset"] == "quick"


def test_an_unknown_preset_is_refused(capsys):
    with pytest.raises(gn.InputError, match="--preset must be one of default, quick; got 'fast'"):
        gn.train_table("iris", "species", preset="fast")
    with pytest.raises(gn.InputError, match=r"--preset must be one of default, quick; got \['quick'\]"):
        gn.train_table("iris", "species", preset=["quick"])
    with pytest.raises(SystemExit) as stopped:
        main(["train", "iris", "--target", "species", "--preset", "fast"])
    assert stopped.value.code == 2 and "invalid choice: 'fast'" in capsys.readouterr().err


def test_explain_narrates_an_ensembles_first_member_with_its_smoothed_targets(tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    assert main(["train", "iris", "--target", "species", "--ensemble", "3", "--epochs", "2", "--quiet",
                 "--out", str(out)]) == 0
    assert main(["explain", str(out), "iris", "--rows", "2"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "is an ensemble of 3 networks" in text and "Shown: the first member's step." in text
    assert "L = -mean over rows of sum(y' * log(a)), y' = 0.9 * y + 0.1 / classes" in text
    assert "delta3 = dL/dz3 = (a - y') / 2" in text
    model = gn.load_model(out)
    steps = {s.name: s for s in model.network.member(0).explain(
        model.preprocessing.inputs(model.read("iris").take([0, 1])),
        model.preprocessing.targets(model.read("iris").take([0, 1])), loss=model.network.loss, optimizer="adam")}
    member = model.network.member(0)
    x = model.preprocessing.inputs(model.read("iris").take([0, 1])).astype(member.dtype)  # (the default: float32)
    np.testing.assert_array_equal(steps["z1"].value, x @ member.layers[0].weights + member.layers[0].bias)


def test_the_default_ensemble_shares_the_first_layer_of_a_wide_table_and_says_so(tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = [",".join(f"c{k}" for k in rng.integers(0, 60, 15)) + f",{i % 2}" for i in range(4000)]
    path = tmp_path / "wide.csv"  # 15 x 60 = 900 one-hot inputs, 2,800 training rows
    path.write_text(",".join(f"t{j}" for j in range(15)) + ",y\n" + "\n".join(rows) + "\n")
    for extra, said in (([], True), (["--ensemble", "1"], False), (["--preset", "quick"], False)):
        assert main(["train", str(path), "--target", "y", "--epochs", "1", "--out", str(tmp_path / "m.safetensors"),
                     *extra]) == 0
        out = capsys.readouterr().out
        assert ("note: 900 inputs x 32 units x 8 members on 2800 rows: the members share their first layer's "
                "weights, each through its own scales" in out) == said, extra
