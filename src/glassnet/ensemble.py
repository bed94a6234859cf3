"""``Ensemble``: K networks of one architecture, from K seeds, trained together as one batched computation.

An ensemble of networks that differ only in their starting weights predicts better than any one of them (each
settles in a different place; their errors partly cancel), and the mean of their probabilities is better
calibrated. Trained one after another, K members cost K times one network. Here they are one network whose
parameters have a leading *member* axis: a Dense layer holds weights of shape (K, n_in, n_out), and each step
multiplies a batch by all K weight matrices in one ``np.matmul`` call:

    forward:    x (rows, n_in) . W (K, n_in, n_out) -> (K, rows, n_out), then (K, rows, .) . (K, ., .) ...
    loss:       the sum of the members' own losses (``glassnet.losses`` reads the member axis), so each
                member's gradient is exactly the one it would get alone
    update:     the optimizer works element by element on the stacked parameters, each member's alike

So the same Dense, activation, loss and optimizer code trains them, and member k ends where a network with seed
``seeds[k]``, trained alone on the same batches, ends (up to rounding; not with dropout, whose masks are drawn
for all members at once). Batches, shuffling and dropout masks come from one generator seeded with ``seeds[0]``:
without a ``validation_split`` (below), all members see the same batches in the same order.

With ``fit(..., validation_split=F)`` each member holds out rows of its own, those that ``Network(layers,
seed=seeds[k])`` would hold out, and learns from the others in its own random order: each step multiplies a
(K, rows, n_in) batch, member k's rows, by the stacked weights. Early stopping then watches each member's loss
on its own validation rows, gives each member the weights of its own best epoch, and stops when every member
has waited its patience. Member k trains on and is validated on the rows its seed's network would be, trained
alone with the same validation split (in another order of batches); but it goes on training until the last
member stops, so it can find a later best epoch than that network, which stops at its own patience. The
ensemble as a whole learns from every row. With
``validation_data`` instead, every member is validated on those rows and the members stop together, by the loss
of their mean output (the history's ``val_loss`` is then that loss; with rows of their own, it is the mean of the
members' losses). ``glassnet train`` gives them common validation rows so when they share their first layer
(``SharedDense``: one product serves all members only where they see one batch).

Prediction is the mean of the members' outputs (probabilities for a softmax or sigmoid output, values for a
linear one); the loss and metrics that ``evaluate`` and ``validation_data`` see are those of that mean.
The training loss in the history is the mean of the members' losses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import checks, initializers, losses, metrics, optimizers
from .constraints import check
from .errors import InputError
from .layers import Layer
from .network import Network, validation_count
from .training import MemberRows, validation_rows

Array = np.ndarray


class Ensemble(Network):
    """``len(seeds)`` networks with the given layers (as for a ``Network``), member k initialized as
    ``Network(layers, seed=seeds[k])`` would be. ``seeds`` is a list of distinct seeds, or a number K for the seeds
    0 .. K-1."""

    def __init__(self, layers: Sequence[Layer], seeds: Sequence[int] | int,
                 init: str | dict | initializers.Initializer | None = None, dtype: object = np.float64) -> None:
        self.seeds = _seeds(seeds)
        try:
            layers = list(layers)
        except TypeError:
            pass  # (Network says what it needs)
        else:
            _check_batched(layers)  # (before Network builds any of them)
        super().__init__(layers, init=init, seed=self.seeds[0], dtype=dtype)

    def _stack(self, layers: list[Layer]) -> None:
        """Give each layer the member axis (all take one: checked first, by ``_check_batched``)."""
        for layer in layers:
            layer.members = len(self.seeds)

    @property
    def members(self) -> int:
        return len(self.seeds)

    @property
    def shares_weights(self) -> bool:
        """Whether a layer's weights are shared by the members (``SharedDense``), and so their optimizer state."""
        return any(hasattr(layer, "alone") for layer in self.layers)

    def __repr__(self) -> str:
        return f"Ensemble of {self.members} (seeds {self.seeds}): {super().__repr__()}"

    def summary(self) -> str:
        return f"ensemble of {self.members}: {super().summary()}"

    def _initialize(self) -> None:
        """Member k's starting values drawn as ``Network(layers, seed=seeds[k])`` draws its own."""
        for k, seed in enumerate(self.seeds):
            init_rng = np.random.RandomState(seed)
            for layer in self.layers:
                layer.initialize(init_rng, self.init, member=k)

    def _check_optimizer(self, optimizer: optimizers.Optimizer) -> None:
        if optimizer.clipnorm is not None:
            raise InputError("clipnorm rescales all gradients by their global norm, which would tie the ensemble's "
                             "members together; train an ensemble without clipnorm")

    def compute_gradients(self, x: Array, y: Array, loss: losses.Loss | None = None, trace: object = None,
                          training: bool = True) -> tuple[float, Array]:
        """Every member's gradients in one pass; returns (the mean of the members' losses, the mean output). A batch
        of each member's own rows, x of shape (members, rows, inputs), returns each member's output."""
        if trace is not None:
            raise InputError("explain and tracing follow one network: use ensemble.member(k)")
        total, a = super().compute_gradients(x, y, loss, None, training)
        return total / self.members, a if x.ndim == 3 else a.mean(axis=0)

    def member_outputs(self, X: object) -> Array:
        """Each member's outputs for the rows of X: shape (members, rows, n_outputs); not checked, as ``outputs``
        (NaN or infinite where the arithmetic overflows; ``predict`` names such a row)."""
        X = checks.features(X, self.n_inputs, self.dtype)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):  # (overflow: named by predict)
            return np.broadcast_to(self.forward(X, keep=False), (self.members, len(X), self.n_outputs))

    def outputs(self, X: object) -> Array:
        """The mean of the members' outputs for the rows of X: shape (rows, n_outputs) (``predict`` checks it)."""
        return self.member_outputs(X).mean(axis=0)

    def measure(self, X: Array, Y: Array, loss: losses.Loss | None = None,
                metric_names: list[str] | None = None) -> dict[str, float]:
        """Loss and metrics of the mean output (a fused loss reads the mean probabilities through the
        pre-activation that gives them)."""
        loss = loss or self.loss
        a = self.forward(X).mean(axis=0)
        values = {"loss": loss.value(Y, a, _pre_activation(loss, a))}
        names = self.metrics if metric_names is None else metric_names
        values.update({name: metrics.get(name)(Y, a) for name in names})
        return values

    def measure_members(self, X: Array, Y: Array) -> tuple[Array, dict[str, float]]:
        """Each member on its own rows (X, Y of shape (members, rows, columns)): (each member's loss, the loss and
        metrics of all of them together, the loss as the mean of the members')."""
        a = self.forward(X)
        z = self.layers[-1].z if self.loss.fused else None  # (each member's own pre-activation: exact losses)
        each = np.array([self.loss.value(Y[k], a[k], None if z is None else z[k]) for k in range(self.members)])
        Y, a = Y.reshape(-1, Y.shape[-1]), a.reshape(-1, a.shape[-1])
        return each, {"loss": float(each.mean()), **{name: metrics.get(name)(Y, a) for name in self.metrics}}

    def _held_out(self, X: Array, Y: Array, fraction: float) -> tuple[Array, Array, None, MemberRows | None]:
        """``validation_split=fraction`` for an ensemble: each member holds out its own rows, those that
        ``Network(layers, seed=seeds[k])`` would hold out, and learns from the others, so that the ensemble as a
        whole learns from every row (``training.MemberRows``)."""
        n_val = validation_count(len(X), fraction)
        if not n_val:
            return X, Y, None, None
        parts = [validation_rows(Y, n_val, seed) for seed in self.seeds]
        return X, Y, None, MemberRows(np.stack([t for t, _ in parts]), np.stack([v for _, v in parts]))

    def member(self, k: int) -> Network:
        """Member ``k`` as a plain Network of its own (a copy: its seed, its weights; no training state)."""
        self._check_member(k)
        from . import layers

        alone = [_alone(layer, self.layer_parameters(i), k) for i, layer in enumerate(self.layers)]
        net = Network([layers.REGISTRY.build(spec) for spec, _ in alone], init=self.init, seed=self.seeds[k],
                      dtype=self.dtype)
        for i, (_, values) in enumerate(alone):
            for name, (mine, _) in net.layer_parameters(i).items():
                mine[...] = values[name]
        return net

    def member_optimizer(self, k: int) -> optimizers.Optimizer:
        """The optimizer as member ``k`` alone would hold it: the same settings and step count, and member k's
        part of the running state (Adam's m and v, SGD's velocity), so that its next step is the one it takes
        here. (The state is laid out like the parameters' flat storage, one (K, ...) block per parameter; member
        k's storage holds the same parameters in the same order, each block's k-th slice.)"""
        self._check_member(k)
        if self.optimizer is None:
            raise InputError("this ensemble has no optimizer yet: fit or configure it first")
        if self.shares_weights:
            raise InputError("a layer of this ensemble shares its weights among the members (SharedDense), so no "
                             "member has optimizer state of its own")
        copy = optimizers.REGISTRY.build(optimizers.REGISTRY.spec(self.optimizer))
        copy.steps = self.optimizer.steps
        if self.optimizer.state:
            blocks = np.cumsum(_block_sizes(self))[:-1]
            groups = np.cumsum([len(p) // self.members for p, _, _ in self.parameters()])[:-1]
            alone = {}
            for key in self.optimizer.state[0]:
                stacked = np.concatenate([group[key] for group in self.optimizer.state])  # (like self.flat)
                mine = [block.reshape(self.members, -1)[k] for block in np.split(stacked, blocks)]
                alone[key] = np.split(np.concatenate(mine), groups)  # (like the member's groups)
            copy.state = [{key: parts[i] for key, parts in alone.items()} for i in range(len(groups) + 1)]
        return copy

    def _check_member(self, k: object) -> None:
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 0 <= k < self.members:
            raise InputError(f"this ensemble has {self.members} members (0 .. {self.members - 1}); got {k!r}")

    def explain(self, X: object, y: object, member: int = 0, loss: str | losses.Loss | None = None,
                optimizer: str | optimizers.Optimizer | None = None, tutorial: bool = False) -> list[Any]:
        """Member ``member``'s next training step on (X, y), narrated as ``Network.explain`` narrates a network's:
        with the ensemble's loss and that member's part of its optimizer (settings, step count and running
        state; where the members share a layer's weights, and so that state, the settings alone, started
        afresh). Nothing is changed."""
        alone = self.member(member)
        if optimizer is None:  # (an InputError if the ensemble has none yet)
            alone.optimizer = optimizers.REGISTRY.build(optimizers.REGISTRY.spec(self.optimizer)) \
                if self.shares_weights and self.optimizer is not None else self.member_optimizer(member)
        return alone.explain(X, y, loss=self.loss if loss is None else loss, optimizer=optimizer, tutorial=tutorial)


def _alone(layer: Layer, arrays: dict[str, tuple[Array, Array]], k: int) -> tuple[dict, dict[str, Array]]:
    """Member k's layer as a network of its own holds it: (its spec, its parameters). A layer whose members share
    parameters (``SharedDense``) says so itself; any other is the same kind of layer with the k-th slices."""
    from . import layers

    if hasattr(layer, "alone"):
        return layer.alone(k)
    return layers.REGISTRY.spec(layer), {name: values[k] for name, (values, _) in arrays.items()}


def _block_sizes(net: Network) -> list[int]:
    """The size of each parameter in ``net.flat``, in the order they lie there."""
    return [values.size for _, values, _ in sorted(net.named_parameters(), key=lambda p: p[1].ctypes.data)]


def _pre_activation(loss: losses.Loss, a: Array) -> Array | None:
    """A pre-activation z whose fused output activation gives ``a``: log a for softmax (its rows sum to 1),
    log(a / (1 - a)) for sigmoid; None for a loss that reads a alone. A probability below the smallest normal
    number counts as that number, so z stays finite."""
    tiny = np.finfo(a.dtype).tiny
    if loss.fused == "softmax":
        return np.log(np.maximum(a, tiny))
    if loss.fused == "sigmoid":
        return np.log(np.maximum(a, tiny)) - np.log(np.maximum(1 - a, tiny))
    return None


def _check_batched(layers: list[object]) -> None:
    """An InputError for a layer that cannot take a member axis; changes nothing."""
    for i, layer in enumerate(layers):
        if isinstance(layer, Layer) and not layer.batched:
            raise InputError(f"layer {i} ({type(layer).__name__}) cannot be stacked into an ensemble: only layers "
                             "with batched = True (Dense, Dropout) take a member axis")


def _seeds(seeds: Sequence[int] | int) -> list[int]:
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        return list(range(check("ensemble", int(seeds), "the number of members")))
    try:
        values = [check("seed", s, "an ensemble seed") for s in seeds]
    except TypeError:
        raise InputError(f"seeds must be a list of seeds or a number of members; got {seeds!r}") from None
    if not values or len(set(values)) != len(values):
        raise InputError(f"an ensemble needs at least one seed, each different; got {values}")
    return values
