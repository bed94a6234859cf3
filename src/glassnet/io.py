"""Model files: one safetensors file holding a network and everything needed to use it and to go on training it.

Tensors: ``layers.{i}.weights`` (n_in, n_out), ``layers.{i}.bias`` (n_out,) and the optimizer's per-parameter
state ``optimizer.{p}.{key}`` (``velocity`` for SGD with momentum, ``m`` and ``v`` for Adam), where p counts the
parameters in ``Network.params()`` order. The metadata entry ``glassnet`` is a JSON object: the format name and
version, the architecture, loss, metrics, optimizer config and step count, the shuffling generator's state,
the training history, the CSV preprocessing and the command line's training settings.

Loading reads data only (JSON and raw tensors): it accepts known layer, activation, loss, optimizer and metric
names, and checks every shape against the architecture, raising ModelFileError for anything else. The layer
sizes the metadata declares are checked against the tensors in the file before any array is allocated, so a
file cannot make the loader allocate more than it holds; values quoted in errors are shortened. Saving
writes a temporary file in the target's folder, flushes and fsyncs it, then renames it over the target.
"""

from __future__ import annotations

import contextlib
import json
import os
import reprlib
import sys
import tempfile

import numpy as np

from . import activations, initializers, losses, metrics, optimizers
from .data import Preprocessor
from .errors import GlassnetError, ModelFileError
from .layers import Dense
from .network import History, Network

FORMAT = "glassnet-model"
VERSION = 1
STATE_KEYS = {"sgd": {"velocity"}, "adam": {"m", "v"}}
PICKLE_MAGIC = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05", b"PK\x03\x04")


# --- saving -------------------------------------------------------------------------------

def save(net: Network, path: str | os.PathLike) -> None:
    """Write ``net`` to ``path`` atomically (the old file, if any, stays whole until the rename)."""
    from safetensors.numpy import save as serialize

    tensors, meta = _serialize(net)
    atomic_write(path, serialize(tensors, metadata={"glassnet": json.dumps(meta)}))


