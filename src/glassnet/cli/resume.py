"""``glassnet resume``: go on training a saved model where it stopped, on the same data and splits."""

from __future__ import annotations

import argparse
from typing import Any

from .options import add_model, add_progress_options, rule


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("resume", help="continue training a saved model",
                       description="Train a saved model for more epochs on DATA, split as `glassnet train` split "
                                   "it (same fractions and seed), with the saved optimizer state, shuffling "
                                   "state and preprocessing: `train --epochs N` then `resume --epochs M` gives "
                                   "the same weights as `train --epochs N+M` (without early stopping).")
    add_model(p, "that it was trained on")
    p.add_argument("--epochs", type=rule("epochs"), required=True, metavar="N", help="epochs to add")
    p.add_argument("--out", metavar="FILE", help="where to save (default: overwrite MODEL)")
    add_progress_options(p)
    p.set_defaults(run=run, patience=0)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..tabular import datasets
    from ..tabular.workflow import loss_for
    from .common import check_outputs, fit_and_save, say

    args.out = args.out or args.model
    check_outputs(args)
    from .. import load_model

    model = load_model(args.model)
    net, prep = model.network, model.require_preprocessing(args.model)
    settings = training_settings(model.record.settings, args.model)
    if net.loss is None or net.optimizer is None:
        raise InputError(f"{args.model} was never trained, so there is no training to resume")
    if net.loss.name != loss_for(prep):
        raise InputError(f"{args.model} does {prep.task} with the loss {net.loss.name!r}; resume continues the "
                         f"training glassnet train does, with {loss_for(prep)!r}")
    splits = training_splits(model, datasets.resolve(args.data), settings)
    say(args, f"resuming {args.model} after epoch {net.epochs_trained} on {len(splits[0])} training rows")
    return fit_and_save(model, splits, args)


def training_settings(settings: dict | None, path: str) -> dict:
    """The saved command-line settings that fix the splits and batches, checked (numbers by the rules that
    checked them when training began)."""
    from ..constraints import RULES
    from ..errors import ModelFileError

    settings = settings or {}
    valid = {"data": lambda v: isinstance(v, str), "val_split": RULES["val_split"].accepts,
             "test_split": RULES["test_split"].accepts, "seed": RULES["seed"].accepts,
             "batch_size": lambda v: v is not None and RULES["batch_size"].accepts(v),
             "drop_missing": lambda v: isinstance(v, bool),
             "rows": lambda v: v is None or (type(v) is int and v >= 0),  # (None: saved before they were recorded)
             "fingerprint": lambda v: v is None or isinstance(v, str)}
    bad = [k for k, ok in valid.items() if not ok(settings.get(k))]
    if bad:
        raise ModelFileError(f"{path} lacks valid training settings {', '.join(bad)} that resume needs "
                             f"(was it saved by glassnet train?)")
    return settings


def training_splits(model: Any, table: Any, settings: dict) -> tuple:
    """The (training, validation, test) tables that ``glassnet train`` made of ``table`` (its DATA as read), from
    the checked ``settings`` (``training_settings``): the same rows kept, the same seed, the same fractions."""
    from ..tabular.evaluation import usable_rows
    from ..tabular.splits import split_table

    prep = model.preprocessing
    table = usable_rows(table, prep, [prep.target.name], settings["drop_missing"])
    return split_table(table, prep.target, settings["val_split"], settings["test_split"], settings["seed"])
