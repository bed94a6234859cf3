"""Weight initializers: where gradient descent starts.

Weights must start different from each other (if every weight were equal, every hidden
unit would compute the same thing and receive the same update forever: symmetry) and
small enough that sigmoid and tanh units are not saturated. Biases start at zero.
"""

from __future__ import annotations

import numpy as np

from .errors import choose

Array = np.ndarray


def classic(rng: np.random.RandomState, shape: tuple[int, int]) -> Array:
    """U[-1, 1): the tutorial's ``2*np.random.random(shape) - 1`` (mean zero, spread one)."""
    return 2 * rng.random_sample(shape) - 1


def glorot_uniform(rng: np.random.RandomState, shape: tuple[int, int]) -> Array:
    """U[-l, l) with l = sqrt(6 / (fan_in + fan_out)): keeps the variance of signals and gradients
    about equal from layer to layer for tanh and sigmoid units (Glorot & Bengio, 2010)."""
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, size=shape)


def he_normal(rng: np.random.RandomState, shape: tuple[int, int]) -> Array:
    """N(0, 2 / fan_in): the Glorot idea for ReLU units, which zero half their inputs (He et al., 2015)."""
    return rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)


INITIALIZERS = {f.__name__: f for f in (classic, glorot_uniform, he_normal)}


def default_for(activation: str) -> str:
    """He for the ReLU family, Glorot for everything else."""
    return "he_normal" if activation in ("relu", "leaky_relu") else "glorot_uniform"


def get(name: str):
    """An initializer function by name."""
    return choose("initializer", name, INITIALIZERS)
