"""The network: a stack of layers, trained by back-propagation.

One training step on a batch (x, y), in the tutorial's words:
    forward:   l1 = f(x . syn0),  l2 = f(l1 . syn1)                  (each layer's ``forward``)
    error:     l2 - y, and the loss                                    (``losses``)
    backward:  l2_delta = error * f'(z2);  l1_error = l2_delta . syn1^T;  l1_delta = l1_error * f'(z1)
                                                                       (each layer's ``backward``, top down)
    update:    syn1 -= lr * l1^T . l2_delta;  syn0 -= lr * x^T . l1_delta   (``optimizers``)
The training loop around it (epochs, batches, validation, early stopping) is in ``glassnet.training``.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import checks, initializers, losses, metrics, optimizers
from .constraints import check
from .errors import InputError
from .history import History
from .layers import Layer

Array = np.ndarray
Group = tuple[Array, Array, bool]
Tracer = Callable[[str, int, Array], None]


def check_unused(layers: Sequence[Layer]) -> None:
    """An InputError for a layer already in a network, or twice in ``layers``: a layer holds one network's
    weights."""
    seen: set[int] = set()
    for i, layer in enumerate(layers):
        if getattr(layer, "in_network", False) or id(layer) in seen:
            raise InputError(f"layer {i} is already part of a network (this one or another): a layer holds "
                             "one network's weights, so make a new one for each place")
        seen.add(id(layer))


class Network:
    """A stack of layers (``Dense``, ``Dropout`` or any ``glassnet.layers.Layer``).

    ``init`` names the initializer for layers that do not name their own (default: one
    suited to each layer's activation); ``seed`` fixes initial weights, shuffling and dropout;
    ``dtype`` is float64 or float32, used end to end.
    """

    def __init__(self, layers: Sequence[Layer], init: str | dict | initializers.Initializer | None = None,
                 seed: int = 0, dtype: object = np.float64) -> None:
        try:
            layers = list(layers)
        except TypeError:  # a single Dense, None, ...
            layers = None
        if not layers or not all(isinstance(layer, Layer) for layer in layers):
            raise InputError("Network needs a non-empty list of layers (Dense, Dropout, or your own "
                             "glassnet.layers.Layer)")
        check_unused(layers)
        self.dtype = checks.float_dtype(dtype)
        self.seed = check("seed", seed)
        self.init = None if init is None else initializers.get(init)
        chain(layers)  # (every argument checked first: a refused network leaves its layers as they were)
        self._stack(layers)
        self.layers = layers
        self.rng = np.random.default_rng(self.seed)  # shuffling and dropout; its state is saved and restored
        self._bind_storage()
        self._initialize()
        self.loss: losses.Loss | None = None
        self.optimizer: optimizers.Optimizer | None = None
        self.metrics: list[str] = []  # names of the training metrics, and their functions:
        self.metric_fns: list[Callable[[Array, Array], float]] = []
        self.history = History()

    def __repr__(self) -> str:
        inner = ",\n    ".join(repr(layer) for layer in self.layers)
        return f"Network([\n    {inner}],\n  seed={self.seed}, dtype={self.dtype.name})"

    def _repr_html_(self) -> str:
        """Jupyter's view: a summary and the network diagram (see ``glassnet.viz.notebook``)."""
        from .viz.notebook import network_html

        return network_html(self)

    def summary(self) -> str:
        """The architecture in one line: ``4 -> 16 tanh -> dropout 0.2 -> 3 softmax``."""
        return " -> ".join([str(self.n_inputs)] + [layer.summary() for layer in self.layers])

    @property
    def n_inputs(self) -> int:
        return self.layers[0].n_in

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].n_out

    @property
    def n_params(self) -> int:
        return len(self.flat)

    @property
    def epochs_trained(self) -> int:
        return self.history.epochs

    def _stack(self, layers: list[Layer]) -> None:
        """Prepare the checked, chained layers (an Ensemble gives each its member axis)."""

    def _initialize(self) -> None:
        """Starting values of every layer, drawn in order from one generator seeded with ``seed``."""
        init_rng = np.random.RandomState(self.seed)  # the tutorial's np.random.seed(seed)
        for layer in self.layers:
            layer.initialize(init_rng, self.init)

    def _bind_storage(self) -> None:
        """Put every parameter in one flat vector (all decayed parameters, the weights, then the others, the
        biases), and every gradient in another, with each layer's arrays as views into them. An optimizer
        step, a snapshot or a finiteness check is then one NumPy call, however many layers there are."""
        specs = [(layer, p) for layer in self.layers for p in layer.params()]
        ordered = [s for s in specs if s[1].decay] + [s for s in specs if not s[1].decay]
        sizes = [int(np.prod(p.shape)) for _, p in ordered]
        flat, grads = np.zeros(sum(sizes), self.dtype), np.zeros(sum(sizes), self.dtype)
        views: dict[int, dict[str, tuple[Array, Array]]] = {id(layer): {} for layer in self.layers}
        start = 0
        for (layer, p), size in zip(ordered, sizes):
            views[id(layer)][p.name] = (flat[start:start + size].reshape(p.shape),
                                        grads[start:start + size].reshape(p.shape))
            start += size
        for layer in self.layers:
            layer.attach(views[id(layer)], self.rng)
        self._arrays = [views[id(layer)] for layer in self.layers]
        self.flat = flat  # every parameter in one vector; the layers' arrays are views into it
        n_decayed = sum(size for (_, p), size in zip(ordered, sizes) if p.decay)
        groups = [(flat[:n_decayed], grads[:n_decayed], True), (flat[n_decayed:], grads[n_decayed:], False)]
        self._groups = [g for g in groups if len(g[0])]

    def copy(self) -> Network:
        """A network with the same layers, parameters, generator state, loss, optimizer state and history,
        sharing no arrays with this one."""
        return copy.deepcopy(self)

    def __getstate__(self) -> dict[str, Any]:
        """What a copy or a pickle keeps: not the views into the storage (rebuilt by ``__setstate__``)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_arrays", "_groups")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Rebuild the storage and its views around the copied parameter vector, so that the copy's layers, its
        optimizer and ``flat`` are one set of arrays again (a plain copy would give each its own)."""
        self.__dict__.update(state)
        values = self.flat
        self._bind_storage()
        np.copyto(self.flat, values)

    def parameters(self) -> list[Group]:
        """(parameters, gradients, decay) groups, each one flat vector: all weights, then all biases."""
        return self._groups

    def layer_parameters(self, index: int) -> dict[str, tuple[Array, Array]]:
        """Layer ``index``'s parameters by name: (values, gradients), views of the network's storage."""
        return self._arrays[index]

    def named_parameters(self) -> list[tuple[str, Array, Array]]:
        """(name, values, gradients) of every layer's parameters, named ``layers.{i}.{name}`` as in model files."""
        return [(f"layers.{i}.{name}", value, grad) for i, arrays in enumerate(self._arrays)
                for name, (value, grad) in arrays.items()]

    # --- the two passes -------------------------------------------------------------

    def forward(self, x: Array, training: bool = False, keep: bool = True) -> Array:
        """Run ``x`` through every layer. ``training``: a step of learning (dropout drops values); ``keep``: the
        layers remember what ``backward`` and the loss need."""
        for layer in self.layers:
            x = layer.forward(x, training, keep)
        return x

    def _traced_forward(self, x: Array, training: bool, trace: Tracer) -> Array:
        for i, layer in enumerate(self.layers):
            x = layer.forward(x, training)
            trace("output", i, x)
        return x

    def backward(self, grad: Array, pre_activation: bool = False, trace: Tracer | None = None) -> None:
        """Back-propagate ``grad = dL/da`` of the output (dL/dz with ``pre_activation``: a fused loss) from the
        top layer down, filling every layer's gradients.

        ``trace("grad", layer_index, grad)``, if given, sees the gradient each layer receives before the layer
        overwrites it (``glassnet.teach.explain`` uses it).
        """
        layers = self.layers
        top = len(layers) - 1
        for i in range(top, -1, -1):
            if trace:
                trace("grad", i, grad)
            grad = layers[i].backward(grad, i > 0, pre_activation and i == top)

    def compute_gradients(self, x: Array, y: Array, loss: losses.Loss | None = None, trace: Tracer | None = None,
                          training: bool = True) -> tuple[float, Array]:
        """Back-propagation on a prepared batch: a forward pass (in training mode unless told otherwise), the
        loss (the network's own unless given) and a backward pass that fills every layer's gradients. No
        update; returns (loss, output). ``trace("output", layer_index, output)`` also sees each layer's output."""
        loss = loss or self.loss
        a = self.forward(x, training) if trace is None else self._traced_forward(x, training, trace)
        loss_value, grad = loss.value_and_grad(y, a, self.layers[-1].z if loss.fused else None)
        self.backward(grad, loss.fused is not None, trace)
        return loss_value, a

    # --- training -------------------------------------------------------------------

    def fit(self, X: object, y: object, epochs: int = 1, batch_size: int | None = 32, shuffle: bool = True,
            loss: str | losses.Loss | None = None, optimizer: str | optimizers.Optimizer | None = None,
            metrics: Sequence[str] | None = None, validation_data: tuple[object, object] | None = None,
            validation_split: float = 0.0, early_stopping: int | None = None, verbose: int = 1,
            callback: Callable[[int, dict[str, float]], None] | None = None) -> History:
        """Train for ``epochs`` passes over (X, y) and return this call's History.

        ``batch_size=None`` trains on the whole data at once (the tutorial's full batch).
        ``validation_split=F`` holds out round(F * rows) rows, drawn at random from the network's ``seed`` (the
        same rows in every call), stratified when y holds classes (one-hot rows, or one column of whole-number
        labels) so that each class is held out in proportion to its size, as scikit-learn's early stopping does:
        rows sorted by class still give a validation set of every class. See ``training.validation_rows``.
        (An ``Ensemble``'s members each hold out their own rows: see ``Ensemble``.)
        Loss, optimizer and metrics default to those of the previous ``fit`` (so a second call
        continues where the first stopped), else to mean squared error and Adam.
        ``early_stopping=P`` stops after P epochs without a better validation loss (training
        loss if there is no validation data) and restores the best weights. ``callback(epoch, values)``
        runs after each epoch (the command line saves checkpoints with it). If interrupted (Ctrl-C) anywhere
        in an epoch, the weights, optimizer state, shuffling state and history go back to the start of that
        epoch, so that saving then and resuming later is exact.
        """
        from .training import FitSettings, train

        if callback is not None and not callable(callback):
            raise InputError(f"callback must be a function of (epoch, values) or None; got {callback!r}")
        settings = FitSettings(epochs=check("epochs", epochs), batch_size=check("batch_size", batch_size),
                               shuffle=check("shuffle", shuffle), patience=check("early_stopping", early_stopping),
                               verbose=check("verbose", verbose), callback=callback)
        chosen = self._chosen(loss, optimizer, metrics)  # (set only once the data are checked too)
        X, Y = self.check_data(X, y, loss=chosen[0])
        if validation_data is not None:
            if validation_split:
                raise InputError("give validation_data or validation_split, not both")
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise InputError("validation_data must be a pair (X_val, y_val)")
            val = self.check_data(*validation_data, name="validation", loss=chosen[0])
            self._set(*chosen)
            return train(self, X, Y, val, settings)
        X, Y, val, members = self._held_out(X, Y, check("validation_split", validation_split))
        self._set(*chosen)
        return train(self, X, Y, val, settings, members)

    def _held_out(self, X: Array, Y: Array, fraction: float) -> tuple[Array, Array, tuple[Array, Array] | None, None]:
        """(training X, training Y, validation rows, None) for ``validation_split=fraction`` (``_split``)."""
        return (*_split(X, Y, fraction, self.seed), None)

    def configure(self, loss: str | dict | losses.Loss | None = None,
                  optimizer: str | dict | optimizers.Optimizer | None = None,
                  metric_names: Sequence[str] | str | None = None) -> None:
        """Set the loss, optimizer and metrics that ``fit`` uses: the ones given, else the network's own,
        else mean squared error, Adam and the loss's default metrics. All are checked before any is set: a
        refused call leaves the network as it was."""
        self._set(*self._chosen(loss, optimizer, metric_names))

    def _chosen(self, loss: str | dict | losses.Loss | None, optimizer: str | dict | optimizers.Optimizer | None,
                metric_names: Sequence[str] | str | None) -> tuple[losses.Loss, optimizers.Optimizer, list[str]]:
        """The (loss, optimizer, metric names) that ``configure`` sets, checked; nothing changes here."""
        if loss is not None or self.loss is None:
            loss = losses.get("mse" if loss is None else loss)
        else:
            loss = self.loss
        loss.check_output(self.layers[-1])
        if optimizer is not None or self.optimizer is None:
            optimizer = optimizers.get("adam" if optimizer is None else optimizer)
            if optimizer is not self.optimizer and (optimizer.steps or optimizer.state):
                raise InputError(f"this optimizer has already made {optimizer.steps} update(s), for another network "
                                 "or for this one before, and its state and step count would carry over: give each "
                                 "network an optimizer of its own (or none, to go on with the network's own)")
        else:
            optimizer = self.optimizer
        self._check_optimizer(optimizer)
        names = [metric_names] if isinstance(metric_names, str) else metric_names
        names = list(names) if names is not None else self.metrics or metrics.default_for(loss)
        for name in names:
            metrics.get(name)
        return loss, optimizer, names

    def _check_optimizer(self, optimizer: optimizers.Optimizer) -> None:
        """An InputError if this network cannot train with ``optimizer`` (an Ensemble refuses clipnorm)."""

    def _set(self, loss: losses.Loss, optimizer: optimizers.Optimizer, names: list[str]) -> None:
        self.loss, self.optimizer = loss, optimizer
        optimizer.create_state(self._groups)
        self.set_metrics(names)

    def set_metrics(self, names: list[str]) -> None:
        """The training metrics ``fit`` records every epoch, by name."""
        self.metric_fns = [metrics.get(name) for name in names]
        self.metrics = names

    def check_data(self, X: object, y: object, name: str = "", loss: losses.Loss | None = None) -> tuple[Array, Array]:
        """(X, Y) checked and shaped for this network and loss: inputs (rows, n_inputs), targets like the output."""
        prefix = f"{name} " if name else ""
        X = checks.features(X, self.n_inputs, self.dtype, name=f"{prefix}X")
        y = checks.targets(y, len(X), name=f"{prefix}y", dtype=self.dtype)  # (1e39 is inf in float32: named)
        return X, (loss or self.loss).targets(y, self.n_outputs, self.dtype)

    def measure(self, X: Array, Y: Array, loss: losses.Loss | None = None,
                metric_names: list[str] | None = None) -> dict[str, float]:
        """Loss and metrics (the network's own unless named) of prepared (X, Y), without learning (dropout
        passes everything); only the layers' scratch buffers change."""
        loss = loss or self.loss
        a = self.forward(X)
        values = {"loss": loss.value(Y, a, self.layers[-1].z if loss.fused else None)}
        names, fns = ((self.metrics, self.metric_fns) if metric_names is None
                      else (metric_names, [metrics.get(name) for name in metric_names]))
        values.update({name: fn(Y, a) for name, fn in zip(names, fns)})
        return values

    # --- using a trained network ----------------------------------------------------

    def predict(self, X: object) -> Array:
        """The network's outputs for the rows of X: shape (rows, n_outputs). An InputError names the first row
        whose outputs are NaN or infinite (inputs so large that the network's arithmetic overflows)."""
        return checks.finite_rows(self.outputs(X), "the network's outputs are", "its inputs are too large for the "
                                  f"network's {self.dtype.name} arithmetic: scale them down")

    def outputs(self, X: object) -> Array:
        """``predict``'s outputs, not checked: NaN or infinite where the arithmetic overflows (for a caller that
        names the row in its own terms, such as a table's line)."""
        X = checks.features(X, self.n_inputs, self.dtype)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            return self.forward(X, keep=False)

    def evaluate(self, X: object, y: object, loss: str | losses.Loss | None = None) -> dict[str, float]:
        """Loss and metrics on (X, y) as a dict, e.g. ``{"loss": 0.02, "accuracy": 0.97}``."""
        loss = losses.get(loss) if loss is not None else self.loss
        if loss is None:
            raise InputError("evaluate needs a loss: pass loss=... or fit the network first")
        loss.check_output(self.layers[-1])
        X, Y = self.check_data(X, y, loss=loss)
        with np.errstate(over="ignore", under="ignore"):  # a network not yet fitted: the loss's default metrics
            return self.measure(X, Y, loss, None if self.metrics else metrics.default_for(loss))

    def save(self, path: str | os.PathLike) -> None:
        """Write this network and its training state to a model file: see ``glassnet.formats.modelfile``."""
        from .formats.modelfile import save_network

        save_network(self, path)

    def to_onnx(self, path: str | os.PathLike, opset: int = 17) -> None:
        """Write this network as an ONNX model file (needs ``glassnet[onnx]``): see ``glassnet.formats.onnx``."""
        from .formats.onnx import to_onnx

        to_onnx(self, path, opset)

    def explain(self, X: object, y: object, loss: str | losses.Loss | None = None,
                optimizer: str | optimizers.Optimizer | None = None, tutorial: bool = False) -> list[Any]:
        """One full-batch training step on (X, y), every array of it narrated: see ``glassnet.teach.explain``.
        The network itself is not changed."""
        from .teach.explain import explain

        return explain(self, X, y, loss=loss, optimizer=optimizer, tutorial=tutorial)


