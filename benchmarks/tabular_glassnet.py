"""glassnet in the tabular benchmark: ONE adapter, ``glassnet_fit_predict``, and the recipes it can train.

The adapter is one call to ``gn.train_table``, what ``glassnet train`` runs: on the training rows (a pandas
DataFrame) with no test split of its own, 10% of them kept for validation and early stopping, missing cells
imputed and text one-hot encoded by glassnet itself; then ``Model.predict_table`` on the test rows.

A ``Recipe`` is a set of ``train_table`` options on top of the default preset: ``DEFAULT`` is glassnet's defaults,
``quick`` is ``--preset quick``, the ``no_*`` and ``with_*`` recipes change one ingredient of the default (the
ablation in docs/tabular.md), the others are alternatives that were tried.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

import glassnet as gn


@dataclass(frozen=True)
class Recipe:
    """A name and the ``gn.train_table`` options that differ from the defaults."""

    name: str = "defaults"
    options: dict[str, Any] = field(default_factory=dict)
    note: str = ""


DEFAULT = Recipe()
ABLATION = ("quick", "no_ensemble", "no_dropout", "no_smoothing", "standard_scaling", "tanh", "units_16", "lr_0.01",
            "float64")
RECIPES = {r.name: r for r in (
    Recipe("quick", {"preset": "quick"}, "--preset quick: one network of 16 tanh units, standard scaling, lr 0.01"),
    Recipe("no_ensemble", {"ensemble": 1}, "one network instead of an ensemble of 8"),
    Recipe("no_dropout", {"dropout": 0.0}, "no dropout (default 0.2)"),
    Recipe("no_smoothing", {"label_smoothing": 0.0}, "no label smoothing (default 0.1)"),
    Recipe("standard_scaling", {"scaling": "standard"}, "standard scaling instead of robust"),
    Recipe("tanh", {"activation": "tanh"}, "tanh instead of relu"),
    Recipe("units_16", {"hidden": [16]}, "16 hidden units instead of 32"),
    Recipe("units_64", {"hidden": [64]}, "64 hidden units instead of 32"),
    Recipe("lr_0.01", {"lr": 0.01}, "learning rate 0.01 instead of 0.005"),
    Recipe("lr_0.003", {"lr": 0.003}, "learning rate 0.003 instead of 0.005"),
    Recipe("dropout_0.3", {"dropout": 0.3}, "dropout 0.3 instead of 0.2"),
    Recipe("smoothing_0.05", {"label_smoothing": 0.05}, "label smoothing 0.05 instead of 0.1"),
    Recipe("ensemble_16", {"ensemble": 16}, "an ensemble of 16 instead of 8"),
    Recipe("with_weight_decay", {"weight_decay": 0.01}, "decoupled weight decay 0.01 added"),
    *(Recipe(f"weight_decay_{w}", {"weight_decay": w}, f"decoupled weight decay {w} added") for w in (0.1, 0.2, 0.5)),
    Recipe("with_cosine", {"schedule": "cosine", "epochs": 150, "patience": 150},
           "cosine schedule over 150 epochs, best validation epoch kept"),
    Recipe("quantile_scaling", {"scaling": "quantile"}, "quantile scaling instead of robust"),
    Recipe("wide", {"hidden": [128, 128], "lr": 0.003}, "two layers of 128 relu units, lr 0.003"),
    Recipe("two_layers", {"hidden": [32, 32]}, "two hidden layers of 32 relu units, not one"),
    Recipe("float64", {"dtype": "float64"}, "float64 arithmetic instead of float32"),
    Recipe("patience_60", {"patience": 60}, "early stopping after 60 epochs without a better validation loss, not 30"),
    Recipe("val_0.2", {"val_split": 0.2}, "20% of the training rows for validation, not 10%"),
    Recipe("best_of_300", {"patience": 300}, "all 300 epochs, then the best validation epoch kept"),
)}


def glassnet_fit_predict(train: pd.DataFrame, test: pd.DataFrame, target: str, task: str, seed: int,
                         recipe: Recipe = DEFAULT) -> np.ndarray:
    """Train glassnet on ``train`` with ``recipe``; predict ``test``'s target (class names or numbers)."""
    options = dict(recipe.options)
    if task == "regression":
        options.pop("label_smoothing", None)  # (a classification option: as the default preset's, for classes only)
    model = gn.train_table(train, target, task=task, test_split=0.0, seed=seed, warn=lambda text: None, **options)
    return np.asarray(model.predict_table(test.drop(columns=[target])))


def with_epochs(recipe: Recipe, epochs: int) -> Recipe:
    """The recipe with another number of epochs (the smoke run's few)."""
    return replace(recipe, options={**recipe.options, "epochs": epochs, "patience": min(epochs, 30)})
