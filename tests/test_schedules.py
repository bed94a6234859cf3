"""Learning-rate schedules: closed forms, optimizers that follow them step by step (against plain NumPy
updates), and exactness across save, load and resume."""

import json
import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.schedules import Constant, Cosine, OneCycle


def cosine_reference(lr, steps, warmup, final, t):
    if t < warmup:
        return lr * (t + 1) / warmup
    if t >= steps:
        return final
    progress = (t - warmup) / (steps - warmup)
    return final + 0.5 * (lr - final) * (1 + math.cos(math.pi * progress))


def test_cosine_warms_up_linearly_then_decays_to_final():
    s = Cosine(lr=1.0, steps=10, warmup=2, final=0.1)
    assert [s(t) for t in (0, 1, 2)] == [0.5, 1.0, 1.0]
    assert s(6) == pytest.approx(0.55) and s(10) == s(500) == 0.1
    values = [s(t) for t in range(2, 11)]
    assert all(a > b for a, b in zip(values, values[1:]))
    for t in range(30):
        assert s(t) == pytest.approx(cosine_reference(1.0, 10, 2, 0.1, t), rel=1e-15)
    assert Cosine(0.3, 5)(0) == 0.3  # no warm-up: starts at lr


def test_one_cycle_rises_to_max_lr_then_falls_far_below_the_start():
    s = OneCycle(max_lr=1.0, steps=100, pct_start=0.3)
    assert s(0) == pytest.approx(1 / 25) and s(30) == pytest.approx(1.0) and s(100) == s(10**6)
    assert s(100) == pytest.approx(1 / 25 / 1e4)
    rise, fall = [s(t) for t in range(31)], [s(t) for t in range(30, 101)]
    assert all(a < b for a, b in zip(rise, rise[1:])) and all(a > b for a, b in zip(fall, fall[1:]))
    assert s(15) == pytest.approx((1 / 25 + 1.0) / 2)  # half way up the cosine: the mean of its ends
    assert s(65) == pytest.approx((1.0 + 1 / 25 / 1e4) / 2)


def test_constant_is_the_number():
    assert [Constant(0.05)(t) for t in (0, 7, 10**9)] == [0.05] * 3


@pytest.mark.parametrize("schedule", [Constant(0.1), Cosine(0.2, 50, warmup=5, final=0.01), OneCycle(0.5, 40, 0.25)])
def test_schedules_describe_themselves(schedule):
    spec = gn.schedules.REGISTRY.spec(schedule)
    again = gn.schedules.get(json.loads(json.dumps(spec)))
    assert type(again) is type(schedule) and again.config() == schedule.config()
    assert [again(t) for t in range(60)] == [schedule(t) for t in range(60)]


def test_sgd_follows_its_schedule_step_by_step():
    """Against plain NumPy: W -= lr_t * g with lr_t the schedule at the step count before the update."""
    schedule = Cosine(lr=0.5, steps=6, warmup=2, final=0.05)
    opt = gn.SGD(lr=schedule, momentum=0.9)
    rng = np.random.default_rng(0)
    p = rng.normal(size=5)
    ref, velocity = p.copy(), np.zeros(5)
    for t in range(9):
        g = rng.normal(size=5)
        velocity = 0.9 * velocity + g
        ref = ref - cosine_reference(0.5, 6, 2, 0.05, t) * velocity
        opt.step([(p, g.copy(), True)])
        np.testing.assert_allclose(p, ref, rtol=1e-14)
    assert opt.rate() == 0.05 and opt.steps == 9


def test_adam_follows_its_schedule_step_by_step():
    schedule = OneCycle(max_lr=0.1, steps=5)
    opt = gn.Adam(lr=schedule)
    rng = np.random.default_rng(1)
    p = rng.normal(size=4)
    ref, m, v = p.copy(), np.zeros(4), np.zeros(4)
    for t in range(1, 8):
        g = rng.normal(size=4)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        ref = ref - schedule(t - 1) * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        opt.step([(p, g.copy(), True)])
        np.testing.assert_allclose(p, ref, rtol=1e-13)


def data():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(96, 3))
    return X, (X[:, 0] - X[:, 1] > 0).astype(int)


def network():
    return gn.Network([gn.Dense(3, 12, activation="tanh"), gn.Dropout(0.25), gn.Dense(12, 2, activation="softmax")],
                      seed=4)


