"""``glassnet predict``: a saved model's predictions for the rows of a CSV file, as CSV."""

from __future__ import annotations

import argparse

from .options import add_model


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("predict", help="predict the target for new rows, as CSV",
                       description="Write one CSV row per input row: the predicted class (by its original name) "
                                   "or value, in a column named after the target. DATA needs the model's input "
                                   "columns; the target column may be absent, other columns are ignored.")
    add_model(p, "with the model's input columns")
    p.add_argument("--out", metavar="FILE", help="write the CSV to FILE (default: standard output)")
    p.add_argument("--proba", action="store_true", help="add one probability column per class (classification)")
    p.add_argument("--id", metavar="COL[,COL]", help="copy these columns of DATA, first, into the output "
                   "(default: none)")
    p.add_argument("--unknown", choices=["ignore", "error"], default="ignore",
                   help="a category never seen in training: ignore (encode it as all zeros and warn) or error "
                        "(default: ignore)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import csv
    import io as text_io
    import sys

    import numpy as np

    from ..errors import InputError
    from ..formats.files import atomic_write, output_file

    if args.out:
        output_file(args.out, "--out", {"the model file": args.model, "the data file": args.data})
    from .. import load_model
    from ..tabular.workflow import columns_named
    from .common import warn

    model = load_model(args.model)
    prep = model.require_preprocessing(args.model)
    if args.proba and prep.task != "classification":
        raise InputError(f"--proba needs a classification model; {args.model} does regression")
    ids = columns_named(args.id)
    inputs, table, counts = model.table_inputs(args.data, args.unknown, keep=ids)
    table.require(ids, what="--id names")
    outputs = model.network.predict(inputs)
    with np.errstate(over="ignore"):
        predictions = prep.target.decode(outputs)
    if prep.task == "regression" and not np.isfinite(predictions).all():
        row = int(np.argmin(np.isfinite(predictions)))
        raise InputError(f"{table.source}: the prediction for data row {row + 1} is beyond float64 (is the model "
                         f"file's target scale sound? it is {prep.target.scale:g})")
    for text in counts.warnings(table.source):
        warn(text)
    buffer = text_io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = ids + [prep.target.name]
    if args.proba:
        header += [f"proba_{c}" for c in prep.target.classes]
    writer.writerow(header)
    for i, (prediction, row) in enumerate(zip(predictions, outputs)):
        value = prediction if prep.task == "classification" else repr(float(prediction))
        writer.writerow([table.text(name, i) for name in ids] + [value]
                        + ([format(float(p), ".6g") for p in row] if args.proba else []))
    if args.out:
        atomic_write(args.out, buffer.getvalue().encode("utf-8"))
    else:
        sys.stdout.write(buffer.getvalue())
    return 0
