"""Model files: one safetensors file holding a network and everything needed to use it and go on training it.

Tensors: each layer's parameters, ``layers.{i}.{name}`` (a Dense layer's ``weights`` (n_in, n_out) and ``bias``
(n_out,)), and the optimizer's state per group of parameters, ``optimizer.{p}.{key}`` (group 0 the weights,
1 the biases; ``velocity`` for SGD with momentum, ``m`` and ``v`` for Adam). The metadata entry ``glassnet`` is
a JSON object whose format version 3 has four parts:

    network         dtype, seed, initializer, and each layer as {"name": ..., "config": ...}: the maths
    state           loss, metrics, optimizer (with its step count) and the shuffling generator: to go on training
    preprocessing   how the columns of a table become inputs (``glassnet.tabular``), or null
    training        the training record: the command line's settings, the test metrics and the history, and
                    "kept": {"epoch": N} (or {"epochs": [one for each member]}) where early stopping chose the
                    weights (without it, they are the last epoch's)

An ensemble (``glassnet.Ensemble``) is saved the same way, its parameters stacked with a leading member axis,
(members, n_in, n_out), and its member seeds under ``network.seeds``.

Version 2 is version 3 without "kept", and is read as it is. Version 1 (glassnet 0.1: Dense layers only,
components by name) is read by rewriting its metadata as version 2;
``glassnet.formats.metadata`` reads and checks the JSON, this module the tensors and the network they make.

Loading reads data only (JSON and raw tensors): it accepts registered layer, activation, loss, optimizer,
schedule and initializer names, whose constructors check every setting, and checks every shape, raising
ModelFileError for anything else. The shapes the metadata declares are checked against the tensors in the
file before the network's storage is allocated, so a file cannot make the loader allocate more than it holds;
values quoted in errors are shortened. A SHA-256 checksum of the metadata and every tensor, stored beside the
metadata, is checked on loading, so a changed bit is refused, not read. Saving writes a temporary file in the
target's folder, flushes and fsyncs it, then renames it over the target.
"""

from __future__ import annotations

import hashlib
import json
import os
import reprlib
import stat
import sys
from typing import Any

import numpy as np

from .. import initializers, layers, losses, metrics, optimizers
from ..constraints import check
from ..ensemble import Ensemble
from ..errors import GlassnetError, InputError, ModelFileError
from ..history import History
from ..network import Network, chain
from . import metadata
from .files import atomic_write
from .metadata import FORMAT, HEADER_LIMIT, VERSION, field, is_int

# --- saving -------------------------------------------------------------------------------

def save_network(net: Network, path: str | os.PathLike) -> None:
    """Write ``net`` alone (no preprocessing, no training settings). A model file that holds those is not
    overwritten: saving only the network over it would lose them."""
    held = _parts_held(path)
    if held:
        raise InputError(f"{os.fspath(path)} holds a model with {' and '.join(held)}, which Network.save would drop; "
                         "load it with gn.load_model and save the Model, or save the network to another file")
    write(path, net)


def write(path: str | os.PathLike, net: Network, preprocessing: dict | None = None,
          training: dict | None = None) -> None:
    """Write ``net`` with the given parts (``training``: ``settings`` and ``test_metrics``) atomically."""
    from safetensors import SafetensorError
    from safetensors.numpy import save as serialize

    tensors, meta = _serialize(net, preprocessing, training or {})
    text = _json(meta)
    try:
        blob = serialize(tensors, metadata={"glassnet": text, metadata.CHECKSUM: digest(text, tensors)})
    except SafetensorError as exc:  # (its header, with the metadata JSON-escaped, is over 100,000,000 bytes)
        if "header too large" not in str(exc):
            raise
        raise InputError(f"cannot save {os.fspath(path)}: its metadata ({len(text.encode('utf-8')) / 1e6:,.0f} MB) "
                         "is more than a model file's header holds (100 MB): a text column with hundreds of "
                         "thousands of categories? Leave it out (--ignore)") from None
    atomic_write(path, blob)