@pytest.mark.parametrize("optimizer", [lambda: gn.Adam(lr=Cosine(0.05, steps=60, warmup=10, final=0.001)),
                                       lambda: gn.SGD(lr=OneCycle(0.3, steps=100), momentum=0.9)])
def test_twenty_epochs_equal_ten_then_save_load_and_ten_more(tmp_path, optimizer):
    X, y = data()
    one = network()
    one.fit(X, y, epochs=20, batch_size=16, loss="categorical_crossentropy", optimizer=optimizer(), verbose=0)
    two = network()
    two.fit(X, y, epochs=10, batch_size=16, loss="categorical_crossentropy", optimizer=optimizer(), verbose=0)
    two.save(tmp_path / "m.safetensors")
    back = gn.load(tmp_path / "m.safetensors")
    assert back.optimizer.config() == two.optimizer.config() and back.optimizer.rate() == two.optimizer.rate()
    back.fit(X, y, epochs=10, batch_size=16, verbose=0)
    for (name, a, _), (_, b, _) in zip(one.named_parameters(), back.named_parameters(), strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert one.history == back.history and one.optimizer.steps == back.optimizer.steps == 120


def test_a_rate_that_decays_to_zero_stops_the_updates():
    X, y = data()
    net = network()
    net.fit(X, y, epochs=1, batch_size=16, loss="categorical_crossentropy",
            optimizer=gn.SGD(lr=Cosine(0.1, steps=4)), verbose=0)  # 6 steps: the last two at rate 0
    before = net.flat.copy()
    net.fit(X, y, epochs=1, batch_size=16, verbose=0)
    np.testing.assert_array_equal(net.flat, before)


def test_a_schedule_changes_training():
    X, y = data()
    nets = [network(), network()]
    for net, lr in zip(nets, [0.05, Cosine(0.05, steps=30)]):
        net.fit(X, y, epochs=5, batch_size=16, loss="categorical_crossentropy", optimizer=gn.Adam(lr=lr), verbose=0)
    assert not np.array_equal(nets[0].layers[0].weights, nets[1].layers[0].weights)


def test_explain_names_the_rate_of_the_step():
    X, y = data()
    net = network()
    net.fit(X, y, epochs=1, batch_size=32, loss="categorical_crossentropy",
            optimizer=gn.SGD(lr=Cosine(1.0, steps=10, warmup=4)), verbose=0)  # 3 steps taken: next rate 1.0
    steps = {step.name: step for step in net.explain(X, y)}
    assert steps["W1"].formula.startswith("W1 <- W1 - 1 * grad_W1; lr from the cosine schedule after 3 steps")


def test_divergence_names_the_rate_of_the_schedule():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 3)) * 10, rng.normal(size=(64, 1)) * 10
    net = gn.Network([gn.Dense(3, 16, activation="relu"), gn.Dense(16, 1)], seed=0)
    with pytest.raises(gn.DivergenceError, match=r"starts afresh \(step 0\)\. Try a smaller learning rate \(now "
                                                 r"4\.\d+ at the last step, from its cosine schedule\)"):
        net.fit(X, y, epochs=500, batch_size=None, loss="mse", optimizer=gn.SGD(lr=Cosine(5.0, 1000)), verbose=0)
    assert net.optimizer.steps == 0 and net.optimizer.rate() == 5.0  # afresh: the schedule starts again


@pytest.mark.parametrize("make, match", [
    (lambda: Cosine(0.1, steps=10, warmup=10), r"warmup \(10\) must be shorter than steps \(10\)"),
    (lambda: Cosine(0.1, steps=10, final=0.5), r"final \(0.5\) must not exceed lr \(0.1\)"),
    (lambda: Cosine(0.0, steps=10), r"lr must be a number in \(0.0, inf\); got 0.0"),
    (lambda: Cosine(0.1, steps=0), "steps must be a positive integer; got 0"),
    (lambda: Cosine(0.1, steps=10, warmup=-1), "warmup must be a non-negative integer; got -1"),
    (lambda: OneCycle(0.1, steps=10, pct_start=1.0), r"pct_start must be a number in \(0.0, 1.0\); got 1.0"),
    (lambda: OneCycle(-1, steps=10), "max_lr must be a number"),
    (lambda: Constant("0.1"), "lr must be a number"),
    (lambda: gn.schedules.get("cosine"), r"schedule 'cosine' has no default settings; give an instance"),
    (lambda: gn.SGD(lr="fast"), "lr must be a number"),
])
def test_bad_schedules(make, match):
    with pytest.raises(gn.InputError, match=match):
        make()
