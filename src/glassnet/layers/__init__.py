"""Layers: ``Dense`` (fully connected, with an activation) and ``Dropout``, behind one protocol (``Layer``).

A layer kind of your own subclasses ``Layer`` and joins with ``register(MyLayer)``; it then trains in a
``Network``, saves and loads like the built-in ones.
"""

from __future__ import annotations

from ..registry import Registry
from .base import Layer, Param
from .dense import Dense
from .dropout import Dropout

REGISTRY: Registry[Layer] = Registry("layer", Layer, "glassnet.layers",
                                     (Dense, Dropout))
register = REGISTRY.register

__all__ = ["Dense", "Dropout", "Layer", "Param", "REGISTRY", "register"]
