"""Model files: exact round trips and resumes, atomic writes, and every kind of bad file refused clearly."""

import json
import os
import pickle

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

import glassnet as gn
from glassnet.errors import ModelFileError
from glassnet.formats import modelfile
from glassnet.tabular import datasets, preprocessing
from glassnet.tabular import workflow as table_training
from glassnet.tabular.model import Model, TrainingRecord


def blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int) + (X[:, 2] > 1)


def make(seed=4, dtype=np.float64):
    return gn.Network([gn.Dense(3, 8, activation="tanh"), gn.Dense(8, 5, activation="relu"),
                       gn.Dense(5, 3, activation="softmax")], seed=seed, dtype=dtype)


def fit(net, epochs, optimizer=None):
    X, y = blobs()
    kwargs = {"loss": "categorical_crossentropy", "optimizer": optimizer} if optimizer else {}
    net.fit(X[:100], y[:100], epochs=epochs, batch_size=16, validation_data=(X[100:], y[100:]), verbose=0,
            **kwargs)
    return net


def same_state(a, b):
    for la, lb in zip(a.layers, b.layers):
        np.testing.assert_array_equal(la.weights, lb.weights, strict=True)
        np.testing.assert_array_equal(la.bias, lb.bias, strict=True)
    assert a.optimizer.steps == b.optimizer.steps and a.optimizer.config() == b.optimizer.config()
    for sa, sb in zip(a.optimizer.state, b.optimizer.state, strict=True):
        assert sa.keys() == sb.keys()
        for key in sa:
            np.testing.assert_array_equal(sa[key], sb[key], strict=True)
    assert a.history == b.history
    assert a.rng.bit_generator.state == b.rng.bit_generator.state


@pytest.mark.parametrize("optimizer, dtype", [
    (lambda: gn.Adam(lr=0.01), np.float64),
    (lambda: gn.Adam(lr=0.01, weight_decay=1e-3, clipnorm=1.0), np.float32),
    (lambda: gn.SGD(lr=0.05, momentum=0.9, nesterov=True), np.float64),
])
def test_resume_from_file_is_bit_identical_to_one_run(tmp_path, optimizer, dtype):
    path = str(tmp_path / "m.safetensors")
    one = fit(make(dtype=dtype), 7, optimizer())
    two = fit(make(dtype=dtype), 3, optimizer())
    two.save(path)
    loaded = gn.load(path)
    same_state(two, loaded)
    fit(loaded, 4)  # loss and optimizer come from the file
    same_state(one, loaded)
    assert loaded.dtype == dtype and loaded.loss.name == "categorical_crossentropy"
    assert loaded.metrics == ["accuracy"] and loaded.epochs_trained == 7


def test_untrained_network_and_preprocessing_round_trip(tmp_path):
    path = tmp_path / "m.safetensors"
    net = gn.Network([gn.Dense(4, 3, activation="softmax", bias=False, init="classic")], init="he_normal", seed=9)
    prep, _ = table_training.prepare(datasets.load("iris"), "species", "auto", 0.1, 0.2, 0)
    Model(net, prep, TrainingRecord({"data": "iris", "seed": 0}, {"accuracy": 0.5})).save(path)
    bundle = gn.load_model(path)
    back = bundle.network
    np.testing.assert_array_equal(back.layers[0].weights, net.layers[0].weights)
    assert back.optimizer is None and back.loss is None and back.history == {}
    assert back.layers[0].bias is None and back.layers[0].init.name == "classic" and back.init.name == "he_normal"
    assert bundle.preprocessing.to_json() == prep.to_json()
    assert bundle.record == TrainingRecord({"data": "iris", "seed": 0}, {"accuracy": 0.5})
    assert not hasattr(gn.load(path), "preprocessing")  # the network is the maths only


def test_import_glassnet_does_not_import_safetensors():
    import subprocess
    import sys

    code = "import glassnet, sys; print('safetensors' in sys.modules, 'glassnet.formats.modelfile' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split() == \
        ["False", "False"]


def test_file_layout_is_documented_safetensors(tmp_path):
    path = str(tmp_path / "m.safetensors")
    fit(make(), 2, gn.Adam()).save(path)
    with safe_open(path, "np") as f:
        meta = json.loads(f.metadata()["glassnet"])
        keys = set(f.keys())
    assert meta["format"] == "glassnet-model" and meta["version"] == 3
    assert set(meta) == {"format", "version", "network", "state", "preprocessing", "training"}
    assert [layer["name"] for layer in meta["network"]["layers"]] == ["dense"] * 3
    assert [layer["config"]["activation"] for layer in meta["network"]["layers"]] == [
        {"name": "tanh", "config": {}}, {"name": "relu", "config": {}}, {"name": "softmax", "config": {}}]
    state = meta["state"]
    assert state["optimizer"]["name"] == "adam" and state["optimizer"]["steps"] == 14
    assert state["rng"]["bit_generator"] == "PCG64" and len(meta["training"]["history"]["val_loss"]) == 2
    assert meta["preprocessing"] is None and meta["training"]["settings"] is None
    assert {"layers.0.weights", "layers.2.bias", "optimizer.0.m", "optimizer.1.v"} <= keys


