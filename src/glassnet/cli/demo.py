"""``glassnet demo``: the classic tutorial's network, trained and printed as the tutorial prints it."""

from __future__ import annotations

import argparse

from .options import rule


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="train the classic tutorial's 3-4-1 network on XOR and print its progress",
                       description="Train the classic tutorial's network (3 inputs, 4 sigmoid hidden units, "
                                   "1 sigmoid output, seed 1, 60,000 full-batch steps) and print what it prints.")
    p.add_argument("--epochs", type=rule("epochs"), default=60000, help="training iterations (default: 60000)")
    p.add_argument("--no-hidden", action="store_true",
                   help="also train the single-layer perceptron (no hidden layer) on XOR and show it cannot learn it")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ..teach import tutorial

    if args.no_hidden:
        return _compare(args.epochs)
    net = tutorial.two_layer()
    history = tutorial.train(net, tutorial.Y_XOR, args.epochs)
    for epoch in range(0, args.epochs, 10000):
        print(f"Error:{history['mae'][epoch]}")
    print("Output After Training:")
    print(np.array2string(net.predict(tutorial.X)))
    return 0


def _compare(epochs: int) -> int:
    """Train 3-1 and 3-4-1 on XOR and print their outputs side by side."""
    import textwrap

    from ..teach import tutorial

    nets = tutorial.single_layer(), tutorial.two_layer()
    for net in nets:
        tutorial.train(net, tutorial.Y_XOR, epochs)
    outputs = [net.predict(tutorial.X).ravel() for net in nets]
    errors = [abs(out - tutorial.Y_XOR.ravel()).mean() for out in outputs]
    print(f"XOR of the first two inputs, {epochs:,} full-batch training steps for each network:\n")
    print("inputs  target  no hidden layer (3-1)  hidden layer (3-4-1)")
    for x, y, a, b in zip(tutorial.X, tutorial.Y_XOR.ravel(), *outputs):
        print(f"{x[0]:.0f} {x[1]:.0f} {x[2]:.0f}   {y:.0f}       {a:<21.4f}  {b:.4f}")
    print(f"mean |error|    {errors[0]:<21.4f}  {errors[1]:.4f}\n")
    print(textwrap.fill(
        "Without a hidden layer the output is sigmoid(x . w): it can only split the inputs with a straight line, "
        "and no line puts (0,1) and (1,0) on one side and (0,0) and (1,1) on the other, so it gets three rows "
        "right at most; from small starting weights, training leaves it at 0.5 for every row. Each hidden unit "
        "draws a line of its own; the output unit combines them.", 100))
    return 0
