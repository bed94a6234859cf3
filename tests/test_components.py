"""Components that describe themselves: every activation, loss, optimizer, initializer, schedule and layer rebuilds
from its JSON config; formulas, ONNX nodes and default initializers live on the classes; a class of your own,
registered once, trains, saves, loads, is explained and (if it says how) exported."""

import json

import numpy as np
import onnxruntime as ort
import pytest

import glassnet as gn
from glassnet import activations, initializers, layers, losses, optimizers, schedules
from glassnet.layers import Layer, Param
from glassnet.teach import explain

SAMPLES = {
    "activation": [activations.get(name) for name in activations.REGISTRY.classes] + [activations.LeakyReLU(0.3)],
    "loss": [losses.get(name) for name in losses.REGISTRY.classes],
    "optimizer": [gn.SGD(lr=0.2, momentum=0.5, nesterov=True, weight_decay=0.1, clipnorm=2.0),
                  gn.Adam(lr=schedules.Cosine(0.01, 100, warmup=5), beta2=0.95), gn.SGD(), gn.Adam()],
    "initializer": [initializers.get(name) for name in initializers.REGISTRY.classes],
    "schedule": [schedules.Constant(0.3), schedules.Cosine(0.1, 20, 2, 0.01), schedules.OneCycle(0.2, 50, 0.4)],
    "layer": [gn.Dense(3, 4), gn.Dense(2, 5, activation=activations.LeakyReLU(0.2), bias=False, init="he_normal"),
              gn.Dropout(0.3), layers.SharedDense(4, 6, activation="tanh", init="glorot_uniform")],
}
REGISTRIES = {"activation": activations.REGISTRY, "loss": losses.REGISTRY, "optimizer": optimizers.REGISTRY,
              "initializer": initializers.REGISTRY, "schedule": schedules.REGISTRY, "layer": layers.REGISTRY}


@pytest.mark.parametrize("kind", SAMPLES)
def test_every_component_round_trips_through_json(kind):
    registry = REGISTRIES[kind]
    assert {type(c) for c in SAMPLES[kind]} == set(registry.classes.values())  # every class is sampled
    for component in SAMPLES[kind]:
        spec = json.loads(json.dumps(registry.spec(component)))
        again = registry.build(spec)
        assert type(again) is type(component) and again.config() == component.config()
        assert repr(again) == repr(component)


