"""Optimizers: how a gradient becomes a change of weights.

Every optimizer takes the same list of (parameters, gradients, decay) groups at each step and
updates the parameters in place. Options shared by all of them: ``lr`` is a number or a learning-rate
schedule (``glassnet.schedules``), driven by the optimizer's step count; ``weight_decay`` adds
``weight_decay * W`` to the gradient of each weight (L2 regularization of weights, not biases), or with
``decoupled=True`` shrinks each weight directly, ``W <- W * (1 - lr * weight_decay)``, before the update (Loshchilov
& Hutter's decoupled weight decay, PyTorch's AdamW: with Adam, L2 in the gradient is divided by the running
scale of the gradient and so decays weights with large gradients less; decoupled decay treats every weight alike);
``clipnorm`` rescales all gradients together so their global L2 norm is at most ``clipnorm``.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from . import schedules
from .constraints import check
from .errors import InputError
from .registry import Component, Registry, signature

Array = np.ndarray
Group = tuple[Array, Array, bool]  # (parameters, gradients, decay): one flat vector each


class Optimizer(Component):
    """Base class: clipping and weight decay, then ``_update`` for each group of parameters.

    ``state`` holds one dict of arrays per group (``velocity`` for SGD with momentum, ``m`` and ``v``
    for Adam), all made by ``new_state`` and changed in place by ``_update`` (so that model files, resumes and
    the undoing of an interrupted epoch see them); ``steps`` counts the updates made. ``moves`` and ``_rule``
    are how ``explain`` words the update.
    """

    moves: ClassVar[str] = "as its update rule says"
    squares: ClassVar[frozenset[str]] = frozenset()  # state that holds means of squares: never negative

    def __init__(self, lr: float | schedules.Schedule, weight_decay: float = 0.0,
                 clipnorm: float | None = None, decoupled: bool = False) -> None:
        self.lr = lr
        self.weight_decay = check("weight_decay", weight_decay)
        self.decoupled = check("decoupled", decoupled)
        self.clipnorm = check("clipnorm", clipnorm)
        self.state: list[dict[str, Array]] = []
        self.steps = 0

    @property
    def lr(self) -> float | schedules.Schedule:
        """The learning rate: a number, or a schedule of the step count."""
        return self._lr

    @lr.setter
    def lr(self, value: float | schedules.Schedule) -> None:
        if isinstance(value, type) and issubclass(value, schedules.Schedule):
            raise InputError(f"lr is the schedule class {value.__name__}; give a schedule, e.g. "
                             f"{value.__name__}{signature(value)}")
        self._schedule = value if isinstance(value, schedules.Schedule) else None
        self._lr = value if self._schedule else check("lr", value)

    @property
    def schedule(self) -> schedules.Schedule | None:
        """The learning-rate schedule, or None for a constant rate."""
        return self._schedule

    def rate(self) -> float:
        """The learning rate of the next update (a schedule's, checked to be a positive number)."""
        if not self._schedule:
            return self._lr
        return check("scheduled_lr", self._schedule(self.steps), f"the {self._schedule.name} schedule's rate at "
                                                                 f"step {self.steps}")

    def config(self) -> dict[str, Any]:
        """The constructor's arguments, to rebuild this optimizer (a schedule as its spec)."""
        lr = schedules.REGISTRY.spec(self._schedule) if self._schedule else self._lr
        return {"lr": lr, **self.settings()}

    def settings(self) -> dict[str, Any]:
        """The constructor's arguments besides ``lr`` (``decoupled`` only when True, so that model files written
        before it existed describe their optimizers completely)."""
        decoupled = {"decoupled": True} if self.decoupled else {}
        return {"weight_decay": self.weight_decay, **decoupled, "clipnorm": self.clipnorm}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in {"lr": self._lr, **self.settings()}.items())
        return f"{type(self).__name__}({args})"

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        lr = config.get("lr")
        if isinstance(lr, dict):
            try:
                config = {**config, "lr": schedules.get(lr)}
            except InputError as exc:
                raise InputError(f"the learning-rate schedule: {exc}") from None
        return cls(**config)

    def create_state(self, params: list[Group]) -> None:
        """Make the state arrays (zeros) for ``params``, unless this optimizer has them already."""
        if not self.state:
            self.state = [self.new_state(p) for p, _, _ in params]

    def __getstate__(self) -> dict[str, Any]:
        """What a copy or a pickle keeps: not the scratch arrays of a step (``Adam._work``)."""
        return {k: v for k, v in self.__dict__.items() if k != "_scratch"}

    def reset(self) -> None:
        """Forget the state and the step count, so a schedule starts again (after a divergence, whose blow-up
        the state took in)."""
        self.state, self.steps = [], 0

    def new_state(self, p: Array) -> dict[str, Array]:
        """The state arrays (zeros) for one group of parameters ``p``."""
        return {}

    def step(self, params: list[Group]) -> None:
        """Update each group of parameters in place from its gradients (which may be overwritten)."""
        if not self.state:
            self.create_state(params)
        lr = self._lr if self._schedule is None else self.rate()  # (a method call costs 1% of a tutorial step)
        self.steps += 1
        if self.clipnorm is not None:
            norm = math.sqrt(sum(float(np.vdot(g, g)) for _, g, _ in params))
            if norm > self.clipnorm:
                for _, g, _ in params:
                    g *= self.clipnorm / norm
        for (p, g, decay), state in zip(params, self.state):
            if self.weight_decay and decay:
                if self.decoupled:
                    p *= 1 - lr * self.weight_decay
                else:
                    g += self.weight_decay * p
            self._update(p, g, state, lr)

    def _update(self, p: Array, g: Array, state: dict[str, Array], lr: float) -> None:
        raise NotImplementedError

    def update_formula(self, name: str, decay: bool) -> str:
        """The last update of parameter ``name`` as a formula with this optimizer's settings (``decay``: weight
        decay applies to it)."""
        g = f"grad_{name}"
        lr = f"{self._schedule(self.steps - 1):g}" if self._schedule else f"{self._lr:g}"
        notes = [f"lr from the {self._schedule.name} schedule after {self.steps - 1} steps"] if self._schedule else []
        if self.weight_decay and decay and self.decoupled:
            notes.append(f"{name} first shrunk by the factor 1 - lr * {self.weight_decay:g} (decoupled weight decay)")
        elif self.weight_decay and decay:
            notes.append(f"{g} includes {self.weight_decay:g} * {name} (weight decay)")
        if self.clipnorm is not None:
            notes.append(f"gradients scaled to a global norm of at most {self.clipnorm:g}")
        return self._rule(name, g, lr) + "".join(f"; {note}" for note in notes)

    def _rule(self, name: str, g: str, lr: str) -> str:
        return f"{name} - {lr} * (the {self.name} update made of {g})"


