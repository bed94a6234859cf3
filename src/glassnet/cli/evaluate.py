"""``glassnet evaluate``: a saved model's metrics on the rows of a CSV file (or bundled dataset): all of them, or
only the test rows ``glassnet train`` held out, rebuilt from the training data and the model's saved settings."""

from __future__ import annotations

import argparse
from typing import Any

from .options import add_format_options, add_model


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="measure a saved model on labelled rows",
                       description="Measure a saved model on the rows of a CSV file that holds the target column. "
                                   "Classification: accuracy, log loss, per-class precision, recall and F1, and "
                                   "the confusion matrix. Regression: MAE, RMSE and R^2. Figures on rows the "
                                   "model trained on flatter it: on the training data, use --split test.")
    add_model(p, "with the model's columns and its target")
    p.add_argument("--split", choices=["all", "test"], default="all",
                   help="all: every row of DATA; test: only the rows glassnet train held out for its test, "
                        "rebuilt from the seed and settings saved in MODEL, where DATA must be the training data "
                        "(checked by its number of rows and its fingerprint) (default: all)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--drop-missing", action="store_true", help="skip rows with empty, NaN or infinite cells "
                   "(--split all; the test rows are those training kept)")
    add_format_options(p, model=True)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from .. import load_model
    from ..tabular.evaluation import evaluate, finite, labelled_rows
    from ..tabular.preprocessing import Counts
    from .common import print_report, read_data, warn

    model = load_model(args.model)
    prep = model.require_preprocessing(args.model)
    table = read_data(model, args)
    if args.split == "test":
        table, rows, notes = held_out_rows(model, table, args.model), "test rows", []
    else:
        warn_if_training_data(model, table, args)
        (table, notes), rows = labelled_rows(table, prep, args.drop_missing), "rows"
    counts = Counts()
    values = evaluate(model, table, counts)
    for text in notes + counts.warnings(table.source):
        warn(text)
    finite(values, table, prep)
    if args.json:
        print(json.dumps(values))
    else:
        print_report(values, f"{rows} of {table.source}")
    return 0


def held_out_rows(model: Any, table: Any, path: str) -> Any:
    """The test rows ``glassnet train`` held out of ``table``, which must be the data it was trained on."""
    from ..errors import InputError
    from .resume import training_settings, training_splits

    settings = training_settings(model.record.settings, path)
    check_training_data(settings, table, path, model.require_preprocessing(path))
    test = training_splits(model, table, settings)[2]
    if not len(test):
        raise InputError(f"{path} was trained with --test-split 0, so no rows were held out for a test: measure it "
                         "with --split all on data it has not seen")
    saved = (model.record.test_metrics or {}).get("n_rows")
    if saved is not None and saved != len(test):
        raise InputError(f"{table.source} gives {len(test)} test rows, but {path} was tested on {saved}: it is not "
                         "the data the model was trained on")
    return test


def check_training_data(settings: dict, table: Any, path: str, prep: Any,
                        again: str = "--split test rebuilds the held-out rows from the training data only") -> None:
    """Refuse ``table`` unless it is the data the model was trained on: the same number of rows and the same
    fingerprint (``again``: why that matters, for the error). Models saved before the fingerprint was recorded are
    checked by what they have, with a warning."""
    import sys

    from ..errors import InputError
    from ..tabular.fingerprint import fingerprint

    rows, saved = settings.get("rows"), settings.get("fingerprint")
    if rows is not None and rows != len(table):
        raise InputError(f"{table.source} has {len(table)} rows, but {path} was trained on data of {rows} rows: "
                         f"{again}{table.separator_hint()}")
    if saved is None and rows is None:
        print(f"warning: {path} records neither the number of rows nor the fingerprint of its training data (saved "
              f"by the playground or an older glassnet), so {table.source} cannot be checked against them",
              file=sys.stderr)
    elif saved is None:
        print(f"warning: {path} does not record the fingerprint of its training data (saved by an older "
              f"glassnet): {table.source} was checked by its number of rows only", file=sys.stderr)
    elif fingerprint(table) != saved and not (table.earlier and fingerprint(table, earlier=True) == saved):
        used = {column.name for column in prep.columns} | {prep.target.name}  # (one of them read wrongly: why)
        problem = next((f"{text}; so " for name, text in table.problems.items() if name in used), "")
        raise InputError(f"{problem}{table.source} is not the data {path} was trained on (the same number of "
                         f"rows, but other cells: its fingerprint differs): {again}{table.separator_hint()}")


def warn_if_training_data(model: Any, table: Any, args: argparse.Namespace) -> None:
    """A warning on stderr when ``table`` is the data the model was trained on (by its fingerprint, or for an
    older model by the DATA argument): its figures include the training rows."""
    import sys

    from ..tabular.fingerprint import fingerprint

    settings = model.record.settings or {}
    saved = settings.get("fingerprint")
    if isinstance(saved, str):
        same = settings.get("rows") in (None, len(table)) and fingerprint(table) == saved
    else:
        same = settings.get("data") == args.data
    if same:
        print(f"warning: {table.source} is the data {args.model} was trained on, so these figures include the rows "
              "it learned from and flatter it; --split test measures the held-out test rows only", file=sys.stderr)
