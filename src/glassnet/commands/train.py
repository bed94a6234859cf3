"""``glassnet train``: learn a CSV file's target column from its other columns, test on held-out rows, save.

The helpers here (``fit_and_save``, ``Checkpoints``) are shared with ``glassnet resume``.
"""

from __future__ import annotations

import argparse
import os
import sys

ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "linear"]


def hidden_sizes(text: str) -> list[int]:
    """``"32,16"`` -> [32, 16]; an empty string means no hidden layer."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 32,16; got {text!r}") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive; got {text!r}")
    return sizes


def seed_value(text: str) -> int:
    """A seed for the splits, weights and shuffling: an integer in [0, 2**32)."""
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if not 0 <= seed < 2**32:
        raise argparse.ArgumentTypeError(f"expected an integer from 0 to 2**32 - 1; got {text!r}")
    return seed


def add_progress_options(p: argparse.ArgumentParser) -> None:
    """Options that ``train`` and ``resume`` share."""
    p.add_argument("--patience", type=int, metavar="P", help="stop after P epochs without a better "
                   "validation loss and keep the best weights (0: never stop early)")
    p.add_argument("--plot", metavar="PNG", help="also draw the training and validation loss curves to PNG "
                   "(needs glassnet[plot])")
    p.add_argument("--checkpoint-every", type=int, default=0, metavar="K",
                   help="save the model to --out every K epochs as well as at the end")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a network on a CSV file or bundled dataset and save it",
                       description="Train a network to predict one column of a CSV file (or a bundled dataset) "
                                   "from the others, report metrics on held-out test rows, and save the model. "
                                   "Numeric columns are standardized and text columns one-hot encoded, fitted "
                                   "on the training rows; splits are stratified by class and follow --seed.")
    p.add_argument("data", metavar="DATA", help="a CSV file with a header row, or a bundled dataset name "
                   "(see `glassnet datasets`)")
    p.add_argument("--target", required=True, metavar="COL", help="the column to predict")
    p.add_argument("--hidden", type=hidden_sizes, default=[16], metavar="N,N",
                   help="hidden layer sizes, comma-separated; '' for none (default: 16)")
    p.add_argument("--activation", choices=ACTIVATIONS, default="tanh", help="hidden activation (default: tanh)")
    p.add_argument("--epochs", type=int, default=300, metavar="N", help="training epochs at most (default: 300)")
    p.add_argument("--batch-size", type=int, metavar="B", help="rows per update (default: about 1/100 of the "
                   "training rows, at least 8 and at most 256)")
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam", help="default: adam")
    p.add_argument("--lr", type=float, default=0.01, metavar="X", help="learning rate (default: 0.01)")
    p.add_argument("--val-split", type=float, default=0.1, metavar="F",
                   help="share of rows for validation, which early stopping watches (default: 0.1)")
    p.add_argument("--test-split", type=float, default=0.2, metavar="F",
                   help="share of rows held out for the final test (default: 0.2)")
    p.add_argument("--seed", type=seed_value, default=0, metavar="S", help="seed for splits, weights, shuffling")
    p.add_argument("--task", choices=["auto", "classification", "regression"], default="auto",
                   help="auto: text or at most 20 distinct integers mean classification (default: auto)")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float64", help="default: float64")
    p.add_argument("--out", default="model.safetensors", metavar="FILE", help="default: model.safetensors")
    p.add_argument("--drop-missing", action="store_true",
                   help="skip rows with empty, NaN or infinite cells instead of stopping")
    add_progress_options(p)
    p.set_defaults(run=run, patience=30)


def run(args: argparse.Namespace) -> int:
    from .. import data, datasets
    from ..errors import InputError
    from ..layers import Dense
    from ..network import Network
    from ..optimizers import SGD, Adam

    for name in ("epochs", "batch_size"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            raise InputError(f"--{name.replace('_', '-')} must be a positive integer; got {getattr(args, name)}")
    check_progress_options(args)
    table = datasets.resolve(args.data)
    prep, splits = data.prepare(table, args.target, args.task, args.val_split, args.test_split, args.seed,
                                args.drop_missing)
    sizes = [prep.n_inputs, *args.hidden]
    classify = prep.task == "classification"
    layers = [Dense(a, b, activation=args.activation) for a, b in zip(sizes, sizes[1:])]
    layers.append(Dense(sizes[-1], prep.n_outputs, activation="softmax" if classify else "linear"))
    net = Network(layers, seed=args.seed, dtype=args.dtype)
    net.preprocessing = prep
    args.batch_size = args.batch_size or default_batch_size(len(splits[0]))
    net.training = {"data": args.data, "val_split": args.val_split, "test_split": args.test_split,
                    "seed": args.seed, "batch_size": args.batch_size, "drop_missing": args.drop_missing}
    optimizer = Adam(lr=args.lr) if args.optimizer == "adam" else SGD(lr=args.lr)
    say(args, f"{table.source}: {sum(map(len, splits))} rows -> {len(splits[0])} training, {len(splits[1])} "
              f"validation, {len(splits[2])} test; {describe_target(prep)}")
    say(args, f"network: {architecture(net)} ({net.n_params} parameters); {optimizer!r}, batch {args.batch_size}")
    return fit_and_save(net, splits, args, loss="categorical_crossentropy" if classify else "mse",
                        optimizer=optimizer)


def default_batch_size(training_rows: int) -> int:
    """About 100 updates an epoch: 8 rows for small data (iris), up to 256 for large files, where 8 would
    make an epoch of 200,000 rows take a second and a whole run close to a minute."""
    return min(256, max(8, training_rows // 100))


def check_progress_options(args: argparse.Namespace) -> None:
    """Options of train and resume that can be checked before any work, --out included."""
    from .. import checks
    from ..errors import InputError

    if args.patience < 0 or args.checkpoint_every < 0:
        raise InputError("--patience and --checkpoint-every must be 0 (off) or positive")
    checks.output_file(args.out, "--out")
    if os.path.exists(args.out) and os.path.exists(args.data) and os.path.samefile(args.out, args.data):
        raise InputError(f"--out {args.out} is the data file itself; saving there would replace your data")
    if args.plot:
        from .. import plot

        plot.check_image_file(args.plot, "--plot")


def say(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(text, flush=True)


def describe_target(prep) -> str:
    t = prep.target
    if t.task == "classification":
        return f"classification of {t.name!r} into {len(t.classes)} classes ({', '.join(t.classes)})"
    return f"regression of {t.name!r} (mean {t.mean:.4g}, standard deviation {t.scale:.4g})"


def architecture(net) -> str:
    return " -> ".join([str(net.n_inputs)] + [f"{layer.n_out} {layer.activation.name}" for layer in net.layers])


def progress_level(args: argparse.Namespace) -> int:
    """0 with --quiet, a progress bar (2) on a terminal, one line per reporting interval (1) otherwise."""
    return 0 if args.quiet else 2 if sys.stdout.isatty() else 1


class Checkpoints:
    """The fit callback: remembers the shuffling and optimizer state at the end of each epoch (so an
    interrupted epoch can be undone entirely) and saves the model every ``every`` epochs."""

    def __init__(self, net, path: str, every: int) -> None:
        self.net, self.path, self.every = net, path, every
        self.remember()

    def remember(self) -> None:
        opt = self.net.optimizer  # None before a new network's first fit: no steps, no state
        self.rng = self.net.rng.bit_generator.state
        self.steps = opt.steps if opt else 0
        self.state = [{k: v.copy() for k, v in s.items()} for s in opt.state] if opt else []

    def __call__(self, epoch: int, values: dict[str, float]) -> None:
        self.remember()
        if self.every and epoch % self.every == 0:
            self.net.save(self.path)

    def rescue(self) -> None:
        """After Ctrl-C (fit has put back the weights of the unfinished epoch's start): undo the rest, save."""
        self.net.rng.bit_generator.state = self.rng
        self.net.optimizer.steps = self.steps
        self.net.optimizer.state = self.state
        self.net.save(self.path)


def fit_and_save(net, splits, args: argparse.Namespace, loss: str | None = None, optimizer=None) -> int:
    """Train on splits[0] (watching splits[1]), save to ``args.out``, report on splits[2]; 130 on Ctrl-C."""
    from .evaluate import print_report, report

    prep = net.preprocessing
    train, val, test = splits
    validation = (prep.inputs(val, unknown="ignore"), prep.targets(val)) if len(val) else None
    checkpoints = Checkpoints(net, args.out, args.checkpoint_every)
    try:
        history = net.fit(prep.inputs(train), prep.targets(train), epochs=args.epochs, loss=loss,
                          optimizer=optimizer, batch_size=net.training["batch_size"], validation_data=validation,
                          early_stopping=args.patience or None, verbose=progress_level(args), callback=checkpoints)
    except KeyboardInterrupt:
        checkpoints.rescue()
        print(f"interrupted: saved the model after epoch {net.epochs_trained} to {args.out}; go on with:  "
              f"glassnet resume {args.out} {net.training['data']} --epochs N", file=sys.stderr)
        return 130
    net.save(args.out)
    best = getattr(history, "best_epoch", None)
    if best is not None and best < net.epochs_trained:
        say(args, f"stopped at epoch {net.epochs_trained}; kept the weights of epoch {best}, "
                  f"whose validation loss was lowest")
    if len(test) and not args.quiet:
        print_report(report(net, test, unknown="ignore"), f"test rows of {test.source}")
    say(args, f"saved {args.out}")
    if args.plot:
        from .. import plot

        plot.loss_curves(net.history, args.plot)
        say(args, f"drew the loss curves to {args.plot}")
    return 0
