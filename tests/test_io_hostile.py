"""Hostile model files (from an audit): each is refused with a one-line ModelFileError naming the file, never a
traceback; layer sizes are checked against the file's tensors before anything is allocated."""

import json
import struct
import tracemalloc

import numpy as np
import pytest
from safetensors.numpy import load_file

import glassnet as gn
from glassnet import cli
from glassnet.errors import ModelFileError
from glassnet.formats import modelfile
from glassnet.tabular import preprocessing
from glassnet.tabular.model import Model
from test_io import fit, make, refused


@pytest.fixture
def model(tmp_path):
    """A small trained network with Adam state (two keys per parameter) and CSV preprocessing."""
    path = tmp_path / "m.safetensors"
    net = fit(make(), 1, gn.Adam())
    prep = preprocessing.Preprocessor([preprocessing.Numeric(f"x{i}", 0.0, 1.0) for i in range(3)],
                                      preprocessing.Target("y", "classification", classes=["a", "b", "c"]))
    Model(net, prep).save(path)
    return path


def split(path):
    """The safetensors header (8-byte little-endian length, then JSON) and the tensor bytes after it."""
    blob = path.read_bytes()
    n = int.from_bytes(blob[:8], "little")
    return json.loads(blob[8:8 + n]), blob[8 + n:]


def write(path, header_text, body):
    path.write_bytes(struct.pack("<Q", len(header_text)) + header_text + body)


def set_glassnet(path, value):
    """Replace the header's ``__metadata__["glassnet"]`` entry (normally a JSON string) with ``value``, signed
    with a valid checksum, so that the change reaches the checks behind the checksum's."""
    tensors = load_file(path)
    header, body = split(path)
    header["__metadata__"]["glassnet"] = value
    if isinstance(value, str):
        header["__metadata__"]["glassnet.sha256"] = modelfile.digest(value, tensors)
    write(path, json.dumps(header).encode(), body)


def change_meta(path, change):
    header, _ = split(path)
    meta = json.loads(header["__metadata__"]["glassnet"])
    change(meta)
    set_glassnet(path, json.dumps(meta))


def layer(i):
    return lambda m: m["network"]["layers"][i]["config"]


def optimizer(m):
    return m["state"]["optimizer"]


def rng(m):
    return m["state"]["rng"]


def no_preprocessing(change):
    return lambda m: m.update(preprocessing=None) or change(m)


