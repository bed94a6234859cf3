"""The training loop behind ``Network.fit``: epochs of mini-batches, validation, early stopping, and an epoch
that is either finished or not begun.

Each epoch: shuffle (if asked), then for each batch ``compute_gradients`` and an optimizer step; then the
validation loss and metrics, the history, the progress line and the callback. Two safety nets:
- a loss or weights that become NaN or infinite raise ``DivergenceError`` with the weights of the last epoch
  whose loss was finite;
- Ctrl-C anywhere in an epoch (a batch, validation, the callback, a checkpoint it saves) puts back the state
  of the epoch's start: weights, optimizer state and steps, the generator that shuffles and drops, and the
  history. A model saved after the interrupt resumes exactly as if the epoch had never begun.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import progress
from .errors import DivergenceError
from .history import History

if TYPE_CHECKING:
    from .network import Network

Array = np.ndarray
Batches = Iterator[tuple[Array, Array]] | list[tuple[Array, Array]]


@dataclass(frozen=True)
class FitSettings:
    """How to train (``Network.fit`` checks and documents each): ``epochs``; ``batch_size`` rows per update
    (None: all); ``shuffle`` each epoch; ``patience`` epochs without a better watched loss before stopping
    (None: never); ``verbose`` 0, 1 or 2; ``callback(epoch, values)`` after each epoch (or None)."""

    epochs: int
    batch_size: int | None
    shuffle: bool
    patience: int | None
    verbose: int
    callback: Callable[[int, dict[str, float]], None] | None


class EpochStart:
    """The training state at the start of an epoch, copied into arrays made once per ``fit`` (taken every epoch:
    on the tutorial's 4 rows an epoch is one step, so this is kept to a few operations)."""

    def __init__(self, net: Network, randomized: bool) -> None:
        self.net, self.optimizer, self.randomized = net, net.optimizer, randomized
        self.flat = net.flat.copy()
        self.arrays = [(a, a.copy()) for state in net.optimizer.state for a in state.values()]

    def take(self) -> None:
        self.flat[...] = self.net.flat  # (slice assignment: twice as fast as np.copyto on the tutorial's 16 numbers)
        if self.arrays:
            for live, saved in self.arrays:
                saved[...] = live
        self.steps = self.optimizer.steps
        if self.randomized:
            self.rng = self.net.rng.bit_generator.state

    def restore(self, epoch: int) -> None:
        """Back to the start of ``epoch``: its weights, optimizer state, generator, and the history before it."""
        net = self.net
        np.copyto(net.flat, self.flat)
        for live, saved in self.arrays:
            np.copyto(live, saved)
        self.optimizer.steps = self.steps
        net.history.truncate(epoch - 1)
        if self.randomized:
            net.rng.bit_generator.state = self.rng


@dataclass(frozen=True)
class MemberRows:
    """The rows each member of an ensemble learns from and is validated on, its own (``Ensemble.fit`` with a
    ``validation_split``): ``train`` (members, training rows) and ``val`` (members, validation rows), indices
    into the data. Member k's batches are drawn from its own rows in its own order: each step multiplies a
    (members, batch, inputs) array by the stacked weights."""

    train: Array
    val: Array


def train(net: Network, X: Array, Y: Array, val: tuple[Array, Array] | None, settings: FitSettings,
          members: MemberRows | None = None) -> History:
    """Train ``net`` (configured: loss, optimizer, metrics) on prepared (X, Y); return this call's History.
    With ``members``, each member of the ensemble ``net`` trains on its own rows and keeps its own best epoch."""
    first = net.epochs_trained + 1
    last = first + settings.epochs - 1
    rows = len(X) if members is None else members.train.shape[1]
    batch_size = settings.batch_size or rows
    report = progress.reporter(settings.verbose, first, last)
    batches = _batches(net, X, Y, batch_size, settings.shuffle, members)
    randomized = settings.shuffle or any(layer.uses_rng for layer in net.layers)
    start = EpochStart(net, randomized)
    before = net.flat.copy()  # the weights at the start of the previous epoch, to fall back on if it diverges
    stopper = Stopper(net, settings.patience, members is not None and not net.shares_weights)
    own_val = (X[members.val], Y[members.val]) if members is not None and members.val.size else None
    kept_before = net.history.best_epoch, net.history.best_epochs  # (the weights change: said again at the end)
    net.history.best_epoch = net.history.best_epochs = None
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        try:
            if own_val is not None and net.epochs_trained and settings.patience:  # (going on: none ends worse)
                stopper.begin(first - 1, net.measure_members(*own_val)[0], kept_before[1])
            for epoch in range(first, last + 1):
                before, start.flat = start.flat, before
                start.take()
                try:
                    values = _epoch(net, batches(), rows, own_rows=members is not None)
                    if not math.isfinite(values["loss"]):
                        _diverged(net, epoch, values["loss"], before, epoch - 1, first)
                    own_losses = _validate(net, values, val, own_val)
                    net.history.append(values)
                    report.update(epoch, values)
                    if settings.callback:
                        settings.callback(epoch, values)
                except KeyboardInterrupt:
                    start.restore(epoch)
                    raise
                if stopper.patience and stopper.stop(epoch, values, own_losses):
                    break
            if not np.isfinite(net.flat).all():
                _diverged(net, epoch, math.nan, start.flat, epoch, first)
        except (KeyboardInterrupt, DivergenceError) as exc:
            if net.epochs_trained == first - 1:  # (back to the weights it began with: as they were kept)
                net.history.best_epoch, net.history.best_epochs = kept_before
            elif isinstance(exc, KeyboardInterrupt):  # (for a caller that keeps the best so far: resume)
                exc.keep_best = lambda: _keep_best(net, stopper, first)  # type: ignore[attr-defined]
            raise
        finally:
            report.close()
    return _keep_best(net, stopper, first)


def _keep_best(net: Network, stopper: Stopper, first: int) -> History:
    """The History of the epochs from ``first``, with the weights early stopping keeps put into ``net`` (each
    member's own best, with per-member stopping) and their epochs named in both histories."""
    history = net.history.since(first - 1)
    stopper.restore(history)
    net.history.best_epoch, net.history.best_epochs = history.best_epoch, history.best_epochs
    return history


def _validate(net: Network, values: dict[str, float], val: tuple[Array, Array] | None,
              own_val: tuple[Array, Array] | None) -> Array | None:
    """Add the validation loss and metrics to ``values``; with each member's own rows ``own_val`` ((members,
    rows, columns) arrays), return each member's loss on its rows (else None)."""
    if own_val is not None:
        losses, measured = net.measure_members(*own_val)
        values.update({f"val_{k}": v for k, v in measured.items()})
        return losses
    if val is not None:
        values.update({f"val_{k}": v for k, v in net.measure(*val).items()})
    return None


class Stopper:
    """Early stopping: after ``patience`` epochs without a better watched loss, stop, and put back the weights of
    the best epoch. With ``per_member``, each member of an ensemble has its own best epoch (its own validation
    loss), training stops when every member has gone ``patience`` epochs without a better one, and each member
    gets back the weights of its own best epoch."""

    def __init__(self, net: Network, patience: int | None, per_member: bool) -> None:
        self.net, self.patience = net, patience
        self.owner = _member_of_each_weight(net) if per_member else None
        self.best_loss: Array | None = None
        self.best_epoch: Array | None = None
        self.best: Array | None = None
        self.dated: tuple[int, Array] | None = None

    def begin(self, epoch: int, watched: Array, kept: list[int] | None) -> None:
        """Count the weights as they are, after ``epoch``, as each member's best so far (its patience counts from
        ``epoch``); ``kept``: the epochs they date from, where early stopping kept each member's."""
        if self.owner is not None:
            self.best_loss, self.best_epoch = watched.copy(), np.full(len(watched), epoch)
            self.best = self.net.flat.copy()
            self.dated = (epoch, np.array(kept)) if kept else None

    def stop(self, epoch: int, values: dict[str, float], own_losses: Array | None) -> bool:
        """Watch the epoch's loss: each member's on its own rows (``own_losses``), else the validation loss (the
        training loss without validation rows); True when it is time to stop."""
        watched = own_losses if own_losses is not None else np.array([values.get("val_loss", values["loss"])])
        if self.owner is None:
            watched = watched.mean(keepdims=True)
        if self.best is None:  # (a member whose loss is never finite keeps this first epoch's weights)
            first = epoch if self.owner is not None else 0
            self.best_loss, self.best_epoch = np.full(len(watched), math.inf), np.full(len(watched), first)
            self.best = self.net.flat.copy()
        better = watched < self.best_loss
        if better.any():
            self.best_loss[better], self.best_epoch[better] = watched[better], epoch
            where = np.isin(self.owner, np.flatnonzero(better)) if self.owner is not None else slice(None)
            self.best[where] = self.net.flat[where]
        return bool((epoch - self.best_epoch >= self.patience).all())

    def restore(self, history: History) -> None:
        if self.best is None or not self.best_epoch.any():
            return
        np.copyto(self.net.flat, self.best)
        if self.owner is None:
            history.best_epoch = int(self.best_epoch[0])
        else:
            epochs = self.best_epoch.copy()
            if self.dated is not None:  # (members that kept the weights they began with: the epochs of those)
                began, kept = self.dated
                epochs[epochs == began] = kept[epochs == began]
            history.best_epochs = epochs.tolist()


def _member_of_each_weight(net: Network) -> Array:
    """For each number of ``net.flat``, the member of the ensemble (one without shared weights) it belongs to."""
    owner = np.empty(net.flat.size, dtype=np.intp)
    start = net.flat.ctypes.data
    for i in range(len(net.layers)):
        for values, _ in net.layer_parameters(i).values():
            offset = (values.ctypes.data - start) // values.itemsize
            owner[offset:offset + values.size].reshape(values.shape)[...] = \
                np.arange(len(values)).reshape(-1, *[1] * (values.ndim - 1))
    return owner


def _diverged(net: Network, epoch: int, loss: float, saved: Array, kept: int, first: int) -> None:
    """Go back to the weights of the start of epoch ``kept`` (its first batch gave a finite loss), with the
    history of the epochs before it, and raise."""
    np.copyto(net.flat, saved)
    net.history.truncate(max(kept, first) - 1)
    opt = net.optimizer
    rate = f"{opt.schedule(max(opt.steps - 1, 0)):g} at the last step, from its {opt.schedule.name} schedule" \
        if opt.schedule else f"{opt.lr:g}"
    decay = f", or a smaller weight decay (now {opt.weight_decay:g})" if opt.weight_decay else ""
    opt.reset()  # its running averages took in the blow-up
    where = f"it had at the start of epoch {kept}" if kept >= first else "it had before this fit"
    raise DivergenceError(
        f"training diverged at epoch {epoch}: the loss or the weights became {loss}. The network keeps the "
        f"weights {where}, and its optimizer starts afresh (step 0). Try a smaller learning rate (now {rate}){decay}."
    )


def _epoch(net: Network, batches: Batches, n: int, own_rows: bool = False) -> dict[str, float]:
    """One pass over the batches: a step and an update each; returns the epoch's mean loss and metrics
    (summed losses such as sse are added up instead), from each batch's forward pass before its update.
    (Batches of members' own rows, (members, rows, columns), are measured as all their rows together.)"""
    step, update, params, fns = net.compute_gradients, net.optimizer.step, net.parameters(), net.metric_fns
    summed = net.loss.summed
    loss_total, totals = 0.0, [0.0] * len(fns)
    for xb, yb in batches:
        loss_value, a = step(xb, yb)
        rows = xb.shape[1] if own_rows else len(xb)
        loss_total += loss_value if summed else loss_value * rows
        if own_rows:
            yb, a = yb.reshape(-1, yb.shape[-1]), a.reshape(-1, a.shape[-1])
        for i, fn in enumerate(fns):
            totals[i] += fn(yb, a) * rows
        update(params)
    values = {"loss": loss_total if summed else loss_total / n}
    for name, total in zip(net.metrics, totals):
        values[name] = total / n
    return values


def _batches(net: Network, X: Array, Y: Array, batch_size: int, shuffle: bool,
             members: MemberRows | None) -> Callable[[], Batches]:
    """What gives each epoch's batches: consecutive ones, shuffled ones, or each member's own rows."""
    buffers: dict[tuple[int, ...], tuple[Array, Array]] = {}  # batches are gathered into these, reused
    if members is not None:
        return lambda: _members_batches(net, X, Y, members.train, batch_size, shuffle, buffers)
    if not shuffle:
        fixed = _slices(X, Y, batch_size)
        return lambda: fixed
    return lambda: _shuffled(net, X, Y, batch_size, buffers)


def _members_batches(net: Network, X: Array, Y: Array, rows: Array, batch_size: int, shuffle: bool,
                     buffers: dict[tuple[int, ...], tuple[Array, Array]]) -> Iterator[tuple[Array, Array]]:
    """Batches of (members, rows, columns): member k's from its own rows ``rows[k]``, in its own random order."""
    order = net.rng.permuted(rows, axis=1) if shuffle else rows
    for i in range(0, order.shape[1], batch_size):
        idx = order[:, i:i + batch_size]
        xb, yb = _buffer(buffers, idx.shape, X, Y)
        np.take(X, idx, axis=0, out=xb)
        np.take(Y, idx, axis=0, out=yb)
        yield xb, yb


def _slices(X: Array, Y: Array, batch_size: int) -> list[tuple[Array, Array]]:
    """Consecutive batches as views: no copying when there is no shuffling."""
    return [(X[i:i + batch_size], Y[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def _shuffled(net: Network, X: Array, Y: Array, batch_size: int,
              buffers: dict[tuple[int, ...], tuple[Array, Array]]) -> Iterator[tuple[Array, Array]]:
    """Batches in a new random order, each gathered into ``buffers`` reused from step to step
    (so an epoch never copies the whole data set)."""
    order = net.rng.permutation(len(X))
    for i in range(0, len(X), batch_size):
        idx = order[i:i + batch_size]
        xb, yb = _buffer(buffers, idx.shape, X, Y)
        np.take(X, idx, axis=0, out=xb)
        np.take(Y, idx, axis=0, out=yb)
        yield xb, yb


def _buffer(buffers: dict[tuple[int, ...], tuple[Array, Array]], shape: tuple[int, ...], X: Array,
            Y: Array) -> tuple[Array, Array]:
    """Arrays to gather the rows of X and Y picked by an index array of ``shape`` into, made once per shape."""
    xb, yb = buffers.get(shape, (None, None))
    if xb is None or xb.shape[-1] != X.shape[1] or yb.shape[-1] != Y.shape[1] or xb.dtype != X.dtype:
        xb, yb = buffers[shape] = np.empty((*shape, X.shape[1]), X.dtype), np.empty((*shape, Y.shape[1]), Y.dtype)
    return xb, yb


def validation_rows(Y: Array, n_val: int, seed: int) -> tuple[Array, Array]:
    """(training rows, validation rows) of prepared targets ``Y``, as sorted indices: ``n_val`` rows drawn at
    random by ``seed``. Where ``Y`` holds classes (one-hot rows, or one column of whole numbers such as 0/1
    labels), each class gives rows in proportion to its size, the rounding going to randomly chosen classes, but
    not the last training row of a class while another class can give it."""
    rng = np.random.default_rng(seed)
    labels = _class_labels(Y)
    by_class = np.argsort(labels, kind="stable")
    sizes = np.bincount(labels)
    quota = sizes * n_val / len(Y)
    counts = np.floor(quota).astype(int)
    order = rng.permutation(len(sizes))  # (ties in the rounding go to random classes, not the first ones)
    order = order[np.argsort(counts[order] - quota[order], kind="stable")]
    room = counts[order] < sizes[order] - 1  # (a class keeps a training row of its own where it can)
    order = np.concatenate([order[room], order[~room]])
    counts[order[:n_val - counts.sum()]] += 1
    groups = np.split(by_class, np.cumsum(sizes)[:-1])
    chosen = np.concatenate([rng.choice(group, count, replace=False) for group, count in zip(groups, counts)])
    held = np.zeros(len(Y), dtype=bool)
    held[chosen] = True
    return np.flatnonzero(~held), np.flatnonzero(held)


def _class_labels(Y: Array) -> Array:
    """Each row's class number where ``Y`` holds classes (one-hot rows, or one column of whole numbers), else
    0 for every row (one group: a plain random draw)."""
    if Y.shape[1] > 1:
        one_hot = bool(((Y == 0) | (Y == 1)).all() and (Y.sum(axis=1) == 1).all())
        return Y.argmax(axis=1) if one_hot else np.zeros(len(Y), dtype=np.intp)
    column = Y[:, 0]
    if np.isfinite(column).all() and (column == np.round(column)).all():
        return np.unique(column, return_inverse=True)[1].ravel()
    return np.zeros(len(Y), dtype=np.intp)
