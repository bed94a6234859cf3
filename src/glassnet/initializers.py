"""Weight initializers: where gradient descent starts.

Weights must start different from each other (if every weight were equal, every hidden
unit would compute the same thing and receive the same update forever: symmetry) and
small enough that sigmoid and tanh units are not saturated. Biases start at zero.

An initializer is called with the network's generator and a weight shape (fan_in, fan_out);
one of your own joins with ``register(MyInitializer)``.
"""

from __future__ import annotations

import numpy as np

from .registry import Component, Registry

Array = np.ndarray


class Initializer(Component):
    """Base class: ``init(rng, (fan_in, fan_out))`` returns the starting weights."""

    def __call__(self, rng: np.random.RandomState, shape: tuple[int, int]) -> Array:
        raise NotImplementedError


class Classic(Initializer):
    """U[-1, 1): the tutorial's ``2*np.random.random(shape) - 1`` (mean zero, spread one)."""

    name = "classic"

    def __call__(self, rng: np.random.RandomState, shape: tuple[int, int]) -> Array:
        return 2 * rng.random_sample(shape) - 1


class GlorotUniform(Initializer):
    """U[-l, l) with l = sqrt(6 / (fan_in + fan_out)): keeps the variance of signals and gradients
    about equal from layer to layer for tanh and sigmoid units (Glorot & Bengio, 2010)."""

    name = "glorot_uniform"

    def __call__(self, rng: np.random.RandomState, shape: tuple[int, int]) -> Array:
        limit = np.sqrt(6.0 / (shape[0] + shape[1]))
        return rng.uniform(-limit, limit, size=shape)


class HeNormal(Initializer):
    """N(0, 2 / fan_in): the Glorot idea for ReLU units, which zero half their inputs (He et al., 2015)."""

    name = "he_normal"

    def __call__(self, rng: np.random.RandomState, shape: tuple[int, int]) -> Array:
        return rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)


REGISTRY: Registry[Initializer] = Registry("initializer", Initializer, "glassnet.initializers",
                                           (Classic, GlorotUniform, HeNormal))
register, get = REGISTRY.register, REGISTRY.get
