"""Batched ensembles (glassnet.Ensemble): each member is the network its seed trains alone on the same batches,
prediction is the mean of the members', and a model file holds the whole ensemble."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.schedules import Cosine


def layers(n_out=2, out="softmax", dropout=0.0):
    hidden = [gn.Dense(5, 12, activation="tanh"), gn.Dense(12, 6, activation="relu")]
    return hidden + ([gn.Dropout(dropout)] if dropout else []) + [gn.Dense(6, n_out, activation=out)]


def table(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(150, 5))
    return X, (X[:, 0] * X[:, 1] + 0.3 * X[:, 2] > 0).astype(int), X[:, :1] ** 2 - X[:, 1:2]


def adam():
    return gn.Adam(lr=Cosine(0.02, steps=60, warmup=5), beta2=0.95, weight_decay=0.01, decoupled=True)


@pytest.mark.parametrize("task", ["classification", "weighted", "regression"])
def test_each_member_is_the_network_its_seed_trains_alone_on_the_same_batches(task):
    X, labels, values = table()
    y, loss, out = (values, "mse", "linear") if task == "regression" else \
        (labels, "categorical_crossentropy", "softmax")
    if task == "weighted":  # label smoothing and class weights with the member axis
        loss = gn.losses.CategoricalCrossentropy(label_smoothing=0.1, class_weight=[0.7, 1.6])
    n_out = 1 if task == "regression" else 2
    seeds = [5, 1, 9]
    ens = gn.Ensemble(layers(n_out, out), seeds=seeds)
    ens.fit(X, y, epochs=6, batch_size=32, loss=loss, optimizer=adam(), verbose=0)
    for k, seed in enumerate(seeds):
        alone = gn.Network(layers(n_out, out), seed=seed)
        alone.rng = np.random.default_rng(seeds[0])  # the ensemble's batches come from its first seed's generator
        alone.fit(X, y, epochs=6, batch_size=32, loss=loss, optimizer=adam(), verbose=0)
        np.testing.assert_allclose(ens.member(k).flat, alone.flat, rtol=0, atol=1e-12)
    assert not np.allclose(ens.member(0).flat, ens.member(1).flat)


def test_members_start_as_their_seeds_networks():
    ens = gn.Ensemble(layers(), seeds=3)
    assert ens.seeds == [0, 1, 2] and ens.members == 3 and ens.summary().startswith("ensemble of 3: 5 -> 12 tanh")
    for k in range(3):
        np.testing.assert_array_equal(ens.member(k).flat, gn.Network(layers(), seed=k).flat)


def test_prediction_is_the_mean_of_the_members_and_scores_at_least_their_mean():
    X, labels, values = table(1)
    ens = gn.Ensemble(layers(1, "linear"), seeds=4)
    ens.fit(X, values, epochs=5, batch_size=16, loss="mse", optimizer=adam(), verbose=0)
    members = [ens.member(k) for k in range(4)]
    np.testing.assert_allclose(ens.predict(X), np.mean([m.predict(X) for m in members], axis=0), rtol=1e-13)
    mse = ens.evaluate(X, values)["loss"]
    assert mse == pytest.approx(np.mean((ens.predict(X) - values) ** 2), rel=1e-12)
    assert mse < np.mean([m.evaluate(X, values, loss="mse")["loss"] for m in members])  # convexity (Jensen)
    clf = gn.Ensemble(layers(), seeds=[2, 4])
    clf.fit(X, labels, epochs=3, batch_size=16, loss="categorical_crossentropy", verbose=0)
    p = np.mean([clf.member(k).predict(X) for k in range(2)], axis=0)
    result = clf.evaluate(X, labels)
    assert result["loss"] == pytest.approx(-np.mean(np.log(p[np.arange(len(X)), labels])), rel=1e-12)
    assert result["accuracy"] == np.mean(p.argmax(axis=1) == labels)
    assert clf.history["loss"][0] > 0 and len(clf.history["loss"]) == 3


def test_an_ensemble_saves_loads_and_resumes_bit_for_bit(tmp_path):
    X, labels, _ = table(2)
    one, two = gn.Ensemble(layers(dropout=0.2), seeds=[3, 8]), gn.Ensemble(layers(dropout=0.2), seeds=[3, 8])
    one.fit(X, labels, epochs=8, batch_size=32, loss="categorical_crossentropy", optimizer=adam(), verbose=0)
    two.fit(X, labels, epochs=4, batch_size=32, loss="categorical_crossentropy", optimizer=adam(), verbose=0)
    two.save(tmp_path / "e.safetensors")
    back = gn.load(tmp_path / "e.safetensors")
    assert isinstance(back, gn.Ensemble) and back.seeds == [3, 8]
    np.testing.assert_array_equal(back.predict(X), two.predict(X))
    back.fit(X, labels, epochs=4, batch_size=32, verbose=0)
    np.testing.assert_array_equal(back.flat, one.flat)
    assert back.history == one.history


def test_a_model_file_with_bad_seeds_is_refused(tmp_path):
    import json

    from safetensors.numpy import load_file, save_file

    from glassnet.formats import metadata, modelfile

    ens = gn.Ensemble(layers(), seeds=[3, 8])
    ens.save(tmp_path / "e.safetensors")
    with open(tmp_path / "e.safetensors", "rb") as f:
        meta = metadata.read(f.read())[0]
    for seeds, match in (([4, 8], "first the network's seed 3"), ([3, 3], "each different"),
                         ([3, 8, 9], "tensor 'layers.0.weights' has shape")):
        meta["network"]["seeds"] = seeds
        text = json.dumps(meta)
        tensors = load_file(tmp_path / "e.safetensors")
        save_file(tensors, tmp_path / "bad.safetensors",
                  metadata={"glassnet": text, metadata.CHECKSUM: modelfile.digest(text, tensors)})
        with pytest.raises(gn.ModelFileError, match=match):
            gn.load(tmp_path / "bad.safetensors")


@pytest.mark.parametrize("make, match", [
    (lambda: gn.Ensemble(layers(), seeds=[1, 1]), "each different"),
    (lambda: gn.Ensemble(layers(), seeds=0), "the number of members must be"),
    (lambda: gn.Ensemble(layers(), seeds="ab"), "an ensemble seed must be"),
    (lambda: gn.Ensemble(layers(), seeds=2).fit(*table()[:2], optimizer=gn.Adam(clipnorm=1.0), verbose=0,
                                                 loss="categorical_crossentropy"), "without clipnorm"),
    (lambda: gn.Ensemble(layers(), seeds=2).explain(*table()[:2], member=2), r"has 2 members \(0 .. 1\); got 2"),
    (lambda: gn.Ensemble(layers(), seeds=2).member(2), r"has 2 members \(0 .. 1\); got 2"),
])
def test_ensemble_misuse(make, match):
    with pytest.raises(gn.InputError, match=match):
        make()


def test_a_layer_without_a_member_axis_is_refused():
    class Odd(gn.layers.Layer):
        name = "odd_layer_for_ensembles"

    with pytest.raises(gn.InputError, match=r"layer 1 \(Odd\) cannot be stacked into an ensemble"):
        gn.Ensemble([gn.Dense(2, 2), Odd()], seeds=2)


@pytest.mark.parametrize("opset", [17, 18])
def test_onnx_averages_the_members_inside_the_graph(tmp_path, opset):
    ort = pytest.importorskip("onnxruntime")
    X, labels, _ = table(3)
    ens = gn.Ensemble(layers(dropout=0.1), seeds=3)
    ens.fit(X, labels, epochs=2, batch_size=32, loss="categorical_crossentropy", verbose=0)
    ens.to_onnx(tmp_path / "e.onnx", opset=opset)
    session = ort.InferenceSession(str(tmp_path / "e.onnx"))
    (out,) = session.run(None, {"input": X})
    np.testing.assert_allclose(out, ens.predict(X), rtol=1e-12, atol=1e-15)
    assert out.shape == (len(X), 2)


def test_an_ensemble_model_file_works_in_predict_evaluate_info_and_export(tmp_path, capsys):
    """A table model whose network is an ensemble: the commands read it as any model and use the members' mean."""
    import csv
    import json

    from glassnet.cli import main
    from glassnet.tabular import datasets
    from glassnet.tabular.model import Model
    from glassnet.tabular.workflow import build_network, prepare

    iris = datasets.load("iris")
    prep, splits = prepare(iris, "species", "classification", val=0.1, test=0.2, seed=0)
    stack = [gn.layers.REGISTRY.build(gn.layers.REGISTRY.spec(layer))
             for layer in build_network(prep, [8], "tanh", seed=0).layers]
    ens = gn.Ensemble(stack, seeds=[0, 1, 2])
    ens.fit(prep.inputs(splits[0]), prep.targets(splits[0]), epochs=20, batch_size=8,
            loss="categorical_crossentropy", optimizer=gn.Adam(lr=0.01), verbose=0)
    path = tmp_path / "ens.safetensors"
    Model(ens, prep).save(path)
    proba = ens.predict(prep.inputs(iris))
    assert main(["predict", str(path), "iris", "--proba", "--out", str(tmp_path / "p.csv")]) == 0
    with open(tmp_path / "p.csv", newline="") as f:
        rows = list(csv.reader(f))[1:]
    # (predict prints 6 significant digits)
    np.testing.assert_allclose([[float(x) for x in r[1:]] for r in rows], proba, rtol=5e-6)
    capsys.readouterr()
    assert main(["evaluate", str(path), "iris", "--json"]) == 0
    truth = np.array(prep.targets(iris))
    assert json.loads(capsys.readouterr().out)["accuracy"] == pytest.approx(np.mean(proba.argmax(axis=1) == truth))
    assert main(["info", str(path)]) == 0 and "ensemble of 3" in capsys.readouterr().out
    assert main(["report", str(path), "iris", "--out", str(tmp_path / "r.html")]) == 0
    assert "the first of the ensemble's 3 members" in (tmp_path / "r.html").read_text()
    capsys.readouterr()
    assert main(["explain", str(path), "iris"]) == 0  # (the first member's step)
    assert "Shown: the first member's step." in " ".join(capsys.readouterr().out.split())
    ort = pytest.importorskip("onnxruntime")
    assert main(["export", str(path), "--onnx", str(tmp_path / "e.onnx")]) == 0
    columns = Model.load(path).preprocessing.input_columns  # (a table model: one input a column)
    session = ort.InferenceSession(str(tmp_path / "e.onnx"))
    (out,) = session.run(None, {i.name: iris.numbers(c)[:, None] for i, c in zip(session.get_inputs(), columns)})
    np.testing.assert_allclose(out, proba, rtol=1e-9)


