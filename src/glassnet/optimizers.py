"""Optimizers: how a gradient becomes a change of weights.

Every optimizer takes the same list of (parameter, gradient) pairs at each step and
updates the parameters in place. Two options are shared by all of them:
``weight_decay`` adds ``weight_decay * W`` to each weight matrix's gradient (L2
regularization of weights, not biases) and ``clipnorm`` rescales all gradients together
so their global L2 norm is at most ``clipnorm``.
"""

from __future__ import annotations

import math

import numpy as np

from . import checks
from .errors import InputError, choose

Array = np.ndarray


class Optimizer:
    """Base class: clipping and weight decay, then ``_update`` for each parameter."""

    name = ""

    def __init__(self, lr: float, weight_decay: float = 0.0, clipnorm: float | None = None) -> None:
        self.lr = checks.number("lr", lr, 0.0)
        self.weight_decay = checks.number("weight_decay", weight_decay, 0.0, low_open=False)
        self.clipnorm = None if clipnorm is None else checks.number("clipnorm", clipnorm, 0.0)
        self.state: list[dict[str, Array]] = []
        self.steps = 0

    def config(self) -> dict:
        """The constructor's arguments, to rebuild this optimizer."""
        return {"lr": self.lr, "weight_decay": self.weight_decay, "clipnorm": self.clipnorm}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"

    def step(self, params: list[tuple[Array, Array, bool]]) -> None:
        """Update each parameter in place from its gradient.

        ``params`` holds (parameter, gradient, is_weight) triples; gradients may be overwritten.
        """
        if not self.state:
            self.state = [{} for _ in params]
        self.steps += 1
        if self.clipnorm is not None:
            norm = math.sqrt(sum(float(np.vdot(g, g)) for _, g, _ in params))
            if norm > self.clipnorm:
                for _, g, _ in params:
                    g *= self.clipnorm / norm
        for (p, g, is_weight), state in zip(params, self.state):
            if self.weight_decay and is_weight:
                g += self.weight_decay * p
            self._update(p, g, state)

    def _update(self, p: Array, g: Array, state: dict[str, Array]) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent:  W <- W - lr * g.

    With momentum mu:  v <- mu*v + g,  W <- W - lr*v;  Nesterov uses g + mu*v in place of v.
    (PyTorch's convention.) The tutorial is SGD with lr = 1.
    """

    name = "sgd"

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0, clipnorm: float | None = None) -> None:
        super().__init__(lr, weight_decay, clipnorm)
        self.momentum = checks.number("momentum", momentum, 0.0, 1.0, low_open=False)
        if nesterov and not self.momentum:
            raise InputError("nesterov=True needs a momentum > 0")
        self.nesterov = bool(nesterov)

    def config(self) -> dict:
        return {**super().config(), "momentum": self.momentum, "nesterov": self.nesterov}

    def _update(self, p: Array, g: Array, state: dict[str, Array]) -> None:
        if self.momentum:
            v = state.get("velocity")
            if v is None:
                v = state["velocity"] = np.zeros_like(p)
            v *= self.momentum
            v += g
            if self.nesterov:
                g += self.momentum * v
            else:
                np.copyto(g, v)
        np.multiply(g, self.lr, g)
        np.subtract(p, g, p)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): running means of g and g**2, bias-corrected.

        m <- b1*m + (1-b1)*g,   v <- b2*v + (1-b2)*g**2
        W <- W - lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps)
    """

    name = "adam"

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 weight_decay: float = 0.0, clipnorm: float | None = None) -> None:
        super().__init__(lr, weight_decay, clipnorm)
        self.beta1 = checks.number("beta1", beta1, 0.0, 1.0, low_open=False)
        self.beta2 = checks.number("beta2", beta2, 0.0, 1.0, low_open=False)
        self.eps = checks.number("eps", eps, 0.0)

    def config(self) -> dict:
        return {**super().config(), "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}

    def _update(self, p: Array, g: Array, state: dict[str, Array]) -> None:
        if not state:
            state["m"], state["v"] = np.zeros_like(p), np.zeros_like(p)
        m, v, t = state["m"], state["v"], self.steps
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        np.multiply(g, g, out=g)
        g *= 1 - self.beta2
        v += g
        step_size = self.lr / (1 - self.beta1**t)
        denom = np.sqrt(v / (1 - self.beta2**t))
        denom += self.eps
        p -= step_size * m / denom


OPTIMIZERS = {cls.name: cls for cls in (SGD, Adam)}


def get(name: str | Optimizer) -> Optimizer:
    """An optimizer by name (with its default settings), or the instance itself."""
    return name if isinstance(name, Optimizer) else choose("optimizer", name, OPTIMIZERS)()
