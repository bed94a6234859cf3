"""Layers: ``Dense`` (fully connected, with an activation), ``Dropout`` and ``SharedDense`` (an ensemble's Dense
layer whose members share the weights), behind one protocol (``Layer``).

A layer kind of your own subclasses ``Layer`` and joins with ``register(MyLayer)``; it then trains in a
``Network``, saves and loads like the built-in ones.
"""

from __future__ import annotations

from ..registry import Registry
from .base import Layer, Param
from .dense import Dense
from .dropout import Dropout
from .shared import SharedDense

REGISTRY: Registry[Layer] = Registry("layer", Layer, "glassnet.layers",
                                     (Dense, Dropout, SharedDense))
register = REGISTRY.register

__all__ = ["Dense", "Dropout", "Layer", "Param", "REGISTRY", "SharedDense", "register"]
