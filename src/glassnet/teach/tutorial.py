"""The classic tutorial's data and networks, built with glassnet's public API."""

from __future__ import annotations

import numpy as np

from ..history import History
from ..layers import Dense
from ..network import Network
from ..optimizers import SGD

# Four examples of three inputs; the third column is always 1 (it plays the part of a bias).
X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
# The target is XOR of the first two columns: no straight line separates it.
Y_XOR = np.array([[0], [1], [1], [0]], dtype=np.float64)
# The single-layer tutorial's target: simply the first column.
Y_FIRST_COLUMN = np.array([[0], [0], [1], [1]], dtype=np.float64)


def two_layer() -> Network:
    """3 inputs -> 4 sigmoid hidden units -> 1 sigmoid output, no biases, seed 1: syn0 and syn1."""
    return Network([Dense(3, 4, activation="sigmoid", bias=False),
                    Dense(4, 1, activation="sigmoid", bias=False)], init="classic", seed=1)


def single_layer() -> Network:
    """3 inputs -> 1 sigmoid output, no bias, seed 1: the tutorial's syn0 of shape (3, 1)."""
    return Network([Dense(3, 1, activation="sigmoid", bias=False)], init="classic", seed=1)


def train(net: Network, y: np.ndarray, epochs: int) -> History:
    """The tutorial's training: full batch, no shuffling, half the sum of squared errors, lr = 1."""
    return net.fit(X, y, epochs=epochs, loss="sse", optimizer=SGD(lr=1.0), batch_size=None,
                   shuffle=False, verbose=0)
