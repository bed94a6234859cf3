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
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import csv
    import io as text_io
    import sys

    import numpy as np

    from ..errors import InputError
    from ..formats.files import atomic_write, output_file
    from ..tabular import datasets
    from ..tabular.evaluation import usable_rows

    if args.out:
        output_file(args.out, "--out", {"the model file": args.model, "the data file": args.data})
    from .. import load_model

    model = load_model(args.model)
    net, prep = model.network, model.require_preprocessing(args.model)
    if args.proba and prep.task != "classification":
        raise InputError(f"--proba needs a classification model; {args.model} does regression")
    table = usable_rows(datasets.resolve(args.data), prep, [], drop=False,
                        hint="; fill them in (predict writes one row per input row)")
    outputs = net.predict(prep.inputs(table))
    with np.errstate(over="ignore"):
        predictions = prep.target.decode(outputs)
    if prep.task == "regression" and not np.isfinite(predictions).all():
        row = int(np.argmin(np.isfinite(predictions)))
        raise InputError(f"{table.source}: the prediction for data row {row + 1} is beyond float64 (is the model "
                         f"file's target scale sound? it is {prep.target.scale:g})")
    buffer = text_io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = [prep.target.name]
    if args.proba:
        header += [f"proba_{c}" for c in prep.target.classes]
    writer.writerow(header)
    for prediction, row in zip(predictions, outputs):
        writer.writerow([prediction if prep.task == "classification" else repr(float(prediction))]
                        + ([format(float(p), ".6g") for p in row] if args.proba else []))  # (6 significant digits)
    if args.out:
        atomic_write(args.out, buffer.getvalue().encode("utf-8"))
    else:
        sys.stdout.write(buffer.getvalue())
    return 0
