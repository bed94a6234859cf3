"""The network: a stack of Dense layers, trained by back-propagation.

One training step on a batch (x, y), in the tutorial's words:
    forward:   l1 = f(x . syn0),  l2 = f(l1 . syn1)            (``Dense.forward``, layer by layer)
    error:     l2 - y, and the loss                               (``losses``)
    deltas:    l2_delta = dL/dz2;  l1_delta = (l2_delta . syn1^T) * f'(z1)   (``backward``)
    update:    syn1 -= lr * l1^T . l2_delta;  syn0 -= lr * x^T . l1_delta     (``optimizers``)
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable, Sequence

import numpy as np

from . import checks, initializers, losses, optimizers, progress
from .errors import DivergenceError, InputError
from .layers import Dense
from .metrics import default_for as default_metrics
from .metrics import get as get_metric

Array = np.ndarray
Tracer = Callable[[str, int, Array], None]


class History(dict):
    """Per-epoch values, one list per name: ``loss``, each metric, and ``val_`` versions."""

    def append(self, values: dict[str, float]) -> None:
        """Add one epoch. Names not measured in some epochs (validation in one fit call, not in the next)
        hold NaN there, so every list has one value per epoch."""
        done = len(self.get("loss", ()))  # epochs recorded so far
        for key, value in values.items():
            column = self.get(key)
            if column is None or len(column) != done:
                column = self.setdefault(key, [])
                column.extend([math.nan] * (done - len(column)))
            column.append(value)
        if len(self) > len(values):
            for column in self.values():
                if len(column) == done:
                    column.append(math.nan)

    def since(self, epochs: int) -> History:
        """A History of the epochs after the first ``epochs``."""
        return History({key: values[epochs:] for key, values in self.items()})

    @property
    def epochs(self) -> int:
        return len(self.get("loss", ()))


class Network:
    """A multi-layer perceptron.

    ``init`` names the initializer for layers that do not name their own (default: one
    suited to each layer's activation); ``seed`` fixes initial weights and shuffling;
    ``dtype`` is float64 or float32, used end to end.
    """

    def __init__(self, layers: Sequence[Dense], init: str | None = None, seed: int = 0,
                 dtype: object = np.float64) -> None:
        try:
            layers = list(layers)
        except TypeError:  # a single Dense, None, ...
            layers = None
        if not layers or not all(isinstance(layer, Dense) for layer in layers):
            raise InputError("Network needs a non-empty list of Dense layers")
        for i, layer in enumerate(layers):
            if layer.in_network or any(layer is other for other in layers[:i]):
                raise InputError(f"layer {i} is already part of a network (this one or another): a layer holds "
                                 "one network's weights, so make a new Dense for each place")
        for i, (a, b) in enumerate(zip(layers, layers[1:])):
            if a.n_out != b.n_in:
                raise InputError(f"layer {i} has {a.n_out} outputs but layer {i + 1} expects {b.n_in} inputs")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
            raise InputError(f"seed must be an integer in [0, 2**32); got {reprlib.repr(seed)}")
        self.layers = layers
        self.dtype = checks.float_dtype(dtype)
        self.seed = int(seed)
        self.init = init
        self._bind_storage()
        init_rng = np.random.RandomState(self.seed)  # the tutorial's np.random.seed(seed)
        for layer in layers:
            name = layer.init or init or initializers.default_for(layer.activation.name)
            layer.weights = initializers.get(name)(init_rng, (layer.n_in, layer.n_out))
        self.rng = np.random.default_rng(self.seed)  # shuffling
        self.loss: losses.Loss | None = None
        self.optimizer: optimizers.Optimizer | None = None
        self.metrics: list[str] = []
        self._metric_fns: list = []
        self.history = History()
        self.preprocessing = None  # a glassnet.data.Preprocessor for networks trained from a CSV file
        self.training: dict | None = None  # the command line's training settings (saved with the model)

    def __repr__(self) -> str:
        inner = ",\n    ".join(repr(layer) for layer in self.layers)
        return f"Network([\n    {inner}],\n  seed={self.seed}, dtype={self.dtype.name})"

    @property
    def n_inputs(self) -> int:
        return self.layers[0].n_in

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].n_out

    @property
    def n_params(self) -> int:
        return sum(layer.n_params for layer in self.layers)

    @property
    def epochs_trained(self) -> int:
        return self.history.epochs

    def _bind_storage(self) -> None:
        """Put every parameter in one flat vector (all weights, then all biases), and every gradient
        in another, with each layer's arrays as views into them. An optimizer step, a snapshot or a
        finiteness check is then one NumPy call, however many layers there are."""
        n_weights = sum(layer.n_in * layer.n_out for layer in self.layers)
        n_total = sum(layer.n_params for layer in self.layers)
        flat, grads = np.zeros(n_total, self.dtype), np.zeros(n_total, self.dtype)
        w, b = 0, n_weights
        for layer in self.layers:
            shape, size = (layer.n_in, layer.n_out), layer.n_in * layer.n_out
            bias = (flat[b:b + layer.n_out], grads[b:b + layer.n_out]) if layer.use_bias else (None, None)
            layer.attach(flat[w:w + size].reshape(shape), grads[w:w + size].reshape(shape), *bias)
            w, b = w + size, b + (layer.n_out if layer.use_bias else 0)
        self._flat = flat
        self._groups = [(flat[:n_weights], grads[:n_weights], True)]
        if n_total > n_weights:
            self._groups.append((flat[n_weights:], grads[n_weights:], False))

    def params(self) -> list[tuple[Array, Array, bool]]:
        """(parameters, gradients, are_weights): all weights as one flat vector, then all biases."""
        return self._groups

    # --- the two passes -------------------------------------------------------------

    def forward(self, x: Array, keep: bool = True) -> Array:
        """Run ``x`` through every layer; with ``keep`` the layers remember what backward needs."""
        for layer in self.layers:
            x = layer.forward(x, keep)
        return x

    def backward(self, delta: Array, trace: Tracer | None = None) -> None:
        """Back-propagate ``delta = dL/dz`` of the output layer, filling every layer's gradients.

        ``trace(name, layer_index, array)`` , if given, sees each layer's ``delta`` and the ``error``
        passed down to the layer below, before they are overwritten (``glassnet.explain`` uses it).
        """
        layers = self.layers
        for i in range(len(layers) - 1, 0, -1):
            if trace:
                trace("delta", i, delta)
            error = layers[i].backward(delta)  # the tutorial's l1_error = l2_delta.dot(syn1.T)
            if trace:
                trace("error", i - 1, error)
            below = layers[i - 1]
            delta = below.activation.backward(error, below.z, below.a)  # l1_delta = l1_error * f'(l1)
        if trace:
            trace("delta", 0, delta)
        layers[0].backward(delta, input_grad=False)

    def step(self, x: Array, y: Array, trace: Tracer | None = None) -> tuple[float, Array]:
        """One forward and backward pass on a prepared batch (no update); returns (loss, output)."""
        a = self.forward(x)
        last = self.layers[-1]
        loss_value, delta = self.loss.value_and_delta(y, a, last.z, last.activation)
        self.backward(delta, trace)
        return loss_value, a

    # --- training -------------------------------------------------------------------

    def fit(self, X: object, y: object, epochs: int = 1, batch_size: int | None = 32, shuffle: bool = True,
            loss: str | losses.Loss | None = None, optimizer: str | optimizers.Optimizer | None = None,
            metrics: Sequence[str] | None = None, validation_data: tuple[object, object] | None = None,
            validation_split: float = 0.0, early_stopping: int | None = None, verbose: int = 1,
            callback: Callable[[int, dict[str, float]], None] | None = None) -> History:
        """Train for ``epochs`` passes over (X, y) and return this call's History.

        ``batch_size=None`` trains on the whole data at once (the tutorial's full batch).
        Loss, optimizer and metrics default to those of the previous ``fit`` (so a second call
        continues where the first stopped), else to mean squared error and Adam.
        ``early_stopping=P`` stops after P epochs without a better validation loss (training
        loss if there is no validation data) and restores the best weights. ``callback(epoch, values)``
        runs after each epoch (the command line saves checkpoints with it). If interrupted (Ctrl-C), the
        weights go back to the start of the unfinished epoch, so they match the history.
        """
        epochs = checks.positive_int(epochs, "epochs")
        batch_size = checks.positive_int(batch_size, "batch_size", allow_none=True)
        patience = checks.positive_int(early_stopping, "early_stopping", allow_none=True)
        if verbose not in (0, 1, 2):
            raise InputError(f"verbose must be 0, 1 or 2; got {verbose!r}")
        self._configure(loss, optimizer, metrics)
        X, Y = self._prepare(X, y)
        if validation_data is not None:
            if validation_split:
                raise InputError("give validation_data or validation_split, not both")
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise InputError("validation_data must be a pair (X_val, y_val)")
            val = self._prepare(*validation_data, name="validation")
        else:
            X, Y, val = self._split(X, Y, validation_split)
        return self._train(X, Y, val, epochs, batch_size or len(X), bool(shuffle), patience, verbose, callback)

    def _configure(self, loss, optimizer, metric_names) -> None:
        if loss is not None or self.loss is None:
            self.loss = losses.get("mse" if loss is None else loss)
        self.loss.check_activation(self.layers[-1].activation)
        if optimizer is not None or self.optimizer is None:
            self.optimizer = optimizers.get("adam" if optimizer is None else optimizer)
        state = self.optimizer.state
        if state and (len(state) != len(self._groups) or any(
                v.shape != p.shape for group, (p, _, _) in zip(state, self._groups) for v in group.values())):
            raise InputError("this optimizer holds the state of another network (its arrays have other shapes); "
                             "give each network an optimizer of its own")
        if isinstance(metric_names, str):
            metric_names = [metric_names]
        if metric_names is not None or not self.metrics:
            self._set_metrics(default_metrics(self.loss.name) if metric_names is None else list(metric_names))

    def _set_metrics(self, names: list[str]) -> None:
        self._metric_fns = [get_metric(name) for name in names]
        self.metrics = names

    def _prepare(self, X: object, y: object, name: str = "", loss: losses.Loss | None = None) -> tuple[Array, Array]:
        prefix = f"{name} " if name else ""
        X = checks.features(X, self.n_inputs, self.dtype, name=f"{prefix}X")
        y = checks.targets(y, len(X), name=f"{prefix}y", dtype=self.dtype)  # (1e39 is inf in float32: named)
        return X, (loss or self.loss).targets(y, self.n_outputs, self.dtype)

    @staticmethod
    def _split(X: Array, Y: Array, fraction: float) -> tuple[Array, Array, tuple[Array, Array] | None]:
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float, np.integer, np.floating)) \
                or not 0 <= fraction < 1:
            raise InputError(f"validation_split must be in [0, 1); got {fraction!r}")
        n_val = int(round(len(X) * fraction))
        if fraction and not 0 < n_val < len(X):
            raise InputError(f"validation_split={fraction} of {len(X)} rows leaves an empty training or validation set")
        if not n_val:
            return X, Y, None
        return X[:-n_val], Y[:-n_val], (X[-n_val:], Y[-n_val:])  # the last rows, as Keras does

    def _train(self, X, Y, val, epochs, batch_size, shuffle, patience, verbose, callback) -> History:
        first = self.epochs_trained + 1
        report = progress.reporter(verbose, first, first + epochs - 1)
        fixed_batches = None if shuffle else self._slices(X, Y, batch_size)
        # parameters at the start of this epoch and of the one before, to fall back on if training diverges
        starts = (self._flat.copy(), self._flat.copy())
        best = (math.inf, None, 0)  # (monitored value, parameters, epoch)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            try:
                for epoch in range(first, first + epochs):
                    starts = starts[::-1]
                    starts[0][...] = self._flat
                    try:
                        values = self._epoch(fixed_batches or self._shuffled(X, Y, batch_size), len(X))
                    except KeyboardInterrupt:
                        np.copyto(self._flat, starts[0])
                        raise
                    if not math.isfinite(values["loss"]):
                        self._diverged(epoch, values["loss"], starts[1], epoch - 1, first)
                    if val is not None:
                        values.update({f"val_{k}": v for k, v in self._measure(*val).items()})
                    self.history.append(values)
                    report.update(epoch, values)
                    if callback:
                        callback(epoch, values)
                    if patience:
                        monitored = values.get("val_loss", values["loss"])
                        if monitored < best[0]:
                            best = (monitored, self._flat.copy(), epoch)
                        elif epoch - best[2] >= patience:
                            break
                if not np.isfinite(self._flat).all():
                    self._diverged(epoch, math.nan, starts[0], epoch, first)
            finally:
                report.close()
        history = self.history.since(first - 1)
        if patience and best[1] is not None:
            np.copyto(self._flat, best[1])
            history.best_epoch = best[2]
        return history

    def _diverged(self, epoch: int, loss: float, saved: Array, kept: int, first: int) -> None:
        """Go back to the weights of epoch ``kept``, the last whose loss was finite, and raise."""
        np.copyto(self._flat, saved)
        self.optimizer.state, self.optimizer.steps = [], 0  # its running averages took in the blow-up
        where = f"it had at the start of epoch {kept}" if kept >= first else "it had before this fit"
        raise DivergenceError(
            f"training diverged at epoch {epoch}: the loss or the weights became {loss}. The network keeps the "
            f"weights {where}, and its optimizer starts afresh. Try a smaller learning rate (now "
            f"{self.optimizer.lr:g})."
        )

    def _epoch(self, batches, n: int) -> dict[str, float]:
        """One pass over the batches: a step and an update each; returns the epoch's mean loss and metrics
        (summed losses such as sse are added up instead), from each batch's forward pass before its update."""
        step, update, params, fns = self.step, self.optimizer.step, self._groups, self._metric_fns
        summed = self.loss.summed
        loss_total, totals = 0.0, [0.0] * len(fns)
        for xb, yb in batches:
            loss_value, a = step(xb, yb)
            rows = len(xb)
            loss_total += loss_value if summed else loss_value * rows
            for i, fn in enumerate(fns):
                totals[i] += fn(yb, a) * rows
            update(params)
        values = {"loss": loss_total if summed else loss_total / n}
        for name, total in zip(self.metrics, totals):
            values[name] = total / n
        return values

    @staticmethod
    def _slices(X: Array, Y: Array, batch_size: int) -> list[tuple[Array, Array]]:
        """Consecutive batches as views: no copying when there is no shuffling."""
        return [(X[i:i + batch_size], Y[i:i + batch_size]) for i in range(0, len(X), batch_size)]

    def _shuffled(self, X: Array, Y: Array, batch_size: int):
        """Batches in a new random order, each gathered into buffers reused from step to step
        (so an epoch never copies the whole data set)."""
        order = self.rng.permutation(len(X))
        buffers: dict[int, tuple[Array, Array]] = self.__dict__.setdefault("_batch_buffers", {})
        for i in range(0, len(X), batch_size):
            idx = order[i:i + batch_size]
            xb, yb = buffers.get(len(idx), (None, None))
            if xb is None or xb.shape[1] != X.shape[1] or yb.shape[1] != Y.shape[1] or xb.dtype != X.dtype:
                xb, yb = buffers[len(idx)] = (np.empty((len(idx), X.shape[1]), X.dtype),
                                               np.empty((len(idx), Y.shape[1]), Y.dtype))
            np.take(X, idx, axis=0, out=xb)
            np.take(Y, idx, axis=0, out=yb)
            yield xb, yb

    def _measure(self, X: Array, Y: Array, loss: losses.Loss | None = None,
                 metric_names: list[str] | None = None) -> dict[str, float]:
        """Loss and metrics (the network's own unless named) of prepared (X, Y); only the layers' scratch
        buffers change."""
        loss = loss or self.loss
        a = self.forward(X)
        values = {"loss": loss.value(Y, a, self.layers[-1].z)}
        names, fns = ((self.metrics, self._metric_fns) if metric_names is None
                      else (metric_names, [get_metric(name) for name in metric_names]))
        values.update({name: fn(Y, a) for name, fn in zip(names, fns)})
        return values

    # --- using a trained network ----------------------------------------------------

    def predict(self, X: object) -> Array:
        """The network's outputs for the rows of X: shape (rows, n_outputs)."""
        X = checks.features(X, self.n_inputs, self.dtype)
        with np.errstate(over="ignore", under="ignore"):
            return self.forward(X, keep=False)

    def save(self, path: str) -> None:
        """Write this network, its training state and preprocessing to a safetensors file: see ``glassnet.io``."""
        from .io import save

        save(self, path)

    def evaluate(self, X: object, y: object, loss: str | losses.Loss | None = None) -> dict[str, float]:
        """Loss and metrics on (X, y) as a dict, e.g. ``{"loss": 0.02, "accuracy": 0.97}``."""
        loss = losses.get(loss) if loss is not None else self.loss
        if loss is None:
            raise InputError("evaluate needs a loss: pass loss=... or fit the network first")
        loss.check_activation(self.layers[-1].activation)
        X, Y = self._prepare(X, y, loss=loss)
        with np.errstate(over="ignore", under="ignore"):  # a network not yet fitted: the loss's default metrics
            return self._measure(X, Y, loss, None if self.metrics else default_metrics(loss.name))

    def to_onnx(self, path: str, opset: int = 17) -> None:
        """Write this network as an ONNX model file (needs ``glassnet[onnx]``): see ``glassnet.onnx``."""
        from .onnx import to_onnx

        to_onnx(self, path, opset)

    def explain(self, X: object, y: object, loss: str | losses.Loss | None = None,
                optimizer: str | optimizers.Optimizer | None = None, tutorial: bool = False) -> list:
        """One full-batch training step on (X, y), every array of it narrated: see ``glassnet.explain``.
        The network itself is not changed."""
        from .explain import explain

        return explain(self, X, y, loss=loss, optimizer=optimizer, tutorial=tutorial)
