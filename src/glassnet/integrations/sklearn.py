"""scikit-learn estimators around ``glassnet.Network`` (needs the ``glassnet[sklearn]`` extra).

``GlassnetClassifier`` learns  p(class | x) = softmax(MLP(x))  with the categorical cross-entropy;
``GlassnetRegressor`` learns  y = MLP(x)  (linear output) with the mean squared error of the standardized
target. Their defaults are ``glassnet train``'s default preset (``glassnet.tabular.presets``): robust scaling of
each input column, 32 relu units with dropout 0.2, an ensemble of 8 networks trained together, Adam at 0.005,
label smoothing 0.1 for classes, early stopping on a held-out 10%. Both work in ``Pipeline``,
``cross_val_score`` and ``GridSearchCV``; this module imports scikit-learn, so ``import glassnet`` never loads it.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import activations, checks, optimizers
from ..checks import finite_rows
from ..constraints import check
from ..errors import InputError
from ..history import History
from ..losses import CategoricalCrossentropy, balanced_class_weights
from ..tabular.presets import PRESETS
from ..tabular.workflow import default_batch_size, mlp, optimizer_for
from .columns import ColumnScaling, mean_and_scale, numeric_target
from .contract import can_stratify, unchanged_on_error

Array = np.ndarray
PRESET = PRESETS["default"]  # the defaults below are read from it


SHARED_PARAMETERS = """

    Parameters of both estimators (scikit-learn style: stored as given, checked when fitting starts):

    hidden_layer_sizes      {hidden}: the width of each hidden layer; () for none
    activation              "{activation}": the hidden layers' ("relu", "tanh", "sigmoid", "leaky_relu" or "linear")
    optimizer               "adam" or "sgd"
    learning_rate           {lr} (with ``schedule``: the peak rate)
    weight_decay            0.0: L2 regularization of the weights (weight_decay/2 |W|^2 added to the loss), or
                            with ``decoupled_weight_decay=True`` AdamW's decay, W *= 1 - lr weight_decay each step
    batch_size              None: about 1/100 of the rows (``glassnet.tabular.workflow.default_batch_size``,
                            8 to 256 rows); or a number of rows
    epochs                  300, fewer with ``early_stopping``
    shuffle                 True: the rows in a new order every epoch
    early_stopping          30: hold out ``validation_fraction`` (0.1) of the rows (stratified for classes) and
                            stop after 30 epochs without a better validation loss, keeping the best weights (in an
                            ensemble, each member holds out rows of its own and keeps its own best epoch);
                            None trains on every row for ``epochs`` epochs
    random_state            the initial weights, the shuffling, dropout and the held-out rows (None: random)
    dtype                   "float64" or "float32"; verbose: 0, 1 or 2
    dropout                 {dropout}: Dropout of that share after each hidden layer, in training only (none without
                            hidden layers)
    ensemble                {ensemble}: that many networks, from the seeds s, s + 1, ... (s drawn from
                            ``random_state``), trained together as one batched computation (``glassnet.Ensemble``);
                            predictions are the mean of theirs. 1: one network
    scaling                 "{scaling}". "robust": each input column as (x - median) / IQR then smoothly clipped to +-3
                            (``glassnet.tabular.scaling.RobustScaler``); "standard": (x - mean) / std;
                            "quantile": normal quantiles of its ranks; None: the inputs as given. Fitted on the
                            X given to ``fit`` (or to the first ``partial_fit``), applied in ``predict``
    schedule                "constant", "cosine" (one epoch of warm-up, then down to 0 at the last epoch) or
                            "onecycle": the learning rate over ``epochs`` epochs
    decoupled_weight_decay  False: see ``weight_decay``

    ``partial_fit`` trains one epoch on the rows it is given without holding any out; its first call fits the
    scaling (and the regressor's target standardization) and starts a schedule that spans ``epochs`` calls. Once
    a cosine or one-cycle schedule has ended (after ``fit``, or ``epochs`` calls), ``partial_fit`` warns that it
    trains at the schedule's final rate (0 for cosine).
""".format(**{**PRESET, "hidden": tuple(PRESET["hidden"])})  # (the default preset's values)


class _GlassnetEstimator(BaseEstimator):
    """Hyper-parameters and training shared by the classifier and the regressor (``SHARED_PARAMETERS``, appended
    to the docstring of each)."""

    _output_activation = ""
    # each parameter's rule in glassnet.constraints (checked when fitting starts, with hidden_layer_sizes,
    # activation, optimizer and dtype; random_state is scikit-learn's own)
    _parameter_rules = {"learning_rate": "lr", "weight_decay": "weight_decay", "batch_size": "batch_size",
                        "epochs": "epochs", "shuffle": "shuffle", "early_stopping": "early_stopping",
                        "validation_fraction": "validation_fraction", "verbose": "verbose", "dropout": "rate",
                        "ensemble": "ensemble", "scaling": "scaling", "schedule": "schedule",
                        "decoupled_weight_decay": "decoupled"}

    def __init__(self, hidden_layer_sizes: int | tuple[int, ...] = tuple(PRESET["hidden"]),
                 activation: str = PRESET["activation"], optimizer: str = "adam",
                 learning_rate: float = PRESET["lr"], weight_decay: float = 0.0, batch_size: int | None = None,
                 epochs: int = 300, shuffle: bool = True, early_stopping: int | None = 30,
                 validation_fraction: float = 0.1, random_state: object = None, dtype: str = "float64",
                 verbose: int = 0, *, dropout: float = PRESET["dropout"], ensemble: int = PRESET["ensemble"],
                 scaling: str | None = PRESET["scaling"], schedule: str = "constant",
                 decoupled_weight_decay: bool = False) -> None:
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
        self.dropout = dropout
        self.ensemble = ensemble
        self.scaling = scaling
        self.schedule = schedule
        self.decoupled_weight_decay = decoupled_weight_decay

    # what an estimator pickled by glassnet 0.1 (before these parameters) did: read back as that, it predicts and
    # trains as it did then
    _BEFORE_PRESETS = {"dropout": 0.0, "ensemble": 1, "scaling": None, "schedule": "constant",
                       "decoupled_weight_decay": False, "label_smoothing": 0.0, "class_weight": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        fitted = "network_" in state
        before = {k: v for k, v in self._BEFORE_PRESETS.items() if k in self._get_param_names() and k not in state}
        if before and fitted:
            before.update(scaler_=None, y_mean_=np.zeros(1), y_scale_=np.ones(1))
        super().__setstate__({**before, **state})

    def _hidden(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        try:
            if isinstance(sizes, (str, bytes)):  # ("32" would be its characters)
                raise TypeError
            sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        except TypeError:
            raise InputError(f"hidden_layer_sizes must be a size or a list of sizes; got {sizes!r}") from None
        return [check("units", size, "hidden_layer_sizes") for size in sizes]

    def _check_params(self) -> None:
        for param, rule in self._parameter_rules.items():
            check(rule, getattr(self, param), param)
        activations.get(self.activation)
        optimizers.REGISTRY.lookup(self.optimizer)
        checks.float_dtype(self.dtype)

    def _check_X(self, X: object, reset: bool) -> Array:
        return validate_data(self, X, reset=reset, dtype=checks.float_dtype(self.dtype))

    def _start(self, X: Array, n_out: int, first_batch: bool = False) -> None:
        """Check the parameters, fit the scaling on X (``first_batch``: partial_fit's) and build a fresh network,
        seeded from ``random_state``."""
        self._check_params()
        self.scaler_ = None if self.scaling is None else ColumnScaling(self.scaling, X, first_batch)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        self.network_ = mlp(X.shape[1], self._hidden(), n_out, self.activation, self._output_activation, seed,
                            self.dtype, self.dropout, self.ensemble)
        self.history_ = History()

    def _scaled(self, X: Array) -> Array:
        return X if self.scaler_ is None else self.scaler_.transform(X)

    def _new_loss(self, y: Array) -> Any:
        raise NotImplementedError

    def _train(self, X: Array, y: Array, epochs: int, patience: int | None, stratify: Array | None) -> None:
        """Train ``network_`` on (scaled X, y), holding out a validation set when ``patience`` is set. The first
        call makes the loss and optimizer; later ones go on with them (and with Adam's state)."""
        validation, own = None, 0.0
        if patience is not None:
            fraction = self.validation_fraction
            if len(X) - math.ceil(fraction * len(X)) < 1:
                raise InputError(f"early_stopping holds out validation_fraction={fraction} of the rows: "
                                 f"n_samples={len(X)} leaves none to train on")
            if self.ensemble > 1 and round(fraction * len(X)) >= 1:  # (each member holds out its own rows)
                own = fraction
            else:
                seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
                if stratify is not None and not can_stratify(stratify, fraction):
                    stratify = None
                X, X_val, y, y_val = train_test_split(X, y, test_size=fraction, random_state=seed, stratify=stratify)
                validation = (X_val, y_val)
        rows = len(X) - round(own * len(X))
        batch_size = self.batch_size or default_batch_size(rows)
        loss = optimizer = None
        if not self.network_.optimizer:
            per_epoch = -(-rows // batch_size)
            optimizer = optimizer_for(self.optimizer, self.learning_rate, self.epochs * per_epoch, per_epoch,
                                      self.schedule, self.weight_decay, self.decoupled_weight_decay)
            loss = self._new_loss(y)
        else:
            self._check_schedule()
        history = self.network_.fit(X, y, epochs=epochs, batch_size=batch_size, shuffle=self.shuffle, loss=loss,
                                    optimizer=optimizer, validation_data=validation, validation_split=own,
                                    early_stopping=patience,
                                    verbose=self.verbose)
        for epoch in range(history.epochs):  # epoch by epoch, so names some calls lack are NaN there
            self.history_.append({key: values[epoch] for key, values in history.items()})
        self.n_iter_ = self.history_.epochs

    def _check_schedule(self) -> None:
        """A warning when the learning-rate schedule (one that spans ``epochs`` epochs) has ended: its rate stays at
        its final value (0 for cosine), so another ``partial_fit`` does not change the weights. (A warning, not an
        error: scikit-learn's API lets partial_fit follow fit.)"""
        optimizer = self.network_.optimizer
        end = getattr(optimizer.schedule, "steps", None)  # (cosine and onecycle end; constant does not)
        if end is not None and optimizer.steps >= end:
            warnings.warn(f"the {optimizer.schedule.name} schedule of {end} steps that training began with has "
                          f"ended: its learning rate stays at {optimizer.schedule(end):g}, so this partial_fit does "
                          "not change the weights; fit again with schedule='constant' to go on with partial_fit",
                          UserWarning, stacklevel=4)

    def _output(self, X: object) -> Array:
        """The network's outputs for the scaled rows of X; an InputError at the first row whose outputs are NaN or
        infinite (values too large for the network: without scaling, or beyond what "standard" scaling keeps)."""
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        with np.errstate(over="ignore", invalid="ignore"):
            out = self.network_.outputs(self._scaled(X))
        return finite_rows(out, "the network's outputs are", "its values are too large for the network (scale X "
                            "down, or use scaling='robust', whose smooth clip bounds every input)")


class GlassnetClassifier(ClassifierMixin, _GlassnetEstimator):
    """A multi-layer perceptron classifier: softmax output over ``classes_``, cross-entropy loss.

    Its own parameters (both estimators' follow):

    label_smoothing  {label_smoothing}: train towards (1 - e) one-hot + e / classes rather than the one-hot rows
    class_weight     None; "balanced" (each class weighs rows / (classes * its rows), counted on the rows trained
                     on, in an ensemble on all of them; not for ``partial_fit``); or a dict {class: weight}, 1 for
                     a class it leaves out

    Fitted attributes: ``classes_``, ``n_features_in_``, ``network_`` (the ``glassnet.Network``, or
    ``glassnet.Ensemble``, which takes scaled inputs), ``scaler_`` (the fitted ``scaling``, or None),
    ``history_`` (per-epoch loss and accuracy, with ``val_`` versions under early stopping), ``n_iter_``.
    """

    _output_activation = "softmax"
    _parameter_rules = {**_GlassnetEstimator._parameter_rules, "label_smoothing": "label_smoothing"}

    def __init__(self, hidden_layer_sizes: int | tuple[int, ...] = tuple(PRESET["hidden"]),
                 activation: str = PRESET["activation"], optimizer: str = "adam",
                 learning_rate: float = PRESET["lr"], weight_decay: float = 0.0, batch_size: int | None = None,
                 epochs: int = 300, shuffle: bool = True, early_stopping: int | None = 30,
                 validation_fraction: float = 0.1, random_state: object = None, dtype: str = "float64",
                 verbose: int = 0, *, dropout: float = PRESET["dropout"], ensemble: int = PRESET["ensemble"],
                 scaling: str | None = PRESET["scaling"], schedule: str = "constant",
                 decoupled_weight_decay: bool = False, label_smoothing: float = PRESET["label_smoothing"],
                 class_weight: str | dict | None = None) -> None:
        super().__init__(hidden_layer_sizes, activation, optimizer, learning_rate, weight_decay, batch_size, epochs,
                         shuffle, early_stopping, validation_fraction, random_state, dtype, verbose,
                         dropout=dropout, ensemble=ensemble, scaling=scaling, schedule=schedule,
                         decoupled_weight_decay=decoupled_weight_decay)
        self.label_smoothing = label_smoothing
        self.class_weight = class_weight

    def _check_params(self) -> None:
        super()._check_params()
        if not isinstance(self.class_weight, dict):
            check("class_weight", self.class_weight)
            return
        for label, weight in self.class_weight.items():
            check("class_weight_value", weight, f"class_weight[{label!r}]")
        unknown = [label for label in self.class_weight if label not in self.classes_.tolist()]
        if unknown:
            raise InputError(f"class_weight names classes that are not in y: {unknown}; the classes are "
                             f"{self.classes_.tolist()}")

    def _new_loss(self, labels: Array) -> CategoricalCrossentropy:
        weights = self.class_weight
        if weights == "balanced":
            weights = balanced_class_weights(labels, len(self.classes_))
        elif isinstance(weights, dict):
            weights = [float(weights.get(label, 1.0)) for label in self.classes_.tolist()]
        return CategoricalCrossentropy(label_smoothing=self.label_smoothing, class_weight=weights)

    @unchanged_on_error
    def fit(self, X: object, y: object) -> GlassnetClassifier:
        """Train a fresh network for ``epochs`` epochs (fewer with ``early_stopping``)."""
        X, y = validate_data(self, X, y, dtype=checks.float_dtype(self.dtype))
        check_classification_targets(y)
        self.classes_, labels = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise InputError(f"the classifier needs at least 2 classes in y; got 1 class: {self.classes_.tolist()}")
        self._start(X, len(self.classes_))
        self._train(self._scaled(X), labels, self.epochs, self.early_stopping, stratify=labels)
        return self

    @unchanged_on_error
    def partial_fit(self, X: object, y: object, classes: object = None) -> GlassnetClassifier:
        """One epoch over (X, y), continuing from the current weights; the first call needs ``classes``."""
        first = not hasattr(self, "network_")
        X, y = validate_data(self, X, y, reset=first, dtype=checks.float_dtype(self.dtype))
        check_classification_targets(y)
        if first:
            if classes is None:
                raise InputError("the first call to partial_fit needs classes=, every class y may hold")
            if isinstance(self.class_weight, str) and self.class_weight == "balanced":
                raise InputError("class_weight='balanced' counts the rows of each class in the whole training "
                                 "set, which partial_fit never sees: give class_weight a dict {class: weight}")
            check_classification_targets(np.asarray(classes))
            self.classes_ = np.unique(classes)
            if len(self.classes_) < 2:
                raise InputError(f"the classifier needs at least 2 classes; got {self.classes_.tolist()}")
            self._start(X, len(self.classes_), first_batch=True)
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise InputError(f"classes={np.unique(classes).tolist()} differs from the first call's "
                             f"{self.classes_.tolist()}")
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise InputError(f"y holds classes not given to the first partial_fit: {unknown.tolist()}")
        self._train(self._scaled(X), np.searchsorted(self.classes_, y), 1, None, None)
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

    The network learns the standardized target, (y - y_mean_) / y_scale_ (each target column's mean and standard
    deviation over the y given to ``fit`` or to the first ``partial_fit``; a constant column's scale is 1), and
    ``predict`` answers on y's own scale; the loss in ``history_`` is that of the standardized target.

    Fitted attributes: ``n_features_in_``, ``n_outputs_``, ``y_mean_``, ``y_scale_`` (shape (n_outputs_,)),
    ``network_``, ``scaler_``, ``history_``, ``n_iter_``.
    """

    _output_activation = "linear"

    def _new_loss(self, y: Array) -> str:
        return "mse"

    @unchanged_on_error
    def fit(self, X: object, y: object) -> GlassnetRegressor:
        """Train a fresh network for ``epochs`` epochs (fewer with ``early_stopping``)."""
        X, y = validate_data(self, X, numeric_target(y), dtype=checks.float_dtype(self.dtype), y_numeric=True,
                             multi_output=True)
        self._set_outputs(y)
        self._start(X, self.n_outputs_)
        self.y_mean_, self.y_scale_ = mean_and_scale(y, "y")
        self._train(self._scaled(X), self._standardized(y), self.epochs, self.early_stopping, stratify=None)
        return self

    @unchanged_on_error
    def partial_fit(self, X: object, y: object) -> GlassnetRegressor:
        """One epoch over (X, y), continuing from the current weights."""
        first = not hasattr(self, "network_")
        X, y = validate_data(self, X, numeric_target(y), reset=first, dtype=checks.float_dtype(self.dtype),
                             y_numeric=True, multi_output=True)
        if first:
            self._set_outputs(y)
            self._start(X, self.n_outputs_, first_batch=True)
            self.y_mean_, self.y_scale_ = mean_and_scale(y, "y")
        elif (1 if y.ndim == 1 else y.shape[1]) != self.n_outputs_:
            raise InputError(f"y has {1 if y.ndim == 1 else y.shape[1]} target column(s); the first call had "
                             f"{self.n_outputs_}")
        self._train(self._scaled(X), self._standardized(y), 1, None, None)
        return self

    def _set_outputs(self, y: Array) -> None:
        self._y_2d = y.ndim == 2
        self.n_outputs_ = y.shape[1] if self._y_2d else 1

    def _standardized(self, y: Array) -> Array:
        return (y.reshape(len(y), -1) - self.y_mean_) / self.y_scale_

    def predict(self, X: object) -> Array:
        """Predicted targets, float64 (as scikit-learn's regressors answer, whatever ``dtype``): shape (rows,) if
        fitted on 1-D y, else (rows, n_outputs_). The network's standardized outputs go back to y's scale in
        float64, which holds any y that ``fit`` took (in float32, a y_scale_ of 1e-200 or 1e40, or a y_mean_ of
        1e10 next to a spread of 1, would be lost)."""
        with np.errstate(over="ignore", invalid="ignore"):
            out = self._output(X).astype(np.float64, copy=False) * self.y_scale_ + self.y_mean_
        out = finite_rows(out, "the predictions are", f"the network's outputs times y_scale_ "
                           f"{self.y_scale_.tolist()} plus y_mean_ overflow float64")
        return out if self._y_2d else out.ravel()

    def __sklearn_tags__(self) -> object:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


for _estimator in (GlassnetClassifier, GlassnetRegressor):
    if _estimator.__doc__:  # (None under python -OO)
        _estimator.__doc__ = (_estimator.__doc__.rstrip() + SHARED_PARAMETERS.rstrip()).replace(
            "{label_smoothing}", str(PRESET["label_smoothing"]))
