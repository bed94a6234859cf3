"""The ``glassnet`` command line: one module per command in this package, each a thin layer over the
library (``add_parser(subparsers)`` and ``run(args) -> int``). ``main`` turns every glassnet error into one clear
line on stderr and a non-zero exit code.

Command modules import only the standard library at module level, so ``glassnet --help`` stays fast; they
import NumPy and the rest inside ``run``."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each name is a module of this package with add_parser(sub) and run(args).
COMMANDS = ["demo", "explain", "export", "datasets", "train", "evaluate", "predict", "resume", "info", "plot", "report"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glassnet", description="A neural-network library you can see through.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"glassnet.cli.{name}").add_parser(sub)
    return parser


class Output:
    """The command's standard output. If its reader stops early (``glassnet train ... | head -1``), the rest
    of the output is dropped and the command carries on, so a training run still saves its model."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            self._reader_gone()
            return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._reader_gone()

    def _reader_gone(self) -> None:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())  # nothing fails at exit either

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ..errors import GlassnetError

    stdout, sys.stdout = sys.stdout, Output(sys.stdout)
    try:
        return args.run(args)
    except GlassnetError as exc:
        print(f"glassnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"glassnet {args.command}: error: not enough memory (a layer or data set too large for this "
              "machine?)", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"glassnet {args.command}: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # (train and resume save what they have first; files are written atomically)
        print(f"glassnet {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout.flush()  # while a reader that has gone is still caught
        sys.stdout = stdout
