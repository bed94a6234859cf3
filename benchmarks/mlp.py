"""Section 2: a 784-256-128-10 ReLU MLP, softmax cross-entropy, plain SGD, float32.

Every contender trains one epoch, in order (no shuffling, so all do the same arithmetic), on the same
synthetic rows from the same He-normal weights and zero biases, and computes the training loss of each
batch (as a training loop that reports its loss does). The final loss compared is the mean cross-entropy of
the final weights on all rows, computed in float64 by one function for all.
"""

from __future__ import annotations

import warnings

import numpy as np
from harness import Contender, installed

SIZES = (784, 256, 128, 10)
LR = 0.01  # at 0.05, float32 rounding differences grow chaotically at batch 32 (torch vs OpenBLAS: 7e-5)


def make_data(rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """N(0, 1) float32 features; labels = argmax of a fixed random linear map of them (learnable)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, SIZES[0]), dtype=np.float32)
    teacher = rng.standard_normal((SIZES[0], SIZES[-1]), dtype=np.float32)
    return X, np.argmax(X @ teacher, axis=1)


def initial_weights(seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    """He-normal W ~ N(0, 2/fan_in) in float32 and zero biases, layer by layer."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, np.sqrt(2 / n_in), (n_in, n_out)).astype(np.float32), np.zeros(n_out, np.float32))
            for n_in, n_out in zip(SIZES, SIZES[1:])]


def cross_entropy(params, X: np.ndarray, labels: np.ndarray) -> float:
    """Mean -log softmax(z)[label] of (W, b) pairs on all rows, in float64."""
    a = X.astype(np.float64)
    for i, (W, b) in enumerate(params):
        a = a @ np.asarray(W, np.float64) + np.asarray(b, np.float64)
        if i < len(params) - 1:
            a = np.maximum(a, 0)
    a -= a.max(axis=1, keepdims=True)
    log_p = a - np.log(np.exp(a).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(a)), labels].mean())


def numpy_loop(X, labels, batch: int):
    """A hand-written NumPy training loop: forward, loss, backward, update, batch by batch."""
    params = [(W.copy(), b.copy()) for W, b in initial_weights()]
    Y = np.eye(SIZES[-1], dtype=np.float32)[labels]

    def run():
        (W0, b0), (W1, b1), (W2, b2) = params
        total = 0.0
        for start in range(0, len(X), batch):
            x, y = X[start:start + batch], Y[start:start + batch]
            h1 = np.maximum(x @ W0 + b0, 0)
            h2 = np.maximum(h1 @ W1 + b1, 0)
            z = h2 @ W2 + b2
            z -= z.max(axis=1, keepdims=True)
            e = np.exp(z)
            s = e.sum(axis=1, keepdims=True)
            total += float(np.log(s).sum() - np.einsum("ij,ij->", z, y))
            d = (e / s - y) / len(x)
            g2, c2 = h2.T @ d, d.sum(axis=0)
            d = (d @ W2.T) * (h2 > 0)
            g1, c1 = h1.T @ d, d.sum(axis=0)
            d = (d @ W1.T) * (h1 > 0)
            g0, c0 = x.T @ d, d.sum(axis=0)
            for p, g in ((W2, g2), (b2, c2), (W1, g1), (b1, c1), (W0, g0), (b0, c0)):
                p -= LR * g
        return params

    return run


def glassnet_fit(X, labels, batch: int, shuffle: bool = False):
    """``Network.fit`` with default metrics (accuracy, computed every batch)."""
    import glassnet as gn

    net = gn.Network([gn.Dense(784, 256, activation="relu"), gn.Dense(256, 128, activation="relu"),
                      gn.Dense(128, 10, activation="softmax")], seed=0, dtype=np.float32)
    for layer, (W, b) in zip(net.layers, initial_weights()):
        np.copyto(layer.weights, W)
        np.copyto(layer.bias, b)

    def run():
        net.fit(X, labels, epochs=1, batch_size=batch, shuffle=shuffle, loss="categorical_crossentropy",
                optimizer=gn.SGD(lr=LR), verbose=0)
        return [(layer.weights, layer.bias) for layer in net.layers]

    return run


