"""``glassnet predict``: a saved model's predictions for the rows of a CSV file, as CSV."""

from __future__ import annotations

import argparse
from typing import Any

from .options import add_format_options, add_model


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("predict", help="predict the target for new rows, as CSV",
                       description="Write one CSV row per input row: the predicted class (by its original name) "
                                   "or value, in a column named after the target. DATA needs the model's input "
                                   "columns; the target column may be absent, other columns are ignored.")
    add_model(p, "with the model's input columns")
    p.add_argument("--out", metavar="FILE",
                   help="write the CSV to FILE (- for the standard output; default: standard output)")
    p.add_argument("--proba", action="store_true", help="add one probability column per class (classification)")
    p.add_argument("--id", metavar="COL[,COL]", help="copy these columns of DATA, first, into the output "
                   "(default: none)")
    p.add_argument("--unknown", choices=["ignore", "error"], default="ignore",
                   help="a category never seen in training, or a missing cell in a text column that had none in "
                        "training: ignore (encode it as all zeros and warn) or error (default: ignore)")
    add_format_options(p, model=True)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import csv
    import io as text_io
    import sys

    import numpy as np

    from ..errors import InputError
    from ..formats.files import atomic_write, output_file

    if args.out == "-":  # (the usual name of the standard output)
        args.out = None
    if args.out is not None:  # (an empty --out is refused, not taken for none)
        output_file(args.out, "--out", {"the model file": args.model, "the data file": args.data})
    from .. import load_model
    from ..tabular.workflow import columns_named
    from .common import read_data, warn

    model = load_model(args.model)
    prep = model.require_preprocessing(args.model)
    if args.proba and prep.task != "classification":
        raise InputError(f"--proba needs a classification model; {args.model} does regression")
    ids = columns_named(args.id, "--id")
    header = csv_header(ids, prep, args.proba)
    outputs, table, counts = model.table_outputs(read_data(model, args, ids), args.unknown)
    table.require(ids, what="--id names")
    with np.errstate(over="ignore"):
        predictions = prep.target.decode(outputs)
    for text in counts.warnings(table.source):
        warn(text)
    buffer = text_io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for i, (prediction, row) in enumerate(zip(predictions, outputs)):
        value = prediction if prep.task == "classification" else repr(float(prediction))
        writer.writerow([table.text(name, i) for name in ids] + [value]
                        + ([format(float(p), ".6g") for p in row] if args.proba else []))
    if args.out is not None:
        atomic_write(args.out, buffer.getvalue().encode("utf-8"))
    else:
        sys.stdout.write(buffer.getvalue())
    return 0


def csv_header(ids: list[str], prep: Any, proba: bool) -> list[str]:
    """The header of predict's CSV: the --id columns, the target's name, then with --proba ``proba_CLASS`` per
    class. A name in it twice is an InputError, before any work: the CSV could not be read back (glassnet's reader
    refuses it, and most others keep one of the two columns)."""
    from ..errors import InputError
    from ..tabular.table import quote

    outputs = [prep.target.name] + ([f"proba_{c}" for c in prep.target.classes] if proba else [])
    for name in ids:
        if name in outputs:
            what = "the predictions" if name == prep.target.name else "the class probabilities (--proba)"
            raise InputError(f"--id {name}: {what} already have a column {quote(name)}; leave it out of --id, or "
                             "rename that column of DATA")
    if len(set(outputs)) < len(outputs):
        raise InputError(f"--proba: the target {quote(prep.target.name)} is named like a class probability "
                         "column, so the CSV would have that column twice; predict without --proba")
    return ids + outputs
