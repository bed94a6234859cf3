"""Training a network on a table, step by step, for ``glassnet.train_table``, ``glassnet train`` and ``glassnet
resume`` (thin layers over these functions):

    notes = Notes()
    prep, splits = prepare(table, "species", task="auto", val=0.1, test=0.2, seed=0, missing="impute", notes=notes)
    model = Model(build_network(prep, hidden=[16], activation="tanh", seed=0), prep)
    train(model, splits, epochs=300, batch_size=default_batch_size(len(splits[0])), patience=30)
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import metrics
from ..constraints import check
from ..errors import InputError
from ..history import History
from ..layers import Dense, Dropout, Layer, SharedDense
from ..network import Network
from .fitting import SCALINGS, choose_task, codes_as_numbers, fit_classes, fit_columns, fit_standardization
from .inputs import codes_warning, present_in_training, untested_classes, usable_inputs
from .model import Model
from .preprocessing import MISSING, Numeric, Preprocessor, Target
from .splits import split_table
from .table import Table, line_list, quote, quote_names

Splits = tuple[Table, Table, Table]
MISSING_MODES = ("impute", "drop", "error")


@dataclass
class Notes:
    """What preparing a table did (``info``: rows dropped, cells imputed) and what looks wrong (``warnings``)."""

    info: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def prepare(table: Table, target: str, task: str = "auto", val: float = 0.1, test: float = 0.2, seed: int = 0,
            missing: str = "impute", ignore: Sequence[str] = (), notes: Notes | None = None,
            scaling: str = "standard", whole_target: bool = True) -> tuple[Preprocessor, Splits]:
    """Check the table, split it and fit the preprocessing on the training rows: (preprocessor, splits).

    Every column but ``target`` and ``ignore`` is an input. ``task`` is auto, classification or regression.
    ``missing``: ``impute`` (numbers: the training median and a 0/1 "was missing" input; text: a ``(missing)``
    category), ``drop`` (rows with a missing or infinite cell) or ``error``. Rows whose target is missing are
    left out (an error with ``error``). ``notes`` collects what was done and what looks wrong. ``scaling``:
    how numeric inputs become network inputs, ``standard``, ``robust`` or ``quantile`` (``fit_columns``); it
    does not change the splits. ``whole_target``: a regression target is checked in every row, so that a value
    too large to standardize is refused whichever split holds it (not when the splits of a model trained before
    this check are rebuilt: only its training rows were).
    """
    notes = notes if notes is not None else Notes()
    if missing not in MISSING_MODES:
        raise InputError(f"--missing must be one of {', '.join(MISSING_MODES)}; got {missing!r}")
    if scaling not in SCALINGS:
        raise InputError(f"--scaling must be one of {', '.join(SCALINGS)}; got {scaling!r}")
    table.require([target], what="--target names")
    table.require(list(ignore), what="--ignore names")
    inputs = [c for c in table.columns if c != target and c not in ignore]
    if not inputs:
        raise InputError(f"{table.source} has no column besides the target {quote(target)} to learn from"
                         f"{table.separator_hint()}")
    table = _rows_with_target(table, target, missing, notes)
    inputs = usable_inputs(table, inputs, notes)
    table = _missing_inputs(table, inputs, missing, notes)
    chosen = choose_task(table, target, task)
    if task == "auto" and chosen == "regression" and (hint := codes_as_numbers(table, target)):
        notes.warnings.append(hint)
    task = chosen
    if task == "regression" and whole_target:
        fit_standardization(table, target)
    if task == "classification" and table.is_numeric(target):
        if codes := codes_warning(table, target, ", and its classes keep their zeros"):
            notes.warnings.append(codes)
    spec = fit_classes(table, target) if task == "classification" else Target(target, task)
    splits = split_table(table, spec, val, test, seed)
    if task == "classification":
        untested_classes(spec, splits[2], notes)
    if task == "regression":
        spec.mean, spec.scale = fit_standardization(splits[0], target)
        if spec.scale == 0:
            raise InputError(f"{table.source}: target column {quote(target)} is {spec.mean:g} in every training row; "
                             "there is nothing to learn")
    inputs = present_in_training(splits[0], inputs, notes)
    prep = Preprocessor(fit_columns(splits[0], inputs, scaling), spec)
    _say_imputed(table, prep, missing, notes)
    return prep, splits


def _rows_with_target(table: Table, target: str, missing: str, notes: Notes) -> Table:
    table.is_numeric(target)  # (a target mixing numbers and text is an error here)
    missing_target = table.missing(target)
    gaps = np.flatnonzero(missing_target)
    if not gaps.size:
        return table
    if missing == "error":
        raise InputError(f"{table.source}: the target {quote(target)} is missing on {line_list(table, gaps)} "
                         f"({len(gaps)} row(s)); fill them in, or pass --missing drop or impute to leave those "
                         "rows out")
    notes.info.append(f"left out {len(gaps)} row(s) whose target {quote(target)} is missing")
    kept = np.flatnonzero(~missing_target)
    if not kept.size:
        raise InputError(f"{table.source}: the target {quote(target)} is missing in every row")
    return table.take(kept)


def _missing_inputs(table: Table, inputs: list[str], missing: str, notes: Notes) -> Table:
    """The table, without rows with missing or infinite input cells for ``drop``; an error for ``error``."""
    bad = {}
    for name in inputs:
        cells = table.missing(name)
        if table.is_numeric(name):
            cells = cells | np.isinf(table.data[name])
        if cells.any():
            bad[name] = cells
    if not bad or missing == "impute":
        return table
    if missing == "error":
        name, cells = next(iter(bad.items()))
        more = f" (and {len(bad) - 1} more column(s))" if len(bad) > 1 else ""
        raise InputError(f"{table.source}: column {quote(name)} has empty, NaN or infinite cells on "
                         f"{line_list(table, np.flatnonzero(cells))} ({int(cells.sum())} row(s)){more}; fill them in, "
                         "or pass --missing impute (the default) or --missing drop")
    dropped = np.logical_or.reduce(list(bad.values()))
    if dropped.all():
        raise InputError(f"{table.source}: every row has an empty, NaN or infinite cell; nothing is left (try "
                         "--missing impute)")
    per_column = ", ".join(f"{quote(n)} {int(c.sum())}" for n, c in bad.items())
    notes.info.append(f"dropped {int(dropped.sum())} row(s) with missing or infinite cells ({per_column})")
    return table.take(np.flatnonzero(~dropped))


def _say_imputed(table: Table, prep: Preprocessor, missing: str, notes: Notes) -> None:
    if missing != "impute":
        return
    parts = []
    for column in prep.columns:
        count = int(table.missing(column.name).sum())
        if count:
            fill = f"median {column.fill:.6g}" if isinstance(column, Numeric) else MISSING
            parts.append(f"{quote(column.name)} {count} row(s) ({fill})")
    if parts:
        notes.info.append(f"imputed missing cells: {', '.join(parts)}")


def own_validation_rows(splits: Splits, settings: dict) -> int:
    """How many training rows each member of an ensemble trained with ``own_validation`` holds out for its
    validation: as many as ``--val-split``'s share of all the rows, what a common validation set would hold (0
    without ``own_validation``)."""
    return round(sum(map(len, splits)) * settings["val_split"]) if settings.get("own_validation") else 0


def rows_learned_from(splits: Splits, settings: dict) -> int:
    """How many training rows each network learns from: all of ``splits[0]``, but for the members' own
    validation rows (``own_validation_rows``)."""
    return len(splits[0]) - own_validation_rows(splits, settings)


def default_batch_size(training_rows: int) -> int:
    """About 100 updates an epoch: 8 rows for small data (iris), up to 256 for large files, where 8 would
    make an epoch of 200,000 rows take a second and a whole run close to a minute."""
    return min(256, max(8, training_rows // 100))


def build_network(prep: Preprocessor, hidden: Sequence[int], activation: str, seed: int, dtype: str = "float64",
                  dropout: float = 0.0, ensemble: int = 1, shared: bool = False) -> Network:
    """inputs -> hidden layers (each followed by Dropout when ``dropout`` > 0) -> softmax classes or one linear
    output; with ``ensemble`` K > 1, K such networks from the seeds seed, seed + 1, ... trained together as one
    batched computation and averaged (``glassnet.Ensemble``: without dropout, member 0 is the network of
    ``ensemble=1``); with ``shared``, the ensemble's first layer is one ``SharedDense`` (see ``shares_first_layer``)."""
    if dropout and not hidden:
        raise InputError("dropout acts on hidden layers, and this network has none: give --hidden sizes, or no "
                         "--dropout")
    output = "softmax" if prep.task == "classification" else "linear"
    return mlp(prep.n_inputs, hidden, prep.n_outputs, activation, output, seed, dtype, dropout, ensemble, shared)


