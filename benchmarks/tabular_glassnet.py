"""glassnet in the tabular benchmark: ONE adapter, ``glassnet_fit_predict``, and the recipes it can train.

The adapter trains through ``glassnet.tabular.workflow`` (``prepare``, ``build_network``), as ``glassnet train``
does, on a ``Table`` made from the DataFrame (``from_frame``). It imputes missing cells itself, as it did for the
runs in TABULAR.md, before glassnet could (issue 12): numeric columns get the training rows' median plus a 0/1
"was missing" column for each column with missing training cells, text columns a "(missing)" category, which is
what ``gn.train_table`` now does by itself; switching the body to ``gn.train_table`` (which also takes the
recipes' options but beta2) is the next step, with a new run.

A ``Recipe`` is a set of training choices; ``TODAY`` is ``glassnet train``'s defaults. Scaling other than
standard is applied to the numeric input columns here, before glassnet's own standardization (which then only
shifts and scales the already scaled values).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

import glassnet as gn
from glassnet.schedules import Cosine, OneCycle
from glassnet.tabular.arrowfile import from_frame
from glassnet.tabular.scaling import QuantileScaler, RobustScaler
from glassnet.tabular.table import Table
from glassnet.tabular.workflow import build_network, default_batch_size, prepare


@dataclass(frozen=True)
class Recipe:
    """How glassnet trains: the network, the optimizer, regularization, scaling and ensembling."""

    name: str = "defaults"
    hidden: tuple[int, ...] = (16,)
    activation: str = "tanh"
    lr: float = 0.01
    epochs: int = 300
    patience: int | None = 30  # None: train every epoch, then keep the best validation epoch
    batch_size: int | None = None  # None: glassnet's default_batch_size
    dropout: float = 0.0
    weight_decay: float = 0.0  # decoupled (AdamW)
    beta2: float = 0.999
    schedule: str = "constant"  # constant, cosine (5% warm-up) or onecycle
    label_smoothing: float = 0.0
    class_weight: bool = False  # balanced
    scaling: str = "standard"  # standard, robust or quantile
    ensemble: int = 1
    val: float = 0.1


TODAY = Recipe()
_REALMLP_LIKE = dict(hidden=(256, 256, 256), activation="relu", lr=0.002, beta2=0.95, schedule="cosine",
                     weight_decay=0.01, dropout=0.15, label_smoothing=0.1, scaling="robust", epochs=100,
                     patience=None, batch_size=128)
RECIPES = {r.name: r for r in (
    Recipe("wide", hidden=(128, 128), activation="relu", lr=0.003),
    Recipe("wide_tanh", hidden=(128, 128), activation="tanh", lr=0.003),
    Recipe("deep", hidden=(256, 256, 256), activation="relu", lr=0.001),
    Recipe("adamw", hidden=(128, 128), activation="relu", lr=0.003, weight_decay=0.02, beta2=0.95),
    Recipe("cosine", hidden=(128, 128), activation="relu", lr=0.003, schedule="cosine", epochs=100, patience=None),
    Recipe("onecycle", hidden=(128, 128), activation="relu", lr=0.003, schedule="onecycle", epochs=100,
           patience=None),
    Recipe("dropout", hidden=(128, 128), activation="relu", lr=0.003, dropout=0.15),
    Recipe("smoothing", hidden=(128, 128), activation="relu", lr=0.003, label_smoothing=0.1),
    Recipe("robust", hidden=(128, 128), activation="relu", lr=0.003, scaling="robust"),
    Recipe("quantile", hidden=(128, 128), activation="relu", lr=0.003, scaling="quantile"),
    Recipe("ensemble", hidden=(128, 128), activation="relu", lr=0.003, ensemble=8),
    Recipe("small_robust", scaling="robust"),
    Recipe("small_ensemble", ensemble=8),
    Recipe("small_robust_ensemble", scaling="robust", ensemble=8),
    Recipe("small_robust_smoothing", scaling="robust", label_smoothing=0.1),
    Recipe("small_robust_cosine", scaling="robust", schedule="cosine", epochs=150, patience=None),
    Recipe("small_quantile", scaling="quantile"),
    Recipe("mid_robust", hidden=(64,), scaling="robust", lr=0.005),
    Recipe("mid_robust_dropout", hidden=(64,), scaling="robust", lr=0.005, dropout=0.1),
    Recipe("small_robust_smoothing_ensemble", scaling="robust", label_smoothing=0.1, ensemble=8),
    Recipe("small32_robust_ensemble", hidden=(32,), scaling="robust", ensemble=8),
    Recipe("mid_robust_dropout_ensemble", hidden=(64,), scaling="robust", lr=0.005, dropout=0.1, ensemble=8),
    Recipe("small_robust_ensemble_wd", scaling="robust", ensemble=8, weight_decay=0.1),
    Recipe("mid_robust_ensemble", hidden=(64,), scaling="robust", lr=0.005, ensemble=8),
    Recipe("realmlp", **_REALMLP_LIKE),
    Recipe("realmlp_small", **{**_REALMLP_LIKE, "hidden": (128, 128)}),
)}


def glassnet_fit_predict(train: pd.DataFrame, test: pd.DataFrame, target: str, task: str, seed: int,
                         recipe: Recipe = TODAY) -> np.ndarray:
    """Train glassnet on ``train`` with ``recipe``; predict ``test``'s target (class names or numbers)."""
    train, test = _impute(train, test, target)
    train, test = _scale(train, test, target, recipe.scaling)
    prep, splits = prepare(_table(train), target, task, val=recipe.val, test=0.0, seed=seed)
    net = build_network(prep, list(recipe.hidden), recipe.activation, seed, dropout=recipe.dropout)
    if recipe.ensemble > 1:
        layers = [gn.layers.REGISTRY.build(gn.layers.REGISTRY.spec(layer)) for layer in net.layers]
        net = gn.Ensemble(layers, seeds=[seed + 1000 * k for k in range(recipe.ensemble)])
    fit_rows, val_rows = splits[0], splits[1]
    batch = recipe.batch_size or default_batch_size(len(fit_rows))
    validation = (prep.inputs(val_rows, unknown="ignore"), prep.targets(val_rows)) if len(val_rows) else None
    y = prep.targets(fit_rows)
    net.fit(prep.inputs(fit_rows), y, epochs=recipe.epochs, batch_size=batch, loss=_loss(recipe, task, y,
                                                                                         prep.n_outputs),
            optimizer=_optimizer(recipe, recipe.epochs * math.ceil(len(fit_rows) / batch)),
            validation_data=validation, early_stopping=recipe.patience or recipe.epochs, verbose=0)
    outputs = net.predict(prep.inputs(_table(test), unknown="ignore"))
    return np.asarray(prep.target.decode(outputs))


