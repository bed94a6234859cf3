"""glassnet's benchmark (issue 4): glassnet against a plain NumPy loop, PyTorch CPU and scikit-learn.

    python benchmarks/bench.py            # the full run (several minutes); writes benchmarks/RESULTS.md
    python benchmarks/bench.py --smoke    # tiny sizes, seconds: checks the script and the loss agreement

Every contender runs in this one process (start-up and memory: in fresh child processes), with the same
threads, dtype, data, initial weights and step count; each one's final loss must agree with the others',
or the run exits with status 1. Contenders whose library is not installed are skipped with a note.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
UNSET_MARK = "GLASSNET_BENCH_UNSET"

FULL = {"repeats": 7, "tutorial_steps": 60_000, "mlp_rows": 16_384, "batches": (32, 128, 512),
        "startup_repeats": 7, "memory_rows": 1_000_000, "memory_epochs": 4,
        "scaling_rows": (10_000, 100_000, 1_000_000), "scaling_rows_per_fit": 1_000_000,
        "ingest_rows": (200_000, 1_000_000)}
SMOKE = {"repeats": 1, "tutorial_steps": 300, "mlp_rows": 512, "batches": (32, 128),
         "startup_repeats": 1, "memory_rows": 20_000, "memory_epochs": 2,
         "scaling_rows": (2_000, 4_000, 8_000), "scaling_rows_per_fit": 8_000, "ingest_rows": (2_000, 4_000)}
SECTIONS = ("tutorial", "mlp", "startup", "memory", "scaling", "ingest")

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repeat; writes no results file")
    parser.add_argument("--repeats", type=int, help="timed runs per contender (default 7; smoke 1)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="BLAS and torch threads (default: all)")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}")
    parser.add_argument("--results", type=Path, help="markdown file to write (default: benchmarks/RESULTS.md, "
                        "none with --smoke)")
    parser.add_argument("--keep-openblas-env", action="store_true",
                        help=f"keep {' and '.join(OPENBLAS_VARS)} if set (the full run unsets both)")
    args = parser.parse_args(argv)
    args.sizes = dict(SMOKE if args.smoke else FULL)
    if args.repeats:
        args.sizes["repeats"] = args.repeats
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    if args.results is None and not args.smoke:
        args.results = HERE / "RESULTS.md"
    return args


def unset_openblas_env(args: argparse.Namespace) -> None:
    """Re-run this script without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (both together), before NumPy loads
    OpenBLAS, so it picks its kernel for this processor; children inherit the same environment. Never in
    smoke mode: that is what tests and CI run, and they keep the machine's settings."""
    present = [v for v in OPENBLAS_VARS if v in os.environ]
    if args.smoke or args.keep_openblas_env or not present:
        return
    env = {k: v for k, v in os.environ.items() if k not in OPENBLAS_VARS}
    env[UNSET_MARK] = " ".join(f"{v}={os.environ[v]}" for v in present)
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]], env)


def limit_threads(threads: int, notes: list[str]) -> None:
    """Give every BLAS/OpenMP pool (threadpoolctl) and torch ``threads`` threads: the libraries are imported
    first, so that every pool they bring exists when the limit is set."""
    import numpy  # noqa: F401
    from harness import installed

    for module in ("torch", "sklearn.neural_network"):
        if installed(module.split(".")[0]):
            __import__(module)
    if installed("threadpoolctl"):
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads)
    else:
        notes.append("threadpoolctl not installed: BLAS threads left at their defaults and not reported")
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    unset_openblas_env(args)
    sys.path.insert(0, str(HERE))
    import sections
    from report import Report

    notes: list[str] = []
    limit_threads(args.threads, notes)
    report = Report(args, notes, os.environ.get(UNSET_MARK))
    for name in args.sections:
        print(f"-- {name} ...", file=sys.stderr, flush=True)
        sections.RUN[name](args, report)
    text = report.render()
    print(text)
    if args.results:
        args.results.write_text(text)
        print(f"wrote {args.results}", file=sys.stderr)
    failed = [c for c in report.checks if not c.ok]
    for c in failed:
        print(f"LOSS CHECK FAILED: {c.section}: {c.name}: {c.loss!r} vs {c.reference} {c.ref_loss!r} "
              f"(relative {c.rel:.2e} > {c.rtol:g}, or tolerance not below one step's change)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
