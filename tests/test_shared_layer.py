"""SharedDense: an ensemble layer whose members share one weight matrix, each through its own scales and bias
(TabM's adapters). Its gradients against finite differences, member k as a plain Dense network, model files, ONNX,
and the rule by which glassnet train shares an ensemble's first layer on wide tables."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.errors import InputError
from glassnet.layers import Dense, Dropout, SharedDense
from glassnet.tabular import workflow


def ensemble(n_in=5, second_shared=False, dtype=np.float64):
    hidden = SharedDense(8, 6, activation="tanh") if second_shared else Dense(8, 6, activation="tanh")
    return gn.Ensemble([SharedDense(n_in, 8, activation="relu"), Dropout(0.1), hidden,
                        Dense(6, 3, activation="softmax")], seeds=[3, 4, 5], dtype=dtype)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 5))
    return X, np.eye(3)[rng.integers(0, 3, 12)]


@pytest.mark.parametrize("second_shared", [False, True])  # (as a later layer its input has the member axis)
def test_gradients_match_finite_differences(data, second_shared):
    net = ensemble(second_shared=second_shared)
    net.layers[0].scale[...] = np.random.default_rng(1).normal(size=net.layers[0].scale.shape)  # (not just signs)
    assert gn.gradcheck(net, *data, loss="categorical_crossentropy") < 1e-7


def test_members_share_the_weights_and_start_apart(data):
    net = ensemble()
    layer = net.layers[0]
    assert layer.weights.shape == (5, 8) and layer.scale.shape == layer.bias.shape == (3, 8)
    assert np.all(layer.scale[0] == 1) and set(np.unique(layer.scale[1:])) == {-1.0, 1.0}
    assert not np.array_equal(layer.scale[1], layer.scale[2])  # (each member's signs from its own seed)
    net.fit(*data, epochs=3, batch_size=4, loss="categorical_crossentropy", optimizer="adam")
    assert not set(np.unique(layer.scale[1:])) <= {-1.0, 1.0}  # the scales train


def test_member_k_alone_is_a_dense_network_with_the_scales_folded_in(data):
    net = ensemble(second_shared=True)
    net.fit(*data, epochs=2, batch_size=4, loss="categorical_crossentropy", optimizer="adam")
    outputs = net.member_outputs(data[0])
    for k in range(3):
        alone = net.member(k)
        assert all(type(layer) is not SharedDense for layer in alone.layers)
        np.testing.assert_allclose(alone.predict(data[0]), outputs[k], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(alone.layers[0].weights, net.layers[0].weights * net.layers[0].scale[k])
    with pytest.raises(InputError, match="shares its weights among the members .SharedDense., so no member has "
                                         "optimizer state of its own"):
        net.member_optimizer(0)


def test_saved_and_loaded_it_predicts_the_same(data, tmp_path):
    net = ensemble(dtype=np.float32)
    net.fit(*data, epochs=2, batch_size=4, loss="categorical_crossentropy", optimizer="adam")
    net.save(tmp_path / "e.safetensors")
    again = gn.load(tmp_path / "e.safetensors")
    assert type(again.layers[0]) is SharedDense and again.layers[0].config() == net.layers[0].config()
    np.testing.assert_array_equal(again.predict(data[0]), net.predict(data[0]))


def test_outside_an_ensemble_it_is_refused():
    with pytest.raises(InputError, match="SharedDense shares its weights among an ensemble's members: use it in a "
                                         "glassnet.Ensemble"):
        gn.Network([SharedDense(3, 4), Dense(4, 1)])


def wide_table(path, rows=400, columns=12, seed=0):
    """Text columns of 20 categories each (240 one-hot inputs); the class follows the first."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 20, size=(rows, columns))
    labels = np.where(codes[:, 0] < 10, "a", "b")
    lines = [",".join(f"t{j}" for j in range(columns)) + ",y"]
    lines += [",".join(f"c{v}" for v in row) + f",{label}" for row, label in zip(codes, labels)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_train_shares_the_first_layer_from_the_mark_and_says_so(tmp_path, monkeypatch, capsys):
    data = wide_table(tmp_path / "wide.csv")  # 240 inputs x 32 units x 8 members x 280 rows = 1.7e7
    model = str(tmp_path / "m.safetensors")
    assert main(["train", str(data), "--target", "y", "--epochs", "2", "--out", model]) == 0
    assert "shared" not in capsys.readouterr().out
    monkeypatch.setattr(workflow, "SHARED_FROM", 1.7e7)
    for extra, shared in (([], True), (["--ensemble", "1"], False), (["--preset", "quick"], False)):
        assert main(["train", str(data), "--target", "y", "--epochs", "30", "--out", model, *extra]) == 0
        out = capsys.readouterr().out
        assert ("note: 240 inputs x 32 units x 8 members on 280 rows: the members share their first layer's "
                "weights" in out) == shared, extra
        assert (type(gn.load(model).layers[0]) is SharedDense) == shared
    assert main(["train", str(data), "--target", "y", "--epochs", "60", "--out", model, "--quiet"]) == 0
    assert gn.load_model(model).record.test_metrics["accuracy"] > 0.9  # (it learns the rule)


def test_onnx_export_reproduces_predict(tmp_path, monkeypatch, capsys):
    ort = pytest.importorskip("onnxruntime")
    monkeypatch.setattr(workflow, "SHARED_FROM", 0)
    data, model, graph = wide_table(tmp_path / "wide.csv", rows=100), tmp_path / "m.safetensors", tmp_path / "m.onnx"
    assert main(["train", str(data), "--target", "y", "--epochs", "3", "--out", str(model), "--quiet"]) == 0
    assert main(["export", str(model), "--onnx", str(graph)]) == 0
    lines = data.read_text().splitlines()
    cells = np.array([line.split(",") for line in lines[1:]], dtype=object)
    feeds = {name: cells[:, [j]] for j, name in enumerate(lines[0].split(",")[:-1])}
    session = ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    with pytest.warns(UserWarning, match="categories never seen in training"):  # (in the test rows)
        expected = gn.load_model(model).predict_proba_table(str(data))
    np.testing.assert_allclose(session.run(None, feeds)[0], expected, atol=1e-5)


def test_copies_and_pickles_leave_out_the_last_batch(data):
    """(The rows of the last batch measured, validation rows say, rode along in every pickle.)"""
    import pickle

    net = ensemble()
    net.fit(*data, epochs=1, batch_size=4, loss="categorical_crossentropy", optimizer="adam")
    net.evaluate(*data)
    assert net.layers[0].x is not None
    for again in (pickle.loads(pickle.dumps(net)), net.copy()):
        assert again.layers[0].x is None and again.layers[0].u is None
        np.testing.assert_array_equal(again.predict(data[0]), net.predict(data[0]))


def test_an_ensembles_notebook_view_draws_its_first_member(data):
    """(Every ensemble's _repr_html_ failed: the drawing met weights with a member axis.)"""
    for net in (ensemble(), gn.Ensemble([Dense(5, 4, activation="tanh"), Dense(4, 3)], seeds=2)):
        assert "<svg" in net._repr_html_()


def test_explain_of_an_ensemble_without_optimizer_says_so(tmp_path, capsys):
    from glassnet.tabular import datasets
    from glassnet.tabular.model import Model

    prep, _ = workflow.prepare(datasets.load("iris"), "species")
    Model(workflow.build_network(prep, hidden=[8], activation="tanh", seed=0, ensemble=3), prep).save(
        tmp_path / "untrained.safetensors")
    assert main(["explain", str(tmp_path / "untrained.safetensors"), "iris", "--rows", "2"]) == 2
    out, err = capsys.readouterr()
    assert "this ensemble has no optimizer yet" in err and "shared" not in out


def test_a_layer_of_one_ensemble_is_refused_by_another_which_leaves_it_alone(data):
    """(The second ensemble told the layer its own number of members before refusing it: the first broke.)"""
    first = ensemble()
    with pytest.raises(InputError, match="layer 0 is already part of a network"):
        gn.Ensemble([first.layers[0], Dense(8, 3)], seeds=5)
    assert first.layers[0].members == 3
    np.testing.assert_array_equal(first.copy().predict(data[0]), first.predict(data[0]))