def chain(layers: list[Layer]) -> None:
    """Connect the layers' widths: each one's input is the output of the one below (``Layer.build`` checks)."""
    if layers[0].n_in is None:
        raise InputError(f"the first layer, {layers[0]!r}, does not know how many inputs the network has; "
                         "start with a layer that does, such as Dense(n_in, n_out)")
    width = layers[0].n_in
    for i, layer in enumerate(layers):
        width = layer.build(width, i)


def validation_count(rows: int, fraction: float) -> int:
    """The number of rows ``validation_split=fraction`` holds out of ``rows`` (an error if none are left on
    either side)."""
    n_val = int(round(rows * fraction))
    if fraction and not 0 < n_val < rows:
        raise InputError(f"validation_split={fraction} of {rows} rows leaves an empty training or validation set")
    return n_val


def _split(X: Array, Y: Array, fraction: float, seed: int) -> tuple[Array, Array, tuple[Array, Array] | None]:
    """(X_train, Y_train, (X_val, Y_val)) by ``glassnet.training.validation_rows``; no validation for 0."""
    from .training import validation_rows

    n_val = validation_count(len(X), fraction)
    if not n_val:
        return X, Y, None
    train_rows, val_rows = validation_rows(Y, n_val, seed)
    return X[train_rows], Y[train_rows], (X[val_rows], Y[val_rows])
