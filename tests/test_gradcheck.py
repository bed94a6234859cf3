"""Back-propagation against central finite differences, over every sensible combination."""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import glassnet as gn

HIDDEN = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"]
# (loss, output activations it makes sense with)
PAIRS = [
    ("sse", ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"]),
    ("mse", ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"]),
    ("mae", ["linear", "sigmoid", "tanh"]),
    ("binary_crossentropy", ["sigmoid"]),
    ("categorical_crossentropy", ["softmax"]),
]
CASES = [(loss, out, hidden, bias) for loss, outs in PAIRS for out in outs for hidden in HIDDEN
         for bias in (True, False)]


def targets(loss, rng, rows, k):
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, size=(rows, k)).astype(float)
    if loss == "categorical_crossentropy":
        return rng.integers(0, k, size=rows)
    return rng.normal(size=(rows, k))


@pytest.mark.parametrize("loss,out,hidden,bias", CASES)
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(1, 6), n_in=st.integers(1, 4), n_hidden=st.integers(1, 5), k=st.integers(2, 3),
       seed=st.integers(0, 2**16))
def test_backprop_matches_finite_differences(loss, out, hidden, bias, rows, n_in, n_hidden, k, seed):
    rng = np.random.default_rng(seed)
    net = gn.Network([gn.Dense(n_in, n_hidden, activation=hidden, bias=bias),
                      gn.Dense(n_hidden, k, activation=out, bias=bias)], seed=seed)
    X = rng.normal(size=(rows, n_in))
    for layer in net.layers:
        if bias:
            layer.bias[:] = rng.normal(scale=0.5, size=layer.bias.shape)
    net.forward(X)
    for layer in net.layers:  # finite differences are meaningless at a ReLU's kink, z = 0
        if layer.activation.name in ("relu", "leaky_relu"):
            assume(np.abs(layer.z).min() > 1e-4)
    if loss == "mae":  # |a - y| has a kink at a = y: keep targets away from the outputs
        y = net.predict(X) + rng.choice([-1.0, 1.0], size=(rows, k)) * rng.uniform(0.1, 1, size=(rows, k))
    else:
        y = targets(loss, rng, rows, k)
    assert gn.gradcheck(net, X, y, loss=loss) < 1e-6


def test_the_default_step_keeps_round_off_under_the_bound():
    # an example Hypothesis once drew: with h = 1e-6 the differences' round-off (1e-16 * |L| / h) alone gave 1.02e-6
    rng = np.random.default_rng(21781)
    net = gn.Network([gn.Dense(1, 3, activation="leaky_relu"), gn.Dense(3, 3, activation="leaky_relu")], seed=21781)
    X = rng.normal(size=(2, 1))
    for layer in net.layers:
        layer.bias[:] = rng.normal(scale=0.5, size=layer.bias.shape)
    y = rng.normal(size=(2, 3))
    assert gn.gradcheck(net, X, y, loss="sse") < 1e-7  # (with h = 1e-6: about 1e-6, round-off ten times larger)
    assert gn.gradcheck(net, X, y, loss="sse", h=1e-6) > 5 * gn.gradcheck(net, X, y, loss="sse")


def test_gradcheck_catches_a_wrong_gradient(monkeypatch):
    rng = np.random.default_rng(0)
    net = gn.Network([gn.Dense(3, 4, activation="tanh"), gn.Dense(4, 1)], seed=0)
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))
    assert gn.gradcheck(net, X, y, loss="mse") < 1e-7
    tanh = net.layers[0].activation
    monkeypatch.setattr(type(tanh), "backward", lambda self, g, z, a: g * (1 - a))  # wrong derivative
    assert gn.gradcheck(net, X, y, loss="mse") > 1e-2


@pytest.mark.parametrize("loss, out", [("categorical_crossentropy", "softmax"), ("binary_crossentropy", "sigmoid"),
                                       ("mse", "linear")])
def test_gradcheck_of_an_ensemble_checks_the_summed_member_losses_training_uses(loss, out):
    """Training differentiates the sum of the members' losses; the loss of their mean output is another function."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 3))
    y = targets(loss, rng, 5, 2)
    layers = [gn.Dense(3, 4, activation="tanh"), gn.Dropout(0.5), gn.Dense(4, 2, activation=out)]
    ensemble = gn.Ensemble(layers, seeds=[0, 1, 2])
    assert gn.gradcheck(ensemble, X, y, loss=loss) < 1e-7
    assert gn.gradcheck(ensemble.member(1), X, y, loss=loss) < 1e-7


def test_gradcheck_refuses_float32():
    net = gn.Network([gn.Dense(2, 1)], dtype=np.float32)
    with pytest.raises(gn.InputError, match="float64"):
        gn.gradcheck(net, np.ones((2, 2)), np.ones((2, 1)))
