"""What several commands share when they run: where train and resume write, their training run with checkpoints
and Ctrl-C, and the printing of metrics (``options`` holds what they share when the parser is built)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from . import printable


def check_outputs(args: argparse.Namespace) -> None:
    """Where train and resume will write, checked before any work: --out and --plot (neither the data file, nor
    one the other; resume's --out may be its MODEL)."""
    from ..formats.files import output_file

    output_file(args.out, "--out", {"the data file": args.data})
    if args.plot is not None:  # (an empty --plot is refused, not taken for none)
        from ..viz import plot

        plot.check_image_file(args.plot, "--plot", {"the data file": args.data, "the --out file": args.out,
                                                    "the model file": getattr(args, "model", None)})


def read_data(model: Any, args: argparse.Namespace, keep: Sequence[str] = (), sep: str | None = None) -> Any:
    """DATA as a Table, read as MODEL's training data was, but with --sep and --decimal where given (``sep``: the
    separator otherwise, None: found in the header; ``keep``: columns also kept as written); None without DATA."""
    check_format_options(args)
    given = sep if args.sep is None else args.sep  # (an empty --sep is refused, as train refuses it)
    return None if args.data is None else model.read(args.data, keep, given, args.decimal)


def check_format_options(args: argparse.Namespace) -> None:
    """--sep and --decimal say how DATA is written: an InputError if they are given without DATA."""
    from ..errors import InputError

    given = " and ".join(f"--{name}" for name in ("sep", "decimal") if getattr(args, name) is not None)
    if given and args.data is None:
        raise InputError(f"there is no DATA to read with {given}: give DATA, or leave out {given}")


def say(args: argparse.Namespace, text: str) -> None:
    """One line for people (unless --quiet): a name from a file in it stays on the line (``printable``)."""
    if not args.quiet:
        print(printable(text, one_line=True), flush=True)


def progress_level(args: argparse.Namespace) -> int:
    """0 with --quiet, a progress bar (2) on a terminal, one line per reporting interval (1) otherwise."""
    return 0 if args.quiet else 2 if sys.stdout.isatty() else 1


def fit_and_save(model: Any, splits: tuple, args: argparse.Namespace, optimizer: Any = None,
                 keeper: Any = None) -> int:
    """Train on splits[0] (watching splits[1]), measure on splits[2], save to ``args.out`` and say so; 130 on
    Ctrl-C, after saving the model of the last whole epoch. ``keeper`` (resume's) sees every epoch and picks the
    weights to keep (``keeper.said``: what it did, in words)."""
    from ..tabular.workflow import Interrupted, train

    try:
        train(model, splits, args.epochs, model.record.settings["batch_size"], args.patience, progress_level(args),
              args.out, args.checkpoint_every, optimizer, keeper, args.threads)
    except Interrupted as exc:
        return interrupted(model, args, exc.saved, getattr(keeper, "said", None))
    return finish(model, args, keeper.said if keeper else None)


def interrupted(model: Any, args: argparse.Namespace, saved: bool = True, kept: str | None = None) -> int:
    """Say what Ctrl-C saved (``kept``: which weights resume kept, in words) and how to go on; 130."""
    if not saved:
        print(f"interrupted before an epoch ended: nothing saved ({args.out} is as it was)", file=sys.stderr)
        return 130
    patience = f" --patience {args.patience}" if args.patience else ""
    kept = f" ({kept})" if kept else ""
    print(f"interrupted: saved the model after epoch {model.network.epochs_trained}{kept} to {args.out}; go on with:  "
          f"glassnet resume {args.out} {model.record.settings['data']} --epochs N{patience}", file=sys.stderr)
    return 130


def finish(model: Any, args: argparse.Namespace, kept: str | None = None) -> int:
    """Say which epoch's weights were kept (``kept``, or what early stopping did), the test metrics and where the
    model went; draw --plot."""
    net = model.network
    kept = kept if kept is not None else kept_weights(model.last_run, net, args)
    if kept:
        say(args, kept)
    if model.record.test_metrics and not args.quiet:
        print_report(model.record.test_metrics, f"test rows of {model.record.settings['data']}")
    say(args, f"saved {args.out}")
    if args.plot:
        from ..viz import plot

        plot.loss_curves(net.history, args.plot)
        say(args, f"drew the loss curves to {args.plot}")
    return 0


def warn(text: str) -> None:
    print(f"warning: {text}", file=sys.stderr)


def kept_weights(history: Any, net: Any, args: argparse.Namespace, interrupted: bool = False) -> str:
    """What early stopping did, in words ("" if it kept the last epoch's weights); ``interrupted``: the run was
    cut short by Ctrl-C, not by early stopping."""
    stopped = stopped_early(history, net, args, interrupted)
    if history.best_epochs:
        began = net.epochs_trained - history.epochs  # (an epoch of this run, or the weights it began with)
        if all(e <= began for e in history.best_epochs):
            return f"{stopped}no member did better than the weights it began with: each kept them"
        kept = ", ".join(str(e) if e > began else "the weights it began with" for e in history.best_epochs)
        return f"{stopped}each member kept the weights of its best epoch: {kept}"
    best = history.best_epoch
    if best is None or best >= net.epochs_trained:
        return ""
    return f"{stopped}kept the weights of epoch {best}, whose {_watched(history)} was lowest"


def stopped_early(history: Any, net: Any, args: argparse.Namespace, interrupted: bool = False) -> str:
    """ "stopped at epoch N: ...; " if early stopping ended the run before its --epochs, else "" (so too when
    Ctrl-C ended it: ``interrupted``)."""
    if interrupted or history.epochs >= args.epochs:
        return ""
    why = f"every member had gone {args.patience} epochs without a better validation loss on its own rows" \
        if history.best_epochs else f"no better {_watched(history)} in {args.patience} epochs"
    return f"stopped at epoch {net.epochs_trained}: {why}; "


def _watched(history: Any) -> str:
    """What early stopping watched: the validation loss, or the training loss when there were no validation rows."""
    return "validation loss" if "val_loss" in history else "training loss"


def print_report(values: dict, rows: str) -> None:
    """Metrics from ``glassnet.tabular.evaluation.evaluate`` as text; ``rows`` says which, e.g. "rows of data.csv".
    Class names are escaped to stay on their lines (``printable``)."""
    from ..metrics import SHOWN_CLASSES
    from ..tabular.evaluation import metric_text

    print(f"{values['task']} on {values['n_rows']} {rows}")
    if values["task"] == "regression":
        print(f"  MAE {values['mae']:.4g}   RMSE {values['rmse']:.4g}   R^2 {metric_text(values['r2'])}")
        return
    print(f"  accuracy {values['accuracy']:.4f}   log loss {values['log_loss']:.4f}")
    classes = values["classes"][:SHOWN_CLASSES]
    shown = [printable(c, one_line=True) for c in classes]
    width = max(9, *map(len, shown))
    print(f"  {'class':<{width}}  precision  recall     f1  support")
    for c, name in zip(classes, shown):
        print(f"  {name:<{width}}  {values['precision'][c]:9.3f}  {values['recall'][c]:6.3f}  {values['f1'][c]:5.3f}"
              f"  {values['support'][c]:7d}")
    if len(values["classes"]) > SHOWN_CLASSES:
        print(f"  ... ({len(values['classes'])} classes in all; their figures and the confusion matrix: glassnet "
              "evaluate --json)")
        return
    print("  confusion matrix (rows: true class, columns: predicted class, in the order above):")
    cell = max(4, len(str(values["n_rows"])))
    for name, row in zip(shown, values["confusion_matrix"]):
        print(f"  {name:<{width}}  " + " ".join(f"{n:>{cell}d}" for n in row))


