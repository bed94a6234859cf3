"""``train_table``: what ``glassnet train`` does, from Python, on a CSV/Parquet/Feather file, a bundled dataset
or a pandas DataFrame. The command line is a thin layer over it.

    import glassnet as gn
    model = gn.train_table("penguins.csv", "species", ignore=["id"])
    model.predict_table("new_penguins.csv")         # ['Adelie', 'Gentoo', ...]
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from ..checks import float_dtype
from ..constraints import check
from ..errors import InputError
from ..losses import balanced_class_weights
from .csvfile import check_format
from .datasets import resolve
from .fingerprint import fingerprint
from .fitting import SCALINGS
from .model import Model, TrainingRecord
from .presets import with_preset
from .splits import check_fractions
from .workflow import (
    SCHEDULES,
    Notes,
    build_network,
    columns_named,
    default_batch_size,
    loss_for,
    optimizer_for,
    own_validation_rows,
    prepare,
    rows_learned_from,
    shares_first_layer,
    train,
)


def train_table(data: Any, target: str, *, preset: str = "default", hidden: Sequence[int] | None = None,
                activation: str | None = None, scaling: str | None = None, dropout: float | None = None,
                epochs: int = 300, batch_size: int | None = None, optimizer: str = "adam", lr: float | None = None,
                schedule: str = "constant", weight_decay: float = 0.0, label_smoothing: float | None = None,
                class_weight: str | None = None, ensemble: int | None = None, val_split: float = 0.1,
                test_split: float = 0.2, seed: int = 0, task: str = "auto",
                dtype: str | None = None, missing: str = "impute",
                ignore: str | Sequence[str] = (), na_values: str | Sequence[str] = (), sep: str | None = None,
                decimal: str = ".",
                patience: int = 30, out: str | os.PathLike | None = None, checkpoint_every: int = 0,
                threads: int = 1, verbose: int = 0, say: Callable[[str], None] | None = None,
                warn: Callable[[str], None] | None = None) -> Model:
    """Learn ``target`` from the other columns of ``data``; return the trained ``Model`` (network, preprocessing,
    training record with the test rows' metrics), saved to ``out`` if given.

    The options are ``glassnet train``'s flags (see ``glassnet train --help``). Those left as None take the
    ``preset``'s value (``glassnet.tabular.presets``: "default" or "quick"). ``say`` receives what was done
    (rows, splits, imputation), ``warn`` what looks wrong (default: Python warnings). On Ctrl-C the model of the
    last whole epoch is saved to ``out`` (if given) and KeyboardInterrupt goes on up.
    """
    if not isinstance(target, str):
        raise InputError(f"target must be a column name (text); got {target!r}")
    smoothing_given, dropout_given = label_smoothing is not None, dropout is not None
    hidden, activation, scaling, dropout, lr, label_smoothing, ensemble, dtype = with_preset(preset, dict(
        hidden=hidden, activation=activation, scaling=scaling, dropout=dropout, lr=lr,
        label_smoothing=label_smoothing, ensemble=ensemble, dtype=dtype)).values()
    if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__iter__"):
        raise InputError(f"hidden must be a list of layer sizes, such as [32, 16]; got {hidden!r}")
    if not isinstance(dtype, str):  # (np.float32, as gn.Network and the estimators take it)
        dtype = float_dtype(dtype).name
    if not list(hidden) and not dropout_given:
        dropout = 0.0  # (the preset's dropout is for hidden layers)
    settings = _settings(locals())
    say = say or (lambda text: None)
    warn = warn or (lambda text: warnings.warn(text, UserWarning, stacklevel=3))
    if target in settings["ignore"]:
        raise InputError(f"--ignore names the target column {target!r}, which is never an input: leave it out of "
                         "--ignore")
    notes = Notes()
    table = resolve(data, sep, decimal, settings["na_values"])
    source = table.source
    settings.update(rows=len(table), fingerprint=fingerprint(table))  # (the data as read: evaluate --split test)
    check_fractions(val_split, test_split)
    own = ensemble > 1 and val_split > 0  # (each member holds out validation rows of its own: below)
    prep, splits = prepare(table, target, task, 0.0 if own else val_split, test_split, seed, missing,
                           settings["ignore"], notes, scaling)
    settings["own_validation"] = own
    shared = shares_first_layer(prep.n_inputs, list(hidden), ensemble, rows_learned_from(splits, settings))
    if own and shared:  # (a shared first layer multiplies one batch for all members: common validation rows)
        own = settings["own_validation"] = False
        notes = Notes()
        prep, splits = prepare(table, target, task, val_split, test_split, seed, missing, settings["ignore"], notes,
                               scaling)
    del table  # (the splits hold every row: one copy of a large table is enough)
    if own:
        _check_own_validation(len(splits[0]), own_validation_rows(splits, settings), val_split, source)
    if prep.task == "regression" and not smoothing_given:
        label_smoothing = settings["label_smoothing"] = 0.0  # (the preset's smoothing is for classes)
    prep.na_values, prep.decimal = settings["na_values"], decimal
    for text in notes.warnings:
        warn(text)
    network = build_network(prep, list(hidden), activation, seed, dtype, dropout, ensemble, shared)
    learned_from = rows_learned_from(splits, settings)
    settings.update(task=prep.task, batch_size=batch_size or default_batch_size(learned_from),
                    data=source if not isinstance(data, (str, os.PathLike)) else os.fspath(data))
    model = Model(network, prep, TrainingRecord(settings))
    per_epoch = -(-learned_from // settings["batch_size"])
    chosen = optimizer_for(optimizer, lr, epochs * per_epoch, per_epoch, schedule, weight_decay)
    weights = class_weight  # ("balanced": the training rows' weights; a regression says it cannot)
    if class_weight is not None and prep.task == "classification":
        weights = balanced_class_weights(prep.targets(splits[0]), prep.n_outputs)
    network.configure(loss_for(prep, label_smoothing, weights), chosen)
    validation = f"{len(splits[1])} validation" if not own else \
        f"each of the {ensemble} members holding out {own_validation_rows(splits, settings)} of them for its validation"
    say(f"{source}: {sum(map(len, splits))} rows -> {len(splits[0])} training, {validation}, {len(splits[2])} test; "
        f"{describe_target(prep)}")
    for text in notes.info:
        say(text)
    say(f"network: {network.summary()} ({network.n_params} parameters); {chosen!r}, batch {settings['batch_size']}")
    if shared:
        say(f"note: {prep.n_inputs} inputs x {hidden[0]} units x {ensemble} members on {len(splits[0])} rows: the "
            "members share their first layer's weights, each through its own scales, so that training takes a "
            "fraction of the time (--preset quick, one network of 16 units, is faster still)")
    train(model, splits, epochs, settings["batch_size"], patience, verbose, None if out is None else os.fspath(out),
          checkpoint_every, chosen, threads=threads)
    return model


def _check_own_validation(rows: int, held: int, val_split: float, source: str) -> None:
    """Each member's own validation rows (``held`` of the ``rows`` training rows) must leave it rows on both
    sides."""
    if not 0 < held < rows:
        raise InputError(f"{source}: {rows} training rows are too few for --val-split {val_split}: each member's "
                         "validation set would be empty (use more rows, a larger fraction, or --val-split 0)")


def _settings(options: dict[str, Any]) -> dict[str, Any]:
    """The options, checked, as the JSON-safe settings saved with the model (what resume needs)."""
    for name in ("epochs", "seed", "val_split", "test_split", "patience", "checkpoint_every", "rate", "lr",
                 "batch_size", "weight_decay", "label_smoothing", "ensemble", "threads"):
        key = {"rate": "dropout"}.get(name, name)
        check(name, options[key], f"--{key.replace('_', '-')}")
    hidden = list(options["hidden"])
    for size in hidden:
        check("units", size, "--hidden")
    for name, allowed in (("task", ("auto", "classification", "regression")), ("dtype", ("float32", "float64")),
                          ("schedule", SCHEDULES), ("class_weight", (None, "balanced")), ("scaling", SCALINGS)):
        if options[name] not in allowed:
            raise InputError(f"--{name.replace('_', '-')} must be one of {', '.join(map(str, allowed))}; got "
                             f"{options[name]!r}")
    keys = ("target", "preset", "activation", "scaling", "dropout", "optimizer", "lr", "schedule", "weight_decay",
            "label_smoothing", "class_weight", "ensemble", "val_split", "test_split", "seed", "dtype", "patience",
            "missing", "decimal", "sep")
    for name in ("say", "warn"):
        if options[name] is not None and not callable(options[name]):
            raise InputError(f"{name} must be a function of one text (such as print) or None; got {options[name]!r}")
    check_format(options["sep"], options["decimal"])  # (a DataFrame's too: the model keeps them for files)
    names = {"ignore": columns_named(options["ignore"], "--ignore"),
             "na_values": columns_named(options["na_values"], "--na-values")}
    return {**{k: options[k] for k in keys}, "hidden": hidden, **names, "drop_missing": options["missing"] == "drop"}


LISTED = 20  # classes or categories named in a description (10,000 classes would make a line of 100 KB)


def describe_target(prep: Any) -> str:
    t = prep.target
    if t.task == "classification":
        more = ", ..." if len(t.classes) > LISTED else ""
        return f"classification of {t.name!r} into {len(t.classes)} classes ({', '.join(t.classes[:LISTED])}{more})"
    return f"regression of {t.name!r} (mean {t.mean:.4g}, standard deviation {t.scale:.4g})"
