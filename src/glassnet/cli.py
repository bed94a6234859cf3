"""The ``glassnet`` command line: builds the parser from ``glassnet.commands`` and turns every
glassnet error into one clear line on stderr and a non-zero exit code."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each name is a module in glassnet.commands with add_parser(sub) and run(args).
COMMANDS = ["demo", "explain", "export", "datasets", "train", "evaluate", "predict", "resume", "info", "plot", "report"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glassnet", description="A neural-network library you can see through.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"glassnet.commands.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .errors import GlassnetError

    try:
        return args.run(args)
    except GlassnetError as exc:
        print(f"glassnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader (e.g. `| head`) stopped early: not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except OSError as exc:
        print(f"glassnet {args.command}: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
