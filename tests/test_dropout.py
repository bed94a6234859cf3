"""gn.Dropout, the layer that proves the layer protocol: inverted dropout in training only, masks from the
network's seeded generator, and every part of glassnet (files, ONNX, report, explain, CLI) knowing it."""

import numpy as np
import onnxruntime as ort
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.teach import explain

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 4))
Y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int)


def network(rate=0.5, seed=1, dtype=np.float64):
    return gn.Network([gn.Dense(4, 32, activation="relu"), gn.Dropout(rate), gn.Dense(32, 2, activation="softmax")],
                      seed=seed, dtype=dtype)


def without_dropout(net):
    """The same weights without the Dropout layer."""
    plain = gn.Network([gn.Dense(4, 32, activation="relu"), gn.Dense(32, 2, activation="softmax")], seed=9,
                       dtype=net.dtype)
    plain.layers[0].weights, plain.layers[0].bias = net.layers[0].weights, net.layers[0].bias
    plain.layers[1].weights, plain.layers[1].bias = net.layers[2].weights, net.layers[2].bias
    return plain


def test_training_drops_and_scales_up_the_rest():
    drop = network(rate=0.25).layers[1]
    x = np.ones((2000, 50))
    out = drop.forward(x, training=True)
    assert set(np.unique(out)) == {0.0, 1 / 0.75}
    assert abs((out == 0).mean() - 0.25) < 0.01 and abs(out.mean() - 1.0) < 0.02  # expected value kept
    assert drop.forward(x, training=False) is x and drop.mask is None


def test_backward_uses_the_same_mask():
    """Gradients through Dropout against a plain NumPy transcription that uses the mask the layer drew."""
    net = network(rate=0.5)
    net.configure("categorical_crossentropy", "sgd")
    Xp, Yp = net.check_data(X, Y)
    net.compute_gradients(Xp, Yp)
    dense0, drop, dense1 = net.layers
    mask = drop.mask
    h = np.maximum(Xp @ dense0.weights + dense0.bias, 0)
    d = h * mask
    z = d @ dense1.weights + dense1.bias
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    delta2 = (p - Yp) / len(Xp)
    delta1 = (delta2 @ dense1.weights.T) * mask * (h > 0)
    np.testing.assert_allclose(dense1.grad_weights, d.T @ delta2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dense0.grad_weights, Xp.T @ delta1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dense0.grad_bias, delta1.sum(axis=0), rtol=1e-12, atol=1e-15)


def test_predict_evaluate_and_validation_use_every_value():
    net = network()
    net.fit(X[:48], Y[:48], epochs=3, batch_size=16, loss="categorical_crossentropy", verbose=0,
            validation_data=(X[48:], Y[48:]))
    plain = without_dropout(net)
    np.testing.assert_array_equal(net.predict(X), plain.predict(X))
    assert net.evaluate(X[48:], Y[48:]) == plain.evaluate(X[48:], Y[48:], loss="categorical_crossentropy")
    assert net.history["val_loss"][-1] == net.evaluate(X[48:], Y[48:])["loss"]


def test_masks_come_from_the_networks_seed():
    a, b, c = network(seed=1), network(seed=1), network(seed=2)
    for net in (a, b, c):
        c.layers[0].weights, c.layers[2].weights = a.layers[0].weights, a.layers[2].weights  # same start
        net.fit(X, Y, epochs=2, batch_size=16, shuffle=False, loss="categorical_crossentropy", verbose=0)
    np.testing.assert_array_equal(a.layers[0].weights, b.layers[0].weights)
    assert not np.array_equal(a.layers[0].weights, c.layers[0].weights)  # other masks, other training
    d = network(rate=0.0, seed=1)
    d.fit(X, Y, epochs=2, batch_size=16, shuffle=False, loss="categorical_crossentropy", verbose=0)
    assert not np.array_equal(a.layers[0].weights, d.layers[0].weights)


