"""The JSON metadata of a model file: read from the safetensors header, checked part by part, and version-1
metadata (glassnet 0.1) rewritten as version 2 (version 3 is version 2 with the training record's
"kept"). Values from the file are quoted shortened (``reprlib``) in
every error, since the file may be hostile."""

from __future__ import annotations

import json
import os
import reprlib
from typing import Any, BinaryIO

from .. import activations, initializers, losses
from ..errors import GlassnetError, ModelFileError

FORMAT = "glassnet-model"
VERSION = 3  # 3: the training record may say which epoch's weights early stopping kept ("kept")
CHECKSUM = "glassnet.sha256"  # the entry beside "glassnet" that holds the checksum (format 2 and later)
HEADER_LIMIT = 100 * 2**20  # bytes of safetensors header: no glassnet model's is larger
PICKLE_MAGIC = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05", b"PK\x03\x04")


def read(blob: bytes) -> tuple[dict, str, object]:
    """(metadata, its JSON text, the checksum the file states or None) of a version this glassnet reads, from the
    bytes of a model file."""
    return _read(blob, len(blob))[:3]


def _read(blob: bytes, size: int) -> tuple[dict, str, object, dict]:
    """``read``'s three parts and the safetensors header they came from; ``blob`` is the file's beginning (at least
    its header) and ``size`` its length."""
    n = int.from_bytes(blob[:8], "little") if len(blob) >= 8 else -1
    plausible = 0 < n <= min(size, len(blob)) - 8  # a safetensors file: its header's length, then the header
    # (a header of 896 bytes begins b"\x80\x03", like a pickle: a pickle is one whose length is not plausible)
    if blob.startswith(PICKLE_MAGIC) and not (plausible and blob[8:9] == b"{"):
        kind = "a zip file (NumPy's .npz, or PyTorch's zip of pickles)" if blob.startswith(b"PK") else "a pickle"
        raise ModelFileError(f"this is {kind}, not a glassnet model; glassnet never loads pickles, which can run "
                             "code")
    if not plausible:
        raise ModelFileError(f"not a safetensors model file, or truncated ({size} bytes)")
    try:
        header = json.loads(blob[8:8 + n])
        text = header.get("__metadata__", {}).get("glassnet")
        checksum = header.get("__metadata__", {}).get(CHECKSUM)
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
    try:
        json.dumps(meta, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ModelFileError("the metadata holds text that is not valid Unicode (a lone surrogate)") from None
    version = meta.get("version")
    if not is_int(version) or version < 1:
        raise ModelFileError(f"model format version {reprlib.repr(version)} is not a positive integer")
    if version > VERSION:
        raise ModelFileError(f"written by a newer glassnet (model format {reprlib.repr(version)}; this glassnet "
                             f"reads format {VERSION} and older): upgrade glassnet to load it")
    return meta, text, checksum, header


def from_version_1(meta: dict) -> dict:
    """Version-1 metadata rewritten as version 2: each layer {"type": "dense", n_in, n_out, activation name,
    bias, init name} becomes a spec; loss and initializer names become specs; the parts are regrouped."""
    spec = field(meta, "network", dict, "")
    v1_layers = field(spec, "layers", list, "network ")
    dense = []
    for i, layer in enumerate(v1_layers):
        where = f"layer {i} "
        field(layer, "type", str, where, known={"dense"})
        config = {key: layer.get(key) for key in ("n_in", "n_out", "bias")}
        config["activation"] = _named(activations.REGISTRY, field(layer, "activation", str, where))
        config["init"] = _named(initializers.REGISTRY, field(layer, "init", (str, type(None)), where))
        dense.append({"name": "dense", "config": config})
    loss = field(meta, "loss", (str, type(None)), "")
    moved = {key: field(meta, key, object, "") for key in ("metrics", "optimizer", "rng", "preprocessing",
                                                          "training", "history")}
    return {
        "format": FORMAT, "version": VERSION,
        "network": {"dtype": spec.get("dtype"), "seed": spec.get("seed"),
                    "init": _named(initializers.REGISTRY, field(spec, "init", (str, type(None)), "network ")),
                    "layers": dense},
        "state": {"loss": _named(losses.REGISTRY, loss), "metrics": moved["metrics"], "optimizer": moved["optimizer"],
                  "rng": moved["rng"]},
        "preprocessing": moved["preprocessing"],
        "training": {"settings": moved["training"], "test_metrics": None, "history": moved["history"]},
    }


KEYS = {"": {"format", "version", "network", "state", "preprocessing", "training"},
        "network": {"dtype", "seed", "init", "layers"}, "state": {"loss", "metrics", "optimizer", "rng"},
        "training": {"settings", "test_metrics", "history"}}
OPTIONAL = {"network": {"seeds"},  # an ensemble's member seeds (glassnet.Ensemble); a plain network has none
            "training": {"kept"}}  # (format 3) the epoch(s) whose weights early stopping kept; none: the last epoch's


def check_keys(meta: dict) -> None:
    """Each part of version-2 or 3 metadata holds exactly its keys (a key too many would be ignored: refused);
    "kept" is format 3's."""
    parts = {part: field(meta, part, dict, "") if part else meta for part in KEYS}
    for part, keys in KEYS.items():
        obj = parts[part]
        if meta["version"] < 3 and part == "training" and "kept" in obj:
            raise ModelFileError(f"the training part holds 'kept', which format 3 added, but the file says format "
                                 f"{reprlib.repr(meta['version'])}")
        if set(obj) - OPTIONAL.get(part, set()) != keys:
            where = f"the {part} part" if part else "the metadata"
            raise ModelFileError(f"{where} holds {reprlib.repr(sorted(set(obj) - keys))} and lacks "
                                 f"{reprlib.repr(sorted(keys - set(obj)))}; format {VERSION} has "
                                 f"{', '.join(sorted(keys))}")
    optimizer = meta["state"]["optimizer"]
    if isinstance(optimizer, dict) and set(optimizer) != {"name", "config", "steps", "state"}:
        raise ModelFileError(f"the optimizer part holds {reprlib.repr(sorted(optimizer))}; format {VERSION} has "
                             "config, name, state, steps")


def _named(registry: Any, name: str | None) -> dict | None:
    """The spec of a version-1 component name: its settings are the defaults (version 1 saved none)."""
    return None if name is None else registry.spec(registry.get(name))


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def field(obj: object, key: str, kinds: type | tuple, where: str, known: object = None) -> Any:
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


def read_file(f: BinaryIO, name: str) -> tuple[bytes, tuple[dict, str, object]]:
    """The whole file and what ``read`` gives of it, the file read whole only once its header has shown it to be
    a glassnet model (a file of gigabytes that is not one is refused after reading its first bytes, not after
    reading it all); an error names ``name``."""
    size = os.fstat(f.fileno()).st_size
    head = f.read(8)
    n = int.from_bytes(head, "little") if len(head) == 8 else -1
    if HEADER_LIMIT < n <= size - 8:
        raise ModelFileError(f"{name}: its header would be {n:,} bytes, more than a glassnet model's "
                             f"({HEADER_LIMIT:,}); not a glassnet model file")
    header = f.read(n if 0 < n <= size - 8 else 8)  # (else ``_read`` says what is wrong)
    try:
        *parts, entries = _read(head + header, size)  # (an error if its header is not a glassnet model's)
    except GlassnetError as exc:
        raise ModelFileError(f"{name}: {exc}") from None
    try:
        ends = [int(entry["data_offsets"][1]) for key, entry in entries.items() if key != "__metadata__"]
    except (TypeError, KeyError, IndexError, ValueError, AttributeError):
        raise ModelFileError(f"{name}: damaged or truncated safetensors data (a tensor's entry in its header has "
                             "no data_offsets)") from None
    if size != 8 + n + max(ends, default=0):
        raise ModelFileError(f"{name}: damaged or truncated safetensors data (its header describes "
                             f"{8 + n + max(ends, default=0):,} bytes; the file holds {size:,})")
    f.seek(0)
    return f.read(), tuple(parts)