# --- atomic writes ---------------------------------------------------------------------------------

def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    make().save(path)
    before = path.read_bytes()

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fit(make(seed=1), 1, gn.Adam()).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.safetensors"]


def test_written_file_has_umask_permissions(tmp_path):
    path = tmp_path / "m.safetensors"
    make().save(path)
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_saving_over_a_file_keeps_its_permissions_and_links(tmp_path):
    private = tmp_path / "private.safetensors"
    make().save(private)
    private.chmod(0o600)
    make().save(private)
    assert private.stat().st_mode & 0o777 == 0o600
    link = tmp_path / "latest.safetensors"
    link.symlink_to(private)
    net = make(seed=9)  # other weights than the file's
    net.save(link)
    assert link.is_symlink()
    np.testing.assert_array_equal(gn.load(private).layers[0].weights, net.layers[0].weights)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.safetensors", "private.safetensors"]


# --- bad files ------------------------------------------------------------------------------------

@pytest.fixture
def model(tmp_path):
    path = str(tmp_path / "m.safetensors")
    net = fit(make(), 2, gn.SGD(lr=0.1, momentum=0.5))
    prep = preprocessing.Preprocessor([preprocessing.Numeric(f"x{i}", 0.0, 1.0) for i in range(3)],
                                      preprocessing.Target("y", "classification", classes=["a", "b", "c"]))
    Model(net, prep).save(path)
    return path


def rewrite(path, meta_change=None, tensor_change=None):
    """Change a model file's metadata or tensors and sign it again (a valid checksum), so that the change reaches
    the checks behind the checksum's."""
    with safe_open(path, "np") as f:
        meta = json.loads(f.metadata()["glassnet"])
    tensors = load_file(path)
    if meta_change:
        meta_change(meta)
    if tensor_change:
        tensor_change(tensors)
    text = json.dumps(meta)
    save_file(tensors, path, metadata={"glassnet": text, "glassnet.sha256": modelfile.digest(text, tensors)})


def refused(path, match):
    before = open(path, "rb").read()
    with pytest.raises(ModelFileError, match=match) as info:
        gn.load_model(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)
    assert open(path, "rb").read() == before


def layer(i):
    return lambda m: m["network"]["layers"][i]["config"]


def state(m):
    return m["state"]


@pytest.mark.parametrize("change, match", [
    (lambda m: m.update(version=4), r"newer glassnet \(model format 4; this glassnet reads format 3"),
    (lambda m: m.update(version="1"), "format version '1' is not a positive integer"),
    (lambda m: m.update(format="other"), "does not say format 'glassnet-model'"),
    (lambda m: layer(0)(m)["activation"].update(name="gelu"), "layer 0: unknown activation 'gelu'"),
    (lambda m: layer(0)(m).update(activation=5), "layer 0: unknown activation 5"),
    (lambda m: layer(0)(m).update(activation={"name": "tanh"}), "layer 0: the activation must be described as"),
    (lambda m: layer(0)(m)["activation"]["config"].update(alpha=0.3), "layer 0: activation 'tanh': settings"),
    (lambda m: m["network"]["layers"][1].update(name="conv2d"), "layer 1: unknown layer 'conv2d'"),
    (lambda m: layer(1)(m).update(kernel=3), "layer 1: layer 'dense': settings"),
    (lambda m: state(m).update(loss={"name": "__import__('os').system", "config": {}}), "unknown loss"),
    (lambda m: state(m).update(loss="mse"), "the metadata's 'loss' is 'mse', of the wrong type"),
    (lambda m: state(m)["optimizer"].update(name="rmsprop"), "unknown optimizer 'rmsprop'"),
    (lambda m: state(m)["optimizer"]["config"].update(lr=-1), "lr must be a number"),
    (lambda m: state(m)["optimizer"]["config"].update(lr={"name": "cosine", "config": {"lr": 1}}),
     "schedule 'cosine': settings"),
    (lambda m: state(m)["optimizer"]["config"].update(evil=1), "settings"),
    (lambda m: state(m)["optimizer"].update(state=[["m"], ["v"]]), "state \\['m'\\] for parameter 0"),
    (lambda m: state(m).update(metrics=["auc"]), "unknown metric 'auc'"),
    (lambda m: layer(0)(m).update(n_out=9), "layer 0 has 9 outputs but layer 1 expects 8"),
    (lambda m: layer(0)(m).update(n_in=4),
     r"'layers.0.weights' has shape \(3, 8\) and dtype float64; the architecture needs \(4, 8\)"),
    (lambda m: m["preprocessing"]["columns"].pop(), "the preprocessing makes 2 inputs and 3 outputs; the network "
                                                    "has 3 and 3"),
    (lambda m: m["network"].update(dtype="float16"), "unknown network dtype 'float16'"),
    (lambda m: layer(2)(m)["activation"].update(name="tanh"), "needs a 'softmax' output layer"),
    (lambda m: state(m)["rng"].update(bit_generator="MT19937"), "not PCG64"),
    (lambda m: state(m)["rng"].update(state="x"), "random-number state is malformed"),
    (lambda m: m["training"]["history"].update(loss=[1.0]), "history must map names to equally long lists"),
    (lambda m: m["training"].update(settings=[1]), "the metadata's training 'settings' is \\[1\\], of the wrong"),
    (lambda m: m["preprocessing"]["target"].update(classes=["a", "b"]), "2 outputs; the network has 3 and 3"),
    (lambda m: m.pop("network"), "lacks 'network'"),
    (lambda m: m.pop("state"), "lacks 'state'"),
    (lambda m: m.update(preprocessing=None) or layer(0)(m).update(n_in=4), r"'layers.0.weights' has shape \(3, 8\)"),
])
def test_bad_metadata_is_refused(model, change, match):
    rewrite(model, meta_change=change)
    refused(model, match)


