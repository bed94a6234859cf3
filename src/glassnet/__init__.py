"""glassnet: a neural-network library you can see through.

    import glassnet as gn
    net = gn.Network([gn.Dense(3, 4, activation="sigmoid", bias=False),
                      gn.Dense(4, 1, activation="sigmoid", bias=False)], init="classic", seed=1)
    history = net.fit(X, y, epochs=60000, loss="sse", optimizer=gn.SGD(lr=1.0), batch_size=None, shuffle=False)
"""

from .errors import DivergenceError, GlassnetError, InputError, ModelFileError
from .gradcheck import gradcheck
from .layers import Dense
from .network import History, Network
from .optimizers import SGD, Adam

__version__ = "0.1.0"


def load(path: str) -> Network:
    """Read a model file written by ``Network.save``: see ``glassnet.io.load`` (safetensors is imported here)."""
    from .io import load as load_model

    return load_model(path)


__all__ = [
    "Adam", "Dense", "DivergenceError", "GlassnetError", "History", "InputError", "ModelFileError",
    "Network", "SGD", "gradcheck", "load",
]
