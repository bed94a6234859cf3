"""glassnet: a neural-network library you can see through.

    import glassnet as gn
    net = gn.Network([gn.Dense(3, 4, activation="sigmoid", bias=False),
                      gn.Dense(4, 1, activation="sigmoid", bias=False)], init="classic", seed=1)
    history = net.fit(X, y, epochs=60000, loss="sse", optimizer=gn.SGD(lr=1.0), batch_size=None, shuffle=False)

The maths is in the top-level modules (network, layers, activations, losses, optimizers, schedules,
initializers, metrics, training); tables, file formats, drawing, teaching, integrations and the command
line are subpackages (see docs/architecture.md). The public names are imported on first use, so
``import glassnet`` and ``glassnet --help`` stay quick.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

from .errors import DivergenceError, GlassnetError, InputError, ModelFileError

if TYPE_CHECKING:
    from .ensemble import Ensemble
    from .history import History
    from .layers import Dense, Dropout
    from .network import Network
    from .optimizers import SGD, Adam
    from .tabular.model import Model
    from .teach.gradcheck import gradcheck

__version__ = "0.1.0"

_HOMES = {"Dense": "layers", "Dropout": "layers", "Network": "network", "Ensemble": "ensemble", "History": "history",
          "SGD": "optimizers",
          "Adam": "optimizers", "Model": "tabular.model", "gradcheck": "teach.gradcheck"}

# the modules and subpackages a learner reaches for as ``gn.losses``, ``gn.tabular``, ... (imported on first use)
_MODULES = ("activations", "losses", "initializers", "layers", "optimizers", "schedules", "network", "ensemble",
            "training",
            "metrics", "history", "registry", "constraints", "checks", "rows", "tabular", "formats", "viz", "teach",
            "integrations")


def __getattr__(name: str) -> object:
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name not in _HOMES:
        raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


def train_table(data: object, target: str, **options: object) -> Model:
    """Train on a table as ``glassnet train`` does: see ``glassnet.tabular.train_table.train_table``."""
    import difflib
    import inspect

    from .tabular.train_table import train_table as train

    known = [name for name in inspect.signature(train).parameters if name not in ("data", "target")]
    for name in options:
        if name not in known:
            close = difflib.get_close_matches(name, known, 1)
            raise TypeError(f"train_table() got an unexpected keyword argument {name!r}; " +
                            (f"did you mean {close[0]!r}?" if close else f"it takes {', '.join(known)}"))
    return train(data, target, **options)


def load(path: str | os.PathLike) -> Network:
    """Read a model file's network (with its training state and history): see
    ``glassnet.formats.modelfile.load_network``. ``load_model`` reads the whole bundle."""
    from .formats.modelfile import load_network

    return load_network(path)


def load_model(path: str | os.PathLike) -> Model:
    """Read a model file as a ``Model``: the network, the preprocessing of a model trained from a table, and the
    training record (see ``glassnet.tabular.model``)."""
    from .tabular.model import Model

    return Model.load(path)


__all__ = [
    "Adam", "Dense", "DivergenceError", "Dropout", "Ensemble", "GlassnetError", "History", "InputError", "Model",
    "ModelFileError", "Network", "SGD", "gradcheck", "load", "load_model", "train_table",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_MODULES))
