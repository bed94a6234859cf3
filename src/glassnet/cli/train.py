"""``glassnet train``: learn a CSV file's target column from its other columns, test on held-out rows, save.

A thin layer over ``glassnet.tabular.workflow``: prepare (check, split, fit the preprocessing), build the
network, fit, evaluate on the test rows and save the ``Model`` bundle.
"""

from __future__ import annotations

import argparse

from ..tabular.presets import PRESETS, preset_help
from .options import add_progress_options, add_table_options, component, rule


def hidden_sizes(text: str) -> list[int]:
    """``"32,16"`` -> [32, 16]; an empty string means no hidden layer (an empty size among others, ``"1,,2"``, is
    an error)."""
    size = rule("units")
    if not text.strip():
        return []
    try:
        return [size(part.strip()) for part in text.split(",")]
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"each layer size {exc}; expected sizes like 32,16") from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a network on a CSV file or bundled dataset and save it",
                       description="Train a network to predict one column of a CSV file (or a bundled dataset) "
                                   "from the others, report metrics on held-out test rows, and save the model. "
                                   "Numeric columns are scaled (--scaling) and text columns one-hot encoded, fitted "
                                   "on the training rows; splits are stratified by class and follow --seed.")
    p.add_argument("data", metavar="DATA", help="a CSV file with a header row, or a bundled dataset name "
                   "(see `glassnet datasets`)")
    p.add_argument("--target", required=True, metavar="COL", help="the column to predict")
    p.add_argument("--preset", choices=list(PRESETS), default="default",
                   help="where the network's options come from when not given: 'default' is the recipe chosen on "
                        "the tabular benchmark (an ensemble of 8 networks of 32 relu units with dropout 0.2, robust "
                        "scaling, label smoothing 0.1 for classes, lr 0.005, float32); 'quick' is one network of 16 "
                        "tanh units with standard scaling, lr 0.01 and float64, several times faster, more so on "
                        "wide one-hot tables (default: default)")
    p.add_argument("--hidden", type=hidden_sizes, metavar="N,N",
                   help=f"hidden layer sizes, comma-separated; '' for none ({preset_help('hidden')})")
    p.add_argument("--activation", type=component("activation"), metavar="NAME",
                   help="hidden activation: relu, tanh, sigmoid, leaky_relu, ... any name glassnet.activations "
                        f"knows ({preset_help('activation')})")
    p.add_argument("--scaling", choices=["standard", "robust", "quantile"],
                   help="numeric inputs: standard ((x - mean) / std); robust ((x - median) / interquartile range, "
                        "then smoothly clipped to +-3); quantile (to normal quantiles of the training values) "
                        f"({preset_help('scaling')})")
    p.add_argument("--dropout", type=rule("rate"), metavar="P",
                   help="after each hidden layer, drop this share of its values in training "
                        f"({preset_help('dropout')})")
    p.add_argument("--epochs", type=rule("epochs"), default=300, metavar="N",
                   help="training epochs at most (default: 300)")
    p.add_argument("--batch-size", type=rule("batch_size"), metavar="B", help="rows per update (default: about "
                   "1/100 of the training rows, at least 8 and at most 256)")
    p.add_argument("--optimizer", type=component("optimizer"), default="adam", metavar="NAME",
                   help="adam or sgd, or any name glassnet.optimizers knows (default: adam)")
    p.add_argument("--lr", type=rule("lr"), metavar="X", help=f"learning rate ({preset_help('lr')})")
    p.add_argument("--schedule", choices=["constant", "cosine", "onecycle"], default="constant",
                   help="the learning rate over training: constant; cosine (one epoch of warm-up, then down to 0 at "
                        "the last epoch); onecycle (up to --lr and down again) (default: constant)")
    p.add_argument("--weight-decay", type=rule("weight_decay"), default=0.0, metavar="W",
                   help="decoupled weight decay, as AdamW's: weights shrink by lr * W each update (default: 0)")
    p.add_argument("--label-smoothing", type=rule("label_smoothing"), metavar="E",
                   help="classification: train towards (1 - E) * one-hot + E / classes; regression: 0 "
                        f"({preset_help('label_smoothing')})")
    p.add_argument("--class-weight", choices=["balanced"], help="classification: weigh each row by rows / (classes "
                   "* rows of its class), so that rare classes count as much as common ones (default: none)")
    p.add_argument("--ensemble", type=rule("ensemble"), metavar="K",
                   help="train K networks from the seeds S, S+1, ... together and average them "
                        f"({preset_help('ensemble')})")
    p.add_argument("--val-split", type=rule("val_split"), default=0.1, metavar="F",
                   help="share of rows for validation, which early stopping watches; in an ensemble each member "
                   "holds out that many training rows of its own (default: 0.1)")
    p.add_argument("--test-split", type=rule("test_split"), default=0.2, metavar="F",
                   help="share of rows held out for the final test (default: 0.2)")
    p.add_argument("--seed", type=rule("seed"), default=0, metavar="S", help="seed for splits, weights, shuffling")
    p.add_argument("--task", choices=["auto", "classification", "regression"], default="auto",
                   help="auto: text, or whole numbers with 2 values, or with at most 20 and 5 times as many rows, "
                        "mean classification (default: auto)")
    p.add_argument("--dtype", choices=["float32", "float64"], help="the arithmetic of training and prediction "
                   f"({preset_help('dtype')})")
    p.add_argument("--out", default="model.safetensors", metavar="FILE", help="default: model.safetensors")
    add_table_options(p)
    missing = p.add_mutually_exclusive_group()  # (both given: one would silently win)
    missing.add_argument("--missing", choices=["impute", "drop", "error"],  # (None: impute; argparse tells a
                         # default given again apart only by identity)
                         help="missing cells: impute (numbers: the training median and a 0/1 'was missing' input; "
                              "text: a '(missing)' category), drop (the rows) or error (default: impute)")
    missing.add_argument("--drop-missing", dest="missing", action="store_const", const="drop",
                         help="the same as --missing drop")
    p.add_argument("--ignore", metavar="COL[,COL]", help="columns to leave out: ids, free text, ... (default: none)")
    add_progress_options(p)
    p.set_defaults(run=run, patience=30)


OPTIONS = ("preset", "hidden", "activation", "scaling", "dropout", "epochs", "batch_size", "optimizer", "lr",
           "schedule", "weight_decay", "label_smoothing", "class_weight", "ensemble", "val_split", "test_split",
           "seed", "task", "dtype", "missing", "ignore", "na_values", "sep", "decimal", "patience", "out",
           "checkpoint_every", "threads")  # (train_table's keyword arguments)


def run(args: argparse.Namespace) -> int:
    from ..tabular.train_table import train_table
    from ..tabular.workflow import Interrupted
    from .common import check_outputs, finish, interrupted, progress_level, say, warn

    check_outputs(args)
    options = {k: getattr(args, k) for k in OPTIONS} | {"missing": args.missing or "impute"}
    try:
        model = train_table(args.data, args.target, **options, verbose=progress_level(args),
                            say=lambda text: say(args, text), warn=warn)
    except Interrupted as exc:
        return interrupted(exc.model, args, exc.saved)
    return finish(model, args)
