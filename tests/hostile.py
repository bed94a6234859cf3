"""Hostile inputs, made from good ones by seeded mutations, and how glassnet takes them: shared by the fuzzing
tests (tests/test_fuzz.py, Hypothesis picks the seeds) and benchmarks/hostile.py (counts outcomes, for this
glassnet or an older one on PYTHONPATH).

Outcomes: ``loaded`` / ``read`` (a correct result), ``refused`` (one glassnet error line), ``traceback`` (any
other exception), ``slow`` (over the time limit), ``memory`` (over the memory limit), ``changed`` (loaded, but
means something other than the file it was made from: a silent wrong result).
"""

from __future__ import annotations

import json
import random
import struct
import time
import tracemalloc
from pathlib import Path

import numpy as np

import glassnet as gn
from glassnet.cli import main

TIME_LIMIT = 10.0  # seconds
MEMORY_LIMIT = 500 * 2**20  # bytes allocated at the peak (tracemalloc sees NumPy's allocations)
VALUES = [None, True, False, 0, -1, 1.5, 10**400, 1e308, -1e308, "", "x" * 100_000, "\ud800", "<script>", [],
          {}, [[[[[]]]]], {"name": "dense"}, "float16", 2**63, -(2**63)]


def _load(path: Path) -> object:
    return (getattr(gn, "load_model", None) or gn.load)(path)


def _sign(text: str, tensors: dict) -> dict[str, str]:
    """The metadata entries that make ``text`` a well-signed model file (for glassnet versions that sign)."""
    try:
        from glassnet.formats.modelfile import digest
    except ImportError:
        return {"glassnet": text}
    return {"glassnet": text, "glassnet.sha256": digest(text, tensors)}


# --- model files ------------------------------------------------------------------------------

def model_files(folder: Path) -> list[Path]:
    """Good model files to mutate: a bundle glassnet train wrote, a Python network with dropout and a schedule in
    float32, and a version-1 file."""
    folder.mkdir(parents=True, exist_ok=True)
    made = [folder / "iris.safetensors", folder / "python.safetensors"]
    main(["train", "iris", "--target", "species", "--epochs", "2", "--quiet", "--out", str(made[0])])
    layers = [gn.Dense(3, 6, activation="relu"), gn.Dense(6, 2, activation="softmax")]
    if hasattr(gn, "Dropout"):
        layers.insert(1, gn.Dropout(0.2))
    net = gn.Network(layers, seed=1, dtype=np.float32)
    X = np.random.default_rng(0).normal(size=(40, 3))
    net.fit(X, (X[:, 0] > 0).astype(int), epochs=2, batch_size=8, loss="categorical_crossentropy", verbose=0)
    net.save(made[1])
    v1 = Path(__file__).parent / "data" / "v1_iris.safetensors"
    (folder / "v1.safetensors").write_bytes(v1.read_bytes())
    return made + [folder / "v1.safetensors"]


def _split(blob: bytes) -> tuple[dict, bytes]:
    n = int.from_bytes(blob[:8], "little")
    return json.loads(blob[8:8 + n]), blob[8 + n:]


def _join(header: dict, body: bytes) -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + body


