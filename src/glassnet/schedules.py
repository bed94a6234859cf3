"""Learning-rate schedules: the learning rate as a function of how many updates have been made.

Any optimizer's ``lr`` takes a number or a schedule. The optimizer asks its schedule for the rate of each
update by the number of updates made before it (0 for the first), so the schedule follows the optimizer's
step count: it is saved with the model and goes on exactly where it stopped after a load or a resume.

    Constant(lr)                                   lr at every step
    Cosine(lr, steps, warmup=0, final=0.0)         linear warm-up from lr/warmup to lr over ``warmup`` steps, then
                                                   half a cosine from lr down to ``final`` at step ``steps``,
                                                   ``final`` after that
    OneCycle(max_lr, steps, pct_start=0.3)         half a cosine up from max_lr/div_factor to max_lr over the first
                                                   pct_start of the steps, then down to max_lr/(div_factor*
                                                   final_div_factor) at ``steps`` (Smith & Topin, 2017)
"""

from __future__ import annotations

import math
import reprlib
from typing import Any

from .constraints import check
from .errors import InputError
from .registry import Component, Registry


class Schedule(Component):
    """Base class: ``schedule(step)`` is the learning rate of the update made after ``step`` others."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError


def _cosine(start: float, end: float, progress: float) -> float:
    """From ``start`` (progress 0) to ``end`` (progress 1) along half a cosine wave."""
    return end + (start - end) * (1 + math.cos(math.pi * progress)) / 2


class Constant(Schedule):
    """The same rate at every step."""

    name = "constant"

    def __init__(self, lr: float) -> None:
        self.lr = check("lr", lr)

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr}

    def __call__(self, step: int) -> float:
        return self.lr



class Cosine(Schedule):
    """Linear warm-up over ``warmup`` steps, then cosine decay from ``lr`` to ``final`` at ``steps``."""

    name = "cosine"

    def __init__(self, lr: float, steps: int, warmup: int = 0, final: float = 0.0) -> None:
        self.lr = check("lr", lr)
        self.steps = check("schedule_steps", steps, "steps")
        self.warmup = check("warmup", warmup)
        self.final = check("final", final)
        if self.warmup >= self.steps:
            raise InputError(f"warmup ({reprlib.repr(self.warmup)}) must be shorter than steps "
                             f"({reprlib.repr(self.steps)})")
        if self.final > self.lr:
            raise InputError(f"final ({self.final:g}) must not exceed lr ({self.lr:g})")

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, "steps": self.steps, "warmup": self.warmup, "final": self.final}

    def __call__(self, step: int) -> float:
        if step < self.warmup:
            return self.lr * (step + 1) / self.warmup
        if step >= self.steps:
            return self.final
        return _cosine(self.lr, self.final, (step - self.warmup) / (self.steps - self.warmup))



class OneCycle(Schedule):
    """Up from ``max_lr / div_factor`` to ``max_lr``, then down to ``max_lr / (div_factor * final_div_factor)``."""

    name = "onecycle"

    def __init__(self, max_lr: float, steps: int, pct_start: float = 0.3, div_factor: float = 25.0,
                 final_div_factor: float = 1e4) -> None:
        self.max_lr = check("lr", max_lr, "max_lr")
        self.steps = check("schedule_steps", steps, "steps")
        self.pct_start = check("pct_start", pct_start)
        self.div_factor = check("div_factor", div_factor)
        self.final_div_factor = check("div_factor", final_div_factor, "final_div_factor")

    def config(self) -> dict[str, Any]:
        return {"max_lr": self.max_lr, "steps": self.steps, "pct_start": self.pct_start,
                "div_factor": self.div_factor, "final_div_factor": self.final_div_factor}

    def __call__(self, step: int) -> float:
        start = self.max_lr / self.div_factor
        end = start / self.final_div_factor
        rise = self.pct_start * self.steps
        if step >= self.steps:
            return end
        if step < rise:
            return _cosine(start, self.max_lr, step / rise)
        return _cosine(self.max_lr, end, (step - rise) / (self.steps - rise))



REGISTRY: Registry[Schedule] = Registry("schedule", Schedule, "glassnet.schedules",
                                        (Constant, Cosine, OneCycle))
register, get = REGISTRY.register, REGISTRY.get
