"""``glassnet report``: a trained model as one self-contained HTML page."""

from __future__ import annotations

import argparse

from .options import add_format_options, add_model


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write an HTML report of a model: diagram, curves, confusion matrix, boundary",
                       description="Write one self-contained HTML file (no scripts, fonts or links to fetch) that "
                                   "shows the model: its network as a diagram, its training curves, and with DATA "
                                   "the confusion matrix (classification) or predictions against true values "
                                   "(regression), and the decision boundary of a classifier of 2 numeric columns.")
    add_model(p, "with the model's columns and its target", optional=True)
    p.add_argument("--out", default="report.html", help="the HTML file to write (default: report.html)")
    add_format_options(p, model=True)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import os

    from ..formats.files import atomic_write, output_file
    from ..viz import report
    from .common import read_data

    output_file(args.out, "--out", {"the model file": args.model, "the data file": args.data})
    from .. import load_model

    model = load_model(args.model)
    table = read_data(model, args)
    page = report.render(model, f"glassnet report: {os.path.basename(args.model)}", table)
    atomic_write(args.out, page.encode("utf-8"))
    print(f"wrote {args.out} ({len(page) / 1024:.0f} KiB)")
    return 0