SHARED_FROM = 2e8  # first-layer weights of all members x training rows from which the members share that layer


def shares_first_layer(n_inputs: int, hidden: Sequence[int], ensemble: int, rows: int) -> bool:
    """Whether an ensemble's first layer is shared by its members (``SharedDense``): when its weights, times the
    members, times the training rows, reach SHARED_FROM (about 200 inputs on 4,000 training rows). That is where the
    first layer's products and Adam's updates make most of a step's time (5,000 rows of 1,000 one-hot inputs: 23 s
    with a layer per member, 8 s shared); a shared layer scores a little lower on ordinary tables (docs/tabular.md),
    and the benchmark's tables all stay far below the mark (digits: 2e7)."""
    return ensemble > 1 and bool(hidden) and n_inputs * hidden[0] * ensemble * rows >= SHARED_FROM


def mlp(n_inputs: int, hidden: Sequence[int], n_outputs: int, activation: str, output: str, seed: int,
        dtype: str = "float64", dropout: float = 0.0, ensemble: int = 1, shared: bool = False) -> Network:
    """``build_network``'s network from its sizes (the scikit-learn estimators build theirs with it): n_inputs ->
    hidden layers (each followed by Dropout when ``dropout`` > 0; none without hidden layers) -> n_outputs with
    the ``output`` activation; an ``Ensemble`` of the seeds seed, seed + 1, ... when ``ensemble`` > 1."""
    sizes = [n_inputs, *hidden]
    stack: list[Layer] = []
    for a, b in zip(sizes, sizes[1:]):
        first = shared and ensemble > 1 and not stack
        stack.append(SharedDense(a, b, activation=activation) if first else Dense(a, b, activation=activation))
        if dropout:
            stack.append(Dropout(dropout))
    stack.append(Dense(sizes[-1], n_outputs, activation=output))
    if ensemble > 1:
        from ..ensemble import Ensemble

        return Ensemble(stack, seeds=[(seed + k) % 2**32 for k in range(ensemble)], dtype=dtype)
    return Network(stack, seed=seed, dtype=dtype)


