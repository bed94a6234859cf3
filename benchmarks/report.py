"""The benchmark's markdown report: machine, BLAS and threads, targets, one part per section, checks."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from harness import QUIET, Check

ROOT = Path(__file__).resolve().parent.parent


def table(headers: list[str], rows: list[list[object]]) -> list[str]:
    def cell(v: object) -> str:
        return "" if v is None else str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _commit() -> str:
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" + uncommitted changes in src/glassnet" if git("status", "--porcelain", "src/glassnet") else "")


def blas_lines(unset: str | None, keep: bool) -> list[str]:
    lines = []
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["threadpoolctl is not installed: BLAS and thread settings unknown."]
    rows = [[i.get("user_api"), i.get("internal_api"), i.get("version"), i.get("num_threads"),
             i.get("architecture") or "", Path(i.get("filepath", "")).name] for i in threadpool_info()]
    lines += table(["api", "library", "version", "threads", "kernel (architecture)", "file"], rows)
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        lines.append(f"\ntorch: {torch.get_num_threads()} threads (`torch.set_num_threads`), "
                     f"MKL {'on' if torch.backends.mkl.is_available() else 'off'}, "
                     f"parallel backend {torch.__config__.parallel_info().splitlines()[-1].split(':')[-1].strip()}.")
    if unset:
        lines.append(f"\nThe environment had {unset}; this run unset both for itself and its children "
                     "(a current OpenBLAS picks its own kernel for this processor: see the kernel column). "
                     "Tests and CI keep them.")
    elif keep:
        lines.append("\nOPENBLAS_CORETYPE / OPENBLAS_L2_SIZE kept as the environment set them (--keep-openblas-env "
                     "or smoke mode).")
    return lines


class Report:
    def __init__(self, args, notes: list[str], unset: str | None) -> None:
        self.args, self.notes, self.unset = args, notes, unset
        self.parts: list[str] = []
        self.targets: list[list[object]] = []
        self.checks: list[Check] = []
        self.loads: list[list[object]] = []

    def add(self, title: str, lines: list[str]) -> None:
        self.parts += ["", f"## {title}", "", *lines]

    def target(self, what: str, figure: str, met: bool | None) -> None:
        if self.args.smoke:
            met = None
        self.targets.append([what, figure, "n/a" if met is None else ("met" if met else "**missed**")])

    def load(self, section: str, share: float | None) -> None:
        self.loads.append([section, "unknown" if share is None else f"{share:.0%}"])

    def render(self) -> str:
        a = self.args
        mode = "smoke mode: tiny sizes, the figures mean nothing" if a.smoke else "full run"
        head = [
            "# glassnet benchmark results", "",
            f"Written by `python benchmarks/bench.py{' --smoke' if a.smoke else ''}` ({mode}), "
            f"{datetime.datetime.now().isoformat(timespec='seconds')}, glassnet at {_commit()}.",
            f"Machine: {_cpu()}, {len(os.sched_getaffinity(0))} usable cores; Python "
            f"{platform.python_version()}, numpy {_version('numpy')}, torch {_version('torch')}, "
            f"scikit-learn {_version('scikit-learn')}, threadpoolctl {_version('threadpoolctl')}. "
            f"Threads: {a.threads} for every contender. Medians of {a.sizes['repeats']} interleaved repeats.",
            "", "## BLAS and threads", "", *blas_lines(self.unset, a.keep_openblas_env or a.smoke),
            "", "## Targets (issue 4)", "", *table(["target", "measured", ""], self.targets),
        ]
        tail = ["", "## Loss agreement", "",
                "Final loss of every contender against the reference; the tolerance must also be below the "
                "change one step fewer makes (last column), so a contender that skipped work fails.", "",
                *table(["section", "contender", "final loss", "reference", "relative difference", "tolerance",
                        "one step fewer changes it by", ""],
                       [[c.section, c.name, f"{c.loss:.10g}", f"{c.ref_loss:.10g} ({c.reference})", f"{c.rel:.1e}",
                         f"{c.rtol:g}", "" if c.sensitivity is None else f"{c.sensitivity:.1e}",
                         "ok" if c.ok else "**FAILED**"] for c in self.checks]),
                "", "## Machine load",
                "", "Share of the machine's CPU time used by other processes while each section ran "
                "(anything above a few percent makes that section's timings pessimistic).", "",
                *table(["section", "other processes"], self.loads),
                "", f"Timed runs that found the machine busy (other processes over 10%) and waited: "
                f"{QUIET['waited']}; of those, still busy after 3 s and run anyway: {QUIET['loud']}."]
        if self.notes:
            tail += ["", "## Notes", "", *[f"- {n}" for n in dict.fromkeys(self.notes)]]
        return "\n".join(head + self.parts + tail) + "\n"
