"""The rules every argument follows, in one table (standard library only: the command line builds its parser
from it without loading NumPy).

The library, the scikit-learn estimators and the command line check their arguments through ``RULES``, so
each rule and its message exists once:

    check("seed", -1)                       # InputError: seed must be an integer in [0, 2**32); got -1
    check("lr", 0, label="--lr")            # InputError: --lr must be a number in (0.0, inf); got 0
    parser.add_argument("--seed", type=cli_type("seed"))    # the same rule, on the text of the command line
"""

from __future__ import annotations

import math
import numbers
import reprlib
from collections.abc import Callable

from .errors import InputError


class Integer:
    """An int (not a bool) in [low, high); ``none``: None is allowed too. (Plain classes, not dataclasses: the
    dataclasses module would double the command line's start-up time.)"""

    def __init__(self, low: int, high: int | None = None, none: bool = False, text: str = "") -> None:
        self.low, self.high, self.none, self.text = low, high, none, text

    def describe(self) -> str:
        text = self.text or ("a positive integer" if self.low == 1 and self.high is None
                             else f"an integer of at least {self.low}")
        return text + (" or None" if self.none else "")

    def accepts(self, value: object) -> bool:
        return (isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= self.low
                and (self.high is None or value < self.high))

    def convert(self, value: object) -> int:
        return int(value)

    def parse(self, text: str) -> int:
        return int(text)


class Real:
    """A finite real number (not a bool) between ``low`` and ``high``; the low end is open unless ``closed``."""

    def __init__(self, low: float, high: float = math.inf, closed: bool = False, none: bool = False,
                 text: str = "") -> None:
        self.low, self.high, self.closed, self.none, self.text = low, high, closed, none, text

    def describe(self) -> str:
        text = self.text or f"a number in {'[' if self.closed else '('}{self.low}, {self.high})"
        return text + (" or None" if self.none else "")

    def accepts(self, value: object) -> bool:
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            return False
        try:
            x = float(value)
        except OverflowError:  # an int beyond the float range
            return False
        return math.isfinite(x) and (x >= self.low if self.closed else x > self.low) and x < self.high

    def convert(self, value: object) -> float:
        return float(value)

    def parse(self, text: str) -> float:
        return float(text)


class OneOf:
    """One of a few values."""

    none = False

    def __init__(self, options: tuple, text: str = "") -> None:
        self.options, self.text = options, text

    def describe(self) -> str:
        return self.text or "one of " + ", ".join(map(repr, self.options))

    def accepts(self, value: object) -> bool:
        try:
            return not isinstance(value, bool) and value in self.options
        except (TypeError, ValueError):  # an array, whose == gives an array
            return False

    def convert(self, value: object) -> object:
        return value

    def parse(self, text: str) -> object:
        return text


class Flag:
    """True or False (a NumPy bool too)."""

    none = False
    text = ""

    def describe(self) -> str:
        return "True or False"

    def accepts(self, value: object) -> bool:
        return type(value).__name__ in ("bool", "bool_")

    def convert(self, value: object) -> bool:
        return bool(value)

    def parse(self, text: str) -> object:
        return {"true": True, "false": False}.get(text.lower())


Rule = Integer | Real | OneOf | Flag
FRACTION = Real(0.0, 1.0, closed=True, text="in [0, 1)")

RULES: dict[str, Rule] = {
    # the network and its layers
    "seed": Integer(0, 2**32, text="an integer in [0, 2**32)"),
    "units": Integer(1),  # a layer's n_in and n_out, each hidden layer's size
    "bias": Flag(),
    "alpha": Real(0.0, 1.0),  # leaky ReLU's slope below zero
    "rate": FRACTION,  # dropout: the share of values set to zero in training
    # fit
    "epochs": Integer(1),
    "batch_size": Integer(1, none=True),
    "early_stopping": Integer(1, none=True),
    "validation_split": FRACTION,
    "shuffle": Flag(),
    "verbose": OneOf((0, 1, 2), text="0, 1 or 2"),
    # optimizers
    "lr": Real(0.0),
    "momentum": Real(0.0, 1.0, closed=True),
    "nesterov": Flag(),
    "beta1": Real(0.0, 1.0, closed=True),
    "beta2": Real(0.0, 1.0, closed=True),
    "eps": Real(0.0),
    "weight_decay": Real(0.0, closed=True),
    "decoupled": Flag(),
    # losses
    "label_smoothing": FRACTION,
    "ensemble": Integer(1, 1025, text="an integer from 1 to 1024"),  # networks trained together and averaged
    "clipnorm": Real(0.0, none=True),
    "optimizer_steps": Integer(0, 2**63, text="a non-negative integer below 2**63"),
    # learning-rate schedules
    "scheduled_lr": Real(0.0, closed=True),  # a schedule's rate at a step (a cosine decays to 0: no update)
    "schedule_steps": Integer(1),
    "warmup": Integer(0, text="a non-negative integer"),
    "final": Real(0.0, closed=True),
    "pct_start": Real(0.0, 1.0),
    "div_factor": Real(1.0, closed=True),
    # the gradient check
    "h": Real(1e-12, 1.0, closed=True, text="a small positive number from 1e-12 to below 1, such as 1e-6 (below "
                                          "1e-12, float64 differences are mostly rounding)"),
    # the command line and the tabular workflow
    "val_split": FRACTION,
    "test_split": FRACTION,
    "patience": Integer(0, text="0 (never stop early) or a positive integer"),
    "checkpoint_every": Integer(0, text="0 (off) or a positive integer"),
    "rows": Integer(1),
    "threads": Integer(0, 1025, text="0 (BLAS's own number) or an integer up to 1024"),  # BLAS threads in training
    # the scikit-learn estimators
    "validation_fraction": Real(0.0, 1.0, text="in (0, 1)"),
    "scaling": OneOf(("robust", "standard", "quantile", None)),
    "schedule": OneOf(("constant", "cosine", "onecycle")),
    "class_weight": OneOf((None, "balanced"), text="None, 'balanced' or a dict {class: weight}"),
    "class_weight_value": Real(0.0),  # one class's weight in a class_weight dict
}


def check(rule: str, value: object, label: str | None = None) -> object:
    """``value`` (as int or float for number rules) if it follows ``RULES[rule]``, else an InputError that
    names it as ``label`` (default: the rule's name) and quotes the value shortened."""
    spec = RULES[rule]
    if value is None and spec.none:
        return None
    if not spec.accepts(value):
        raise InputError(f"{label or rule} must be {spec.describe()}; got {reprlib.repr(value)}")
    return spec.convert(value)


def cli_type(rule: str) -> Callable[[str], object]:
    """An argparse ``type=``: the text converted and checked by ``RULES[rule]``."""
    import argparse
    import copy

    spec = copy.copy(RULES[rule])
    spec.none = False  # text is never None: the command line offers no None

    def convert(text: str) -> object:
        try:
            value = spec.parse(text)
        except ValueError:
            value = None
        if value is None or not spec.accepts(value):
            raise argparse.ArgumentTypeError(f"must be {spec.describe()}; got {text!r}")
        return spec.convert(value)

    convert.__name__ = rule  # argparse names the type in some messages
    return convert