def _loss(recipe: Recipe, task: str, y: np.ndarray, classes: int) -> object:
    if task == "regression":
        return "mse"
    weights = gn.losses.balanced_class_weights(y, classes) if recipe.class_weight else None
    return gn.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing, class_weight=weights)


def _optimizer(recipe: Recipe, steps: int) -> gn.Adam:
    lr: object = recipe.lr
    if recipe.schedule == "cosine":
        lr = Cosine(recipe.lr, steps=steps, warmup=max(1, steps // 20))
    elif recipe.schedule == "onecycle":
        lr = OneCycle(recipe.lr, steps=steps)
    return gn.Adam(lr=lr, beta2=recipe.beta2, weight_decay=recipe.weight_decay, decoupled=True)


def _impute(train: pd.DataFrame, test: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Issue 12's imputation, fitted on the training rows (see the module's docstring)."""
    train, test = train.copy(), test.copy()
    for column in (c for c in train.columns if c != target):
        if pd.api.types.is_numeric_dtype(train[column]):
            if train[column].isna().any():
                train[f"{column}_missing"] = train[column].isna().astype(int)
                test[f"{column}_missing"] = test[column].isna().astype(int)
            median = train[column].median()
            train[column], test[column] = train[column].fillna(median), test[column].fillna(median)
        else:
            train[column] = train[column].astype(object).where(train[column].notna(), "(missing)")
            test[column] = test[column].astype(object).where(test[column].notna(), "(missing)")
    return train, test


def _scale(train: pd.DataFrame, test: pd.DataFrame, target: str,
           scaling: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    if scaling == "standard":
        return train, test
    train, test = train.copy(), test.copy()
    kind = {"robust": RobustScaler, "quantile": QuantileScaler}[scaling]
    for column in (c for c in train.columns if c != target and pd.api.types.is_numeric_dtype(train[c])):
        if train[column].nunique() > 2:  # 0/1 columns stay as they are
            scaler = kind().fit(train[column].to_numpy(dtype=float))
            train[column] = scaler.transform(train[column].to_numpy(dtype=float))
            test[column] = scaler.transform(test[column].to_numpy(dtype=float))
    return train, test


def _table(frame: pd.DataFrame) -> Table:
    return from_frame(frame, source="benchmark table")


def with_epochs(recipe: Recipe, epochs: int) -> Recipe:
    """The recipe with another number of epochs (the smoke run's few)."""
    return replace(recipe, epochs=epochs)