def _serialize(net: Network) -> tuple[dict[str, np.ndarray], dict]:
    tensors = {}
    for i, layer in enumerate(net.layers):
        tensors[f"layers.{i}.weights"] = layer.weights
        if layer.use_bias:
            tensors[f"layers.{i}.bias"] = layer.bias
    opt = net.optimizer
    if opt is not None:
        for p, state in enumerate(opt.state):
            tensors.update({f"optimizer.{p}.{key}": value for key, value in state.items()})
    prep = getattr(net, "preprocessing", None)
    meta = {
        "format": FORMAT, "version": VERSION,
        "network": {"dtype": net.dtype.name, "seed": net.seed, "init": net.init, "layers": [
            {"type": "dense", "n_in": layer.n_in, "n_out": layer.n_out, "activation": layer.activation.name,
             "bias": layer.use_bias, "init": layer.init} for layer in net.layers]},
        "loss": net.loss.name if net.loss else None,
        "metrics": list(net.metrics),
        "optimizer": None if opt is None else {"name": opt.name, "config": opt.config(), "steps": opt.steps,
                                               "state": [sorted(s) for s in opt.state]},
        "rng": net.rng.bit_generator.state,
        "history": {key: list(values) for key, values in net.history.items()},
        "preprocessing": prep.to_json() if prep is not None else None,
        "training": getattr(net, "training", None),
    }
    return {k: np.ascontiguousarray(v) for k, v in tensors.items()}, meta


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old file or the new one, never half.
    A symbolic link keeps pointing where it did (its target is replaced), and a file keeps its permissions."""
    path = os.path.realpath(os.fspath(path))
    folder = os.path.dirname(path)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- loading ------------------------------------------------------------------------------

def load(path: str | os.PathLike) -> Network:
    """Read a model file written by ``save``: a Network ready to predict, evaluate or ``fit`` further.

    Besides the layers, the network gets back its loss, metrics, optimizer (with its state and step count),
    shuffling generator, ``history``, ``preprocessing`` (a ``glassnet.data.Preprocessor`` or None) and
    ``training`` (the command line's settings, a dict, or None). Any problem raises ModelFileError.
    """
    name = os.fspath(path)
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except FileNotFoundError:
        raise ModelFileError(f"{name}: no such model file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{name} is a folder, not a model file") from None
    try:
        meta = _metadata(blob)
        return _build(meta, _tensors(blob))
    except GlassnetError as exc:
        raise ModelFileError(f"{name}: {exc}") from None


def _metadata(blob: bytes) -> dict:
    if blob.startswith(PICKLE_MAGIC):
        raise ModelFileError("this is a pickle (or a PyTorch zip of pickles), not a glassnet model; "
                             "glassnet never loads pickles, which can run code")
    n = int.from_bytes(blob[:8], "little") if len(blob) >= 8 else -1
    if not 0 < n <= len(blob) - 8:
        raise ModelFileError(f"not a safetensors model file, or truncated ({len(blob)} bytes)")
    try:
        header = json.loads(blob[8:8 + n])
        text = header.get("__metadata__", {}).get("glassnet")
    except (ValueError, AttributeError, RecursionError):
        raise ModelFileError("not a safetensors model file (its header is not valid JSON)") from None
    if text is None:
        raise ModelFileError("a safetensors file, but not a glassnet model (no 'glassnet' metadata)")
    if not isinstance(text, str):
        raise ModelFileError(f"the 'glassnet' metadata entry is {reprlib.repr(text)}, not a JSON string")
    try:
        meta = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: arrays or objects nested thousands deep
        raise ModelFileError("the glassnet metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"the metadata does not say format {FORMAT!r}; not a glassnet model")
    version = meta.get("version")
    if not _is_int(version) or version < 1:
        raise ModelFileError(f"model format version {reprlib.repr(version)} is not a positive integer")
    if version > VERSION:
        raise ModelFileError(f"written by a newer glassnet (model format {reprlib.repr(version)}; this glassnet "
                             f"reads format {VERSION} and older): upgrade glassnet to load it")
    return meta


def _tensors(blob: bytes) -> dict[str, np.ndarray]:
    from safetensors import SafetensorError
    from safetensors.numpy import load as deserialize

    try:
        return deserialize(blob)
    except (SafetensorError, ValueError) as exc:
        raise ModelFileError(f"damaged or truncated safetensors data ({exc})") from None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _get(obj: object, key: str, kinds: type | tuple, where: str, known: object = None) -> object:
    """``obj[key]``, checked to be of ``kinds`` (and, with ``known``, one of its names); errors quote the value
    shortened by ``reprlib``, since it comes from an untrusted file."""
    if not isinstance(obj, dict) or key not in obj:
        raise ModelFileError(f"the metadata lacks {where}{key!r}")
    value = obj[key]
    if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)) \
            or not isinstance(value, kinds):
        raise ModelFileError(f"the metadata's {where}{key!r} is {reprlib.repr(value)}, of the wrong type")
    if known is not None and value is not None and value not in known:
        raise ModelFileError(f"unknown {where}{key} {reprlib.repr(value)} in the model file; "
                             f"this glassnet knows {', '.join(sorted(known))}")
    return value


def _build(meta: dict, tensors: dict[str, np.ndarray]) -> Network:
    spec = _get(meta, "network", dict, "")
    dtype = _get(spec, "dtype", str, "network ", known={"float32", "float64"})
    init = _get(spec, "init", (str, type(None)), "network ", known=initializers.INITIALIZERS)
    seed = _get(spec, "seed", int, "network ")
    if not 0 <= seed < 2**32:
        raise ModelFileError(f"the network seed must be an integer in [0, 2**32); got {reprlib.repr(seed)}")
    layers = _layers(spec)
    prep = _preprocessing(meta, layers[0]["n_in"], layers[-1]["n_out"])
    _check_layer_tensors(layers, tensors)
    net = Network([Dense(**layer) for layer in layers], init=init, seed=seed, dtype=dtype)
    net.preprocessing = prep
    expected = {}
    for i, layer in enumerate(net.layers):
        expected.update({f"layers.{i}.{n}": p for n, p in zip(("weights", "bias"), (layer.weights, layer.bias))
                         if p is not None})
    _restore_training(net, meta, expected)
    if set(tensors) != set(expected):
        raise ModelFileError(_mismatch(sorted(set(tensors) - set(expected)), sorted(set(expected) - set(tensors))))
    for key, target in expected.items():
        value = tensors[key]
        if value.shape != target.shape or value.dtype != target.dtype:
            raise ModelFileError(f"tensor {key!r} has shape {value.shape} and dtype {value.dtype}; the "
                                 f"architecture needs {target.shape} and {target.dtype}")
        if not np.isfinite(value).all():
            raise ModelFileError(f"tensor {key!r} holds NaN or infinite values")
        np.copyto(target, value)
    return net


def _mismatch(extra: list[str], lacking: list[str]) -> str:
    return (f"tensors do not match the architecture (unexpected: {reprlib.repr(extra) if extra else 'none'}; "
            f"missing: {reprlib.repr(lacking) if lacking else 'none'})")


def _layers(spec: dict) -> list[dict]:
    """Each layer's ``Dense`` arguments, checked (names known, sizes >= 1, n_out of layer i = n_in of i + 1)
    without building anything."""
    layers = _get(spec, "layers", list, "network ")
    if not layers:
        raise ModelFileError("the network has no layers")
    args = []
    for i, layer in enumerate(layers):
        where = f"layer {i} "
        _get(layer, "type", str, where, known={"dense"})
        sizes = [_get(layer, k, int, where) for k in ("n_in", "n_out")]
        if min(sizes) < 1:
            raise ModelFileError(f"layer {i} has a size below 1: {reprlib.repr(sizes)}")
        if args and args[-1]["n_out"] != sizes[0]:
            raise ModelFileError(f"layer {i - 1} has {reprlib.repr(args[-1]['n_out'])} outputs but layer {i} "
                                 f"expects {reprlib.repr(sizes[0])} inputs")
        args.append({"n_in": sizes[0], "n_out": sizes[1],
                     "activation": _get(layer, "activation", str, where, known=activations.ACTIVATIONS),
                     "bias": _get(layer, "bias", bool, where),
                     "init": _get(layer, "init", (str, type(None)), where, known=initializers.INITIALIZERS)})
    return args


def _check_layer_tensors(layers: list[dict], tensors: dict[str, np.ndarray]) -> None:
    """The declared shapes, weights (n_in, n_out) and bias (n_out,), against the tensors the file holds: done
    before the Network is built, so made-up sizes are refused without allocating them."""
    shapes = {}
    for i, layer in enumerate(layers):
        shapes[f"layers.{i}.weights"] = (layer["n_in"], layer["n_out"])
        if layer["bias"]:
            shapes[f"layers.{i}.bias"] = (layer["n_out"],)
    lacking = sorted(set(shapes) - set(tensors))
    if lacking:
        raise ModelFileError(_mismatch([], lacking))
    for key, shape in shapes.items():
        if tensors[key].shape != shape:
            raise ModelFileError(f"tensor {key!r} has shape {tensors[key].shape}; the architecture needs "
                                 f"{reprlib.repr(shape)}")


def _preprocessing(meta: dict, n_inputs: int, n_outputs: int) -> Preprocessor | None:
    """The CSV preprocessing, if any, checked to make as many inputs and outputs as the network has."""
    spec = _get(meta, "preprocessing", (dict, type(None)), "")
    if spec is None:
        return None
    prep = Preprocessor.from_json(spec)
    if (prep.n_inputs, prep.n_outputs) != (n_inputs, n_outputs):
        raise ModelFileError(f"the preprocessing makes {prep.n_inputs} inputs and {prep.n_outputs} outputs; "
                             f"the network has {reprlib.repr(n_inputs)} and {reprlib.repr(n_outputs)}")
    return prep


def _restore_training(net: Network, meta: dict, expected: dict[str, np.ndarray]) -> None:
    """Loss, metrics, optimizer (adding its state tensors to ``expected``), generator, history, training."""
    loss = _get(meta, "loss", (str, type(None)), "", known=losses.LOSSES)
    if loss is not None:
        net.loss = losses.get(loss)
        net.loss.check_activation(net.layers[-1].activation)
    names = _get(meta, "metrics", list, "")
    for name in names:
        _get({"metric": name}, "metric", str, "", known=metrics.TRAINING_METRICS)
    if names:
        net._set_metrics(names)
    opt = _get(meta, "optimizer", (dict, type(None)), "")
    if opt is not None:
        net.optimizer = _optimizer(opt, net, expected)
    net.rng = _generator(_get(meta, "rng", dict, ""))
    net.history = _history(_get(meta, "history", dict, ""))
    net.training = _get(meta, "training", (dict, type(None)), "")


def _optimizer(spec: dict, net: Network, expected: dict[str, np.ndarray]) -> optimizers.Optimizer:
    name = _get(spec, "name", str, "optimizer ", known=optimizers.OPTIMIZERS)
    cls = optimizers.OPTIMIZERS[name]
    config = _get(spec, "config", dict, "optimizer ")
    if set(config) != set(cls().config()):
        raise ModelFileError(f"optimizer {name!r} settings {sorted(config)} differ from {sorted(cls().config())}")
    opt = cls(**config)  # checks each setting (an InputError, reported with the file's name)
    opt.steps = _get(spec, "steps", int, "optimizer ")
    if not 0 <= opt.steps < 2**63:  # Adam takes beta**steps as a float
        raise ModelFileError(f"optimizer steps must be a non-negative integer below 2**63; "
                             f"got {reprlib.repr(opt.steps)}")
    state = _get(spec, "state", list, "optimizer ")
    params = net.params()
    if len(state) not in (0, len(params)):
        raise ModelFileError(f"optimizer state for {len(state)} parameters; the network has {len(params)}")
    for p, (keys, (param, _, _)) in enumerate(zip(state, params)):
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys) \
                or len(set(keys)) != len(keys) or not set(keys) <= STATE_KEYS[name]:
            raise ModelFileError(f"optimizer {name!r} state {reprlib.repr(keys)} for parameter {p} "
                                 "is not one it keeps")
        opt.state.append({key: np.empty_like(param) for key in keys})
        expected.update({f"optimizer.{p}.{key}": value for key, value in opt.state[-1].items()})
    return opt


def _generator(state: dict) -> np.random.Generator:
    """A PCG64 generator set to ``state``; NumPy checks the fields (OverflowError: a number out of range)."""
    if state.get("bit_generator") != "PCG64":
        raise ModelFileError(f"the random-number state is for {reprlib.repr(state.get('bit_generator'))}, "
                             "not PCG64")
    rng = np.random.Generator(np.random.PCG64())
    try:
        rng.bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise ModelFileError(f"the random-number state is malformed ({exc})") from None
    return rng


def _history(spec: dict) -> History:
    """Equally long lists of numbers, kept as floats (an integer past the float range is refused)."""
    lengths = {len(v) if isinstance(v, list) else -1 for v in spec.values()}
    ok = len(lengths) <= 1 and -1 not in lengths and all(
        isinstance(x, float) or _is_int(x) and abs(x) <= sys.float_info.max for v in spec.values() for x in v)
    if not ok or (spec and "loss" not in spec):
        raise ModelFileError("the training history must map names to equally long lists of numbers (within the "
                             "float range), with 'loss'")
    history = History()
    history.update({k: [float(x) for x in v] for k, v in spec.items()})
    return history
