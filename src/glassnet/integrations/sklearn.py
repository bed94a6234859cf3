"""scikit-learn estimators around ``glassnet.Network`` (needs the ``glassnet[sklearn]`` extra).

``GlassnetClassifier`` learns  p(class | x) = softmax(MLP(x))  with the categorical cross-entropy;
``GlassnetRegressor`` learns  y = MLP(x)  (linear output) with the mean squared error. Both work in
``Pipeline``, ``cross_val_score`` and ``GridSearchCV``; this module imports scikit-learn, so
``import glassnet`` never loads it.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import activations, checks, optimizers
from ..constraints import check
from ..errors import InputError
from ..history import History
from ..layers import Dense
from ..network import Network

Array = np.ndarray


class _GlassnetEstimator(BaseEstimator):
    """Hyper-parameters and training shared by the classifier and the regressor.

    ``early_stopping=P`` holds out ``validation_fraction`` of the rows and stops after P epochs without
    a better validation loss, keeping the best weights. ``random_state`` fixes the initial weights,
    the shuffling and the held-out rows. ``weight_decay`` is L2 regularization of the weights.
    """

    _loss = ""
    _output_activation = ""
    # each number's rule in glassnet.constraints (checked when fitting starts, with hidden_layer_sizes, activation,
    # optimizer and dtype; random_state is scikit-learn's own)
    _parameter_rules = {"learning_rate": "lr", "weight_decay": "weight_decay", "batch_size": "batch_size",
                        "epochs": "epochs", "shuffle": "shuffle", "early_stopping": "early_stopping",
                        "validation_fraction": "validation_fraction", "verbose": "verbose"}

    def __init__(self, hidden_layer_sizes: int | tuple[int, ...] = (32,), activation: str = "relu",
                 optimizer: str = "adam", learning_rate: float = 0.001, weight_decay: float = 0.0,
                 batch_size: int | None = 32, epochs: int = 200, shuffle: bool = True,
                 early_stopping: int | None = None, validation_fraction: float = 0.1, random_state: object = None,
                 dtype: str = "float64", verbose: int = 0) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.dtype = dtype
        self.verbose = verbose

    def _build(self, n_in: int, n_out: int) -> Network:
        """A fresh network: n_in -> hidden layers -> n_out, seeded from ``random_state``."""
        sizes = self.hidden_layer_sizes
        try:
            sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        except TypeError:
            raise InputError(f"hidden_layer_sizes must be a size or a list of sizes; got {sizes!r}") from None
        for size in sizes:
            check("units", size, "hidden_layer_sizes")
        widths = [n_in, *sizes, n_out]
        layers = [Dense(a, b, activation=self.activation) for a, b in zip(widths[:-2], widths[1:-1])]
        layers.append(Dense(widths[-2], n_out, activation=self._output_activation))
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        return Network(layers, seed=seed, dtype=self.dtype)

    def _new_optimizer(self) -> optimizers.Optimizer:
        return optimizers.REGISTRY.lookup(self.optimizer)(lr=self.learning_rate, weight_decay=self.weight_decay)

    def _check_params(self) -> None:
        for param, rule in self._parameter_rules.items():
            check(rule, getattr(self, param), param)
        activations.get(self.activation)
        optimizers.REGISTRY.lookup(self.optimizer)
        checks.float_dtype(self.dtype)

    def _check_X(self, X: object, reset: bool) -> Array:
        return validate_data(self, X, reset=reset, dtype=checks.float_dtype(self.dtype))

    def _start(self, n_in: int, n_out: int) -> None:
        self._check_params()
        self.network_ = self._build(n_in, n_out)
        self.history_ = History()

    def _train(self, X: Array, y: Array, epochs: int, patience: int | None, stratify: Array | None) -> None:
        """Train ``network_`` on (X, y), holding out a validation set when ``patience`` is set."""
        validation = None
        if patience is not None:
            fraction = self.validation_fraction
            if len(X) - math.ceil(fraction * len(X)) < 1:
                raise InputError(f"early_stopping holds out validation_fraction={fraction} of the rows: "
                                 f"n_samples={len(X)} leaves none to train on")
            seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            if stratify is not None and not _can_stratify(stratify, fraction):
                stratify = None
            X, X_val, y, y_val = train_test_split(X, y, test_size=fraction, random_state=seed, stratify=stratify)
            validation = (X_val, y_val)
        optimizer = None if self.network_.optimizer else self._new_optimizer()  # keep Adam's state across calls
        history = self.network_.fit(X, y, epochs=epochs, batch_size=self.batch_size, shuffle=self.shuffle,
                                    loss=self._loss, optimizer=optimizer, validation_data=validation,
                                    early_stopping=patience, verbose=self.verbose)
        for epoch in range(history.epochs):  # epoch by epoch, so names some calls lack are NaN there
            self.history_.append({key: values[epoch] for key, values in history.items()})
        self.n_iter_ = self.history_.epochs

    def _output(self, X: object) -> Array:
        check_is_fitted(self)
        return self.network_.predict(self._check_X(X, reset=False))


def _can_stratify(labels: Array, fraction: float) -> bool:
    """Whether both parts of a ``fraction`` split can hold every class (each has two rows or more)."""
    n_val, n_classes = math.ceil(fraction * len(labels)), labels.max() + 1
    return np.bincount(labels).min() >= 2 and min(n_val, len(labels) - n_val) >= n_classes


class GlassnetClassifier(ClassifierMixin, _GlassnetEstimator):
    """A multi-layer perceptron classifier: softmax output over ``classes_``, cross-entropy loss.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``network_`` (the ``glassnet.Network``),
    ``history_`` (per-epoch loss and accuracy, with ``val_`` versions under early stopping), ``n_iter_``.
    """

    _loss = "categorical_crossentropy"
    _output_activation = "softmax"

    def fit(self, X: object, y: object) -> GlassnetClassifier:
        """Train a fresh network for ``epochs`` epochs (fewer with ``early_stopping``)."""
        X, y = validate_data(self, X, y, dtype=checks.float_dtype(self.dtype))
        check_classification_targets(y)
        self.classes_, labels = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise InputError(f"the classifier needs at least 2 classes in y; got 1 class: {self.classes_.tolist()}")
        self._start(X.shape[1], len(self.classes_))
        self._train(X, labels, self.epochs, self.early_stopping, stratify=labels)
        return self

    def partial_fit(self, X: object, y: object, classes: object = None) -> GlassnetClassifier:
        """One epoch over (X, y), continuing from the current weights; the first call needs ``classes``."""
        first = not hasattr(self, "network_")
        X, y = validate_data(self, X, y, reset=first, dtype=checks.float_dtype(self.dtype))
        check_classification_targets(y)
        if first:
            if classes is None:
                raise InputError("the first call to partial_fit needs classes=, every class y may hold")
            self.classes_ = np.unique(classes)
            if len(self.classes_) < 2:
                raise InputError(f"the classifier needs at least 2 classes; got {self.classes_.tolist()}")
            self._start(X.shape[1], len(self.classes_))
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise InputError(f"classes={np.unique(classes).tolist()} differs from the first call's "
                             f"{self.classes_.tolist()}")
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise InputError(f"y holds classes not given to the first partial_fit: {unknown.tolist()}")
        self._train(X, np.searchsorted(self.classes_, y), 1, None, None)
        return self

    def predict_proba(self, X: object) -> Array:
        """Class probabilities, shape (rows, len(classes_)); each row sums to 1."""
        return self._output(X)

    def predict(self, X: object) -> Array:
        """The most probable class of each row."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]


