"""``glassnet info``: what a model file holds, in a few lines."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from . import printable
from .options import add_model

if TYPE_CHECKING:
    from ..history import History


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="describe a saved model",
                       description="Print a model file's architecture, parameter count, loss and optimizer, "
                                   "preprocessing and a summary of its training history.")
    add_model(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .. import load_model
    from ..tabular.train_table import LISTED, describe_target

    model = load_model(args.model)
    net, prep, record = model.network, model.preprocessing, model.record
    print(f"{args.model}: glassnet model (format {model.version})")
    print(f"  network: {net.summary()}; {net.n_params} parameters, {net.dtype.name}, seed {net.seed}")
    print(f"  loss: {net.loss.describe() if net.loss else 'none yet'}; metrics: {', '.join(net.metrics) or 'none'}")
    if net.optimizer is not None:
        print(f"  optimizer: {net.optimizer!r}, {net.optimizer.steps} steps taken")
    print(f"  history: {history_summary(net.history)}")
    if prep is not None:
        print(printable(f"  target: {describe_target(prep)}; numeric inputs: {prep.scaling} scaling", one_line=True))
        for column in prep.columns:
            if hasattr(column, "categories"):
                missing = ", and (missing) for missing cells" if column.missing else ""
                shown = [c if len(c) <= 60 else c[:57] + "..." for c in column.categories[:LISTED]]  # (cells: cut)
                more = f", ... ({len(column.categories)} in all)" if len(column.categories) > LISTED else ""
                categories = printable(", ".join(shown) + more, one_line=True)
                print(f"  input {column.name!r}: text, one-hot over {categories}{missing}")
            else:
                missing = f"; missing in training, filled with the median {column.fill:.6g}, and an input that " \
                    "is 1 where the cell was missing" if column.indicator else ""
                print(f"  input {column.name!r}: number, {numeric_scaling(column)}{missing}")
    if record.settings:
        print("  training settings: " + ", ".join(f"{k} {v}" for k, v in record.settings.items()))
    if record.test_metrics:
        print(f"  test metrics: {test_summary(record.test_metrics)}")
    return 0


def numeric_scaling(column: object) -> str:
    """``standardized with mean 5.8, scale 0.83``, ``robust scaling: (x - median 5.8) * 0.77, smoothly clipped
    to +-3`` or ``quantile scaling to a standard normal over 100 reference values``."""
    scaling = column.scaling
    if scaling is None:
        return f"standardized with mean {column.mean:.6g}, scale {column.scale:.6g}"
    if scaling["kind"] == "robust":
        return f"robust scaling: (x - median {scaling['center']:.6g}) * {scaling['scale']:.6g}, smoothly clipped to +-3"
    return f"quantile scaling to a standard normal over {len(scaling['references'])} reference values"


def history_summary(history: History) -> str:
    """``87 epochs; last: loss 0.05, val_loss 0.06; lowest val_loss 0.04 at epoch 57; weights kept by early
    stopping: epoch 57``."""
    import math

    if not history.epochs:
        return "not trained yet"
    last = ", ".join(f"{k} {v[-1]:.4g}" for k, v in history.items() if math.isfinite(v[-1]))
    best = history.best()
    lowest = f"lowest {history.watched} {best[1]:.4g} at epoch {best[0]}" if best else "no finite loss"
    kept = f"; weights kept by early stopping: {history.kept()}" if history.kept() else ""
    return f"{history.epochs} epochs; last: {last}; {lowest}{kept}"


def test_summary(values: dict) -> str:
    """``accuracy 0.9667, log_loss 0.0812 on 30 rows`` from the saved test metrics."""
    shown = ", ".join(f"{k} {v:.4g}" for k, v in values.items() if isinstance(v, float))
    rows = values.get("n_rows")
    return shown + (f" on {rows} rows" if isinstance(rows, int) else "")
