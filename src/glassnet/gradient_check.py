"""Numerical gradient check: does back-propagation compute the true derivative?

For every parameter w, the central difference  (L(w + h) - L(w - h)) / 2h  approximates
dL/dw with an error of order h**2. ``gradcheck`` compares it with the back-propagated
gradient of each parameter array and returns the worst relative error
||analytic - numeric|| / max(||analytic|| + ||numeric||, FLOOR), or NaN if a gradient is not finite.
The floor keeps round-off (about 1e-16 * |L| / h = 1e-10 for h = 1e-6) from looking like a large
relative error when a gradient is zero or nearly so, e.g. a bias whose signs cancel.
"""

from __future__ import annotations

import numpy as np

from . import checks, losses
from .errors import InputError
from .network import Network

FLOOR = 1e-3


def gradcheck(net: Network, X: object, y: object, loss: str | losses.Loss = "mse", h: float = 1e-6) -> float:
    """Worst relative error between back-propagated and finite-difference gradients (float64 only)."""
    if net.dtype != np.float64:
        raise InputError(f"gradcheck needs a float64 network (float32 differences are too coarse); got {net.dtype}")
    if isinstance(h, bool) or not isinstance(h, (int, float, np.floating)) or not 0 < h < 1:
        raise InputError(f"h must be a small positive number such as 1e-6; got {h!r}")
    loss = losses.get(loss)
    loss.check_activation(net.layers[-1].activation)
    X = checks.features(X, net.n_inputs, net.dtype)
    Y = loss.targets(checks.targets(y, len(X)), net.n_outputs, net.dtype)
    last = net.layers[-1]

    def value() -> float:
        a = net.forward(X)
        return loss.value(Y, a, last.z)

    a = net.forward(X)
    net.backward(loss.delta(Y, a, last.z, last.activation))
    errors = []
    for p, g in (pair for layer in net.layers for pair in layer.params()):
        analytic = g.copy()
        numeric = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            saved = p[i]
            p[i] = saved + h
            up = value()
            p[i] = saved - h
            down = value()
            p[i] = saved
            numeric[i] = (up - down) / (2 * h)
        scale = max(np.linalg.norm(analytic) + np.linalg.norm(numeric), FLOOR)
        errors.append(float(np.linalg.norm(analytic - numeric) / scale))
    return float(np.max(errors))  # NaN if any gradient was not finite