@pytest.mark.parametrize("change, match", [
    (lambda t: t.update({"layers.1.weights": np.zeros((8, 6))}), r"'layers.1.weights' has shape \(8, 6\)"),
    (lambda t: t.update({"layers.1.bias": np.zeros(5, np.float32)}), "dtype float32"),
    (lambda t: t.pop("layers.2.bias"), r"missing: \['layers.2.bias'\]"),
    (lambda t: t.update({"extra": np.zeros(1)}), r"unexpected: \['extra'\]"),
    (lambda t: t.update({"optimizer.0.velocity": np.zeros(3)}), "'optimizer.0.velocity' has shape"),
    (lambda t: t["layers.0.weights"].__setitem__((0, 0), np.nan), "holds NaN"),
])
def test_tensors_that_disagree_with_the_architecture_are_refused(model, change, match):
    rewrite(model, tensor_change=change)
    refused(model, match)


def test_truncated_files_are_refused(model, tmp_path):
    blob = open(model, "rb").read()
    header = int.from_bytes(blob[:8], "little") + 8
    for size in (0, 5, 100, header - 1, header + 3, len(blob) - 1):
        cut = tmp_path / f"cut{size}.safetensors"
        cut.write_bytes(blob[:size])
        refused(cut, "truncated")


def test_pickles_are_refused_without_running_them(tmp_path):
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "evil.safetensors"
    path.write_bytes(pickle.dumps(Payload()))
    refused(path, "this is a pickle")
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)  # torch.save's zip
    refused(path, "pickle")
    np.savez(tmp_path / "weights.npz", w=np.ones(3))
    refused(tmp_path / "weights.npz", r"this is a zip file \(NumPy's .npz, or PyTorch's zip of pickles\), not a "
                                      "glassnet model")
    assert not marker.exists()


def test_foreign_and_missing_files(tmp_path):
    path = tmp_path / "other.safetensors"
    save_file({"w": np.zeros(3)}, str(path), metadata={"source": "elsewhere"})
    refused(path, "a safetensors file, but not a glassnet model")
    path.write_text("a,b\n1,2\n")
    refused(path, "not a safetensors model file")
    with pytest.raises(ModelFileError, match="no such model file"):
        gn.load(tmp_path / "none.safetensors")
    with pytest.raises(ModelFileError, match="is a folder"):
        gn.load(tmp_path)


def test_network_save_does_not_drop_a_bundles_preprocessing(model, tmp_path):
    before = open(model, "rb").read()
    net = gn.load(model)
    with pytest.raises(gn.InputError, match="holds a model with preprocessing, which Network.save would drop; load "
                                            "it with gn.load_model"):
        net.save(model)
    assert open(model, "rb").read() == before
    gn.load_model(model).save(model)  # the bundle goes over itself
    net.save(tmp_path / "elsewhere.safetensors")
    assert gn.load_model(tmp_path / "elsewhere.safetensors").preprocessing is None
