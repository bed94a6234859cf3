"""``glassnet datasets``: the datasets that ship with glassnet, usable wherever a CSV path is."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("datasets", help="list the bundled datasets",
                       description="List the datasets bundled with glassnet. Their names work wherever a CSV "
                                   "path does, e.g. `glassnet train iris --target species`.")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..tabular import datasets

    print(f"{'name':<8} {'rows':>4}  {'target':<8} {'columns':<58} description")
    for name, spec in datasets.DATASETS.items():
        table = datasets.load(name)
        print(f"{name:<8} {len(table):>4}  {spec.target:<8} {','.join(table.columns):<58} {spec.description}")
    return 0
