"""A model measured on the rows of a table: the metrics of ``glassnet evaluate``, of ``train``'s test rows
and of the HTML report, all from ``glassnet.metrics``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import metrics
from ..errors import InputError
from .model import Model
from .preprocessing import Counts, Preprocessor
from .table import Table, quote


def labelled_rows(table: Table, prep: Preprocessor, drop: bool = False) -> tuple[Table, list[str]]:
    """The rows of ``table`` that can be measured: those whose target is present, and (``drop``) with no missing
    input cell; with notes saying how many were left out. Missing input cells are otherwise filled as in
    training."""
    table.require(prep.input_columns + [prep.target.name])
    notes, keep = [], ~table.missing(prep.target.name)
    if not keep.all():
        notes.append(f"left out {int((~keep).sum())} row(s) whose target {quote(prep.target.name)} is missing")
    if drop:
        gaps = np.logical_or.reduce([table.missing(c) for c in prep.input_columns]) & keep
        if gaps.any():
            notes.append(f"left out {int(gaps.sum())} row(s) with missing input cells (--drop-missing)")
        keep &= ~gaps
    if not keep.any():
        raise InputError(f"{table.source}: no row is left to measure (targets or inputs missing)")
    return (table if keep.all() else table.take(np.flatnonzero(keep))), notes


def metric_text(value: float) -> str:
    """A metric that may be unbounded (R^2) as text: 4 decimals (0.9333), or 4 significant digits where that would
    be long (a diverged R^2 of -1.2e+25, rather than 26 digits)."""
    return f"{value:.4f}" if abs(value) < 1e4 else f"{value:.4g}"


def evaluate(model: Model, table: Table, counts: Counts | None = None) -> dict[str, Any]:
    """Metrics of ``model`` on ``table`` (which holds the target), as a JSON-safe dict: ``task`` and ``n_rows``,
    then ``metrics.classification_report`` or ``metrics.regression_report``."""
    prep = model.preprocessing
    outputs = model.outputs_of(table, counts)
    values: dict[str, Any] = {"task": prep.task, "n_rows": len(table)}
    if prep.task == "regression":
        with np.errstate(over="ignore", invalid="ignore"):  # values beyond float64: the caller says so
            predicted = prep.target.decode(outputs)
        return {**values, **metrics.regression_report(table.numbers(prep.target.name), predicted)}
    return {**values, **metrics.classification_report(prep.targets(table), outputs, prep.target.classes)}


def finite(values: dict[str, Any], table: Table, prep: Preprocessor) -> dict[str, Any]:
    """``values`` (metrics), or an InputError naming those that came out infinite or NaN, and why: the targets
    (the largest cell named) when they are large enough for a sum of their errors to overflow, else the model's
    outputs."""
    bad = [k for k, v in values.items() if isinstance(v, float) and not math.isfinite(v)]
    if not bad:
        return values
    why = "the model's outputs are beyond float64 (is the model file's preprocessing sound?)"
    if prep.target.task == "regression":
        targets = np.abs(table.numbers(prep.target.name))
        i = int(np.nanargmax(targets))
        if targets[i] > np.finfo(np.float64).max / len(targets):  # (a sum of errors this large can overflow)
            why = (f"the targets are too large for their errors to be summed in float64 (the largest, "
                   f"{quote(table.text(prep.target.name, i))} on {table.line(i)})")
    raise InputError(f"{table.source}: {', '.join(bad)} came out infinite or NaN: {why}")
