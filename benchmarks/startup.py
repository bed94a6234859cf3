"""Section 3: start-up time, each case in a fresh interpreter (same environment as the parent).

``wall`` is the whole process as the parent sees it (interpreter start included); ``import`` is the
import statement alone, timed inside the child.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from harness import installed

HEAVY = ("torch", "sklearn", "scipy", "matplotlib", "onnx", "onnxruntime", "dask", "pandas")
TIMED_IMPORT = "import time; t = time.perf_counter(); import {0}; print(time.perf_counter() - t)"


def _cases() -> list[tuple[str, list[str], str | None]]:
    py = sys.executable
    script = Path(py).with_name("glassnet")
    help_cmd = [str(script), "--help"] if script.exists() else [py, "-m", "glassnet.cli", "--help"]
    cases = [("python -c pass", [py, "-c", "pass"], None), ("glassnet --help", help_cmd, None)]
    for module in ("numpy", "glassnet", "torch", "sklearn.neural_network"):
        if installed(module.split(".")[0]):
            cases.append((f"import {module}", [py, "-c", TIMED_IMPORT.format(module)], module))
    return cases


def _run(argv: list[str]) -> tuple[float, float | None]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    lines = done.stdout.strip().splitlines()
    try:
        return wall, float(lines[-1])
    except (IndexError, ValueError):
        return wall, None


def measure(repeats: int, notes: list[str]) -> list[dict]:
    """Median wall and import seconds per case, cases interleaved repeat by repeat."""
    cases = _cases()
    for missing in ("torch", "sklearn"):
        if not installed(missing):
            notes.append(f"start-up: {missing} not installed: skipped")
    samples: dict[str, list[tuple[float, float | None]]] = {name: [] for name, _, _ in cases}
    for _ in range(repeats):
        for name, argv, _ in cases:
            samples[name].append(_run(argv))
    rows = []
    for name, _, module in cases:
        walls = [w for w, _ in samples[name]]
        imports = [i for _, i in samples[name] if i is not None]
        rows.append({"case": name, "wall": statistics.median(walls),
                     "import": statistics.median(imports) if module and imports else None})
    return rows


def culprits(code: str, top: int = 5) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The modules with the largest cumulative and the largest own import times under
    ``python -X importtime -c code``, as (module, seconds), the code's own top-level import left out."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                          check=True)
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            rows.append((parts[2].strip(), int(parts[1]) / 1e6, int(parts[0]) / 1e6))
    rows = rows[:-1]  # the last line is the statement's own import, which contains all the others
    by_total = sorted(rows, key=lambda row: -row[1])[:top]
    by_self = sorted(rows, key=lambda row: -row[2])[:top]
    return [(name, total) for name, total, _ in by_total], [(name, own) for name, _, own in by_self]


def heavy_modules(code: str) -> list[str]:
    """Which heavy optional libraries are in sys.modules after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.split()
