"""glassnet's scikit-learn estimators with their defaults against scikit-learn's MLP with its own.

    python benchmarks/sklearn_defaults.py        # about a minute

Mean test accuracy (R^2 for diabetes) over the stratified 80/20 splits of seeds 0-4 (the same seed for the
estimators): GlassnetClassifier / GlassnetRegressor() against MLPClassifier / MLPRegressor() after a
StandardScaler (the regressor's target standardized too, by TransformedTargetRegressor); then the fit time of
the default classifier on 5,000 x 20 random rows.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from glassnet.sklearn import GlassnetClassifier, GlassnetRegressor

TABLES = {"breast_cancer": (load_breast_cancer, True), "wine": (load_wine, True), "digits": (load_digits, True),
          "diabetes": (load_diabetes, False)}


def contenders(classify: bool, seed: int) -> tuple[object, object]:
    if classify:
        return GlassnetClassifier(random_state=seed), make_pipeline(StandardScaler(), MLPClassifier(random_state=seed))
    mlp = make_pipeline(StandardScaler(), MLPRegressor(random_state=seed))
    return GlassnetRegressor(random_state=seed), TransformedTargetRegressor(mlp, transformer=StandardScaler())


def main() -> None:
    warnings.simplefilter("ignore", ConvergenceWarning)  # the MLP's 200 iterations
    for name, (load, classify) in TABLES.items():
        X, y = load(return_X_y=True)
        scores, seconds = np.zeros((2, 5)), np.zeros(2)
        for seed in range(5):
            split = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y if classify else None)
            X_train, X_test, y_train, y_test = split
            for i, model in enumerate(contenders(classify, seed)):
                start = time.perf_counter()
                scores[i, seed] = model.fit(X_train, y_train).score(X_test, y_test)
                seconds[i] += (time.perf_counter() - start) / 5
        print(f"{name:14s} {'accuracy' if classify else 'R^2':8s} glassnet {scores[0].mean():.4f} "
              f"(sd {scores[0].std():.3f}, {seconds[0]:.2f} s a fit)   scikit-learn MLP {scores[1].mean():.4f} "
              f"(sd {scores[1].std():.3f}, {seconds[1]:.2f} s)")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 20))
    y = (X[:, :3].sum(axis=1) + 0.5 * rng.normal(size=5000) > 0).astype(int)
    times = []
    for seed in range(3):
        start = time.perf_counter()
        model = GlassnetClassifier(random_state=seed).fit(X, y)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    make_pipeline(StandardScaler(), MLPClassifier(random_state=0)).fit(X, y)
    print(f"5,000 x 20 random rows: GlassnetClassifier() fits in {np.median(times):.2f} s (median of 3; the last "
          f"stopped after {model.n_iter_} epochs), MLPClassifier() in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
