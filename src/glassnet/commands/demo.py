"""``glassnet demo``: the classic tutorial's network, trained and printed as the tutorial prints it."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="train the classic tutorial's 3-4-1 network on XOR and print its progress",
                       description="Train the classic tutorial's network (3 inputs, 4 sigmoid hidden units, "
                                   "1 sigmoid output, seed 1, 60,000 full-batch steps) and print what it prints.")
    p.add_argument("--epochs", type=int, default=60000, help="training iterations (default: 60000)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from .. import tutorial
    from ..errors import InputError

    if args.epochs < 1:
        raise InputError(f"--epochs must be a positive integer; got {args.epochs}")
    net = tutorial.two_layer()
    history = tutorial.train(net, tutorial.Y_XOR, args.epochs)
    for epoch in range(0, args.epochs, 10000):
        print(f"Error:{history['mae'][epoch]}")
    print("Output After Training:")
    print(np.array2string(net.predict(tutorial.X)))
    return 0
