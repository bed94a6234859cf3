"""explain: the narrated training step is fit's own step, checked against fit, the tutorial's loop and calculus."""

import os
import select
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from csv_models import moons_model
from glassnet.cli import main
from glassnet.tabular import datasets
from glassnet.teach import explain, tutorial
from reference import nonlin

TUTORIAL_NAMES = ["l0", "l1", "l2", "l2_error", "l2_delta", "l1_error", "l1_delta", "syn1", "syn0"]


def by_name(steps):
    return {s.name: s.value for s in steps}


def biased_net(seed=3):
    return gn.Network([gn.Dense(2, 5, activation="tanh"), gn.Dense(5, 4, activation="relu"),
                       gn.Dense(4, 3, activation="softmax")], seed=seed)


def classes(rng, rows=12):
    X = rng.normal(size=(rows, 2))
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)


def one_fit_epoch(net, X, y, **kw):
    net.fit(X, y, epochs=1, batch_size=None, shuffle=False, verbose=0, **kw)
    return [(layer.weights.copy(), None if layer.bias is None else layer.bias.copy()) for layer in net.layers]


def test_tutorial_trace_is_the_tutorials_first_iteration():
    steps = explain.explain(tutorial.two_layer(), tutorial.X, tutorial.Y_XOR, loss="sse",
                            optimizer=gn.SGD(lr=1.0), tutorial=True)
    assert [s.name for s in steps] == TUTORIAL_NAMES
    # the tutorial's loop body, transcribed independently (tests/reference.py)
    np.random.seed(1)
    syn0 = 2 * np.random.random((3, 4)) - 1
    syn1 = 2 * np.random.random((4, 1)) - 1
    l0, y = tutorial.X, tutorial.Y_XOR
    l1 = nonlin(np.dot(l0, syn0))
    l2 = nonlin(np.dot(l1, syn1))
    l2_error = y - l2
    l2_delta = l2_error * nonlin(l2, deriv=True)
    l1_error = l2_delta.dot(syn1.T)
    l1_delta = l1_error * nonlin(l1, deriv=True)
    syn1 += l1.T.dot(l2_delta)
    syn0 += l0.T.dot(l1_delta)
    expected = dict(l0=l0, l1=l1, l2=l2, l2_error=l2_error, l2_delta=l2_delta, l1_error=l1_error,
                    l1_delta=l1_delta, syn1=syn1, syn0=syn0)
    got = by_name(steps)
    for name in TUTORIAL_NAMES:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
    shapes = {s.name: s.shapes for s in steps}
    assert shapes["l1"] == "(4,3) . (3,4) -> (4,4)"
    assert shapes["l1_error"] == "(4,1) . (1,4) -> (4,4)"
    assert shapes["syn0"] == "(3,4) . (4,4) -> (3,4)"
    assert {s.name: s.numpy for s in steps}["l1_error"] == "l1_error = l2_delta.dot(syn1.T)"


@pytest.mark.parametrize("make, data, kw", [
    (tutorial.two_layer, lambda rng: (tutorial.X, tutorial.Y_XOR), dict(loss="sse", optimizer=gn.SGD(lr=1.0))),
    (biased_net, classes, dict(loss="categorical_crossentropy", optimizer=gn.Adam(lr=0.05))),
    (lambda: gn.Network([gn.Dense(2, 3, activation="sigmoid"), gn.Dense(3, 1)], seed=5),
     lambda rng: (rng.normal(size=(7, 2)), rng.normal(size=7)),
     dict(loss="mse", optimizer=gn.SGD(lr=0.1, momentum=0.9, weight_decay=0.01, clipnorm=0.5))),
], ids=["tutorial", "biases-adam", "sgd-momentum-mse"])
def test_traced_update_is_bitwise_one_fit_epoch(make, data, kw, rng):
    X, y = data(rng)
    net = make()
    start = [layer.weights.copy() for layer in net.layers]
    steps = net.explain(X, y, **kw)
    for layer, w in zip(net.layers, start):  # explaining changes nothing
        np.testing.assert_array_equal(layer.weights, w)
    got = by_name(steps)
    for k, (w, b) in enumerate(one_fit_epoch(make(), X, y, **kw), start=1):
        np.testing.assert_array_equal(got[f"W{k}"], w)
        if b is not None:
            np.testing.assert_array_equal(got[f"b{k}"], b)


