"""``glassnet plot``: a saved model's loss curves, or its decision boundary over 2-feature data."""

from __future__ import annotations

import argparse

from .options import add_format_options, add_model


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="draw a model's decision boundary or loss curves (needs glassnet[plot])",
                       description="With DATA: draw what the model predicts over the plane of its two numeric "
                                   "input columns, with DATA's rows on top. Without DATA: draw the training and "
                                   "validation loss per epoch. Needs matplotlib: pip install \"glassnet[plot]\".")
    add_model(p, "with the model's two input columns", optional=True)
    p.add_argument("--out", required=True, metavar="PNG", help="the image file to write")
    add_format_options(p, model=True)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..viz import plot
    from .common import read_data

    plot.check_image_file(args.out, "--out", {"the model file": args.model, "the data file": args.data})
    from .. import load_model

    model = load_model(args.model)
    table = read_data(model, args)
    if table is None:
        if not model.history.epochs:
            raise InputError(f"{args.model} has no training history to draw")
        plot.loss_curves(model.history, args.out)
    else:
        plot.decision_boundary(model, table, args.out)
    print(f"drew {args.out}")
    return 0
