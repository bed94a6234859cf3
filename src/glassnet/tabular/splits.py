"""Train / validation / test splits of a table's rows: reproducible from a seed, stratified by class."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..constraints import check
from ..errors import InputError
from .preprocessing import Target
from .table import Table, quote

Array = np.ndarray


def _allocate(sizes: Array, total: int) -> Array:
    """Integers proportional to ``sizes`` that add up to ``total`` (largest remainders get the rounding)."""
    quota = sizes * total / sizes.sum()
    counts = np.floor(quota).astype(int)
    order = np.argsort(-(quota - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def check_fractions(val: float, test: float) -> tuple[float, float]:
    """--val-split and --test-split, checked: each a fraction, and together below 1."""
    val, test = check("val_split", val, "--val-split"), check("test_split", test, "--test-split")
    if val + test >= 1:
        raise InputError(f"--val-split + --test-split must be below 1; got {val} + {test}")
    return val, test


def split(n: int, labels: Array | None, val: float, test: float, seed: int,
          class_names: Sequence[str] | None = None, source: str = "the data", hint: str = "") -> tuple[Array, Array,
                                                                                                  Array]:
    """Row indices (train, validation, test), each sorted, reproducible from ``seed``; ``hint`` ends the error of
    a class too small to keep a training row.

    round(n * test) rows go to test and round(n * val) to validation; with ``labels`` (classification) each
    class contributes in proportion to its size (stratified). Every class keeps at least one training row.
    """
    val, test = check_fractions(val, test)
    n_test, n_val = round(n * test), round(n * val)
    for name, value, count in (("--test-split", test, n_test), ("--val-split", val, n_val)):
        if value and not count:
            raise InputError(f"{source}: {n} rows are too few for {name} {value}: that set would be empty "
                             f"(use more rows, a larger fraction, or {name} 0)")
    labels = np.zeros(n, dtype=np.intp) if labels is None else labels
    groups = [np.flatnonzero(labels == k) for k in range(labels.max() + 1)]
    sizes = np.array([len(g) for g in groups])
    tests = _allocate(sizes, n_test)
    vals = _allocate(sizes - tests, n_val)
    rng = np.random.default_rng(seed)
    parts: tuple[list, list, list] = ([], [], [])
    for k, (rows, t, v) in enumerate(zip(groups, tests, vals)):
        if len(rows) and len(rows) - t - v < 1:
            name = f"class {quote(class_names[k])}" if class_names else "it"
            held = " and ".join(f"{flag} {value}" for flag, value in (("--val-split", val), ("--test-split", test))
                                if value)
            raise InputError(f"{source}: {name} has {len(rows)} row(s): too few for {held} to leave it a training "
                             f"row{hint}")
        rows = rng.permutation(rows)
        parts[0].append(rows[t + v:])
        parts[1].append(rows[t:t + v])
        parts[2].append(rows[:t])
    return tuple(np.sort(np.concatenate(p)).astype(np.intp) for p in parts)


def split_table(table: Table, target: Target, val: float, test: float, seed: int) -> tuple[Table, Table, Table]:
    """The (train, validation, test) tables of ``split``, stratified by ``target``'s classes if it has any."""
    labels = target.encode(table) if target.task == "classification" else None
    hint = "; if the numbers are measurements, not classes, pass --task regression" if target.numeric else ""
    parts = split(len(table), labels, val, test, seed, target.classes, table.source, hint)
    return tuple(table.take(rows) for rows in parts)
