"""Section 1: the tutorial network (3-4-1, sigmoid, no biases, float64), full-batch SGD with lr = 1.

Every contender starts from the tutorial's weights (``np.random.seed(1)``; ``syn0``, ``syn1``) and does the
same number of steps on the same four rows. The loss compared at the end is the tutorial's half sum of
squared errors of the final weights, computed by one function for all (scikit-learn excepted: see there).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from harness import Contender, installed

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
Y = np.array([[0], [1], [1], [0]], dtype=np.float64)


def initial_weights() -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's ``np.random.seed(1); syn0 = 2*random((3,4)) - 1; syn1 = 2*random((4,1)) - 1``."""
    rng = np.random.RandomState(1)
    syn0 = 2 * rng.random_sample((3, 4)) - 1
    syn1 = 2 * rng.random_sample((4, 1)) - 1
    return syn0, syn1


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def sse(weights) -> float:
    """L = 1/2 sum((f(f(X . syn0) . syn1) - Y)**2), in float64, for any contender's final (syn0, syn1)."""
    syn0, syn1 = (np.asarray(w, dtype=np.float64) for w in weights)
    r = _sigmoid(_sigmoid(X @ syn0) @ syn1) - Y
    return 0.5 * float(np.sum(r * r))


def plain_numpy(steps: int):
    """The tutorial's loop, as written (its every-10,000-steps error is kept instead of printed)."""
    syn0, syn1 = initial_weights()
    errors = []

    def run():
        nonlocal syn0, syn1
        for j in range(steps):
            l0 = X
            l1 = 1 / (1 + np.exp(-np.dot(l0, syn0)))
            l2 = 1 / (1 + np.exp(-np.dot(l1, syn1)))
            l2_error = Y - l2
            if j % 10000 == 0:
                errors.append(np.mean(np.abs(l2_error)))
            l2_delta = l2_error * (l2 * (1 - l2))
            l1_error = l2_delta.dot(syn1.T)
            l1_delta = l1_error * (l1 * (1 - l1))
            syn1 += l1.T.dot(l2_delta)
            syn0 += l0.T.dot(l1_delta)
        return syn0, syn1

    return run


def numpy_bookkeeping(steps: int):
    """The plain loop plus the work ``fit`` owes its user, inlined with no library structure at all: each
    epoch's loss (1/2 sum of squared errors) and mean absolute error recorded from its forward pass, the
    loss checked for finiteness, the weights (one flat vector, as in glassnet) copied at the start of each
    epoch to fall back on if training diverges, the sigmoid's exponent capped so it cannot overflow, and
    the gradient scaled by the learning rate. The least time any implementation of that work can take
    here: if it is already over 1.2x the plain loop, so is every library that does it."""
    syn0, syn1 = initial_weights()
    flat, grads = np.concatenate([syn0.ravel(), syn1.ravel()]), np.zeros(syn0.size + syn1.size)
    (W0, W1), (G0, G1) = ((v[:12].reshape(3, 4), v[12:].reshape(4, 1)) for v in (flat, grads))
    z0, z1 = np.empty((4, 4)), np.empty((4, 1))
    snapshots, cap, lr = (flat.copy(), flat.copy()), np.float64(709.0), 1.0
    losses, maes = [], []

    def sigmoid(z):
        np.negative(z, z)
        np.minimum(z, cap, out=z)
        np.exp(z, z)
        np.add(z, 1.0, z)
        return np.reciprocal(z, z)

    def run():
        nonlocal snapshots
        for _ in range(steps):
            snapshots = snapshots[::-1]
            snapshots[0][...] = flat
            l1 = sigmoid(np.dot(X, W0, z0))
            l2 = sigmoid(np.dot(l1, W1, z1))
            r = l2 - Y
            loss = 0.5 * float(np.vdot(r, r))
            l2_delta = np.multiply(r, np.multiply(l2, np.subtract(1.0, l2)), r)
            np.dot(l1.T, l2_delta, G1)
            l1_error = np.dot(l2_delta, W1.T)
            np.multiply(l1_error, np.multiply(l1, np.subtract(1.0, l1)), l1_error)
            np.dot(X.T, l1_error, G0)
            mae = float(np.add.reduce(np.abs(l2 - Y), None)) / l2.size
            np.multiply(grads, lr, grads)
            np.subtract(flat, grads, flat)
            if not math.isfinite(loss):
                raise FloatingPointError("diverged")
            losses.append(loss)
            maes.append(mae)
        return W0, W1

    return run


def glassnet_fit(steps: int):
    """``Network.fit`` exactly as the README writes it (integer X and y, default metrics)."""
    import glassnet as gn

    net = gn.Network([gn.Dense(3, 4, activation="sigmoid", bias=False),
                      gn.Dense(4, 1, activation="sigmoid", bias=False)], init="classic", seed=1)
    for layer, w in zip(net.layers, initial_weights()):
        if not np.array_equal(layer.weights, w):
            raise AssertionError("glassnet's classic init no longer gives the tutorial's weights")
    Xi, yi = X.astype(int), Y.astype(int)

    def run():
        net.fit(Xi, yi, epochs=steps, loss="sse", optimizer=gn.SGD(lr=1.0), batch_size=None, shuffle=False,
                verbose=0)
        return [layer.weights for layer in net.layers]

    return run