def digest(text: str, tensors: dict[str, np.ndarray]) -> str:
    """SHA-256 of the metadata's JSON text and every tensor (name, dtype, shape and bytes, in name order): a
    flipped bit anywhere, a weight or a class name, and the file is refused instead of predicting something else."""
    h = hashlib.sha256(text.encode("utf-8"))
    for name in sorted(tensors):
        t = np.ascontiguousarray(tensors[name])
        h.update(f"\0{name}\0{t.dtype.str}\0{t.shape}\0".encode())
        h.update(t.data)
    return h.hexdigest()


def _serialize(net: Network, preprocessing: dict | None, training: dict) -> tuple[dict[str, np.ndarray], dict]:
    tensors = {name: value for name, value, _ in net.named_parameters()}
    opt = net.optimizer
    if opt is not None:
        for p, (state, (param, _, _)) in enumerate(zip(opt.state, net.parameters())):
            if sorted(state) != sorted(opt.new_state(param[:0])):  # (keys only: nothing allocated)
                raise InputError(f"optimizer {type(opt).__name__} keeps state {sorted(state)} that its new_state() "
                                 "does not make, so a model file could not be read back: make every state array "
                                 "in new_state() and change it in place")
            tensors.update({f"optimizer.{p}.{key}": value for key, value in state.items()})
    seeds = {"seeds": list(net.seeds)} if isinstance(net, Ensemble) else {}
    meta = {
        "format": FORMAT, "version": VERSION,
        "network": {"dtype": net.dtype.name, "seed": net.seed,
                    "init": None if net.init is None else initializers.REGISTRY.spec(net.init),
                    "layers": [layers.REGISTRY.spec(layer) for layer in net.layers], **seeds},
        "state": {"loss": None if net.loss is None else losses.REGISTRY.spec(net.loss),
                  "metrics": list(net.metrics),
                  "optimizer": None if opt is None else {**optimizers.REGISTRY.spec(opt), "steps": opt.steps,
                                                         "state": [sorted(s) for s in opt.state]},
                  "rng": net.rng.bit_generator.state},
        "preprocessing": preprocessing,
        "training": {"settings": training.get("settings"), "test_metrics": training.get("test_metrics"),
                     "history": {key: list(values) for key, values in net.history.items()}, **_kept(net.history)},
    }
    return {k: np.ascontiguousarray(v) for k, v in tensors.items()}, meta


def _json(meta: dict) -> str:
    """The metadata as JSON (NumPy scalars as the numbers they hold), or an InputError naming the part whose
    settings are not JSON-safe."""
    try:
        return json.dumps(meta, default=_plain)
    except TypeError:
        parts = [(f"layer {i}", spec) for i, spec in enumerate(meta["network"]["layers"])]
        parts += [(part, meta["state"][part]) for part in ("loss", "optimizer")]
        parts += [("the preprocessing", meta["preprocessing"]), ("the training record", meta["training"])]
        for what, part in parts:
            try:
                json.dumps(part, default=_plain)
            except TypeError as exc:
                raise InputError(f"{what} cannot be saved: its settings are not plain JSON values ({exc}); a "
                                 "config() returns numbers, strings, booleans, None, lists and dicts") from None
        raise


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} {reprlib.repr(value)} is not a plain JSON value")