def test_a_members_optimizer_takes_the_step_that_member_takes_in_the_ensemble():
    X, y = np.random.default_rng(0).normal(size=(40, 3)), np.arange(40) % 2
    layers = [gn.Dense(3, 5, activation="relu"), gn.Dense(5, 2, activation="softmax")]
    net = gn.Ensemble(layers, seeds=[4, 9])
    net.fit(X, y, epochs=3, batch_size=10, loss="categorical_crossentropy", optimizer=gn.Adam(lr=0.01), verbose=0)
    member = net.member(1)
    member.optimizer = net.member_optimizer(1)
    assert member.optimizer.steps == net.optimizer.steps == 12
    steps = {s.name: s for s in member.explain(X, y, loss=net.loss)}  # one full-batch step of member 1 alone
    told = {s.name: s for s in net.explain(X, y, member=1)}  # (the same, asked of the ensemble)
    assert told.keys() == steps.keys() and told["W1"].formula == steps["W1"].formula
    np.testing.assert_array_equal(told["W1"].value, steps["W1"].value)
    net.fit(X, y, epochs=1, batch_size=40, shuffle=False, verbose=0)  # the same step, for both members at once
    np.testing.assert_allclose(steps["W1"].value, net.layers[0].weights[1], rtol=1e-12, atol=1e-15)
    assert "bias-corrected at step 13" in steps["W1"].formula
    with pytest.raises(gn.InputError, match=r"this ensemble has 2 members \(0 \.\. 1\); got 2"):
        net.member_optimizer(2)
