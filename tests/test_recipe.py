"""The tabular recipe's maths (issue 13): decoupled weight decay against PyTorch's AdamW and a plain NumPy update,
label smoothing and class weights against PyTorch's cross-entropy and a plain NumPy formula, and that each survives
save, load and resume."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.schedules import Cosine

torch = pytest.importorskip("torch")


def torch_steps(opt_class, p0, grads, **kwargs):
    p = torch.tensor(p0, requires_grad=True)
    opt = opt_class([p], **kwargs)
    out = []
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
        out.append(p.detach().numpy().copy())
    return out


def test_adam_with_decoupled_weight_decay_is_pytorchs_adamw():
    rng = np.random.default_rng(0)
    p0, grads = rng.normal(size=6), [rng.normal(size=6) for _ in range(12)]
    expected = torch_steps(torch.optim.AdamW, p0, grads, lr=0.05, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.3)
    opt, p = gn.Adam(lr=0.05, beta2=0.95, weight_decay=0.3, decoupled=True), p0.copy()
    for g, want in zip(grads, expected):
        opt.step([(p, g.copy(), True)])
        np.testing.assert_allclose(p, want, rtol=1e-12, atol=1e-14)


def test_coupled_weight_decay_is_still_pytorchs_adam_with_l2():
    rng = np.random.default_rng(1)
    p0, grads = rng.normal(size=5), [rng.normal(size=5) for _ in range(8)]
    expected = torch_steps(torch.optim.Adam, p0, grads, lr=0.01, weight_decay=0.2)
    opt, p = gn.Adam(lr=0.01, weight_decay=0.2), p0.copy()
    for g, want in zip(grads, expected):
        opt.step([(p, g.copy(), True)])
        np.testing.assert_allclose(p, want, rtol=1e-12)
    assert not np.allclose(want, torch_steps(torch.optim.AdamW, p0, grads, lr=0.01, weight_decay=0.2)[-1])


def test_sgd_decoupled_decay_follows_the_schedule_and_spares_biases():
    """W <- W * (1 - lr_t * wd) - lr_t * v, with lr_t from the schedule; the bias group (decay False) is not shrunk."""
    schedule = Cosine(0.2, steps=5, warmup=1)
    opt = gn.SGD(lr=schedule, momentum=0.5, weight_decay=0.1, decoupled=True)
    rng = np.random.default_rng(2)
    w, b = rng.normal(size=4), rng.normal(size=3)
    ref_w, ref_b, vw, vb = w.copy(), b.copy(), np.zeros(4), np.zeros(3)
    for t in range(7):
        gw, gb = rng.normal(size=4), rng.normal(size=3)
        vw, vb = 0.5 * vw + gw, 0.5 * vb + gb
        ref_w = ref_w * (1 - schedule(t) * 0.1) - schedule(t) * vw
        ref_b = ref_b - schedule(t) * vb
        opt.step([(w, gw.copy(), True), (b, gb.copy(), False)])
        np.testing.assert_allclose(w, ref_w, rtol=1e-14)
        np.testing.assert_allclose(b, ref_b, rtol=1e-14)


def classifier(seed=4):
    return gn.Network([gn.Dense(3, 12, activation="relu"), gn.Dense(12, 3, activation="softmax")], seed=seed)


def three_classes(n=120, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.6])


def test_decoupled_decay_saves_loads_and_resumes_bit_for_bit(tmp_path):
    X, y = three_classes()

    def opt():
        return gn.Adam(lr=Cosine(0.02, steps=80, warmup=8), beta2=0.95, weight_decay=0.05, decoupled=True)

    one, two = classifier(), classifier()
    one.fit(X, y, epochs=12, batch_size=16, loss="categorical_crossentropy", optimizer=opt(), verbose=0)
    two.fit(X, y, epochs=6, batch_size=16, loss="categorical_crossentropy", optimizer=opt(), verbose=0)
    two.save(tmp_path / "m.safetensors")
    back = gn.load(tmp_path / "m.safetensors")
    assert back.optimizer.config() == two.optimizer.config() and back.optimizer.config()["decoupled"] is True
    back.fit(X, y, epochs=6, batch_size=16, verbose=0)
    np.testing.assert_array_equal(one.flat, back.flat)
    plain = classifier()
    plain.fit(X, y, epochs=12, batch_size=16, loss="categorical_crossentropy",
              optimizer=gn.Adam(lr=Cosine(0.02, steps=80, warmup=8), beta2=0.95), verbose=0)
    assert np.linalg.norm(one.layers[0].weights) < np.linalg.norm(plain.layers[0].weights)


def test_decoupled_is_left_out_of_the_config_when_off_so_older_files_still_describe_it():
    assert "decoupled" not in gn.Adam().config()
    assert gn.optimizers.get({"name": "sgd", "config": gn.SGD(weight_decay=0.1, decoupled=True).config()}).decoupled
    with pytest.raises(gn.InputError, match="decoupled must be True or False; got 'yes'"):
        gn.Adam(decoupled="yes")


def torch_cross_entropy(z, labels, weights=None, smoothing=0.0):
    """PyTorch's per-row cross-entropy (row weight: that of the row's class) averaged over rows, and dL/dz."""
    zt = torch.tensor(z, requires_grad=True)
    per_row = torch.nn.functional.cross_entropy(zt, torch.tensor(labels), reduction="none", label_smoothing=smoothing)
    if weights is not None:
        per_row = per_row * torch.tensor(weights)[torch.tensor(labels)]
    loss = per_row.mean()
    loss.backward()
    return loss.item(), zt.grad.numpy()


@pytest.mark.parametrize("smoothing, weights", [(0.1, None), (0.0, [0.5, 2.0, 1.25]), (0.2, [3.0, 0.25, 1.0])])
def test_label_smoothing_and_class_weights_are_pytorchs_cross_entropy(smoothing, weights):
    rng = np.random.default_rng(5)
    z, labels = rng.normal(size=(7, 3)) * 3, rng.integers(0, 3, size=7)
    loss = gn.losses.CategoricalCrossentropy(label_smoothing=smoothing, class_weight=weights)
    y = loss.targets(labels, 3, np.float64)
    a = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    value, grad = torch_cross_entropy(z, labels, weights, smoothing)
    assert loss.value(y, a, z) == pytest.approx(value, rel=1e-13)
    np.testing.assert_allclose(loss.grad(y, a), grad, rtol=1e-12, atol=1e-15)
    plain = gn.losses.CategoricalCrossentropy()
    assert plain.value(y, a, z) != pytest.approx(value, rel=1e-6)


def test_the_loss_settings_survive_save_and_load(tmp_path):
    X, y = three_classes()
    net = classifier()
    loss = gn.losses.CategoricalCrossentropy(label_smoothing=0.1, class_weight=[1.0, 2.0, 0.5])
    net.fit(X, y, epochs=2, batch_size=32, loss=loss, verbose=0)
    net.save(tmp_path / "m.safetensors")
    back = gn.load(tmp_path / "m.safetensors")
    assert back.loss.config() == {"label_smoothing": 0.1, "class_weight": [1.0, 2.0, 0.5]}
    assert back.evaluate(X, y) == net.evaluate(X, y)
    assert gn.losses.CategoricalCrossentropy().config() == {}  # plain: as model files before these settings


def test_label_smoothing_keeps_probabilities_off_zero_and_one():
    X, y = three_classes(seed=8)
    X[:, 0] *= 6  # separable: plain cross-entropy drives the probabilities towards 0 and 1
    top = []
    for smoothing in (0.0, 0.2):
        net = classifier()
        net.fit(X, y, epochs=300, batch_size=None, loss=gn.losses.CategoricalCrossentropy(label_smoothing=smoothing),
                optimizer=gn.Adam(lr=0.05), verbose=0)
        top.append(np.median(net.predict(X).max(axis=1)))
    assert top[0] > 0.99 and top[1] == pytest.approx(1 - 0.2 + 0.2 / 3, abs=0.03)  # the smoothed target: 0.867


def test_class_weights_move_the_decision_threshold_as_scikit_learns_logistic_regression():
    """On an imbalanced table (about 1 positive in 7), balanced class weights move a logistic model's threshold
    towards the majority class, to where scikit-learn's weighted logistic regression puts it."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 1))
    y = (rng.random(600) < 1 / (1 + np.exp(-(2 * x[:, 0] - 3)))).astype(int)
    weights = gn.losses.balanced_class_weights(y, 2)
    assert sum(weights[c] for c in y) == pytest.approx(len(y))  # they average 1 over the rows
    thresholds = []
    for w in (None, weights):
        net = gn.Network([gn.Dense(1, 2, activation="softmax")], seed=0)
        net.fit(x, y, epochs=3000, batch_size=None, loss=gn.losses.CategoricalCrossentropy(class_weight=w),
                optimizer=gn.Adam(lr=0.05), verbose=0)
        (w0, w1), (b0, b1) = net.layers[0].weights[0], net.layers[0].bias
        thresholds.append(-(b1 - b0) / (w1 - w0))
        ref = LogisticRegression(C=1e8, class_weight=None if w is None else "balanced").fit(x, y)
        assert thresholds[-1] == pytest.approx(-ref.intercept_[0] / ref.coef_[0, 0], abs=2e-3)
    assert thresholds[1] < thresholds[0] - 0.5


@pytest.mark.parametrize("weights, match", [([1.0, -1.0, 1.0], "class_weight must be a list of positive numbers"),
                                            ("balanced", "class_weight must be a list of positive numbers"),
                                            ([1.0, 2.0], r"class_weight has 2 weight\(s\) but the network has 3")])
def test_bad_class_weights(weights, match):
    with pytest.raises(gn.InputError, match=match):
        classifier().fit(*three_classes(), epochs=1, loss=gn.losses.CategoricalCrossentropy(class_weight=weights),
                         verbose=0)


def test_bad_label_smoothing():
    with pytest.raises(gn.InputError, match=r"label_smoothing must be in \[0, 1\); got 1.0"):
        gn.losses.CategoricalCrossentropy(label_smoothing=1.0)