def test_trace_continues_a_fitted_networks_optimizer_state(rng):
    X, y = classes(rng)
    fitted, reference = biased_net(), biased_net()
    for net in (fitted, reference):
        net.fit(X, y, epochs=3, batch_size=None, shuffle=False, verbose=0, loss="categorical_crossentropy",
                optimizer=gn.Adam(lr=0.05))
    got = by_name(fitted.explain(X, y))
    after = one_fit_epoch(reference, X, y)
    for k, (w, b) in enumerate(after, start=1):
        np.testing.assert_array_equal(got[f"W{k}"], w)
        np.testing.assert_array_equal(got[f"b{k}"], b)
    assert "bias-corrected at step 4" in {s.name: s.formula for s in fitted.explain(X, y)}["W1"]


def test_intermediate_arrays_follow_their_formulas(rng):
    X, y = classes(rng)
    net = biased_net()
    W = [layer.weights.copy() for layer in net.layers]
    b = [layer.bias.copy() for layer in net.layers]
    v = by_name(net.explain(X, y, loss="categorical_crossentropy", optimizer="adam"))
    for k in (1, 2, 3):
        np.testing.assert_allclose(v[f"z{k}"], v[f"a{k - 1}"] @ W[k - 1] + b[k - 1], rtol=1e-12)
        np.testing.assert_allclose(v[f"grad_W{k}"], v[f"a{k - 1}"].T @ v[f"delta{k}"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(v[f"grad_b{k}"], v[f"delta{k}"].sum(axis=0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(v["a1"], np.tanh(v["z1"]), rtol=1e-12)
    np.testing.assert_allclose(v["a2"], np.maximum(v["z2"], 0), rtol=1e-12)
    onehot = np.eye(3)[y]
    np.testing.assert_allclose(v["delta3"], (v["a3"] - onehot) / len(X), rtol=1e-12)
    np.testing.assert_allclose(v["error2"], v["delta3"] @ W[2].T, rtol=1e-12)
    np.testing.assert_allclose(v["delta2"], v["error2"] * (v["z2"] > 0), rtol=1e-12)
    np.testing.assert_allclose(v["delta1"], v["error1"] * (1 - v["a1"] ** 2), rtol=1e-12)
    assert "error3" not in v  # softmax + cross-entropy: the delta comes straight from the loss


def test_gradients_match_finite_differences(rng):
    X, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 1))
    net = gn.Network([gn.Dense(2, 3, activation="sigmoid"), gn.Dense(3, 1)], seed=2)
    v = by_name(net.explain(X, y, loss="mse", optimizer="sgd"))
    h = 1e-6
    for k, layer in enumerate(net.layers, start=1):
        for name, p in (("W", layer.weights), ("b", layer.bias)):
            numeric = np.zeros_like(p)
            for i in np.ndindex(p.shape):
                saved = p[i]
                p[i] = saved + h
                up = net.evaluate(X, y, loss="mse")["loss"]
                p[i] = saved - h
                down = net.evaluate(X, y, loss="mse")["loss"]
                p[i] = saved
                numeric[i] = (up - down) / (2 * h)
            np.testing.assert_allclose(v[f"grad_{name}{k}"], numeric, rtol=1e-5, atol=1e-9)


def test_single_layer_mse_has_an_output_error_step(rng):
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))
    net = gn.Network([gn.Dense(3, 1, activation="sigmoid")], seed=0)
    steps = net.explain(X, y, loss="mse", optimizer=gn.SGD(lr=0.5))
    assert [s.name for s in steps] == ["a0", "z1", "a1", "loss", "error1", "delta1", "grad_W1", "grad_b1", "W1", "b1"]
    v = by_name(steps)
    np.testing.assert_allclose(v["error1"], 2 * (v["a1"] - y) / y.size, rtol=1e-12)
    assert float(v["loss"]) == pytest.approx(np.mean((v["a1"] - y) ** 2), rel=1e-12)


def test_float32_network():
    net = gn.Network([gn.Dense(3, 4, activation="sigmoid", bias=False), gn.Dense(4, 1, activation="sigmoid",
                      bias=False)], init="classic", seed=1, dtype=np.float32)
    steps = net.explain(tutorial.X, tutorial.Y_XOR, loss="sse", optimizer=gn.SGD(lr=1.0), tutorial=True)
    assert all(s.value.dtype == np.float32 for s in steps if s.name != "l0") and len(steps) == 9


def test_bad_inputs_are_clear_errors(rng):
    with pytest.raises(gn.InputError, match="tutorial's setting"):
        biased_net().explain(*classes(rng), loss="categorical_crossentropy", tutorial=True)
    with pytest.raises(gn.InputError, match="tutorial's setting"):
        tutorial.two_layer().explain(tutorial.X, tutorial.Y_XOR, loss="sse", optimizer="adam", tutorial=True)
    with pytest.raises(gn.InputError, match="feature column"):
        tutorial.two_layer().explain(np.ones((4, 2)), tutorial.Y_XOR, loss="sse")