SCHEDULES = ("constant", "cosine", "onecycle")


def optimizer_for(name: str, lr: float, steps: int, per_epoch: int, schedule: str = "constant",
                  weight_decay: float = 0.0, decoupled: bool = True) -> Any:
    """The optimizer ``name`` with its learning rate: ``constant``; ``cosine`` (one epoch of linear warm-up, then
    cosine decay to 0 at step ``steps``); ``onecycle`` (up to ``lr`` and down again over ``steps``); and with
    ``weight_decay`` W, decoupled weight decay (AdamW's: W *= 1 - lr_t W before each update), or with
    ``decoupled=False`` L2 regularization (W/2 |W|^2 added to the loss: the scikit-learn estimators' meaning)."""
    from .. import optimizers, schedules

    if schedule not in SCHEDULES:
        raise InputError(f"--schedule must be one of {', '.join(SCHEDULES)}; got {schedule!r}")
    rate = {"constant": lambda: lr, "cosine": lambda: schedules.Cosine(lr, steps, warmup=min(per_epoch, steps // 2)),
            "onecycle": lambda: schedules.OneCycle(lr, steps)}[schedule]()
    kind = optimizers.REGISTRY.lookup(name)
    try:
        return kind(lr=rate, weight_decay=weight_decay, decoupled=decoupled) if weight_decay else kind(lr=rate)
    except TypeError:
        raise InputError(f"the optimizer {name!r} takes no weight decay; leave out --weight-decay") from None


def loss_for(prep: Preprocessor, label_smoothing: float = 0.0, class_weight: Sequence[float] | None = None) -> Any:
    """Cross-entropy for classification (towards smoothed labels with ``label_smoothing``, each row weighed by
    its class's ``class_weight``), mean squared error (of the standardized target) for regression."""
    if prep.task != "classification":
        if label_smoothing or class_weight is not None:
            raise InputError("--label-smoothing and --class-weight are for classification; this target is a "
                             "regression")
        return "mse"
    if label_smoothing or class_weight is not None:
        from ..losses import CategoricalCrossentropy

        return CategoricalCrossentropy(label_smoothing=label_smoothing, class_weight=class_weight)
    return "categorical_crossentropy"


def fit(model: Model, splits: Splits, epochs: int, batch_size: int, patience: int | None, verbose: int = 0,
        callback: Callable[[int, dict[str, float]], None] | None = None, optimizer: Any = None) -> History:
    """Train ``model.network`` on the training rows, watching the validation rows (if any) for early stopping;
    ``optimizer`` for a new network (a resumed one goes on with its own). An ensemble trained with
    ``own_validation`` (its settings) has no common validation rows: each member holds out its own
    ``own_validation_rows`` of the training rows (``Ensemble.fit``'s ``validation_split``)."""
    prep, (train, val, _) = model.preprocessing, splits
    validation = (prep.inputs(val), prep.targets(val)) if len(val) else None
    settings = model.record.settings or {}
    own = own_validation_rows(splits, settings) / len(train)  # (Ensemble.fit: each member its own rows)
    loss = model.network.loss or loss_for(prep)  # (a network set up by train_table keeps its own loss)
    return model.network.fit(prep.inputs(train), prep.targets(train), epochs=epochs, loss=loss,
                             optimizer=optimizer, batch_size=batch_size, validation_data=validation,
                             validation_split=own, early_stopping=patience or None, verbose=verbose,
                             callback=callback)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during ``train``: ``model`` is the model as saved (the last whole epoch); ``saved``: False when no
    epoch of the run had ended, so nothing was written (a file already at ``out`` is left as it was)."""

    def __init__(self, model: Model, saved: bool = True) -> None:
        super().__init__()
        self.model, self.saved = model, saved


class Checkpoints:
    """The fit callback that saves the model to ``path`` every ``every`` epochs (0: never)."""

    def __init__(self, model: Model, path: str | None, every: int) -> None:
        self.model, self.path, self.every = model, path, every

    def __call__(self, epoch: int, values: dict[str, float]) -> None:
        if self.path and self.every and epoch % self.every == 0:
            self.model.save(self.path)


def blas_threads(threads: int) -> AbstractContextManager:
    """At most ``threads`` threads for BLAS's matrix products inside the block (0: as many as BLAS takes itself).

    A table's network is small, and its matrix products are short: more threads gain little, and while anything
    else runs on the machine they wait for each other. On a 2-core machine an ensemble with a first layer per
    member trained on 1,000 one-hot inputs in 23 s with one thread, busy machine or not; with BLAS's own two
    threads, in 22 s on an idle machine but 68 s while another process kept one core busy (docs/tabular.md).
    """
    threads = check("threads", threads, "--threads")
    if not threads:
        return nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads, user_api="blas")


def train(model: Model, splits: Splits, epochs: int, batch_size: int, patience: int | None, verbose: int = 0,
          out: str | None = None, checkpoint_every: int = 0, optimizer: Any = None, keeper: Any = None,
          threads: int = 1) -> History:
    """``fit`` (``keeper``, if any, watching every epoch and then choosing the weights: resume's) with at most
    ``threads`` BLAS threads (``blas_threads``), then measure the
    test rows (``model.record.test_metrics``) and save to ``out`` (if given). On
    Ctrl-C the model is saved as it was after the last whole epoch (``fit`` puts back everything of the unfinished
    one; nothing is saved before the first has ended; with ``keeper``, the weights it chooses among the epochs
    that ended), or as trained if the interrupt came while measuring, and ``Interrupted`` (a KeyboardInterrupt that
    holds the model) goes on up."""
    from .evaluation import evaluate

    model.record.test_metrics = None  # they described other weights
    began = model.network.epochs_trained
    if keeper is not None and own_validation_rows(splits, model.record.settings or {}) and not patience:
        patience = epochs  # (resume keeps each member's best epoch: early stopping that cannot stop before the end)
    try:
        callback = Checkpoints(model, out, checkpoint_every)
        with blas_threads(threads):
            history = model.last_run = fit(model, splits, epochs, batch_size, patience, verbose,
                                           keeper.watch(callback) if keeper else callback, optimizer)
        if keeper:
            keeper.choose(history)
        model.record.test_metrics = _kept(evaluate(model, splits[2])) if len(splits[2]) else None
    except KeyboardInterrupt as exc:
        ended = model.network.epochs_trained > began  # (else the weights are as they were: nothing to save)
        # (resume, unless it had chosen already: the weights it would keep now, never worse than those it loaded)
        if keeper and ended and not hasattr(keeper, "said"):
            keep_best = getattr(exc, "keep_best", None)
            keeper.choose(keep_best() if keep_best else model.network.history.since(began), interrupted=True)
        if out and ended:
            model.save(out)
        raise Interrupted(model, saved=bool(out) and ended) from None
    if out:
        model.save(out)
    return history


def columns_named(text: str | Sequence[str] | None, option: str) -> list[str]:
    """``"a,b"`` or ``["a", "b"]`` -> ["a", "b"] (names stripped, empty ones dropped); ``option`` names the
    argument in the error for anything else."""
    try:
        if isinstance(text, (bytes, bytearray, dict)):
            raise TypeError
        parts = text.split(",") if isinstance(text, str) else [] if text is None else list(text)
    except TypeError:
        raise InputError(f"{option} must be text (\"a,b\") or a list of texts; got {reprlib.repr(text)}") from None
    names = [str(p).strip() for p in parts if str(p).strip()]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise InputError(f"{quote(twice)} is given twice in {option} ({quote_names(names)})")
    return names


def _kept(test_metrics: dict) -> dict:
    """The test metrics a model file keeps: without the confusion matrix of many classes (10,000 classes: 10**8
    cells, past what a file's header holds, so the trained model could not be saved)."""
    if len(test_metrics.get("classes", ())) > metrics.SHOWN_CLASSES:
        test_metrics.pop("confusion_matrix")
    return test_metrics
