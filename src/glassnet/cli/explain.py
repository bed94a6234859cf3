"""``glassnet explain``: one training step, every computation printed with its formula, shapes, numbers
and meaning."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .options import add_format_options, rule


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("explain", help="narrate one training step: formulas, shapes, numbers and what they mean",
                       description="Run one full-batch training step (forward pass, loss, backward pass, update) "
                                   "through the library's own code and print every array it computes, with its "
                                   "formula, shapes, numbers and a one-sentence meaning. The model is not changed.")
    p.add_argument("model", nargs="?", metavar="MODEL", help="a model file saved by glassnet train")
    p.add_argument("data", nargs="?", metavar="DATA",
                   help="a CSV file or bundled dataset with the model's columns and target (needed with MODEL)")
    p.add_argument("--tutorial", action="store_true",
                   help="the classic tutorial's network and XOR data, with the tutorial's names (l0, l1, syn0, ...)")
    p.add_argument("--rows", type=rule("rows"), help="how many rows of DATA make the batch (default: 4; the "
                   "tutorial's batch is its own 4 rows)")
    p.add_argument("--step", action="store_true", help="wait for Enter before each next step")
    add_format_options(p, model=True)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..teach import explain
    from .common import check_format_options

    if args.tutorial == bool(args.model):
        raise InputError("give a MODEL file, or --tutorial for the tutorial's network")
    if args.tutorial and args.rows is not None:
        raise InputError("--rows chooses rows of DATA; the tutorial's step takes its own 4 rows: leave --rows out")
    check_format_options(args)
    steps = _tutorial_steps() if args.tutorial else _model_steps(args)
    for i in range(len(steps)):
        if i and args.step:
            _wait(i, len(steps))
        print(explain.render(steps, i), flush=True)
    return 0


def _tutorial_steps() -> list:
    from ..optimizers import SGD
    from ..teach import tutorial
    from ..teach.explain import explain

    return explain(tutorial.two_layer(), tutorial.X, tutorial.Y_XOR, loss="sse", optimizer=SGD(lr=1.0),
                   tutorial=True)


def _model_steps(args: argparse.Namespace) -> list:
    import textwrap

    from ..errors import InputError
    from .common import read_data

    model, rows = args.model, args.rows or 4
    if args.data is None:
        raise InputError("explaining a MODEL needs DATA: a CSV file or bundled dataset with its columns and target")
    from .. import load_model
    from ..ensemble import Ensemble

    bundle = load_model(model)
    net, prep = bundle.network, bundle.preprocessing
    if prep is None:
        raise InputError(f"{model} holds no CSV preprocessing (it was saved from Python); use net.explain(X, y)")
    from ..tabular.evaluation import labelled_rows

    table = labelled_rows(read_data(bundle, args), prep)[0]
    table = table.take(range(min(rows, len(table))))
    X, y = prep.inputs(table), prep.targets(table)
    bundle.outputs(X, table)  # (a row whose outputs overflow the network: named, as predict names it)
    intro = [f"The next training step of {model} on the first {len(table)} rows of {table.source}, as the model "
             f"sees them after its preprocessing (inputs: {', '.join(prep.feature_names)}; target: "
             f"{prep.target.name}, {prep.task})."]
    if isinstance(net, Ensemble):
        intro.append(f"{model} is an ensemble of {net.members} networks, each with starting weights (and, by "
                     "default, training rows) of its own: each takes this step from its own weights, and the model "
                     "predicts the mean of their outputs. Shown: the first member's step.")
        if net.shares_weights:
            intro.append("(A layer's weights are shared by the members, and so is their optimizer state: the step "
                         "below starts the optimizer afresh.)")
    steps = _finite(lambda: net.explain(X, y), net.dtype)
    for paragraph in intro:  # (only once the step is known to be one that can be shown)
        print(textwrap.fill(paragraph, 100) + "\n")
    return steps


def _finite(explain: Any, dtype: Any) -> list:
    """The steps ``explain()`` gives, or an InputError at the first whose value is NaN or infinite (outputs that
    fit, but a gradient or an update that overflows the network's arithmetic), rather than print them."""
    import numpy as np

    from ..errors import InputError

    with np.errstate(all="ignore"):
        steps = explain()
    for step in steps:
        value = np.asarray(step.value)
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise InputError(f"the step's {step.name} holds NaN or infinite values: these rows are too large for the "
                             f"network's {np.dtype(dtype).name} arithmetic to take a step on them")
    return steps


def _wait(i: int, total: int) -> None:
    """Wait for Enter; at the end of input (a pipe or file), go on without waiting."""
    print(f"-- Enter for step {i + 1} of {total} --", end="", flush=True)
    sys.stdin.readline()
    print()