@pytest.mark.parametrize("change, match", [
    (lambda m: optimizer(m).update(state=[["m", "v"], [["m"]]]),
     r"optimizer 'adam' state \[\['m'\]\] for parameter 1 is not the one it keeps"),
    (lambda m: optimizer(m)["state"].__setitem__(0, [["m", "v"]]), r"state \[\['m', 'v'\]\] for parameter 0"),
    (lambda m: optimizer(m)["state"].__setitem__(1, ["m", "m"]), r"state \['m', 'm'\] for parameter 1"),
    (lambda m: optimizer(m)["state"].__setitem__(1, ["m"]), r"state \['m'\] for parameter 1"),
    (lambda m: rng(m)["state"].update(state=-5), "random-number state is malformed"),
    (lambda m: rng(m)["state"].update(state=2**200), "random-number state is malformed"),
    (lambda m: rng(m)["state"].update(inc=2**200), "random-number state is malformed"),
    (lambda m: rng(m).update(uinteger=-1), "random-number state is malformed"),
    (lambda m: rng(m).update(has_uint32=10**30), "random-number state is malformed"),
    (lambda m: optimizer(m).update(steps=-1), "steps must be a non-negative integer below 2\\*\\*63; got -1$"),
    (lambda m: optimizer(m).update(steps=2**63), "steps must be a non-negative integer"),
    (lambda m: optimizer(m)["config"].update(lr=10**400), r"lr must be a number in \(0.0, inf\); got 1000"),
    (lambda m: layer(0)(m).update(n_in=10**400), r"the architecture needs \(1000+\.\.\.0+, 8\) and float64$"),
    (lambda m: layer(0)(m).update(n_in=-1), r"layer 0: Dense n_in must be a positive integer; got -1$"),
    (lambda m: layer(0)(m).update(n_in=True), r"layer 0: Dense n_in must be a positive integer; got True$"),
    (lambda m: layer(0)(m).update(n_in=3.0), r"layer 0: Dense n_in must be a positive integer; got 3.0$"),
    (lambda m: layer(0)(m)["activation"]["config"].update(alpha=10**400), "settings"),
    (lambda m: m["training"]["history"].update(loss=[10**400]), r"history must map names .*\(within the float range\)"),
    (lambda m: m["preprocessing"]["columns"][0].update(mean=10**400), "preprocessing is malformed .*got 1000"),
    (lambda m: m["preprocessing"]["columns"][1].update(name=m["preprocessing"]["columns"][0]["name"]),
     "preprocessing names a column twice"),
    (lambda m: m["preprocessing"]["target"].update(name=m["preprocessing"]["columns"][0]["name"]),
     "preprocessing names a column twice"),
    (lambda m: m["network"].update(seed=10**400), r"seed must be an integer in \[0, 2\*\*32\); got 1000+\.\.\.0+$"),
    (lambda m: m.update(version=10**400), r"newer glassnet \(model format 1000+\.\.\.0+; this glassnet reads"),
    (no_preprocessing(lambda m: layer(2)(m).update(n_out=10**12)),
     r"'layers.2.weights' has shape \(5, 3\) and dtype float64; the architecture needs \(5, 1000000000000\)"),
    (no_preprocessing(lambda m: (layer(0)(m).update(n_out=10**9), layer(1)(m).update(n_in=10**9))),
     r"'layers.0.weights' has shape \(3, 8\) and dtype float64; the architecture needs \(3, 1000000000\)"),
    (lambda m: layer(0)(m).update(n_out=10**9), "layer 0 has 1000000000 outputs but layer 1 expects 8 inputs"),
    (no_preprocessing(lambda m: m["network"]["layers"].extend(
        [{"name": "dense", "config": dict(layer(2)(m), n_in=3)}] * 3)),
     r"missing: \['layers.3.bias', 'layers.3.weights', 'layers.4.bias', 'layers.4.weights', 'layers.5.bias', "
     r"'layers.5.weights'\]\)"),
])
def test_hostile_metadata_is_refused(model, change, match):
    change_meta(model, change)
    refused(model, match)


def test_errors_quote_huge_values_shortly(model):
    change_meta(model, lambda m: m.update(version=10**400))
    with pytest.raises(gn.ModelFileError) as info:
        gn.load(model)
    assert len(str(info.value)) < len(str(model)) + 200  # 600 before it was shortened


@pytest.mark.parametrize("value, match", [
    (5, "the 'glassnet' metadata entry is 5, not a JSON string"),
    (["x"], r"the 'glassnet' metadata entry is \['x'\], not a JSON string"),
    ("[" * 100_000 + "]" * 100_000, "the glassnet metadata is not valid JSON"),
])
def test_hostile_metadata_entry_is_refused(model, value, match):
    set_glassnet(model, value)
    refused(model, match)


def test_deeply_nested_header_is_refused(model):
    _, body = split(model)
    write(model, b"[" * 100_000 + b"]" * 100_000, body)
    refused(model, "header is not valid JSON")