def _parts_held(path: str | os.PathLike) -> list[str]:
    """What an existing glassnet model file at ``path`` holds besides a network (its header only is read; nothing
    but a regular file is opened: a pipe would wait for a writer forever)."""
    if not os.path.isfile(path):
        return []
    try:
        with open(path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            meta = json.loads(json.loads(f.read(n))["__metadata__"]["glassnet"]) if 0 < n <= HEADER_LIMIT else {}
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return []
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        return []
    training = meta.get("training") if meta.get("version") != 1 else {"settings": meta.get("training")}
    held = ["preprocessing"] if meta.get("preprocessing") else []
    if isinstance(training, dict):
        held += [what for key, what in (("settings", "training settings"), ("test_metrics", "test metrics"))
                 if training.get(key)]
    return held


# --- loading ------------------------------------------------------------------------------

def load_network(path: str | os.PathLike) -> Network:
    """Read a model file: the Network, ready to predict, evaluate or ``fit`` further (with its loss, metrics,
    optimizer state and step count, shuffling generator and ``history``). Any problem raises ModelFileError."""
    return read(path)[0]


def read(path: str | os.PathLike) -> tuple[Network, dict[str, Any]]:
    """(network, parts): ``parts`` holds the file's format ``version``, its ``preprocessing`` (a dict or None)
    and ``training`` (``settings`` and ``test_metrics``, each a dict or None), for ``glassnet.tabular.Model``."""
    name = os.fspath(path)
    try:
        if os.path.isdir(path):
            raise ModelFileError(f"{name} is a folder, not a model file")
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block, /dev/zero never end
            raise ModelFileError(f"{name} is not a regular file (a device, a pipe or a socket), not a model file")
        with open(path, "rb") as f:
            blob, (meta, text, checksum) = metadata.read_file(f, name)
    except FileNotFoundError:
        raise ModelFileError(f"{name}: no such model file") from None
    except OSError as exc:
        raise ModelFileError(f"{name}: {exc.strerror or exc}") from None
    try:
        version = meta.get("version")
        meta = metadata.from_version_1(meta) if version == 1 else meta
        metadata.check_keys(meta)
        tensors = _tensors(blob)
        if version >= 2 and checksum != digest(text, tensors):
            raise ModelFileError("its checksum does not match its contents: the file was changed or damaged since "
                                 "glassnet wrote it" if isinstance(checksum, str) else
                                 f"it lacks the checksum ({metadata.CHECKSUM}) that files of format 2 and later hold")
        net = _build(meta, tensors)
        training = meta["training"]
        parts = {"version": version, "preprocessing": field(meta, "preprocessing", (dict, type(None)), ""),
                 "training": {key: field(training, key, (dict, type(None)), "training ")
                              for key in ("settings", "test_metrics")}}
    except GlassnetError as exc:
        raise ModelFileError(f"{name}: {exc}") from None
    return net, parts


def _tensors(blob: bytes) -> dict[str, np.ndarray]:
    from safetensors import SafetensorError
    from safetensors.numpy import load as deserialize

    try:
        return deserialize(blob)
    except (SafetensorError, ValueError) as exc:
        raise ModelFileError(f"damaged or truncated safetensors data ({str(exc)[:200]})") from None
    except KeyError as exc:  # a dtype safetensors knows and NumPy does not (BF16, F8_E4M3, ...)
        raise ModelFileError(f"a tensor of dtype {reprlib.repr(exc.args[0])}, which glassnet does not use") from None


def _build(meta: dict, tensors: dict[str, np.ndarray]) -> Network:
    spec = meta["network"]
    dtype = field(spec, "dtype", str, "network ", known={"float32", "float64"})
    init = field(spec, "init", (dict, type(None)), "network ")
    seed = check("seed", field(spec, "seed", int, "network "), "the network seed")
    stack = _layers(field(spec, "layers", list, "network "))
    seeds = _member_seeds(spec, seed, stack)
    _check_shapes({f"layers.{i}.{p.name}": p.shape for i, layer in enumerate(stack) for p in layer.params()},
                  tensors, np.dtype(dtype))
    init = init and initializers.REGISTRY.build(init)
    try:
        net = Network(stack, init=init, seed=seed, dtype=dtype) if seeds is None else \
            Ensemble(stack, seeds, init=init, dtype=dtype)
    except InputError as exc:
        raise ModelFileError(f"the network: {exc}") from None
    expected = {name: value for name, value, _ in net.named_parameters()}
    _restore_state(net, meta, expected, tensors)
    if set(tensors) != set(expected):
        raise ModelFileError(_mismatch(sorted(set(tensors) - set(expected)), sorted(set(expected) - set(tensors))))
    for key, target in expected.items():
        value = tensors[key]
        if value.shape != target.shape or value.dtype != target.dtype:
            raise ModelFileError(f"tensor {key!r} has shape {value.shape} and dtype {value.dtype}; the "
                                 f"architecture needs {target.shape} and {target.dtype}")
        if not np.isfinite(value).all():
            raise ModelFileError(f"tensor {key!r} holds NaN or infinite values")
        if key.startswith("optimizer.") and key.rsplit(".", 1)[1] in net.optimizer.squares and (value < 0).any():
            raise ModelFileError(f"tensor {key!r} holds negative values: it is a running mean of squares")
        np.copyto(target, value)
    return net


def _member_seeds(spec: dict, seed: int, stack: list[layers.Layer]) -> list[int] | None:
    """An ensemble's seeds (the first is the network's seed), with each layer told the number of members so that
    its parameters' shapes have the member axis; None for a plain network."""
    if "seeds" not in spec:
        return None
    seeds = field(spec, "seeds", list, "network ")
    if not seeds or not all(is_int(s) for s in seeds) or seeds[0] != seed or len(seeds) > 2**16:
        raise ModelFileError(f"the ensemble's seeds {reprlib.repr(seeds)} must be integers, the first the network's "
                             f"seed {seed}")
    for i, layer in enumerate(stack):
        if not layer.batched:
            raise ModelFileError(f"layer {i} ({type(layer).__name__}) cannot be part of an ensemble")
        layer.members = len(seeds)
    return seeds


def _mismatch(extra: list[str], lacking: list[str]) -> str:
    return (f"tensors do not match the architecture (unexpected: {reprlib.repr(extra) if extra else 'none'}; "
            f"missing: {reprlib.repr(lacking) if lacking else 'none'})")


def _layers(specs: list) -> list[layers.Layer]:
    """The layers the specs describe, their widths chained (layer i's output is layer i + 1's input); nothing
    is allocated yet."""
    if not specs:
        raise ModelFileError("the network has no layers")
    stack = []
    for i, spec in enumerate(specs):
        try:
            stack.append(layers.REGISTRY.build(spec))
        except InputError as exc:
            raise ModelFileError(f"layer {i}: {exc}") from None
    chain(stack)
    return stack


def _check_shapes(shapes: dict[str, tuple], tensors: dict[str, np.ndarray], dtype: np.dtype) -> None:
    """The declared shapes and the dtype against the tensors the file holds: done before anything of that size is
    allocated (the network's storage, the optimizer's state), so made-up sizes are refused without it."""
    lacking = sorted(set(shapes) - set(tensors))
    if lacking:
        raise ModelFileError(_mismatch([], lacking))
    for key, shape in shapes.items():
        if tensors[key].shape != shape or tensors[key].dtype != dtype:
            raise ModelFileError(f"tensor {key!r} has shape {tensors[key].shape} and dtype {tensors[key].dtype}; "
                                 f"the architecture needs {reprlib.repr(shape)} and {dtype}")


def _restore_state(net: Network, meta: dict, expected: dict[str, np.ndarray],
                   tensors: dict[str, np.ndarray]) -> None:
    """Loss, metrics, optimizer (adding its state tensors to ``expected``), generator and history."""
    state = meta["state"]
    loss = field(state, "loss", (dict, type(None)), "")
    if loss is not None:
        net.loss = losses.REGISTRY.build(loss)
        net.loss.check_output(net.layers[-1])
    names = field(state, "metrics", list, "")
    for name in names:
        field({"metric": name}, "metric", str, "", known=metrics.TRAINING_METRICS)
    if names:
        net.set_metrics(names)
    opt = field(state, "optimizer", (dict, type(None)), "")
    if opt is not None:
        net.optimizer = _optimizer(opt, net, expected, tensors)
    _set_generator(net.rng, field(state, "rng", dict, ""))
    net.history = _history(field(meta["training"], "history", dict, "training "))
    _restore_kept(net, meta["training"])


def _optimizer(spec: dict, net: Network, expected: dict[str, np.ndarray],
               tensors: dict[str, np.ndarray]) -> optimizers.Optimizer:
    opt = optimizers.REGISTRY.build({"name": field(spec, "name", str, "optimizer "),
                                     "config": field(spec, "config", dict, "optimizer ")})
    opt.steps = check("optimizer_steps", field(spec, "steps", int, "optimizer "), "optimizer steps")
    state = field(spec, "state", list, "optimizer ")
    groups = net.parameters()
    if len(state) not in (0, len(groups)):
        raise ModelFileError(f"optimizer state for {len(state)} parameters; the network has {len(groups)}")
    for p, (keys, (param, _, _)) in enumerate(zip(state, groups)):
        kept = sorted(opt.new_state(param[:0]))  # (keys only: nothing allocated yet)
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys) or sorted(keys) != kept:
            raise ModelFileError(f"optimizer {opt.name!r} state {reprlib.repr(keys)} for parameter {p} "
                                 "is not the one it keeps")
        _check_shapes({f"optimizer.{p}.{key}": param.shape for key in keys}, tensors, param.dtype)
        fresh = opt.new_state(param)
        opt.state.append(fresh)
        expected.update({f"optimizer.{p}.{key}": value for key, value in fresh.items()})
    return opt


