"""``glassnet evaluate``: a saved model's metrics on the rows of a CSV file (or bundled dataset)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="measure a saved model on labelled rows",
                       description="Measure a saved model on the rows of a CSV file that holds the target column. "
                                   "Classification: accuracy, log loss, per-class precision, recall and F1, and "
                                   "the confusion matrix. Regression: MAE, RMSE and R^2.")
    p.add_argument("model", metavar="MODEL", help="a .safetensors file written by glassnet train")
    p.add_argument("data", metavar="DATA", help="a CSV file (or bundled dataset name) with the model's columns")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--drop-missing", action="store_true", help="skip rows with empty, NaN or infinite cells")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json
    import math

    from .. import datasets, io
    from ..errors import InputError

    net = io.load(args.model)
    prep = needs_preprocessing(net, args.model)
    table = usable_rows(datasets.resolve(args.data), prep, [prep.target.name], args.drop_missing)
    values = report(net, table)
    bad = [k for k, v in values.items() if isinstance(v, float) and not math.isfinite(v)]
    if bad:
        raise InputError(f"{table.source}: {', '.join(bad)} came out infinite or NaN: the model's outputs or "
                         "the targets are beyond float64 (is the model file's preprocessing sound?)")
    if args.json:
        print(json.dumps(values))
    else:
        print_report(values, f"rows of {table.source}")
    return 0


def needs_preprocessing(net, path: str):
    """The model's CSV preprocessing, or an error for a network saved from Python without one."""
    from ..errors import InputError

    if net.preprocessing is None:
        raise InputError(f"{path} holds no CSV preprocessing (it was saved from Python, not by glassnet train); "
                         f"use it from Python")
    return net.preprocessing


def usable_rows(table, prep, extra: list[str], drop: bool, hint: str | None = None):
    """The table, checked to have the model's columns (plus ``extra``), without rows with missing cells if
    ``drop`` (else an error naming them)."""
    from .. import data

    names = prep.input_columns + extra
    table.require(names)
    numeric = {c.name: isinstance(c, data.Numeric) for c in prep.columns}
    numeric[prep.target.name] = prep.task == "regression" or prep.target.numeric
    kwargs = {} if hint is None else {"hint": hint}
    return data.drop_missing(table, names, numeric, drop, **kwargs)


def report(net, table, unknown: str = "error") -> dict:
    """Metrics of ``net`` on ``table`` (which holds the target), as a JSON-able dict."""
    import numpy as np

    from .. import data, metrics

    prep = net.preprocessing
    outputs = net.predict(prep.inputs(table, unknown)).astype(np.float64)
    values = {"task": prep.task, "n_rows": len(table)}
    if prep.task == "regression":
        with np.errstate(over="ignore", invalid="ignore"):  # values beyond float64: the caller says so
            y, predicted = data.numbers(table, prep.target.name), prep.target.decode(outputs)
            mae = float(np.mean(np.abs(predicted - y)))
            return {**values, "mae": mae, "rmse": metrics.rmse(y, predicted), "r2": metrics.r2(y, predicted)}
    labels, classes = prep.targets(table), prep.target.classes
    confusion = metrics.confusion_matrix(labels, outputs.argmax(axis=1), len(classes))
    precision, recall, f1 = metrics.precision_recall_f1(confusion)
    return {**values, "accuracy": float(np.trace(confusion)) / len(table),
            "log_loss": metrics.log_loss(labels, outputs), "classes": classes,
            "precision": dict(zip(classes, precision.tolist())), "recall": dict(zip(classes, recall.tolist())),
            "f1": dict(zip(classes, f1.tolist())), "support": dict(zip(classes, confusion.sum(axis=1).tolist())),
            "confusion_matrix": confusion.tolist()}


def print_report(values: dict, rows: str) -> None:
    """``values`` from ``report`` as text; ``rows`` says which, e.g. "rows of data.csv"."""
    print(f"{values['task']} on {values['n_rows']} {rows}")
    if values["task"] == "regression":
        print(f"  MAE {values['mae']:.4g}   RMSE {values['rmse']:.4g}   R^2 {values['r2']:.4f}")
        return
    print(f"  accuracy {values['accuracy']:.4f}   log loss {values['log_loss']:.4f}")
    classes = values["classes"]
    width = max(9, *(len(c) for c in classes))
    print(f"  {'class':<{width}}  precision  recall     f1  support")
    for c in classes:
        print(f"  {c:<{width}}  {values['precision'][c]:9.3f}  {values['recall'][c]:6.3f}  {values['f1'][c]:5.3f}"
              f"  {values['support'][c]:7d}")
    print("  confusion matrix (rows: true class, columns: predicted class, in the order above):")
    cell = max(4, len(str(values["n_rows"])))
    for c, row in zip(classes, values["confusion_matrix"]):
        print(f"  {c:<{width}}  " + " ".join(f"{n:>{cell}d}" for n in row))
