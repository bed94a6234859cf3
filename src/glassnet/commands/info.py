"""``glassnet info``: what a model file holds, in a few lines."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="describe a saved model",
                       description="Print a model file's architecture, parameter count, loss and optimizer, "
                                   "preprocessing and a summary of its training history.")
    p.add_argument("model", metavar="MODEL", help="a .safetensors model file")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .. import io
    from .train import architecture, describe_target

    net = io.load(args.model)
    print(f"{args.model}: glassnet model (format {io.VERSION})")
    print(f"  network: {architecture(net)}; {net.n_params} parameters, {net.dtype.name}, seed {net.seed}")
    print(f"  loss: {net.loss.name if net.loss else 'none yet'}; metrics: {', '.join(net.metrics) or 'none'}")
    if net.optimizer is not None:
        print(f"  optimizer: {net.optimizer!r}, {net.optimizer.steps} steps taken")
    print(f"  history: {history_summary(net.history)}")
    prep = net.preprocessing
    if prep is not None:
        print(f"  target: {describe_target(prep)}")
        for column in prep.columns:
            if hasattr(column, "categories"):
                print(f"  input {column.name!r}: text, one-hot over {', '.join(column.categories)}")
            else:
                print(f"  input {column.name!r}: number, standardized with mean {column.mean:.6g}, "
                      f"scale {column.scale:.6g}")
    if net.training:
        print("  training settings: " + ", ".join(f"{k} {v}" for k, v in net.training.items()))
    return 0


def history_summary(history: dict) -> str:
    """``87 epochs; last: loss 0.05, val_loss 0.06; lowest val_loss 0.04 at epoch 57``."""
    import math

    epochs = len(history.get("loss", ()))
    if not epochs:
        return "not trained yet"
    last = ", ".join(f"{k} {v[-1]:.4g}" for k, v in history.items() if math.isfinite(v[-1]))
    watched = "val_loss" if "val_loss" in history else "loss"
    values = [v if math.isfinite(v) else math.inf for v in history[watched]]
    best = min(range(epochs), key=values.__getitem__)
    return f"{epochs} epochs; last: {last}; lowest {watched} {values[best]:.4g} at epoch {best + 1}"