def test_made_up_layer_sizes_allocate_nothing(model):
    """A 1,000,000-unit hidden layer (chained consistently) needs ~100 MB of weights the file does not hold."""
    change_meta(model, no_preprocessing(lambda m: (layer(0)(m).update(n_out=10**6), layer(1)(m).update(n_in=10**6))))
    tracemalloc.start()
    try:
        refused(model, r"'layers.0.weights' has shape \(3, 8\) and dtype float64; the architecture needs "
                       r"\(3, 1000000\)")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def test_a_huge_file_is_refused_from_its_header_without_reading_it(model, tmp_path):
    """A model file grown to 2 GB (sparse: no disk used), or a header claiming 200 MB: refused after reading the
    first bytes, with a few MB of memory at most."""
    size = model.stat().st_size
    grown = tmp_path / "grown.safetensors"
    grown.write_bytes(model.read_bytes())
    with open(grown, "r+b") as f:
        f.truncate(2 * 2**30)
    claims = tmp_path / "claims.safetensors"
    claims.write_bytes(struct.pack("<Q", 200 * 2**20) + b"{" * 10)
    with open(claims, "r+b") as f:
        f.truncate(300 * 2**20)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=rf"damaged or truncated safetensors data \(its header describes "
                                                 rf"{size:,} bytes; the file holds {2 * 2**30:,}\)"):
            gn.load_model(grown)
        with pytest.raises(ModelFileError, match=r"its header would be 209,715,200 bytes, more than a glassnet "
                                                 r"model's"):
            gn.load_model(claims)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def test_metadata_too_large_for_a_header_is_an_input_error_not_a_traceback(model, tmp_path, monkeypatch):
    """safetensors refuses a header past 100 MB (a text column of a million categories): said, nothing written."""
    out = tmp_path / "big.safetensors"
    bundle = gn.load_model(model)
    bundle.record.settings = {"ignore": ["ab"] * 15_000_000}  # (90 MB of text, over 100 MB JSON-escaped)
    with pytest.raises(gn.errors.InputError, match=r"cannot save .*big.safetensors: its metadata \(90 MB\) is more "
                                                   r"than a model file's header holds \(100 MB\)"):
        bundle.save(out)
    assert not out.exists()


def test_whole_numbers_in_the_history_and_large_step_counts_still_load(model):
    change_meta(model, lambda m: (m["training"]["history"].update(loss=[2], accuracy=[1], val_loss=[3],
                                                                  val_accuracy=[0]),
                                  optimizer(m).update(steps=2**63 - 1)))
    net = gn.load(model)
    assert net.history["loss"] == [2.0] and isinstance(net.history["loss"][0], float)
    assert net.optimizer.steps == 2**63 - 1