def _set_generator(rng: np.random.Generator, state: dict) -> None:
    """Set the network's PCG64 generator to ``state``; NumPy checks the fields (OverflowError: a number out of
    range)."""
    if state.get("bit_generator") != "PCG64":
        raise ModelFileError(f"the random-number state is for {reprlib.repr(state.get('bit_generator'))}, "
                             "not PCG64")
    inner = state.get("state")
    numbers = [inner.get("state"), inner.get("inc")] if isinstance(inner, dict) else [None]
    if not all(is_int(n) for n in [*numbers, state.get("uinteger")]) or state.get("has_uint32") not in (0, 1) \
            or isinstance(state.get("has_uint32"), bool) or numbers[-1] % 2 != 1:
        raise ModelFileError("the random-number state is malformed (PCG64 holds integers: state, an odd inc, "
                             "has_uint32 0 or 1, uinteger)")
    try:
        rng.bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise ModelFileError(f"the random-number state is malformed ({exc})") from None


def _kept(history: History) -> dict:
    """The training record's "kept": the epoch whose weights early stopping kept, or each member's (none: the
    weights are the last epoch's)."""
    if history.best_epochs:
        return {"kept": {"epochs": list(history.best_epochs)}}
    return {} if history.best_epoch is None else {"kept": {"epoch": history.best_epoch}}


