"""Draw the pictures of docs/tutorial.md:  python docs/figures.py [FOLDER]  (default: docs/).

xor_boundary.png: the tutorial's XOR data, with what the single-layer perceptron (left) and the
3-4-1 network (right) predict over the whole plane after 60,000 training steps. Orange means 1,
blue 0, pale means unsure; the dark line is where the prediction crosses 0.5.
"""

import sys
from pathlib import Path

import numpy as np

from glassnet.teach import tutorial
from glassnet.viz import boundary, png

BOX = (-0.5, 1.5, -0.5, 1.5)  # the plane of the first two inputs; the third is always 1


def xor_boundary(size: int = 260, gap: int = 16) -> np.ndarray:
    panels = []
    for net in (tutorial.single_layer(), tutorial.two_layer()):
        tutorial.train(net, tutorial.Y_XOR, 60000)

        def predict(points, net=net):
            return net.predict(np.column_stack([points, np.ones(len(points))]))

        panels.append(boundary.image(predict, tutorial.X[:, :2], tutorial.Y_XOR.ravel(), size, size, BOX, radius=9))
    spacer = np.full((size, gap, 3), 255, np.uint8)
    return np.concatenate([panels[0], spacer, panels[1]], axis=1)


def main(folder: str = str(Path(__file__).parent)) -> None:
    Path(folder, "xor_boundary.png").write_bytes(png.encode(xor_boundary()))


if __name__ == "__main__":
    main(*sys.argv[1:])
