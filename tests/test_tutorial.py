"""The public contract: the tutorial's network, through the library, gives the tutorial's numbers."""

import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from reference import tutorial_single_layer, tutorial_two_layer

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
Y = np.array([[0], [1], [1], [0]])


@pytest.fixture(scope="module")
def trained():
    net = gn.Network([gn.Dense(3, 4, activation="sigmoid", bias=False),
                      gn.Dense(4, 1, activation="sigmoid", bias=False)], init="classic", seed=1)
    history = net.fit(X, Y, epochs=60000, loss="sse", optimizer=gn.SGD(lr=1.0), batch_size=None,
                      shuffle=False, verbose=0)
    return net, history


@pytest.fixture(scope="module")
def reference():
    return tutorial_two_layer(X.astype(float), Y.astype(float))


def test_initial_weights_are_the_tutorial_synapses():
    net = gn.Network([gn.Dense(3, 4, activation="sigmoid", bias=False),
                      gn.Dense(4, 1, activation="sigmoid", bias=False)], init="classic", seed=1)
    np.random.seed(1)
    np.testing.assert_array_equal(net.layers[0].weights, 2 * np.random.random((3, 4)) - 1)
    np.testing.assert_array_equal(net.layers[1].weights, 2 * np.random.random((4, 1)) - 1)


def test_trained_weights_equal_the_tutorial(trained, reference):
    net, _ = trained
    syn0, syn1, _ = reference
    np.testing.assert_allclose(net.layers[0].weights, syn0, rtol=1e-9, atol=0)
    np.testing.assert_allclose(net.layers[1].weights, syn1, rtol=1e-9, atol=0)


def test_history_holds_the_printed_errors(trained, reference):
    _, history = trained
    _, _, printed = reference
    assert len(history["mae"]) == len(history["loss"]) == 60000
    for epoch, error in printed.items():
        assert history["mae"][epoch] == pytest.approx(error, rel=1e-9)
    assert history["mae"][0] == pytest.approx(0.4964100319027255, rel=1e-12)


def test_loss_history_is_half_the_sum_of_squared_errors(trained):
    _, history = trained
    fresh = gn.Network([gn.Dense(3, 4, activation="sigmoid", bias=False),
                        gn.Dense(4, 1, activation="sigmoid", bias=False)], init="classic", seed=1)
    out = fresh.predict(X)
    assert history["loss"][0] == pytest.approx(0.5 * np.sum((Y - out) ** 2), rel=1e-12)
    assert history["loss"][-1] < 1e-4


def test_trained_network_solves_xor(trained):
    net, _ = trained
    np.testing.assert_array_equal(net.predict(X).round(), Y)


def test_single_layer_tutorial():
    y = np.array([[0], [0], [1], [1]])
    net = gn.Network([gn.Dense(3, 1, activation="sigmoid", bias=False)], init="classic", seed=1)
    net.fit(X, y, epochs=10000, loss="sse", optimizer=gn.SGD(lr=1.0), batch_size=None, shuffle=False, verbose=0)
    syn0, l1 = tutorial_single_layer(X.astype(float), y.astype(float))
    np.testing.assert_allclose(net.layers[0].weights, syn0, rtol=1e-9, atol=0)
    np.testing.assert_allclose(net.predict(X), 1 / (1 + np.exp(-X @ syn0)), rtol=1e-9)
    assert np.abs(l1 - y).max() < 0.01


def test_demo_prints_what_the_tutorial_prints(reference):
    _, _, printed = reference
    out = subprocess.run([sys.executable, "-m", "glassnet.cli", "demo"], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[:6] == [f"Error:{printed[j]}" for j in range(0, 60000, 10000)]
    assert out[6] == "Output After Training:"
    values = [float(v) for v in " ".join(out[7:]).replace("[", " ").replace("]", " ").split()]
    np.testing.assert_allclose(values, [0.0026057, 0.99672212, 0.99701713, 0.00386756], atol=1e-8)


def test_demo_piped_into_a_reader_that_stops_early_is_not_an_error():
    proc = subprocess.run(f"{sys.executable} -m glassnet.cli demo | head -1", shell=True, capture_output=True,
                          text=True)
    assert proc.stdout == "Error:0.4964100319027255\n"
    assert proc.stderr == ""
