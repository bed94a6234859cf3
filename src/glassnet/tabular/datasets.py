"""Bundled datasets, usable wherever a CSV path is: the tutorial's ``xor``, three 2-D sets generated from a
fixed seed (``moons``, ``circles``, ``spirals``) and Fisher's ``iris`` (shipped as bundled/iris.csv; see
bundled/NOTICE for its source and licence)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from ..errors import InputError
from .csvfile import read_csv
from .table import Table

SEED = 0  # the generated sets are the same on every machine


@dataclass(frozen=True)
class Dataset:
    name: str
    target: str
    description: str


DATASETS = {d.name: d for d in (
    Dataset("circles", "label", "200 points: a noisy circle (label 0) around a smaller one (label 1)"),
    Dataset("iris", "species", "Fisher's iris flowers: 150 rows, 4 measurements, 3 species (CC BY 4.0)"),
    Dataset("moons", "label", "200 points: two interleaved noisy half circles, labels 0 and 1"),
    Dataset("spirals", "label", "300 points: two interleaved noisy spiral arms, labels 0 and 1"),
    Dataset("xor", "y", "the classic tutorial's 4 rows: y = x1 XOR x2, x3 always 1 (train with splits of 0)"),
)}


def from_points(name: str, X: np.ndarray, y: np.ndarray, columns: list[str]) -> Table:
    """The points with 4 decimals, as a CSV file of them would hold them (line 2 onwards)."""
    values = np.array([float(f"{v:.4f}") for v in X.ravel()]).reshape(X.shape)
    data = {c: values[:, j] for j, c in enumerate(columns[:-1])}
    data[columns[-1]] = np.asarray(y, dtype=np.float64)
    return Table(name, columns, data, np.arange(2, len(y) + 2))


def moons(n: int = 200, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Upper half circle (cos t, sin t) and the lower one (1 - cos t, 0.5 - sin t), t in [0, pi], plus noise."""
    rng = np.random.default_rng(SEED)
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, n)
    X = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return X + rng.normal(0, noise, X.shape), y


def circles(n: int = 200, noise: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Points on a circle of radius 1 (label 0) or 0.5 (label 1), at uniform angles, plus noise."""
    rng = np.random.default_rng(SEED)
    y = np.arange(n) % 2
    t = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 0, 1.0, 0.5)[:, None]
    return radius * np.c_[np.cos(t), np.sin(t)] + rng.normal(0, noise, (n, 2)), y


def spirals(n: int = 300, noise: float = 0.03) -> tuple[np.ndarray, np.ndarray]:
    """Two arms r (cos a, sin a) with r in [0.1, 1] and a = 3.5 pi r, the second turned by pi, plus noise."""
    rng = np.random.default_rng(SEED)
    y = np.arange(n) % 2
    r = rng.uniform(0.1, 1.0, n)
    a = 3.5 * np.pi * r + np.pi * y
    return r[:, None] * np.c_[np.cos(a), np.sin(a)] + rng.normal(0, noise, (n, 2)), y


def load(name: str) -> Table:
    """A bundled dataset as a Table (cells as text, like a CSV file's)."""
    if name not in DATASETS:
        raise InputError(f"unknown dataset {name!r}; bundled: {', '.join(DATASETS)}")
    if name == "iris":
        with resources.as_file(resources.files("glassnet.tabular") / "bundled" / "iris.csv") as path:
            return read_csv(path, source="iris")
    if name == "xor":
        from ..teach import tutorial

        return from_points(name, tutorial.X, tutorial.Y_XOR[:, 0], ["x1", "x2", "x3", "y"])
    X, y = {"moons": moons, "circles": circles, "spirals": spirals}[name]()
    return from_points(name, X, y, ["x1", "x2", "label"])


def resolve(data: Any, sep: str | None = None, decimal: str = ".", na_values: Sequence[str] = (),
            keep: Sequence[str] = ()) -> Table:
    """A Table from ``data``: a CSV, Parquet or Feather file's path, a bundled dataset's name (when no file of
    that name exists), a pandas DataFrame, or a Table. ``sep`` is for CSV files; ``decimal`` (of numbers
    written as text), ``na_values`` and ``keep`` (columns also kept as written) for all."""
    from . import arrowfile

    if isinstance(data, Table):
        return data
    if hasattr(data, "columns") and hasattr(data, "items"):  # a pandas DataFrame (pandas is not imported here)
        return arrowfile.from_frame(data, na_values=na_values, keep=keep, decimal=decimal)
    if not isinstance(data, (str, os.PathLike)):
        raise InputError(f"expected a file path, a bundled dataset name or a pandas DataFrame; got "
                         f"{type(data).__name__}")
    spec = os.fspath(data)
    if spec in DATASETS and not os.path.exists(spec):
        return load(spec)
    if not os.path.exists(spec):
        raise InputError(f"{spec}: no such file (nor a bundled dataset: {', '.join(DATASETS)})")
    if arrowfile.is_arrow_file(spec):
        return arrowfile.read_arrow(spec, na_values=na_values, keep=keep, decimal=decimal)
    return read_csv(spec, sep=sep, decimal=decimal, na_values=na_values, keep=keep)
