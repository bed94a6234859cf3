"""How glassnet takes hostile input (issue 11): counts of outcomes over seeded cases, for the glassnet on the path
(``PYTHONPATH=old/src python benchmarks/hostile.py`` measures an older one the same way).

    python benchmarks/hostile.py [--cases N] [--out FILE.md]

Categories: mutated model files and CSV tables (tests/hostile.py), every writing command aimed at its own inputs
and at a device node, a FIFO, a folder (nothing may be replaced), and ``kill -9`` during checkpointing (the
model file must load every time). Columns: cases, tracebacks (any exception but one error line), hangs (over 10
s), memory (over 500 MB), silent wrong results (loaded or read, but not what the file holds), data lost (an
input or a device replaced, a model file that no longer loads).
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import hostile  # noqa: E402 (tests/hostile.py, on the path above)
from glassnet.cli import main  # noqa: E402

COLUMNS = ["cases", "tracebacks", "hangs", "memory", "silent wrong results", "data lost"]


def model_files(cases: int, folder: Path) -> tuple[collections.Counter, collections.Counter]:
    """Outcomes for variants of the files the glassnet being measured writes, and of a version-1 file (which
    has no checksum, so a changed one that still parses loads changed)."""
    seeds = hostile.model_files(folder / "seeds")
    counts = collections.Counter(), collections.Counter()
    for i in range(cases):
        rng = random.Random(i)
        original, kind = rng.choice(seeds), rng.choice(hostile.MODEL_KINDS)
        mutated = folder / "mutated.safetensors"
        mutated.write_bytes(hostile.mutate_model(original.read_bytes(), kind, rng))
        counts[original.name == "v1.safetensors"][hostile.model_outcome(original, mutated, kind)] += 1
    return counts


def csv_tables(cases: int, folder: Path) -> collections.Counter:
    counts = collections.Counter()
    for i in range(cases):
        rng = random.Random(i)
        path = folder / "table.csv"
        path.write_bytes(hostile.mutate_csv(hostile.good_csv(rng), rng.choice(hostile.CSV_KINDS), rng))
        counts[hostile.csv_outcome(path, folder / "model.safetensors")] += 1
    return counts


def destinations(folder: Path) -> collections.Counter:
    """Each writing command and option aimed at each of its inputs, a device node, a FIFO and a folder."""
    import contextlib
    import io

    data, model = folder / "data.csv", folder / "model.safetensors"
    data.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 3},{i % 2}\n" for i in range(40)))
    main(["train", str(data), "--target", "y", "--epochs", "1", "--quiet", "--out", str(model)])
    device, fifo = folder / "null", folder / "fifo"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of its own: losing it harms nothing
    os.mkfifo(fifo)
    writers = [(["train", str(data), "--target", "y", "--epochs", "1", "--out", "OUT"], [data]),
               (["train", str(data), "--target", "y", "--epochs", "1", "--out", str(folder / "n.safetensors"),
                 "--plot", "OUT"], [data]),
               (["predict", str(model), str(data), "--out", "OUT"], [model, data]),
               (["report", str(model), str(data), "--out", "OUT"], [model, data]),
               (["export", str(model), "--onnx", "OUT"], [model]),
               (["plot", str(model), str(data), "--out", "OUT"], [model, data])]
    counts = collections.Counter()
    for args, inputs in writers:  # each aimed at each of its inputs, the device, the FIFO and the folder
        for out in [*inputs, device, fifo, folder]:
            before = data.read_bytes(), model.read_bytes()
            argv = [str(out) if a == "OUT" else a for a in args]
            code = None
            with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
                try:
                    code = _with_timeout(lambda argv=argv: main(argv), 10)
                except SystemExit:
                    code = 2
                except Exception:  # noqa: BLE001 (the outcome counted)
                    code = "traceback"
            lost = (data.read_bytes(), model.read_bytes()) != before or not stat.S_ISCHR(os.stat(device).st_mode) \
                or not stat.S_ISFIFO(os.stat(fifo).st_mode)
            counts["lost" if lost else "hang" if code == "hang" else "traceback" if code == "traceback"
                   else "refused" if code == 2 else "written"] += 1
            if lost:  # put the inputs back for the next case
                data.write_bytes(before[0])
                model.write_bytes(before[1])
                for path, make in ((device, lambda: os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))),
                                   (fifo, lambda: os.mkfifo(fifo))):
                    if not (stat.S_ISCHR(os.stat(path).st_mode) or stat.S_ISFIFO(os.stat(path).st_mode)):
                        path.unlink()
                        make()
    return counts


def _with_timeout(call, seconds: int):
    """``call()``, or "hang" if it takes longer than ``seconds`` (a FIFO opened for writing blocks)."""
    def alarm(*_):
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        return call()
    except TimeoutError:
        return "hang"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def kills(cases: int, folder: Path) -> collections.Counter:
    """``kill -9`` at random moments of train --checkpoint-every 1 over a good model: it must load every time."""
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 8))
    data, out = folder / "k.csv", folder / "k.safetensors"
    np.savetxt(data, np.column_stack([X, X[:, 0] > 0]), delimiter=",", fmt="%.5g",
               header="a,b,c,d,e,f,g,h,y", comments="")
    args = ["train", str(data), "--target", "y", "--patience", "0", "--checkpoint-every", "1", "--quiet", "--hidden",
            "64", "--out", str(out)]
    main(args + ["--epochs", "1"])
    chance, counts = random.Random(0), collections.Counter()
    for _ in range(cases):
        proc = subprocess.Popen([sys.executable, "-m", "glassnet.cli", *args, "--epochs", "100000"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.8, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        try:
            (getattr(hostile.gn, "load_model", None) or hostile.gn.load)(out)
            counts["loaded"] += 1
        except Exception:  # noqa: BLE001 (the outcome counted)
            counts["lost"] += 1
    return counts


def row(name: str, counts: collections.Counter) -> str:
    values = [sum(counts.values()), counts["traceback"], counts["slow"] + counts["hang"], counts["memory"],
              counts["changed"], counts["lost"]]
    return f"| {name} | " + " | ".join(str(v) for v in values) + " |"


def run(cases: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        written, version_1 = model_files(cases, folder)
        rows = [row("model files it writes (mutated)", written), row("version-1 model files (mutated)", version_1),
                row("CSV tables (mutated)", csv_tables(cases // 4, folder)),
                row("writing commands x bad destinations", destinations(folder)),
                row("kill -9 during checkpointing", kills(max(4, cases // 50), folder))]
    import glassnet

    head = f"glassnet from {Path(glassnet.__file__).parent}\n\n| cases of | " + " | ".join(COLUMNS) + " |\n"
    return head + "|---" * (len(COLUMNS) + 1) + "|\n" + "\n".join(rows) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--out", type=Path)
    options = parser.parse_args()
    table = run(options.cases)
    print(table)
    if options.out:
        options.out.write_text(table)
