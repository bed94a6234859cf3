"""Model files of format version 1, written by glassnet 0.1 before the redesign (tests/data, with what that code
computed from them in v1_expected.json), load and go on exactly as they did there."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.tabular import datasets

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "v1_expected.json").read_text())
CLOSE = {"rtol": 1e-12, "atol": 1e-14}  # the same arithmetic; another machine's BLAS may round differently


def test_a_version_1_model_trained_from_a_table_loads_as_a_bundle():
    model = gn.load_model(DATA / "v1_iris.safetensors")
    assert model.version == 1
    net, prep, record = model.network, model.preprocessing, model.record
    assert net.summary() == "4 -> 16 tanh -> 3 softmax" and net.loss.name == "categorical_crossentropy"
    assert record.settings == EXPECTED["iris"]["training"] and record.test_metrics is None
    assert net.history["loss"] == EXPECTED["iris"]["history_loss"]
    rows = datasets.load("iris").take(range(0, 150, 10))
    np.testing.assert_allclose(net.predict(prep.inputs(rows)), EXPECTED["iris"]["predict"], **CLOSE)


def test_resuming_a_version_1_file_gives_what_glassnet_0_1_gave(tmp_path, capsys):
    model = tmp_path / "iris.safetensors"
    shutil.copy(DATA / "v1_iris.safetensors", model)
    assert main(["resume", str(model), "iris", "--epochs", "3", "--quiet"]) == 0
    assert f"warning: {model} records neither the number of rows nor the fingerprint of its training data (saved " \
           "by the playground or an older glassnet), so iris cannot be checked against them" in capsys.readouterr().err
    resumed, expected = gn.load_model(model), EXPECTED["iris"]["resumed_3"]
    assert resumed.version == 3 and resumed.network.optimizer.steps == expected["steps"]
    np.testing.assert_allclose(resumed.network.history["loss"], expected["history_loss"], **CLOSE)
    for layer, weights, bias in zip(resumed.network.layers, expected["weights"], expected["bias"]):
        np.testing.assert_allclose(layer.weights, weights, **CLOSE)
        np.testing.assert_allclose(layer.bias, bias, **CLOSE)
    assert resumed.record.settings == EXPECTED["iris"]["training"]  # kept: the splits and batches depend on it


def test_a_version_1_network_saved_from_python_goes_on_training_as_before(tmp_path):
    expected = EXPECTED["python_sgd"]
    net = gn.load(DATA / "v1_python_sgd.safetensors")
    assert net.dtype == np.float32 and [layer.activation.name for layer in net.layers] == ["leaky_relu", "tanh",
                                                                                              "linear"]
    assert net.layers[0].activation.alpha == 0.01  # version 1 did not save alpha: its default, as 0.1 loaded it
    assert net.optimizer.config()["nesterov"] is True and net.optimizer.steps == 25
    X = np.array(expected["X"])
    np.testing.assert_allclose(net.predict(X), expected["predict"], rtol=1e-6)
    rng = np.random.default_rng(7)
    X_all = rng.normal(size=(40, 3))
    y_all = (X_all[:, :1] * 2 - X_all[:, 1:2]).astype(float)
    history = net.fit(X_all, y_all, epochs=3, batch_size=8, verbose=0)
    np.testing.assert_allclose(history["loss"], expected["continued_loss"], rtol=1e-6)
    np.testing.assert_allclose(net.layers[0].weights, expected["continued_weights0"], rtol=1e-5, atol=1e-7)


def test_a_version_1_file_saved_again_is_version_3_and_the_same_model(tmp_path):
    old = gn.load_model(DATA / "v1_iris.safetensors")
    old.save(tmp_path / "v2.safetensors")
    new = gn.load_model(tmp_path / "v2.safetensors")
    assert new.version == 3 and new.record == old.record
    assert new.preprocessing.to_json() == old.preprocessing.to_json()
    for (name, a, _), (_, b, _) in zip(old.network.named_parameters(), new.network.named_parameters()):
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert new.network.history == old.network.history
    assert new.network.rng.bit_generator.state == old.network.rng.bit_generator.state


def test_cli_reads_version_1_files(capsys):
    assert main(["info", str(DATA / "v1_iris.safetensors")]) == 0
    out = capsys.readouterr().out
    assert "glassnet model (format 1)" in out and "training settings: data iris" in out
    assert main(["evaluate", str(DATA / "v1_iris.safetensors"), "iris", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_rows"] == 150


@pytest.mark.parametrize("change, match", [
    (lambda m: m["network"]["layers"][0].update(type="conv2d"), "unknown layer 0 type 'conv2d'"),
    (lambda m: m["network"]["layers"][0].update(activation="gelu"), "unknown activation 'gelu'; expected one of"),
    (lambda m: m["network"]["layers"][0].update(activation=5), "layer 0 'activation' is 5, of the wrong type"),
    (lambda m: m["network"]["layers"][0].update(n_in=-3), "Dense n_in must be a positive integer; got -3"),
    (lambda m: m["network"].update(layers="x"), "network 'layers' is 'x', of the wrong type"),
    (lambda m: m.update(loss="hinge"), "unknown loss 'hinge'"),
    (lambda m: m.update(loss=["mse"]), r"'loss' is \['mse'\], of the wrong type"),
    (lambda m: m.update(training=[1]), r"training 'settings' is \[1\], of the wrong type"),
    (lambda m: m.pop("rng"), "lacks 'rng'"),
])
def test_hostile_version_1_metadata_is_refused(tmp_path, change, match):
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file

    path = tmp_path / "v1.safetensors"
    with safe_open(DATA / "v1_iris.safetensors", "np") as f:
        meta = json.loads(f.metadata()["glassnet"])
    assert meta["version"] == 1
    change(meta)
    save_file(load_file(DATA / "v1_iris.safetensors"), str(path), metadata={"glassnet": json.dumps(meta)})
    with pytest.raises(gn.ModelFileError, match=match) as info:
        gn.load_model(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)