def test_leaky_relu_keeps_its_alpha_in_a_model_file(tmp_path):
    """The bug that started the redesign: LeakyReLU(0.3) came back as 0.01, predictions off by up to 1.8."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2)) * 3
    net = gn.Network([gn.Dense(2, 16, activation=activations.LeakyReLU(0.3)), gn.Dense(16, 1)], seed=0)
    net.fit(X, X[:, :1] - X[:, 1:], epochs=30, batch_size=10, verbose=0)
    net.save(tmp_path / "m.safetensors")
    back = gn.load(tmp_path / "m.safetensors")
    assert back.layers[0].activation.alpha == 0.3
    np.testing.assert_array_equal(back.predict(X), net.predict(X))


def test_formulas_live_on_the_classes_and_explain_uses_them():
    net = gn.Network([gn.Dense(2, 3, activation="tanh"), gn.Dense(3, 1, activation="sigmoid")], seed=0)
    steps = {s.name: s for s in net.explain(np.ones((2, 2)), np.ones((2, 1)), loss="mae")}
    assert steps["a1"].formula == activations.Tanh.formula.format(a="a1", z="z1") == "a1 = tanh(z1)"
    assert steps["delta2"].formula == f"delta2 = dL/dz2 = error2 * ({activations.Sigmoid.derivative.format(a='a2')})"
    assert steps["loss"].formula == f"{losses.MAE.formula}, with a = a2"
    assert steps["error2"].formula.startswith(f"error2 = dL/da2 = {losses.MAE.gradient.format(size=2)}")


# --- an activation of your own -----------------------------------------------------------------

class Softplus(activations.Activation):
    """a = log(1 + exp(z));  da/dz = sigmoid(z)."""

    name = "softplus_test"
    formula = "{a} = log(1 + exp({z}))"
    derivative = "sigmoid({z})"
    default_init = "he_normal"

    def __init__(self, beta=1.0):
        self.beta = float(beta)

    def config(self):
        return {"beta": self.beta}

    def forward(self, z, out=None):
        return np.logaddexp(0, self.beta * z, out=out) / self.beta

    def backward(self, grad_a, z, a):
        return np.multiply(grad_a, 1 / (1 + np.exp(-self.beta * z)), out=grad_a)


class OnnxSoftplus(Softplus):
    name = "onnx_softplus_test"

    def onnx(self, graph, z):
        return graph.node("Softplus", [z]) if self.beta == 1 else super().onnx(graph, z)


def test_an_activation_of_your_own_registered_once_trains_saves_and_loads(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]])
    net = gn.Network([gn.Dense(3, 8, activation=Softplus(beta=2.0)), gn.Dense(8, 1)], seed=0)
    assert gn.gradcheck(net, X[:8], y[:8]) < 1e-6
    net.fit(X, y, epochs=5, batch_size=8, verbose=0)
    with pytest.raises(gn.InputError, match=r"activation Softplus is not registered.*glassnet.activations.register"
                                            r"\(Softplus\) once"):
        net.save(tmp_path / "m.safetensors")
    assert not (tmp_path / "m.safetensors").exists()
    gn.activations.register(Softplus)
    try:
        net.save(tmp_path / "m.safetensors")
        back = gn.load(tmp_path / "m.safetensors")
        assert isinstance(back.layers[0].activation, Softplus) and back.layers[0].activation.beta == 2.0
        np.testing.assert_array_equal(back.predict(X), net.predict(X))
        steps = {s.name: s for s in back.explain(X[:2], y[:2])}
        assert steps["a1"].formula == "a1 = log(1 + exp(z1))" and "sigmoid(z1)" in steps["delta1"].formula
        with pytest.raises(gn.InputError, match=r"cannot export activation 'softplus_test' \(Softplus\) to ONNX: it "
                                                r"has no onnx\(\) method"):
            back.to_onnx(tmp_path / "m.onnx")
    finally:
        del activations.REGISTRY.classes["softplus_test"]


def test_default_initializer_comes_from_the_activation_class():
    w = gn.Network([gn.Dense(400, 300, activation=Softplus())], seed=0).layers[0].weights
    assert abs(w.std() - np.sqrt(2 / 400)) < 0.002  # He, as Softplus.default_init says
    w = gn.Network([gn.Dense(400, 300, activation="tanh")], seed=0).layers[0].weights
    assert np.abs(w).max() <= np.sqrt(6 / 700)  # Glorot


def test_onnx_takes_the_nodes_an_activation_describes_and_refuses_what_it_cannot(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(20, 3)).astype(np.float32)
    net = gn.Network([gn.Dense(3, 5, activation=OnnxSoftplus()), gn.Dense(5, 2)], seed=0, dtype=np.float32)
    net.to_onnx(tmp_path / "sp.onnx")  # (onnxruntime has Softplus for float32 only)
    got = ort.InferenceSession(str(tmp_path / "sp.onnx")).run(None, {"input": X})[0]
    np.testing.assert_allclose(got, net.predict(X), rtol=1e-5, atol=1e-6)
    with pytest.raises(gn.InputError, match="cannot export activation 'onnx_softplus_test'"):
        gn.Network([gn.Dense(3, 5, activation=OnnxSoftplus(beta=2.0))]).to_onnx(tmp_path / "no.onnx")


# --- a loss and a layer of your own ------------------------------------------------------------

class Huber(losses.Loss):
    """L = mean(h(a - y)) with h(r) = r^2 / 2 for |r| <= 1, else |r| - 1/2."""

    name = "huber_test"
    formula = "L = mean(huber(a - y))"
    gradient = "clip(a - y, -1, 1) / {size}"

    def value(self, y, a, z):
        r = np.abs(a - y)
        return float(np.where(r <= 1, r * r / 2, r - 0.5).mean())

    def grad(self, y, a):
        return np.clip(a - y, -1, 1) / a.size


class Gain(Layer):
    """a = x * g, one learned gain per unit."""

    name = "gain_test"

    def build(self, n_in, index):
        self.n_in = self.n_out = n_in
        return n_in

    def params(self):
        return [Param("gain", (self.n_in,), False)]

    def attach(self, arrays, rng):
        super().attach(arrays, rng)
        self.gain, self.grad_gain = arrays["gain"]

    def initialize(self, rng, init):
        self.gain[...] = 1.0

    def forward(self, x, training=False, keep=True):
        self.x = x
        return x * self.gain

    def backward(self, grad, input_grad=True, pre_activation=False):
        self.grad_gain[...] = (grad * self.x).sum(axis=0)
        return grad * self.gain if input_grad else None


def test_a_loss_and_a_layer_of_your_own(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 2))
    y = 3 * X[:, :1] - X[:, 1:]
    net = gn.Network([gn.Dense(2, 4, activation="tanh"), Gain(), gn.Dense(4, 1)], seed=0)
    assert net.summary() == "2 -> 4 tanh -> gain_test -> 1 linear" and net.n_params == 12 + 4 + 5
    assert gn.gradcheck(net, X[:6], y[:6], loss=Huber()) < 1e-6  # back-propagation through the new layer
    net.fit(X, y, epochs=20, batch_size=10, loss=Huber(), optimizer=gn.Adam(lr=0.05), verbose=0)
    assert not np.all(net.layers[1].gain == 1.0)  # the gains learned (with the decay-free biases)
    with pytest.raises(gn.InputError, match="not registered"):
        net.save(tmp_path / "m.safetensors")
    layers.register(Gain)
    losses.register(Huber)
    try:
        net.save(tmp_path / "m.safetensors")
        back = gn.load(tmp_path / "m.safetensors")
        assert back.loss.name == "huber_test" and isinstance(back.layers[1], Gain)
        np.testing.assert_array_equal(back.layers[1].gain, net.layers[1].gain)
        np.testing.assert_array_equal(back.predict(X), net.predict(X))
        steps = {s.name: s for s in back.explain(X, y)}
        assert "grad_gain2" in steps
        np.testing.assert_array_equal(steps["a2"].value, steps["a1"].value * back.layers[1].gain)  # copied gains
        assert not np.array_equal(steps["gain2"].value, back.layers[1].gain)  # the step moved them
        with pytest.raises(gn.InputError, match=r"cannot export layer Gain to ONNX: it has no onnx\(\) method"):
            back.to_onnx(tmp_path / "m.onnx")
    finally:
        del layers.REGISTRY.classes["gain_test"], losses.REGISTRY.classes["huber_test"]


@pytest.mark.parametrize("call, match", [
    (lambda: activations.register(int), r"glassnet.activations.register needs a subclass of Activation"),
    (lambda: activations.register(type("Nameless", (activations.Activation,), {})),
     "Nameless needs a class attribute 'name'"),
    (lambda: activations.register(type("Mine", (activations.Activation,), {"name": "relu"})),
     "activation name 'relu' is taken by glassnet.activations.ReLU"),
    (lambda: activations.get("gelu"), "unknown activation 'gelu'; expected one of: leaky_relu, linear, relu"),
    (lambda: optimizers.get({"name": "sgd", "config": {"speed": 1}}), "optimizer 'sgd': settings"),
    (lambda: layers.REGISTRY.build({"name": "dense"}), "the layer must be described as"),
])
def test_registry_errors(call, match):
    with pytest.raises(gn.InputError, match=match):
        call()


def test_render_is_importable_from_teach():
    assert explain.render is not None and callable(explain.format_array)
