"""What the commands' parsers share: the MODEL and DATA arguments, the options of ``train`` and ``resume``, and
argparse types that check text by ``glassnet.constraints`` or the registries. Standard library only, and the
rules are looked up when a value is converted, never for ``--help``, which stays quick."""

from __future__ import annotations

import argparse
from typing import Any


class rule:  # noqa: N801 (used like a function: type=rule("seed"))
    """An argparse ``type=`` that converts and checks text by ``glassnet.constraints.RULES[name]``."""

    def __init__(self, name: str) -> None:
        self.name = self.__name__ = name

    def __call__(self, text: str) -> Any:
        from ..constraints import cli_type

        return cli_type(self.name)(text)


def component(kind: str) -> Any:
    """An argparse ``type=`` for the name of a registered activation or optimizer (the registry is imported when
    a command's arguments are converted, never for ``--help``)."""

    def convert(text: str) -> str:
        import importlib

        from ..errors import InputError

        try:
            importlib.import_module(f"glassnet.{kind}s").REGISTRY.lookup(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return text

    convert.__name__ = kind
    return convert


def add_model(p: argparse.ArgumentParser, data: str | None = None, optional: bool = False) -> None:
    """The MODEL argument, and DATA with the help text ``data`` (``optional``: it may be left out)."""
    p.add_argument("model", metavar="MODEL", help="a model file saved by glassnet train")
    if data:
        p.add_argument("data", metavar="DATA", nargs="?" if optional else None,
                       help=f"a CSV file (or bundled dataset name) {data}")


def add_progress_options(p: argparse.ArgumentParser, patience_default: str = "") -> None:
    """Options that ``train`` and ``resume`` share (``patience_default``: words for --patience's default)."""
    p.add_argument("--patience", type=rule("patience"), metavar="P", help="stop after P epochs without a better "
                   "validation loss (the training loss, with --val-split 0) and keep the best weights (0: never stop "
                   f"early){patience_default}")
    p.add_argument("--plot", metavar="PNG", help="also draw the training and validation loss curves to PNG "
                   "(needs glassnet[plot]; default: no drawing)")
    p.add_argument("--checkpoint-every", type=rule("checkpoint_every"), default=0, metavar="K",
                   help="save the model to --out every K epochs as well as at the end (default: 0, only at the end)")
    p.add_argument("--threads", type=rule("threads"), default=1, metavar="N",
                   help="threads for the matrix products while training; a table's network is small: more threads "
                        "gain little, and on a busy machine they wait for each other (default: 1; 0: as many as "
                        "BLAS takes)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")


FOUND_IN_HEADER = "found in the header among , ; tab |"


def add_table_options(p: argparse.ArgumentParser) -> None:
    """How a CSV file is read: its separator, decimal mark and missing-cell tokens."""
    add_format_options(p)
    p.add_argument("--na-values", metavar="TOK[,TOK]", help="more cell values that mean missing, besides empty, "
                   "NA, N/A, NaN, nan, null, NULL, None and ?; a number, such as -999, however "
                   "it is written (--na-values -999,NA; default: none)")


def add_format_options(p: argparse.ArgumentParser, model: bool = False, sep: str = FOUND_IN_HEADER) -> None:
    """How a CSV file writes its cells: --sep and --decimal. ``model``: for DATA read with a saved MODEL, whose
    training data's decimal mark is --decimal's default; ``sep``: --sep's default, in words."""
    p.add_argument("--sep", metavar="CHAR", help=f"the CSV separator (default: {sep})")
    default = "the one MODEL was trained with" if model else "."
    p.add_argument("--decimal", choices=[".", ","], default=None if model else ".",
                   help=f"the decimal mark of numbers (default: {default})")