def torch_manual(steps: int):
    """The tutorial's loop in torch tensors (float64), no autograd."""
    import torch

    syn0, syn1 = (torch.from_numpy(w) for w in initial_weights())
    x, y = torch.from_numpy(X), torch.from_numpy(Y)

    def run():
        for _ in range(steps):
            l1 = torch.sigmoid(x @ syn0)
            l2 = torch.sigmoid(l1 @ syn1)
            l2_delta = (y - l2) * (l2 * (1 - l2))
            l1_delta = (l2_delta @ syn1.T) * (l1 * (1 - l1))
            syn1.add_(l1.T @ l2_delta)
            syn0.add_(x.T @ l1_delta)
        return syn0.numpy(), syn1.numpy()

    return run


def torch_autograd(steps: int):
    """nn.Linear(bias=False) + Sigmoid, loss 1/2 sum((a - y)**2), loss.backward(), optim.SGD(lr=1)."""
    import torch

    syn0, syn1 = initial_weights()
    model = torch.nn.Sequential(torch.nn.Linear(3, 4, bias=False), torch.nn.Sigmoid(),
                                torch.nn.Linear(4, 1, bias=False), torch.nn.Sigmoid()).double()
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(syn0.T))
        model[2].weight.copy_(torch.from_numpy(syn1.T))
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    x, y = torch.from_numpy(X), torch.from_numpy(Y)

    def run():
        for _ in range(steps):
            loss = 0.5 * ((model(x) - y) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return model[0].weight.detach().numpy().T, model[2].weight.detach().numpy().T

    return run


# scikit-learn's MLPRegressor cannot put a sigmoid on the output nor drop the biases, and its squared
# error is a mean, not a sum. The closest run: same hidden layer (4 logistic units) and starting weights,
# biases starting at zero, identity output, loss 1/2 mean((a - y)**2), one batch of all four rows per
# step, SGD with lr = 0.1: with lr = 1 that identity-output net bounces chaotically (rounding differences
# grow to 1000% within 250 steps), so no two implementations could be compared. It fits the 4 rows
# exactly (loss ~1e-28) within 10,000 steps, so the loss compared, against a NumPy transcription of the
# same math, is the one it records at step min(steps, 5000) (~5e-9; one step fewer changes it by 0.5%).
LR = 0.1
CHECKED_STEP = 5000


def _sklearn_model(steps: int):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    model = MLPRegressor(hidden_layer_sizes=(4,), activation="logistic", solver="sgd", alpha=0.0, batch_size=4,
                         learning_rate="constant", learning_rate_init=LR, momentum=0.0, nesterovs_momentum=False,
                         shuffle=False, tol=0.0, n_iter_no_change=steps + 1, max_iter=1, warm_start=True,
                         random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, Y.ravel())  # creates its state; the weights are replaced next
    for coef, intercept, w in zip(model.coefs_, model.intercepts_, initial_weights()):
        coef[...] = w
        intercept[...] = 0
    model.max_iter = steps
    return model, ConvergenceWarning


def sklearn_regressor(steps: int):
    model, warning = _sklearn_model(steps)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", warning)
            model.fit(X, Y.ravel())
        return model.n_iter_, model.loss_curve_[1:]  # [0] is the set-up fit's

    return run


def sklearn_loss(output) -> float:
    """The loss MLPRegressor recorded at step min(steps, 5000); NaN unless it ran every step asked."""
    n_iter, curve = output
    return curve[min(len(curve), CHECKED_STEP) - 1] if n_iter == len(curve) else float("nan")


def sklearn_math(steps: int) -> float:
    """The loss at step min(steps, 5000) of the update MLPRegressor does, in plain NumPy: z1 = X.W0 + b0,
    a1 = sigmoid(z1), a2 = a1.W1 + b1, L = 1/2 mean((a2 - y)**2); gradients g averaged over the rows;
    W -= lr * g."""
    W0, W1 = initial_weights()
    b0, b1 = np.zeros(4), np.zeros(1)
    n = len(X)
    for _ in range(min(steps, CHECKED_STEP)):
        a1 = _sigmoid(X @ W0 + b0)
        d2 = (a1 @ W1 + b1) - Y
        loss = 0.5 * float(np.mean(d2 * d2))
        d1 = (d2 @ W1.T) * a1 * (1 - a1)
        W1 -= LR * (a1.T @ d2) / n
        b1 -= LR * d2.sum(axis=0) / n
        W0 -= LR * (X.T @ d1) / n
        b0 -= LR * d1.sum(axis=0) / n
    return loss


def contenders(steps: int, notes: list[str]) -> list[Contender]:
    def c(name, factory, loss=sse):
        return Contender(name, lambda: factory(steps), loss, warm=lambda: factory(min(steps, 1000)))

    out = [c("numpy loop", plain_numpy), c(BOOKKEEPING, numpy_bookkeeping), c("glassnet fit", glassnet_fit)]
    if installed("torch"):
        out += [c("torch manual", torch_manual), c("torch autograd+SGD", torch_autograd)]
    else:
        notes.append("tutorial: torch not installed: its two contenders skipped")
    if installed("sklearn"):
        out.append(c("sklearn MLPRegressor", sklearn_regressor, sklearn_loss))
    else:
        notes.append("tutorial: scikit-learn not installed: MLPRegressor skipped")
    return out


BOOKKEEPING = "numpy loop + fit's bookkeeping"