def _restore_kept(net: Network, training: dict) -> None:
    """``history.best_epoch`` or ``best_epochs`` from the training record's "kept" (epochs the history has, and
    one for each member of an ensemble)."""
    if "kept" not in training:
        return
    kept = training["kept"]
    key = next(iter(kept)) if isinstance(kept, dict) and len(kept) == 1 else None
    listed = kept[key] if key == "epochs" else [kept.get(key)] if key == "epoch" else [None]
    members = len(net.seeds) if isinstance(net, Ensemble) else 0
    if not isinstance(listed, list) or not all(is_int(e) and 1 <= e <= net.history.epochs for e in listed) \
            or key == "epochs" and (not members or len(listed) != members):
        raise ModelFileError(f"the training record's 'kept' is {reprlib.repr(kept)}: it must be {{'epoch': N}} or, "
                             f"for an ensemble, {{'epochs': [one N for each member]}}, each N an epoch of the "
                             f"{net.history.epochs} the history records")
    if key == "epochs":
        net.history.best_epochs = listed
    else:
        net.history.best_epoch = listed[0]


def _history(spec: dict) -> History:
    """Equally long lists of numbers, kept as floats (an integer past the float range is refused)."""
    lengths = {len(v) if isinstance(v, list) else -1 for v in spec.values()}
    ok = len(lengths) <= 1 and -1 not in lengths and all(
        isinstance(x, float) or is_int(x) and abs(x) <= sys.float_info.max for v in spec.values() for x in v)
    if not ok or (spec and "loss" not in spec):
        raise ModelFileError("the training history must map names to equally long lists of numbers (within the "
                             "float range), with 'loss'")
    history = History()
    history.update({k: [float(x) for x in v] for k, v in spec.items()})
    return history
