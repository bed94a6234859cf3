"""glassnet: a neural-network library you can see through.

    import glassnet as gn
    net = gn.Network([gn.Dense(3, 4, activation="sigmoid", bias=False),
                      gn.Dense(4, 1, activation="sigmoid", bias=False)], init="classic", seed=1)
    history = net.fit(X, y, epochs=60000, loss="sse", optimizer=gn.SGD(lr=1.0), batch_size=None, shuffle=False)

The public names are imported on first use, so ``import glassnet`` and ``glassnet --help`` stay quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .errors import DivergenceError, GlassnetError, InputError, ModelFileError

if TYPE_CHECKING:
    from .gradient_check import gradcheck
    from .layers import Dense
    from .network import History, Network
    from .optimizers import SGD, Adam

__version__ = "0.1.0"

_HOMES = {"Dense": "layers", "Network": "network", "History": "network", "SGD": "optimizers",
          "Adam": "optimizers", "gradcheck": "gradient_check"}


# the modules a learner reaches for as ``gn.losses``, ``gn.activations``, ... (imported on first use too)
_MODULES = ("activations", "losses", "initializers", "layers", "optimizers", "network", "metrics", "rows", "data",
            "datasets", "io")


def __getattr__(name: str) -> object:
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name not in _HOMES:
        raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


def load(path: str) -> Network:
    """Read a model file written by ``Network.save``: see ``glassnet.io.load`` (safetensors is imported here)."""
    from .io import load as load_model

    return load_model(path)


__all__ = [
    "Adam", "Dense", "DivergenceError", "GlassnetError", "History", "InputError", "ModelFileError",
    "Network", "SGD", "gradcheck", "load",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_MODULES))
