"""``glassnet evaluate``: a saved model's metrics on the rows of a CSV file (or bundled dataset)."""

from __future__ import annotations

import argparse

from .options import add_model


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="measure a saved model on labelled rows",
                       description="Measure a saved model on the rows of a CSV file that holds the target column. "
                                   "Classification: accuracy, log loss, per-class precision, recall and F1, and "
                                   "the confusion matrix. Regression: MAE, RMSE and R^2.")
    add_model(p, "with the model's columns and its target")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--drop-missing", action="store_true", help="skip rows with empty, NaN or infinite cells")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json
    import math

    from .. import load_model
    from ..errors import InputError
    from ..tabular import datasets
    from ..tabular.evaluation import evaluate, labelled_rows
    from ..tabular.preprocessing import Counts
    from .common import print_report, warn

    model = load_model(args.model)
    prep = model.require_preprocessing(args.model)
    table, notes = labelled_rows(datasets.resolve(args.data, decimal=prep.decimal, na_values=prep.na_values), prep,
                                 args.drop_missing)
    counts = Counts()
    values = evaluate(model, table, counts)
    for text in notes + counts.warnings(table.source):
        warn(text)
    bad = [k for k, v in values.items() if isinstance(v, float) and not math.isfinite(v)]
    if bad:
        raise InputError(f"{table.source}: {', '.join(bad)} came out infinite or NaN: the model's outputs or "
                         "the targets are beyond float64 (is the model file's preprocessing sound?)")
    if args.json:
        print(json.dumps(values))
    else:
        print_report(values, f"rows of {table.source}")
    return 0
