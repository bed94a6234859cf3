"""Decision boundaries of 2-feature classifiers, drawn as RGB pixels.

Every pixel is a point (u, v) of the plane; its colour mixes the class colours by the predicted
probabilities, pale where the model is unsure; pixels whose most likely class differs from a
neighbour's form the boundary line (none where the model has no preference at all); the data
points are discs in their true class's colour.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray

# Okabe & Ito's colour-blind-safe palette
PALETTE = np.array([(0, 114, 178), (230, 159, 0), (0, 158, 115), (213, 94, 0), (204, 121, 167), (86, 180, 233),
                    (240, 228, 66), (0, 0, 0)], dtype=float)


def bounds(X: Array, margin: float = 0.15) -> tuple[float, float, float, float]:
    """(u_min, u_max, v_min, v_max) around the points, widened by ``margin`` of their span on each side."""
    low, high = X.min(axis=0), X.max(axis=0)
    pad = np.maximum(high - low, 1e-9) * margin
    return float(low[0] - pad[0]), float(high[0] + pad[0]), float(low[1] - pad[1]), float(high[1] + pad[1])


def grid(box: tuple[float, float, float, float], width: int, height: int) -> Array:
    """The (height*width, 2) pixel centres, row by row from the top (largest v) down."""
    u = box[0] + (np.arange(width) + 0.5) * (box[1] - box[0]) / width
    v = box[3] - (np.arange(height) + 0.5) * (box[3] - box[2]) / height
    uu, vv = np.meshgrid(u, v)
    return np.column_stack([uu.ravel(), vv.ravel()])


def colours(k: int) -> Array:
    """The (k, 3) RGB colours of k classes (the palette repeats beyond eight)."""
    return PALETTE[np.arange(k) % len(PALETTE)]


def probabilities(outputs: Array) -> Array:
    """(n, k) class probabilities from a network's outputs: one sigmoid column becomes (1 - p, p)."""
    return np.column_stack([1 - outputs[:, 0], outputs[:, 0]]) if outputs.shape[1] == 1 else outputs


def dots(X: Array, labels: Array, box: tuple[float, float, float, float], width: int, height: int, k: int,
         radius: float = 5) -> Array:
    """The rows of ``X`` as discs in their class's colour (of ``k``), on a (height, width, 3) layer that is NaN
    where no disc is: drawn once, it can be laid on many pictures of the same plane (the playground's frames)."""
    layer = np.full((height, width, 3), np.nan)
    _discs(layer, X, np.asarray(labels, dtype=int), box, colours(k), radius)
    return layer


def image(predict: Callable[[Array], Array], X: Array, labels: Array, width: int = 240, height: int = 240,
          box: tuple[float, float, float, float] | None = None, radius: float = 5, layer: Array | None = None) -> Array:
    """A (height, width, 3) uint8 picture of ``predict``'s classes over the plane of the 2 columns of ``X``.

    ``predict`` maps (n, 2) points to (n, k) outputs (one sigmoid column or k class probabilities);
    ``labels`` are the true classes 0..k-1 of the rows of ``X``; ``layer``: their ``dots``, if drawn before.
    """
    box = box or bounds(X)
    p = probabilities(predict(grid(box, width, height)))
    k = p.shape[1]
    palette = colours(k)
    mixed = p @ palette
    confidence = (p.max(axis=1, keepdims=True) - 1 / k) / (1 - 1 / k)  # 0 when unsure, 1 when certain
    pixels = (255 - (255 - mixed) * (0.15 + 0.45 * confidence)).reshape(height, width, 3)
    winner = np.where(confidence[:, 0] > 1e-6, p.argmax(axis=1), -1).reshape(height, width)  # -1: no preference
    edge = np.zeros_like(winner, dtype=bool)
    edge[:, 1:] |= winner[:, 1:] != winner[:, :-1]
    edge[1:, :] |= winner[1:, :] != winner[:-1, :]
    pixels[edge] = 60
    layer = dots(X, labels, box, width, height, k, radius) if layer is None else layer
    drawn = ~np.isnan(layer[..., 0])
    pixels[drawn] = layer[drawn]
    return np.clip(np.round(pixels), 0, 255).astype(np.uint8)


def _discs(pixels: Array, X: Array, labels: Array, box, colours: Array, radius: float) -> None:
    height, width, _ = pixels.shape
    cols = (X[:, 0] - box[0]) / (box[1] - box[0]) * width
    rows = (box[3] - X[:, 1]) / (box[3] - box[2]) * height
    reach = int(np.ceil(radius + 1.2)) + 1  # each disc is drawn in the window of pixels it can touch
    dy, dx = np.mgrid[-reach:reach + 1, -reach:reach + 1]
    for r, c, label in zip(rows, cols, labels):
        yy, xx = int(np.floor(r)) + dy, int(np.floor(c)) + dx
        d2 = (yy + 0.5 - r) ** 2 + (xx + 0.5 - c) ** 2
        inside = (yy >= 0) & (yy < height) & (xx >= 0) & (xx < width)
        ring, disc = inside & (d2 <= (radius + 1.2) ** 2), inside & (d2 <= radius**2)
        pixels[yy[ring], xx[ring]] = 20  # dark ring
        pixels[yy[disc], xx[disc]] = colours[label % len(colours)]
