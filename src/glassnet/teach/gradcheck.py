"""Numerical gradient check: does back-propagation compute the true derivative?

For every parameter w, the central difference  (L(w + h) - L(w - h)) / 2h  approximates
dL/dw with an error of order h**2. ``gradcheck`` compares it with the back-propagated
gradient of each parameter array and returns the worst relative error
||analytic - numeric|| / max(||analytic|| + ||numeric||, FLOOR), or NaN if a gradient is not finite.
The floor keeps round-off (about 1e-16 * |L| / h = 1e-11 for h = 1e-5) from looking like a large
relative error when a gradient is zero or nearly so, e.g. a bias whose signs cancel.
Both use the network as in use (``training=False``): layers that act only in training, such as dropout, pass
values through. Both differentiate the objective that training does: for a ``glassnet.Ensemble``, the sum of the
members' own losses (not the loss of their mean output, which ``evaluate`` reports).
"""

from __future__ import annotations

import numpy as np

from .. import checks, losses
from ..constraints import check
from ..errors import InputError
from ..network import Network

FLOOR = 1e-3


def gradcheck(net: Network, X: object, y: object, loss: str | losses.Loss = "mse", h: float = 1e-5) -> float:
    """Worst relative error between back-propagated and finite-difference gradients (float64 only)."""
    if net.dtype != np.float64:
        raise InputError(f"gradcheck needs a float64 network (float32 differences are too coarse); got {net.dtype}")
    h = check("h", h)
    loss = losses.get(loss)
    loss.check_output(net.layers[-1])
    X = checks.features(X, net.n_inputs, net.dtype)
    Y = loss.targets(checks.targets(y, len(X)), net.n_outputs, net.dtype)

    def value() -> float:  # (the loss compute_gradients differentiates: an ensemble's outputs keep their member axis)
        a = net.forward(X)
        return loss.value(Y, a, net.layers[-1].z if loss.fused else None)

    net.compute_gradients(X, Y, loss, training=False)
    errors = []
    for _, p, g in net.named_parameters():
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