def test_model_file_round_trip_and_exact_resume(tmp_path):
    one = network()
    one.fit(X, Y, epochs=6, batch_size=16, loss="categorical_crossentropy", verbose=0)
    two = network()
    two.fit(X, Y, epochs=3, batch_size=16, loss="categorical_crossentropy", verbose=0)
    two.save(tmp_path / "d.safetensors")
    back = gn.load(tmp_path / "d.safetensors")
    assert isinstance(back.layers[1], gn.Dropout) and back.layers[1].rate == 0.5
    assert back.summary() == "4 -> 32 relu -> dropout 0.5 -> 2 softmax"
    back.fit(X, Y, epochs=3, batch_size=16, verbose=0)
    for (name, a, _), (_, b, _) in zip(one.named_parameters(), back.named_parameters(), strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_onnx_export_is_identity(tmp_path, dtype):
    net = network(dtype=dtype)
    net.fit(X, Y, epochs=2, batch_size=16, loss="categorical_crossentropy", verbose=0)
    net.to_onnx(tmp_path / "d.onnx")
    import onnx

    ops = [node.op_type for node in onnx.load(tmp_path / "d.onnx").graph.node]
    assert ops == ["MatMul", "Add", "Relu", "Identity", "MatMul", "Add", "Softmax"]
    session = ort.InferenceSession(str(tmp_path / "d.onnx"))
    got = session.run(None, {"input": X.astype(dtype)})[0]
    np.testing.assert_allclose(got, net.predict(X), rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-7)


def test_explain_narrates_the_mask_and_its_update_is_fits():
    net = network(rate=0.5)
    net.fit(X, Y, epochs=1, batch_size=None, shuffle=False, loss="categorical_crossentropy",
            optimizer=gn.SGD(lr=0.1), verbose=0)
    steps = {step.name: step for step in net.explain(X, Y)}
    assert steps["a2"].formula == "a2 = a1 * mask2 / (1 - 0.5)" and "Dropout" in steps["a2"].meaning
    np.testing.assert_array_equal(steps["a2"].value, steps["a1"].value * steps["mask2"].value * 2)
    assert set(np.unique(steps["mask2"].value)) == {0.0, 1.0}
    assert steps["error1"].formula == "error1 = error2 * mask2 / (1 - 0.5)"
    assert "W3" in steps and "W2" not in steps  # the dropout layer has no parameters
    a1, a2 = steps["a1"].value, steps["a2"].value
    live = a1 != 0  # (ReLU's zeros stay zeros)
    kept = a2[live] == 2 * a1[live]
    assert np.all(kept | (a2[live] == 0)) and 0.4 < kept.mean() < 0.6
    assert np.all(steps["error1"].value[live][~kept] == 0)  # a dropped value gets no blame
    net.fit(X, Y, epochs=1, batch_size=None, shuffle=False, verbose=0)  # the same step, the same mask
    np.testing.assert_array_equal(steps["W1"].value, net.layers[0].weights)
    np.testing.assert_array_equal(steps["W3"].value, net.layers[2].weights)
    assert "a2 = a1 * mask2 / (1 - 0.5)" in explain.render(list(steps.values()))


def test_explain_at_rate_0_narrates_values_and_errors_passed_on_unchanged():
    net = network(rate=0.0)
    steps = {step.name: step for step in net.explain(X, Y, loss="categorical_crossentropy")}
    assert steps["a2"].formula == "a2 = a1" and "mask2" not in steps
    np.testing.assert_array_equal(steps["a2"].value, steps["a1"].value)
    assert steps["error1"].formula == "error1 = error2"
    np.testing.assert_array_equal(steps["error1"].value, steps["error2"].value)


def test_report_draws_it(tmp_path):
    net = network(rate=0.2)
    net.save(tmp_path / "d.safetensors")
    assert main(["report", str(tmp_path / "d.safetensors"), "--out", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text()
    assert "dropout 0.2" in page and page.count('stroke-dasharray="4 3"') == 24  # 24 of 32 units drawn
    assert "4 &rarr; 32 relu &rarr; dropout 0.2 &rarr; 2 softmax" in page


def test_gradcheck_with_dropout_checks_the_network_in_use():
    net = network(rate=0.5)
    assert gn.gradcheck(net, X[:10], Y[:10], loss="categorical_crossentropy") < 1e-6


def test_cli_train_dropout(tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    assert main(["train", "iris", "--target", "species", "--hidden", "16,8", "--dropout", "0.3", "--epochs", "5",
                 "--activation", "tanh", "--ensemble", "1", "--out", str(out)]) == 0
    assert "network: 4 -> 16 tanh -> dropout 0.3 -> 8 tanh -> dropout 0.3 -> 3 softmax" in capsys.readouterr().out
    assert main(["explain", str(out), "iris", "--rows", "3"]) == 0
    assert "a2 = a1 * mask2 / (1 - 0.3)" in capsys.readouterr().out


@pytest.mark.parametrize("rate, match", [(1.0, r"rate must be in \[0, 1\); got 1.0"), (-0.1, "got -0.1"),
                                         ("0.5", "got '0.5'"), (True, "got True"), (float("nan"), "got nan")])
def test_bad_rates(rate, match):
    with pytest.raises(gn.InputError, match=match):
        gn.Dropout(rate)


def test_dropout_cannot_come_first_or_end_a_classifier():
    with pytest.raises(gn.InputError, match="does not know how many inputs the network has"):
        gn.Network([gn.Dropout(0.1), gn.Dense(3, 1)])
    net = gn.Network([gn.Dense(3, 2, activation="softmax"), gn.Dropout(0.1)])
    with pytest.raises(gn.InputError, match=r"needs a 'softmax' output layer; the last layer is Dropout\(rate=0.1\)"):
        net.fit(np.ones((4, 3)), [0, 1, 0, 1], loss="categorical_crossentropy", verbose=0)