class GlassnetRegressor(RegressorMixin, _GlassnetEstimator):
    """A multi-layer perceptron regressor: linear output, mean squared error; one or several targets.

    Fitted attributes: ``n_features_in_``, ``n_outputs_``, ``network_``, ``history_``, ``n_iter_``.
    """

    _loss = "mse"
    _output_activation = "linear"

    def fit(self, X: object, y: object) -> GlassnetRegressor:
        """Train a fresh network for ``epochs`` epochs (fewer with ``early_stopping``)."""
        X, y = validate_data(self, X, y, dtype=checks.float_dtype(self.dtype), y_numeric=True, multi_output=True)
        self._set_outputs(y)
        self._start(X.shape[1], self.n_outputs_)
        self._train(X, y, self.epochs, self.early_stopping, stratify=None)
        return self

    def partial_fit(self, X: object, y: object) -> GlassnetRegressor:
        """One epoch over (X, y), continuing from the current weights."""
        first = not hasattr(self, "network_")
        X, y = validate_data(self, X, y, reset=first, dtype=checks.float_dtype(self.dtype), y_numeric=True,
                             multi_output=True)
        if first:
            self._set_outputs(y)
            self._start(X.shape[1], self.n_outputs_)
        elif (1 if y.ndim == 1 else y.shape[1]) != self.n_outputs_:
            raise InputError(f"y has {1 if y.ndim == 1 else y.shape[1]} target column(s); the first call had "
                             f"{self.n_outputs_}")
        self._train(X, y, 1, None, None)
        return self

    def _set_outputs(self, y: Array) -> None:
        self._y_2d = y.ndim == 2
        self.n_outputs_ = y.shape[1] if self._y_2d else 1

    def predict(self, X: object) -> Array:
        """Predicted targets: shape (rows,) if fitted on 1-D y, else (rows, n_outputs_)."""
        out = self._output(X)
        return out if self._y_2d else out.ravel()

    def __sklearn_tags__(self) -> object:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