class SGD(Optimizer):
    """Gradient descent:  W <- W - lr * g.

    With momentum mu:  v <- mu*v + g,  W <- W - lr*v;  Nesterov uses g + mu*v in place of v.
    (PyTorch's convention.) The tutorial is SGD with lr = 1.
    """

    name = "sgd"
    moves = "by lr times its gradient, the other way"

    def __init__(self, lr: float | schedules.Schedule = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0, clipnorm: float | None = None, decoupled: bool = False) -> None:
        super().__init__(lr, weight_decay, clipnorm, decoupled)
        self.momentum = check("momentum", momentum)
        self.nesterov = check("nesterov", nesterov)
        if self.nesterov and not self.momentum:
            raise InputError("nesterov=True needs a momentum > 0")

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "momentum": self.momentum, "nesterov": self.nesterov}

    def new_state(self, p: Array) -> dict[str, Array]:
        return {"velocity": np.zeros_like(p)} if self.momentum else {}

    def _rule(self, name: str, g: str, lr: str) -> str:
        if not self.momentum:
            return f"{name} - {lr} * {g}"
        v = f"{g} + {self.momentum:g} * v" if self.nesterov else "v"
        return f"{name} - {lr} * ({v}), v <- {self.momentum:g} * v + {g}"

    def _update(self, p: Array, g: Array, state: dict[str, Array], lr: float) -> None:
        if self.momentum:
            v = state["velocity"]
            v *= self.momentum
            v += g
            if self.nesterov:
                g += self.momentum * v
            else:
                np.copyto(g, v)
        np.multiply(g, lr, g)
        np.subtract(p, g, p)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): running means of g and g**2, bias-corrected.

        m <- b1*m + (1-b1)*g,   v <- b2*v + (1-b2)*g**2
        W <- W - lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps)
    """

    name = "adam"
    moves = "by about lr against the running mean of its gradient, whatever the gradient's size"
    squares = frozenset({"v"})

    def __init__(self, lr: float | schedules.Schedule = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0, clipnorm: float | None = None,
                 decoupled: bool = False) -> None:
        super().__init__(lr, weight_decay, clipnorm, decoupled)
        self.beta1 = check("beta1", beta1)
        self.beta2 = check("beta2", beta2)
        self.eps = check("eps", eps)

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}

    def new_state(self, p: Array) -> dict[str, Array]:
        return {"m": np.zeros_like(p), "v": np.zeros_like(p)}

    def _rule(self, name: str, g: str, lr: str) -> str:
        return (f"{name} - {lr} * m_hat / (sqrt(v_hat) + {self.eps:g}), with m, v the running means "
                f"(beta1={self.beta1:g}, beta2={self.beta2:g}) of {g} and {g}^2, bias-corrected at step {self.steps}")

    def _update(self, p: Array, g: Array, state: dict[str, Array], lr: float) -> None:
        m, v, t = state["m"], state["v"], self.steps
        work = self._work(p)  # (every step in place: no temporary arrays, the same numbers)
        m *= self.beta1
        np.multiply(g, 1 - self.beta1, out=work)
        m += work
        v *= self.beta2
        np.multiply(g, g, out=g)
        g *= 1 - self.beta2
        v += g
        np.divide(v, 1 - self.beta2**t, out=work)  # denominator: sqrt(v_hat) + eps
        np.sqrt(work, out=work)
        work += self.eps
        np.multiply(m, lr / (1 - self.beta1**t), out=g)  # numerator: the step size times m
        np.divide(g, work, out=g)
        p -= g

    def _work(self, p: Array) -> Array:
        """A scratch array shaped like ``p``, kept between steps (not state: nothing in it outlives a step)."""
        scratch = self.__dict__.setdefault("_scratch", {})
        key = (p.shape, p.dtype.str)
        if key not in scratch:
            scratch[key] = np.empty_like(p)
        return scratch[key]


REGISTRY: Registry[Optimizer] = Registry("optimizer", Optimizer, "glassnet.optimizers",
                                         (SGD, Adam))
register, get = REGISTRY.register, REGISTRY.get
