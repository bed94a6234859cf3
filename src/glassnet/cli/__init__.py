"""The ``glassnet`` command line: one module per command in this package, each a thin layer over the
library (``add_parser(subparsers)`` and ``run(args) -> int``). ``main`` turns every glassnet error into one clear
line on stderr and a non-zero exit code.

Command modules import only the standard library at module level, so ``glassnet --help`` stays fast; they
import NumPy and the rest inside ``run``."""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import re
import sys

# Each name is a module of this package with add_parser(sub) and run(args).
COMMANDS = ["demo", "explain", "export", "datasets", "train", "evaluate", "predict", "resume", "info", "plot", "report",
            "playground"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glassnet", description="A neural-network library you can see through.")
    parser.add_argument("--version", action=ShowVersion)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"glassnet.cli.{name}").add_parser(sub)
    show_defaults(parser)
    return parser


def show_defaults(parser: argparse.ArgumentParser) -> None:
    """Make ``--help`` show every default: each option that takes a value, is not required and whose help does
    not already say its default gets "(default: X)" appended, in every command's parser. (A flag such as
    --quiet is off unless given, which needs no saying.)"""
    for action in parser._actions:  # (argparse has no public way to walk its actions)
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                show_defaults(command)
        elif (action.option_strings and action.nargs != 0 and not action.required and action.help
              and action.default is not argparse.SUPPRESS and "default" not in action.help.lower()):
            action.help += f" (default: {shown_default(action.default)})"


def shown_default(value: object) -> str:
    """A default as the command line would spell it: None is "none", a list is comma-separated (escaped for
    argparse's %-formatting of help text)."""
    text = "none" if value is None else ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return text.replace("%", "%%")


def version() -> str:
    """The installed distribution's version (``importlib.metadata``), else the source tree's ``__version__``."""
    from importlib import metadata

    try:
        return metadata.version("glassnet")
    except metadata.PackageNotFoundError:  # (run from a source tree that was never installed)
        from .. import __version__

        return __version__


class ShowVersion(argparse.Action):
    """``--version``: print ``glassnet X.Y.Z`` and exit. The version is looked up only when asked for, so
    ``--help`` does not pay for ``importlib.metadata``."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print glassnet's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(f"glassnet {version()}")
        parser.exit()


# what is escaped in text for people: control characters, bidirectional overrides and lone surrogates (a
# name from a file could rewrite the terminal's line, reverse it, or fail to encode)
_UNSEEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff]")
_UNSEEN_IN_A_LINE = re.compile(f"[\t\n\r]|{_UNSEEN.pattern}")  # (and what would break a line: tabs, line breaks)


def printable(text: str, one_line: bool = False) -> str:
    """``text`` with each character a terminal would act on or hide written as an escape (\\x1b, \\u202e);
    ``one_line``: tabs and line breaks too, for text that must stay on its line (a class name from a file)."""
    unseen = _UNSEEN_IN_A_LINE if one_line else _UNSEEN
    return unseen.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


class Output:
    """A command's standard output or error stream. Text for people is escaped (``printable``); the CSV that
    ``predict`` writes to a file or a pipe is data and is passed as it is. If the reader stops early
    (``glassnet train ... | head -1``), the rest of the output is dropped and the command carries on, so a
    training run still saves its model; any other failure to write (a full disk) is an error."""

    def __init__(self, stream, escape: bool = True, quiet: bool = False) -> None:
        self.stream, self.escape, self.quiet = stream, escape, quiet  # (quiet: standard error, where a failure to
        # write is dropped, for nowhere is left to say it; a stream closed before the start, ``>&-``, is None)

    def write(self, text: str) -> int:
        if self.stream is None:
            if self.quiet:
                return len(text)
            raise OSError(errno.EBADF, "the standard output is closed (>&-), so the output cannot be written; "
                                       "send it to a file or to /dev/null")
        try:
            self._write_all(printable(text) if self.escape else text)
        except BrokenPipeError:
            self._reader_gone()
        except OSError:  # (standard error on a full disk: nowhere is left to say so, and the outcome stands)
            if not self.quiet:
                raise
            self._reader_gone()
        return len(text)

    def _write_all(self, text: str) -> None:
        """Every byte of ``text``, or an OSError: a text stream's write takes a short write of its buffer (a file
        size limit, a full disk) for done, and a truncated CSV would look whole."""
        buffer = getattr(self.stream, "buffer", None)
        if buffer is None:  # (a stream of text only, such as io.StringIO)
            self.stream.write(text)
            return
        self.stream.flush()  # (anything written to the text layer first goes first)
        # text for people in the stream's encoding, what it cannot hold as \\xf6 escapes; predict's CSV in UTF-8,
        # the encoding glassnet reads
        encoding = (self.stream.encoding or "utf-8") if self.escape else "utf-8"
        data = memoryview(text.encode(encoding, errors="backslashreplace"))
        while data:
            written = buffer.write(data)
            if not written:
                raise OSError(f"could not write to {getattr(self.stream, 'name', 'the output')}")
            data = data[written:]

    def isatty(self) -> bool:
        return self.stream is not None and self.stream.isatty()

    def flush(self) -> None:
        if self.stream is None:
            return
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._reader_gone()
        except OSError:
            if not self.quiet:
                raise
            self._reader_gone()

    def _reader_gone(self) -> None:
        import os

        with contextlib.suppress(OSError, ValueError):  # (the rest of what is buffered is dropped too)
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())  # nothing fails at exit either

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def _tokens_joined(argv: list[str]) -> list[str]:
    """``--na-values -999,NA`` as ``--na-values=-999,NA``: argparse takes a value that starts with '-' for an option
    unless it is a number alone, and missing-cell tokens often start with one."""
    out = list(argv)
    if not out or out[0] not in ("train", "playground"):  # (the commands that take --na-values)
        return out
    for i in range(len(out) - 2, -1, -1):
        given = out[i]  # (or argparse's abbreviation of it, such as --na-value)
        if len(given) > 4 and "--na-values".startswith(given) and out[i + 1].startswith("-") and \
                not out[i + 1].startswith("--"):
            out[i:i + 2] = [f"{given}={out[i + 1]}"]
    return out


def _an_input(stream: object, paths: list[object]) -> str | None:
    """The first of ``paths`` (input files) that ``stream`` writes to (``cmd ... >> data.csv``), else None."""
    import os

    try:
        written = os.fstat(stream.fileno())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):  # (no file under it: a test's capture, a closed stream)
        return None
    for path in paths:
        with contextlib.suppress(OSError, TypeError, ValueError):
            if isinstance(path, str) and os.path.samestat(os.stat(path), written):
                return path
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(_tokens_joined(sys.argv[1:] if argv is None else argv))
    from ..errors import GlassnetError, InputError

    inputs = [getattr(args, name, None) for name in ("model", "data")]
    if _an_input(sys.stderr, inputs):  # (an error said there would land in the input: exit without a word)
        return 2
    streams = sys.stdout, sys.stderr
    data = args.command == "predict" and not (sys.stdout and sys.stdout.isatty())  # (predict's CSV is data, unless
    sys.stdout, sys.stderr = Output(sys.stdout, escape=not data), Output(sys.stderr, quiet=True)  # on a terminal)
    try:
        if (path := _an_input(streams[0], inputs)) is not None:
            raise InputError(f"the standard output is the input file {path}, which the output would write "
                             "into; send it to another file")
        code = args.run(args)
        sys.stdout.flush()  # here, so that output that cannot be written whole (a full disk) is an error
        return code
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
        with contextlib.suppress(OSError):
            sys.stdout.flush()
        sys.stdout, sys.stderr = streams