def torch_sgd(X, labels, batch: int):
    """nn.Sequential of Linear and ReLU, F.cross_entropy, loss.backward(), optim.SGD; loss.item() per batch."""
    import torch
    import torch.nn.functional as F

    layers = [torch.nn.Linear(i, o) for i, o in zip(SIZES, SIZES[1:])]
    model = torch.nn.Sequential(layers[0], torch.nn.ReLU(), layers[1], torch.nn.ReLU(), layers[2])
    with torch.no_grad():
        for layer, (W, b) in zip(layers, initial_weights()):
            layer.weight.copy_(torch.from_numpy(W.T))
            layer.bias.copy_(torch.from_numpy(b))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    x_all, y_all = torch.from_numpy(X), torch.from_numpy(labels.astype(np.int64))

    def run():
        total = 0.0
        for start in range(0, len(X), batch):
            x, y = x_all[start:start + batch], y_all[start:start + batch]
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(x)
        return [(la.weight.detach().numpy().T, la.bias.detach().numpy()) for la in layers]

    return run


def sklearn_mlp(X, labels, batch: int):
    """MLPClassifier(solver="sgd") with momentum 0, alpha 0, constant learning rate, no shuffling."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(hidden_layer_sizes=SIZES[1:-1], activation="relu", solver="sgd", alpha=0.0,
                          batch_size=batch, learning_rate="constant", learning_rate_init=LR, momentum=0.0,
                          nesterovs_momentum=False, shuffle=False, tol=0.0, n_iter_no_change=10**9, max_iter=1,
                          warm_start=True, early_stopping=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[:4 * batch], labels[:4 * batch])  # creates its state; the weights are replaced next
    for coef, intercept, (W, b) in zip(model.coefs_, model.intercepts_, initial_weights()):
        coef[...] = W
        intercept[...] = b

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, labels)
        if model.coefs_[0].dtype != np.float32:
            raise AssertionError("MLPClassifier no longer trains in float32")
        return list(zip(model.coefs_, model.intercepts_))

    return run


def gemm_flops(batch: int) -> int:
    """Multiply-adds x 2 of one step's matrix products: per layer x.W, x^T.delta and (except the first
    layer) delta.W^T, each 2 * batch * n_in * n_out."""
    return sum(2 * batch * i * o * (2 if k == 0 else 3) for k, (i, o) in enumerate(zip(SIZES, SIZES[1:])))


def gemm_only(batch: int, steps: int):
    """``steps`` steps' worth of just those products, np.dot into preallocated float32 arrays of the same
    shapes and layouts (x.T and W.T are transposed views, as in a training step). Timed like a contender."""
    rng = np.random.default_rng(0)
    layers = []
    for i, o in zip(SIZES, SIZES[1:]):
        x, W, d = (rng.standard_normal(s, dtype=np.float32) for s in ((batch, i), (i, o), (batch, o)))
        layers.append((x, W, d, np.empty((batch, o), np.float32), np.empty((i, o), np.float32),
                       np.empty((batch, i), np.float32)))

    def run():
        for _ in range(steps):
            for k, (x, W, d, z, gW, dx) in enumerate(layers):
                np.dot(x, W, out=z)
                np.dot(x.T, d, out=gW)
                if k:
                    np.dot(d, W.T, out=dx)

    return run


def contenders(X, labels, batch: int, notes: list[str]) -> list[Contender]:
    def loss(params):
        return cross_entropy(params, X, labels)

    def c(name, factory, **kw):
        return Contender(name, lambda: factory(X, labels, batch, **kw), loss)

    out = [c("numpy loop", numpy_loop), c("glassnet fit", glassnet_fit)]
    if installed("torch"):
        out.append(c("torch autograd+SGD", torch_sgd))
    else:
        notes.append("mlp: torch not installed: skipped")
    if installed("sklearn"):
        out.append(c("sklearn MLPClassifier", sklearn_mlp))
    else:
        notes.append("mlp: scikit-learn not installed: MLPClassifier skipped")
    out.append(c(SHUFFLED, glassnet_fit, shuffle=True))
    out.append(Contender(GEMM, lambda: gemm_only(batch, len(X) // batch), None))
    return out


GEMM = "float32 GEMMs alone"
SHUFFLED = "glassnet fit shuffle=True"  # for information: other rows do not shuffle, so its loss differs
