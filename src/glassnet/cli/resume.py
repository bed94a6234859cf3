"""``glassnet resume``: go on training a saved model where it stopped, on the same data and splits."""

from __future__ import annotations

import argparse
from typing import Any

from .options import FOUND_IN_HEADER, add_format_options, add_model, add_progress_options, rule


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("resume", help="continue training a saved model",
                       description="Train a saved model for more epochs on DATA, split as `glassnet train` split "
                                   "it (same fractions and seed), with the saved optimizer state, shuffling "
                                   "state and preprocessing. It keeps the weights of the epoch with the lowest "
                                   "validation loss, and never saves weights whose validation loss is worse than "
                                   "that of the weights MODEL holds: if no epoch beats them, it keeps them (and "
                                   "the record of the epochs tried); in an ensemble whose members validate on "
                                   "rows of their own, each member keeps its own best epoch. Without validation "
                                   "rows (--val-split 0) "
                                   "there is nothing to compare: it keeps the last weights (or, with --patience, "
                                   "those of the lowest training loss, as train does). `train --epochs N "
                                   "--patience 0` then `resume --epochs M --keep-last` gives the same model as "
                                   "`train --epochs N+M --patience 0`, unless it has a --schedule (which spans the "
                                   "epochs train was given; resume refuses one that has ended). DATA must be the "
                                   "data MODEL was trained on (checked by its rows and fingerprint). Checkpoints "
                                   "save the state as it is, to go on from; Ctrl-C saves, after the last whole "
                                   "epoch, the weights it would keep then.")
    add_model(p, "that it was trained on")
    p.add_argument("--epochs", type=rule("epochs"), required=True, metavar="N", help="epochs to add")
    p.add_argument("--out", metavar="FILE", help="where to save (default: overwrite MODEL)")
    p.add_argument("--keep-last", action="store_true", help="save the weights of the last epoch, even if their "
                   "validation loss is worse than that of the weights MODEL holds")
    add_progress_options(p, " (default: the patience MODEL was trained with; 0 if it does not record one)")
    add_format_options(p, model=True, sep=f"the --sep MODEL was trained with, if any, else {FOUND_IN_HEADER}")
    p.set_defaults(run=run, patience=None)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..tabular.workflow import loss_for, rows_learned_from
    from .common import check_outputs, fit_and_save, read_data, say
    from .evaluate import check_training_data

    args.out = args.model if args.out is None else args.out  # (an empty --out is refused below, not MODEL)
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
    table = read_data(model, args, sep=settings.get("sep"))
    check_training_data(settings, table, args.model, prep, "resume splits it again as train did, so on other data its "
                        "validation and test rows would include rows the model learned from; to learn from other "
                        "data, train a new model")
    splits = training_splits(model, table, settings)
    schedule_note = check_schedule(net.optimizer, args, rows_learned_from(splits, settings),
                                   settings["batch_size"])
    if args.patience is None:
        args.patience = settings.get("patience") or 0
    keeper = Keeper(model, splits[1], args)
    start = f"; the validation loss of its weights is {keeper.loss:.6g}" if keeper.loss is not None else ""
    own = "; each member validated on its own rows, keeping its best epoch" if settings.get("own_validation") else ""
    say(args, f"resuming {args.model} after epoch {net.epochs_trained} on {len(splits[0])} training rows "
              f"(patience {args.patience}{own}){start}{schedule_note}")
    return fit_and_save(model, splits, args, keeper=keeper)