def test_cli_prints_one_line_and_exits_2(model, capsys):
    change_meta(model, lambda m: optimizer(m)["state"].__setitem__(1, [["m"]]))
    assert cli.main(["info", str(model)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"glassnet info: error: {model}: optimizer 'adam' state [['m']] for parameter 1")
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("change, match", [
    (lambda m: m.update(loss="mae"), r"the metadata holds \['loss'\] and lacks \[\]"),  # a key too many: refused
    (lambda m: m["state"].update(extra=1), r"the state part holds \['extra'\]"),
    (lambda m: optimizer(m).update(lr=0.5), r"the optimizer part holds \['config', 'lr', 'name', 'state', 'steps'\]"),
    (lambda m: layer(0)(m).pop("activation"), r"layer 0: layer 'dense': settings .* lack activation"),
    (lambda m: optimizer(m)["config"].pop("lr"), r"optimizer 'adam': settings .* lack lr"),
    (lambda m: rng(m)["state"].update(state=0.5), "random-number state is malformed"),
    (lambda m: rng(m)["state"].update(inc=True), "random-number state is malformed"),
    (lambda m: rng(m)["state"].update(inc=2), r"random-number state is malformed \(PCG64 holds integers: state, an "
                                              "odd inc"),
    (lambda m: rng(m).update(has_uint32=0.5), "random-number state is malformed"),
    (lambda m: m["preprocessing"]["target"]["classes"].__setitem__(0, "a\ud800"), "not valid Unicode"),
    (lambda m: m["preprocessing"]["columns"][0].update(kind="k" * 100_000), r"unknown column kind 'kkkk.*'\)$"),
])
def test_keys_types_and_text_the_format_does_not_have_are_refused(model, change, match):
    change_meta(model, change)
    refused(model, match)
    with pytest.raises(gn.ModelFileError) as info:
        gn.load_model(model)
    assert len(str(info.value)) < len(str(model)) + 400


def test_tensors_of_dtypes_numpy_lacks_are_refused(model):
    """A bfloat16 tensor: safetensors knows the dtype, NumPy does not (a KeyError inside safetensors before)."""
    header, body = split(model)
    header["layers.0.weights"].update(dtype="BF16", shape=[3, 32])  # the same 192 bytes, 2 a number
    write(model, json.dumps(header).encode(), body)
    refused(model, "a tensor of dtype 'BF16', which glassnet does not use")


def test_a_file_that_is_not_regular_is_refused_without_reading_it(tmp_path):
    import os

    fifo = tmp_path / "pipe.safetensors"
    os.mkfifo(fifo)  # reading it would block forever
    with pytest.raises(gn.ModelFileError, match="is not a regular file"):
        gn.load(fifo)
    with pytest.raises(gn.ModelFileError, match="is not a regular file"):
        gn.load("/dev/zero")  # reading it would never end
    with pytest.raises(gn.ModelFileError, match="Not a directory"):
        gn.load(tmp_path / "pipe.safetensors" / "x")


def test_many_layers_load_in_linear_time(tmp_path):
    import time

    net = gn.Network([gn.Dense(2, 3)] + [gn.Dropout(0.1) for _ in range(20_000)], seed=0)
    net.save(tmp_path / "deep.safetensors")
    start = time.perf_counter()
    assert len(gn.load(tmp_path / "deep.safetensors").layers) == 20_001
    assert time.perf_counter() - start < 5  # quadratic in the layers, it took 6 s


def test_a_changed_bit_anywhere_is_caught_by_the_checksum(model):
    """Before the checksum, 339 of 339 bit flips in tensor bytes loaded (19 changed iris predictions) and flips in
    class names relabelled the outputs."""
    blob = bytearray(model.read_bytes())
    n = int.from_bytes(blob[:8], "little")
    header = bytes(blob[8:8 + n])
    for where in (8 + n + 5, len(blob) - 3, 8 + header.index(b'\\"a\\"') + 2):  # weights, Adam state, a class
        flipped = bytearray(blob)
        flipped[where] ^= 0x04
        model.write_bytes(bytes(flipped))
        refused(model, "its checksum does not match its contents: the file was changed or damaged")
    header_json = json.loads(header)
    del header_json["__metadata__"]["glassnet.sha256"]
    write(model, json.dumps(header_json).encode(), bytes(blob[8 + n:]))
    refused(model, r"it lacks the checksum \(glassnet.sha256\) that files of format 2 and later hold")


@pytest.mark.parametrize("length", [0x0480, 0x0580])
def test_a_header_whose_length_looks_like_a_pickle_still_loads(tmp_path, length):
    """A safetensors file starts with its header's length: 1152 bytes is b"\\x80\\x04...", a pickle's first bytes
    (found when the checksum made a model's header 896 bytes long, b"\\x80\\x03")."""
    net = gn.Network([gn.Dense(2, 1)], seed=0)
    path = tmp_path / "m.safetensors"
    net.save(path)
    header, body = split(path)
    text = json.dumps(header).encode()
    header["__metadata__"]["padding"] = " " * (length - len(text) - len(', "padding": ""'))
    write(path, json.dumps(header).encode(), body)
    assert path.read_bytes()[:2] == length.to_bytes(2, "little")
    np.testing.assert_array_equal(gn.load(path).predict(np.ones((1, 2))), net.predict(np.ones((1, 2))))


def test_a_negative_running_mean_of_squares_is_refused(model):
    """Adam's v is a mean of squared gradients: a file (signed anew, as anyone can) whose v is negative would make
    the next step's square root NaN, and be reported as a divergence, not as the file's fault."""
    from safetensors.numpy import save_file

    tensors, text = load_file(model), split(model)[0]["__metadata__"]["glassnet"]
    tensors["optimizer.0.v"] = -np.abs(tensors["optimizer.0.v"]) - 1e-3
    save_file(tensors, str(model), metadata={"glassnet": text, "glassnet.sha256": modelfile.digest(text, tensors)})
    refused(model, r"tensor 'optimizer.0.v' holds negative values: it is a running mean of squares")
    tensors["optimizer.0.v"] = np.abs(tensors["optimizer.0.v"])  # (the same file with v >= 0 loads)
    save_file(tensors, str(model), metadata={"glassnet": text, "glassnet.sha256": modelfile.digest(text, tensors)})
    assert gn.load_model(model).network.optimizer.steps > 0
