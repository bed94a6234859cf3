"""Timing and agreement checks shared by every benchmark section.

Each contender is measured in the same process, round-robin: repeat r runs every contender once,
starting with a different one each repeat, so slow drifts of the machine hit all of them alike.
The figure reported is the median over repeats.
"""

from __future__ import annotations

import gc
import importlib.util
import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Loss agreement tolerances (relative), justified in README.md: float64 contenders agree to ~1e-15 and one
# step fewer moves the tutorial's loss by ~2e-5; float32 ones agree to ~1e-8 (torch's MKL against OpenBLAS)
# and one step fewer moves the MLP's loss by >= 5e-4. Each check also asserts that its tolerance is below
# the measured one-step change.
RTOL_FLOAT64 = 1e-9
RTOL_FLOAT32 = 1e-5
RTOL_SHUFFLED = 0.05  # another row order gives another loss: this only catches gross loss of work


@dataclass
class Contender:
    """``make()`` builds a fresh run (untimed: data, weights, model); the run it returns is timed.
    ``loss(output)`` turns what the run returned into its final loss (untimed; None: no loss to check)."""

    name: str
    make: Callable[[], Callable[[], Any]]
    loss: Callable[[Any], float] | None
    warm: Callable[[], Callable[[], Any]] | None = None  # a short run to load code paths before timing


@dataclass
class Measured:
    name: str
    times: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def spread(self) -> float:
        """(max - min) / median of the repeats: how noisy the figure is."""
        return (max(self.times) - min(self.times)) / self.median


def measure(contenders: list[Contender], repeats: int) -> dict[str, Measured]:
    """Run every contender ``repeats`` times, interleaved; return their times and final losses."""
    for c in contenders:
        (c.warm or c.make)()()
    results = {c.name: Measured(c.name) for c in contenders}
    for r in range(repeats):
        k = r % len(contenders)
        for c in contenders[k:] + contenders[:k]:
            run = c.make()
            gc.collect()
            wait_for_quiet()
            start = time.perf_counter()
            out = run()
            elapsed = time.perf_counter() - start
            results[c.name].times.append(elapsed)
            results[c.name].losses.append(float(c.loss(out)) if c.loss else math.nan)
    return results


@dataclass
class Check:
    """Does ``name``'s final loss agree with ``reference``'s within ``rtol`` (relative)? ``sensitivity`` is how
    much the reference's loss changes with one step fewer: the tolerance must be below it, or the check could
    not tell a contender that skipped work."""

    section: str
    name: str
    reference: str
    loss: float
    ref_loss: float
    rtol: float
    sensitivity: float | None = None

    @property
    def rel(self) -> float:
        return abs(self.loss - self.ref_loss) / abs(self.ref_loss)

    @property
    def ok(self) -> bool:
        tight = self.sensitivity is None or self.rtol < self.sensitivity
        return math.isfinite(self.loss) and self.rel <= self.rtol and tight


def agreement(section: str, results: dict[str, Measured], names: list[str], ref: float, ref_name: str,
              rtol: float, sensitivity: float | None = None) -> list[Check]:
    """One check per named contender that ran: its worst repeat's final loss against ``ref``."""
    checks = []
    for name in names:
        if name in results:
            worst = max(results[name].losses, key=lambda v: abs(v - ref) if math.isfinite(v) else math.inf)
            checks.append(Check(section, name, ref_name, worst, ref, rtol, sensitivity))
    return checks


def relative_change(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


class OtherLoad:
    """The share of the machine's CPU time that other processes used while the block ran (0 = quiet,
    1 = every core busy elsewhere), from /proc/stat minus this process's and its children's CPU time."""

    share: float | None = None

    @staticmethod
    def _busy() -> float | None:
        try:
            with open("/proc/stat") as f:
                fields = [int(v) for v in f.readline().split()[1:]]
        except OSError:
            return None
        idle = fields[3] + fields[4]  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def __enter__(self) -> OtherLoad:
        self._start = (self._busy(), self._own(), time.perf_counter())
        return self

    def __exit__(self, *exc) -> None:
        busy0, own0, wall0 = self._start
        busy1, wall = self._busy(), time.perf_counter() - wall0
        if busy0 is not None and busy1 is not None and wall > 0:
            other = (busy1 - busy0) - (self._own() - own0)
            self.share = max(0.0, other) / (wall * (os.cpu_count() or 1))


QUIET = {"waited": 0, "loud": 0}  # timed runs that waited for other processes, and that started anyway


def wait_for_quiet(threshold: float = 0.1, patience: float = 3.0, window: float = 0.2) -> None:
    """Wait (at most ``patience`` seconds) until other processes use under ``threshold`` of the machine's
    CPU over a ``window``; counted in QUIET, so the report can say how many runs met a busy machine."""
    deadline = time.perf_counter() + patience
    first = True
    while True:
        with OtherLoad() as load:
            time.sleep(window)
        if load.share is None or load.share < threshold:
            return
        if first:
            QUIET["waited"] += 1
            first = False
        if time.perf_counter() > deadline:
            QUIET["loud"] += 1
            return