def check_schedule(optimizer: Any, args: argparse.Namespace, rows: int, batch_size: int) -> str:
    """Refuse to resume a learning-rate schedule that has ended (its rate stays at its final value, 0 for cosine,
    so the epochs would hardly move the weights); "" or a note when it ends during the resumed epochs."""
    from ..errors import InputError

    schedule, taken = optimizer.schedule, optimizer.steps
    end = getattr(schedule, "steps", None)  # (a schedule with an end: cosine, onecycle)
    if end is None:
        return ""
    final = f"{schedule(end):g}"
    if taken >= end:
        raise InputError(f"{args.model} was trained with a {schedule.name} schedule of {end} steps, which has ended "
                         f"({taken} steps taken): its learning rate stays at {final}, so more epochs would not train "
                         "it; train a new model with more --epochs instead")
    per_epoch = -(-rows // batch_size)
    left = -(-(end - taken) // per_epoch)
    if left >= args.epochs:
        return ""
    return f"; its {schedule.name} schedule ends after {left} of these {args.epochs} epochs, the rest at rate {final}"


class Keeper:
    """Which weights resume saves. It watches every epoch (``watch`` wraps the fit callback) and remembers the
    weights of the lowest validation loss so far, starting from those the model was loaded with, and the last
    epoch's; ``choose`` puts the chosen ones into the network and says which they are."""

    def __init__(self, model: Any, val: Any, args: argparse.Namespace) -> None:
        self.net, self.args = model.network, args
        self.loss = _validation_loss(model, val) if len(val) else None  # (None: no validation rows)
        self.loaded_epoch = self.net.history.best_epoch or _epoch_of(self.net.history, self.loss)
        self.best, self.last = self.net.flat.copy(), self.net.flat.copy()
        self.best_loss, self.best_epoch = self.loss, None  # (None: the weights it was loaded with)

    def watch(self, callback: Any) -> Any:
        def each_epoch(epoch: int, values: dict[str, float]) -> None:
            callback(epoch, values)
            self.last[...] = self.net.flat
            loss = values.get("val_loss")
            if self.best_loss is not None and loss is not None and loss < self.best_loss:
                self.best_loss, self.best_epoch = loss, epoch
                self.best[...] = self.net.flat

        return each_epoch

    def choose(self, history: Any, interrupted: bool = False) -> str:
        """Put the chosen weights into the network and name their epoch in its history; ``said`` (and the return
        value) says which, in words. ``interrupted``: by Ctrl-C, among the epochs that ended (none stopped it)."""
        self.said = self._choose(history, interrupted)
        if self.args.keep_last or self.loss is not None:  # (else: as the fit's early stopping left them)
            chosen = None if self.args.keep_last else self.best_epoch or self.loaded_epoch
            self.net.history.best_epoch, self.net.history.best_epochs = chosen, None
        return self.said

    def _choose(self, history: Any, interrupted: bool) -> str:
        from .common import kept_weights, stopped_early

        net, args = self.net, self.args
        stopped = stopped_early(history, net, args, interrupted)
        if args.keep_last:
            net.flat[...] = self.last
            last = history["val_loss"][-1] if self.loss is not None else None
            worse = f": validation loss {last:.6g}, worse than the {self.loss:.6g} of the weights it was " \
                "loaded with" if last is not None and last > self.loss else ""
            return f"{stopped}kept the weights of the last epoch, {net.epochs_trained} (--keep-last){worse}"
        if self.loss is None:  # (no validation rows: as train does)
            return kept_weights(history, net, args, interrupted) or \
                f"kept the weights of the last epoch, {net.epochs_trained} (no validation rows to compare them by)"
        net.flat[...] = self.best
        if self.best_epoch is None:
            held = f"epoch {self.loaded_epoch}" if self.loaded_epoch else "an epoch it does not record"
            return (f"{stopped}no epoch beat the validation loss {self.loss:.6g} of the weights {args.model} held "
                    f"({held}): kept those (--keep-last saves the last epoch's instead)")
        return (f"{stopped}kept the weights of epoch {self.best_epoch}, whose validation loss {self.best_loss:.6g} "
                f"is the lowest (the weights {args.model} held: {self.loss:.6g})")


def _validation_loss(model: Any, val: Any) -> float:
    """The loss of the model's weights on the validation rows, measured as ``fit`` measures every epoch's."""
    prep, net = model.preprocessing, model.network
    return net.measure(*net.check_data(prep.inputs(val, unknown="ignore"), prep.targets(val)))["loss"]


def _epoch_of(history: Any, loss: float | None) -> int | None:
    """The recorded epoch whose validation loss is ``loss`` (the last that matches; None if none does): where
    weights that a model file does not date come from."""
    import math

    matches = [epoch for epoch, value in enumerate(history.get("val_loss", ()), 1)
               if loss is not None and math.isclose(value, loss, rel_tol=1e-9)]
    return matches[-1] if matches else None


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
             "patience": lambda v: v is None or RULES["patience"].accepts(v),  # (None: not recorded)
             "rows": lambda v: v is None or (type(v) is int and v >= 0),  # (None: saved before they were recorded)
             "fingerprint": lambda v: v is None or isinstance(v, str),
             "own_validation": lambda v: v is None or isinstance(v, bool),  # (None: saved before it existed)
             "ignore": lambda v: v is None or isinstance(v, list) and all(isinstance(name, str) for name in v),
             "sep": _a_separator}
    bad = [k for k, ok in valid.items() if not ok(settings.get(k))]
    if bad:
        raise ModelFileError(f"{path} lacks valid training settings {', '.join(bad)}, which rebuild its training "
                             f"splits (was it saved by glassnet train?)")
    return settings


def _a_separator(sep: object) -> bool:
    """Whether a saved separator is one a CSV file can have (None: found in the header)."""
    from ..errors import InputError
    from ..tabular.csvfile import check_format

    try:
        check_format(sep, ".")
    except InputError:
        return False
    return True


def training_splits(model: Any, table: Any, settings: dict) -> tuple:
    """The (training, validation, test) tables that ``glassnet train`` made of ``table`` (its DATA as read), from
    the checked ``settings`` (``training_settings``): the same rows kept, the same seed, the same fractions."""
    from ..tabular.preprocessing import Category
    from ..tabular.workflow import prepare

    prep = model.preprocessing
    for column in prep.columns:  # (a column the model one-hot encodes is its text, whatever this glassnet would
        if isinstance(column, Category):  # say of it for a new model, such as numbers written with '%')
            table.problems.pop(column.name, None)
    missing = settings.get("missing", "drop" if settings["drop_missing"] else "impute")
    val = 0.0 if settings.get("own_validation") else settings["val_split"]  # (each member's: from the training rows)
    return prepare(table, prep.target.name, prep.task, val, settings["test_split"], settings["seed"], missing,
                   settings.get("ignore", []), whole_target=False)[1]