def _paths(obj: object, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside nested dicts and lists."""
    found = [prefix]
    if isinstance(obj, dict):
        for key, value in obj.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj[:6]):
            found += _paths(value, (*prefix, i))
    return found


def mutate_model(blob: bytes, kind: str, rng: random.Random) -> bytes:
    """One hostile variant of a model file."""
    if kind == "bit flip":
        where = rng.randrange(len(blob))
        return blob[:where] + bytes([blob[where] ^ (1 << rng.randrange(8))]) + blob[where + 1:]
    if kind == "truncation":
        return blob[:rng.choice([rng.randrange(len(blob)), len(blob) * rng.randrange(10) // 10])]
    if kind == "header length":
        return struct.pack("<Q", rng.choice([0, 1, 7, 2**63, 2**64 - 1, len(blob), len(blob) - 9,
                                             rng.randrange(2**32)])) + blob[8:]
    header, body = _split(blob)
    if kind == "dtype":
        name = rng.choice([k for k in header if k != "__metadata__"])
        header[name]["dtype"] = rng.choice([d for d in ("F16", "F32", "F64", "I64", "U8", "BF16", "F8_E4M3", "BOOL")
                                            if d != header[name]["dtype"]])
        return _join(header, body)
    meta = json.loads(header["__metadata__"]["glassnet"])
    path = rng.choice(_paths(meta)[1:])
    target = meta
    for key in path[:-1]:
        target = target[key]
    value = "__deep__" if rng.random() < 0.1 else rng.choice(VALUES)  # (deep: nested 5,000 arrays deep)
    if isinstance(target, dict) and rng.random() < 0.2:
        target.pop(path[-1])
    else:
        target[path[-1]] = value
    text = json.dumps(meta).replace('"__deep__"', "[" * 5000 + "]" * 5000)
    from safetensors.numpy import load

    header["__metadata__"].update(_sign(text, load(blob)) if kind == "metadata, signed" else {"glassnet": text})
    return _join(header, body)


MODEL_KINDS = ["bit flip", "truncation", "header length", "dtype", "metadata", "metadata, signed"]


def _fingerprint(model: object) -> tuple:
    """Everything a model file means: parameters, optimizer settings and state, generator, history, and the
    preprocessing and training record of a bundle."""
    net = getattr(model, "network", model)
    opt = net.optimizer
    arrays = [a.tobytes() for _, a, _ in net.named_parameters()] if hasattr(net, "named_parameters") else \
        [layer.weights.tobytes() for layer in net.layers]
    state = [(k, v.tobytes()) for s in opt.state for k, v in sorted(s.items())] if opt else []
    prep = getattr(model, "preprocessing", None)
    return (arrays, repr(opt), opt and opt.steps, state, str(net.rng.bit_generator.state), json.dumps(net.history),
            prep and json.dumps(prep.to_json()), repr(getattr(model, "record", None)), repr(net))


def model_outcome(original: Path, mutated: Path, kind: str) -> str:
    """What loading ``mutated`` gives (a variant of ``original`` made by ``kind``)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        try:
            model = _load(mutated)
        except gn.ModelFileError as exc:
            return "refused" if "\n" not in str(exc) else "traceback"
        except Exception:  # noqa: BLE001 (the outcome counted)
            return "traceback"
        if time.perf_counter() - start > TIME_LIMIT:
            return "slow"
        if tracemalloc.get_traced_memory()[1] > MEMORY_LIMIT:
            return "memory"
        if kind != "metadata, signed":  # a signed change is a new, valid file; any other must not load changed
            return "loaded" if _fingerprint(model) == _fingerprint(_load(original)) else "changed"
        return "loaded"
    finally:
        tracemalloc.stop()


# --- CSV files -----------------------------------------------------------------------------------

CSV_KINDS = ["bytes", "unicode", "quote", "nul", "bom", "huge cell", "many columns", "numbers"]
ODD = ["\x00", "\ufeff", '"', "'", ",", "\r", "\n", ";", "\t", "\u202e", "\xa0", "١", "３", "_", "é", "\ud800",
       "1e999", "nan", "-inf", "  ", "x" * 1000]


def good_csv(rng: random.Random) -> str:
    rows = [f"{rng.uniform(-5, 5):.3f},{rng.choice(['red', 'blue', 'green'])},{rng.randrange(3)}"
            for _ in range(rng.randrange(12, 40))]
    return "size,colour,y\n" + "\n".join(rows) + "\n"


def mutate_csv(text: str, kind: str, rng: random.Random) -> bytes:
    """One hostile variant of a CSV table."""
    if kind == "many columns":
        width = rng.randrange(200, 3000)
        header = ",".join(f"c{j}" for j in range(width)) + ",y\n"
        return (header + "".join(",".join("1" for _ in range(width)) + f",{i % 2}\n" for i in range(10))).encode()
    if kind == "bytes":
        data = bytearray(text.encode())
        for _ in range(rng.randrange(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    insert = {"unicode": lambda: rng.choice(ODD), "quote": lambda: '"', "nul": lambda: "\x00",
              "bom": lambda: "\ufeff", "huge cell": lambda: "7" * rng.choice([10**5, 2 * 10**5]),
              "numbers": lambda: rng.choice(["1_000", "３", "١٢", "1,5", "2,500", "1.5\xa0", "0x10", "1e5"])}[kind]
    for _ in range(rng.randrange(1, 4)):
        where = rng.randrange(len(text))
        text = text[:where] + insert() + text[where:]
    return text.encode("utf-8", "surrogatepass")


def csv_outcome(path: Path, out: Path) -> str:
    """What ``glassnet train`` does with the file: trained (``read``), ``refused`` with one line and exit 2, or
    not; a table it trains on must have every row that a strict reading of the file finds (``changed``: rows
    lost or made up without a word)."""
    import contextlib
    import csv
    import io
    import re

    err, said = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(said):
            code = main(["train", str(path), "--target", "y", "--epochs", "1", "--val-split", "0", "--test-split",
                         "0", "--hidden", "2", "--out", str(out)])
    except SystemExit:
        return "refused"
    except Exception:  # noqa: BLE001 (the outcome counted)
        return "traceback"
    if time.perf_counter() - start > TIME_LIMIT:
        return "slow"
    if code != 0:
        return "refused" if code == 2 and len(err.getvalue().splitlines()) == 1 else "traceback"
    rows = re.search(r"(\d+) rows -> ", said.getvalue())
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            strict = [row for row in csv.reader(f, skipinitialspace=True, strict=True) if row]
    except csv.Error as exc:  # a quote that never closes: the rest of the file went into one cell
        return "changed" if "unexpected end of data" in str(exc) else "read"
    except (UnicodeDecodeError, ValueError):
        return "read"  # (strictly not CSV, read leniently: nothing to compare with)
    if any(_looks_like_a_number(cell.strip()) for row in strict[1:] for cell in row):
        return "changed"  # read as a number though not one ('1_000', '３'), or as text though it looks like one
    return "read" if rows and int(rows.group(1)) == len(strict) - 1 else "changed"


def _looks_like_a_number(cell: str) -> bool:
    """Python's float() reads it, but it is not an ASCII decimal number."""
    import re

    try:
        float(cell)
    except ValueError:
        return False
    return not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]?(nan|inf|infinity)", cell, re.I | re.A)