def test_render_prints_small_arrays_whole_and_large_ones_summarized(rng):
    small = explain.format_array(np.array([[0.123456, 1.0]]))
    assert small == "[[0.1235 1.    ]]"
    big = explain.format_array(np.arange(200.0).reshape(50, 4))
    assert big.startswith("200 numbers, shape (50,4): min 0, mean 99.5, max 199")
    assert "..." in big and len(big.splitlines()) < 12


def test_cli_tutorial(capsys):
    assert main(["explain", "--tutorial"]) == 0
    out = capsys.readouterr().out
    headers = [line.split()[1] for line in out.splitlines() if line.startswith("[")]
    assert headers == TUTORIAL_NAMES
    assert "shapes   (4,3) . (3,4) -> (4,4)" in out
    assert "numpy    syn0 += l0.T.dot(l1_delta)" in out
    l2 = nonlin(nonlin(tutorial.X @ tutorial.two_layer().layers[0].weights) @ tutorial.two_layer().layers[1].weights)
    assert np.array2string(l2, precision=4).replace("\n", "\n    ") in out


def test_cli_needs_a_model_or_tutorial(capsys):
    assert main(["explain"]) == 2
    assert "give a MODEL file, or --tutorial" in capsys.readouterr().err
    assert main(["explain", "--tutorial", "--rows", "2"]) == 2  # (once ignored: the same 4 rows, exit 0)
    assert "--rows chooses rows of DATA; the tutorial's step takes its own 4 rows" in capsys.readouterr().err


def read_until(fd, marker, timeout=20.0):
    data = b""
    while marker not in data:
        ready, _, _ = select.select([fd], [], [], timeout)
        assert ready, f"no {marker!r} within {timeout} s; got {data[-300:]!r}"
        chunk = os.read(fd, 4096)
        assert chunk, f"output ended before {marker!r}"
        data += chunk
    return data.decode()


def test_cli_step_waits_for_enter():
    proc = subprocess.Popen([sys.executable, "-m", "glassnet.cli", "explain", "--tutorial", "--step"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        fd = proc.stdout.fileno()
        first = read_until(fd, b"-- Enter for step 2 of 9 --")
        assert "[1/9] l0" in first and "[2/9]" not in first
        assert not select.select([fd], [], [], 0.3)[0]  # it waits: nothing more comes without Enter
        proc.stdin.write(b"\n")
        proc.stdin.flush()
        second = read_until(fd, b"-- Enter for step 3 of 9 --")
        assert "[2/9] l1" in second and "[3/9]" not in second
        proc.stdin.write(b"\n" * 7)
        proc.stdin.close()
        rest = proc.stdout.read().decode()
        assert proc.wait(timeout=20) == 0
        assert "[9/9] syn0" in rest and rest.count("-- Enter for step") == 6
    finally:
        proc.kill()
        proc.wait()


def test_cli_explains_a_model_files_next_training_step(tmp_path, capsys):
    path = tmp_path / "moons.safetensors"
    moons_model(path, epochs=5)
    assert main(["explain", str(path), "moons", "--rows", "3"]) == 0
    out = capsys.readouterr().out
    assert "first 3 rows of moons" in out
    bundle = gn.load_model(path)
    loaded, prep = bundle.network, bundle.preprocessing
    table = datasets.load("moons").take(range(3))
    X, y = prep.inputs(table), prep.targets(table)
    steps = loaded.explain(X, y)
    assert explain.render(steps) in out
    assert "shapes   (3,2) . (2,8) + (8,) -> (3,8)" in out
    loaded.fit(X, y, epochs=1, batch_size=None, shuffle=False, verbose=0)  # the step resumed training takes
    got = by_name(steps)
    for k, layer in enumerate(loaded.layers, start=1):
        np.testing.assert_array_equal(got[f"W{k}"], layer.weights)
        np.testing.assert_array_equal(got[f"b{k}"], layer.bias)


def test_cli_model_errors(tmp_path, capsys):
    path = tmp_path / "moons.safetensors"
    moons_model(path, epochs=1)
    assert main(["explain", str(path)]) == 2
    assert "needs DATA" in capsys.readouterr().err
    assert main(["explain", str(path), "iris"]) == 2
    assert "lacks column(s) 'x1', 'x2'" in capsys.readouterr().err
    assert main(["explain", str(path), "--tutorial"]) == 2
    assert main(["explain", str(tmp_path / "missing.safetensors"), "moons"]) == 2
    assert "no such model file" in capsys.readouterr().err
