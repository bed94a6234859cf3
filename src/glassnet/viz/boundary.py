"""Decision boundaries of 2-feature classifiers, drawn as RGB pixels.

Every pixel is a point (u, v) of the plane; its colour mixes the class colours by the predicted
probabilities, pale where the model is unsure; pixels whose most likely class differs from a
neighbour's form the boundary line (none where the model has no preference at all); the data
points are discs in their true class's colour.

The box around the points always has a finite, nonzero width and height: a column whose values all coincide
(one row; a constant timestamp of 1.7e9, whose 15% of nothing is below float64's step there) is widened by a
share of its own size, and points beyond +-4.5e307 (``LIMIT``), whose span float64 may not hold, are an
InputError, never a NaN picture.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..tabular.table import quote

if TYPE_CHECKING:
    from ..network import Network
    from ..tabular.preprocessing import Preprocessor

Array = np.ndarray
Box = tuple[float, float, float, float]
LIMIT = float(np.finfo(np.float64).max) / 4  # the box stays inside +-LIMIT: its width, and the tick steps of
# its axes (svg's and matplotlib's), cannot overflow
FLAT = 1e-12  # a span below this share of the values' size is one value and rounding (svg.Axis's rule too)
ALONE = 0.05  # such a column's box reaches this share of its value's size each side (1 each side of 0)

# Okabe & Ito's colour-blind-safe palette
PALETTE = np.array([(0, 114, 178), (230, 159, 0), (0, 158, 115), (213, 94, 0), (204, 121, 167), (86, 180, 233),
                    (240, 228, 66), (0, 0, 0)], dtype=float)


def bounds(X: Array, margin: float = 0.15, names: Sequence[str] = ("u", "v")) -> Box:
    """(u_min, u_max, v_min, v_max) around the points, widened by ``margin`` of their span on each side (see
    ``_edges``). An InputError, naming the column by ``names``, when there are no points, or a value is NaN,
    infinite or beyond ``LIMIT`` (4.5e307: the width of a box from -1e308 to 1e308 is beyond float64)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or not len(X):
        raise InputError("there are no points to draw")
    return _edges(X[:, 0], margin, names[0]) + _edges(X[:, 1], margin, names[1])


def _edges(values: Array, margin: float, name: str) -> tuple[float, float]:
    """One column's (low, high) side of the box: ``margin`` of the values' span beyond each end, or, where the
    span is nothing next to the values' size (``FLAT``), ``ALONE`` of that size (1 around 0); never closer than
    a few float64 steps, and never beyond ``LIMIT``, so that high - low is finite and above 0."""
    if not np.isfinite(values).all():
        raise InputError(f"the values of {quote(name)} are not all finite numbers, so the plane cannot be drawn")
    low, high = float(values.min()), float(values.max())
    size = max(abs(low), abs(high))
    if size > LIMIT:
        raise InputError(f"the values of {quote(name)} reach {low if -low > high else high:.3g}, too large to "
                         f"draw: a plane is drawn only within +-{LIMIT:.2g}, where its width stays within float64")
    span = high - low
    pad = margin * span if span > FLAT * size else (ALONE * size if size else 1.0)
    pad = max(pad, 4 * math.ulp(size))
    return max(low - pad, -LIMIT), min(high + pad, LIMIT)


def spans(box: Box) -> tuple[float, float]:
    """The box's width and height, or an InputError if either is not a finite number above 0 (a caller's own
    box: ``bounds`` makes none such), rather than divide by it."""
    width, height = box[1] - box[0], box[3] - box[2]
    if not (0 < width < math.inf and 0 < height < math.inf):
        raise InputError(f"the box {tuple(box)} has no width or height to draw in")
    return width, height


def grid(box: Box, width: int, height: int) -> Array:
    """The (height*width, 2) pixel centres, row by row from the top (largest v) down."""
    du, dv = spans(box)
    u = box[0] + (np.arange(width) + 0.5) / width * du  # (the share first: a width near 1e308 cannot overflow)
    v = box[3] - (np.arange(height) + 0.5) / height * dv
    uu, vv = np.meshgrid(u, v)
    return np.column_stack([uu.ravel(), vv.ravel()])


def predictor(net: Network, prep: Preprocessor) -> Callable[[Array], Array]:
    """The outputs, in float64, of ``net`` at raw points of the plane of ``prep``'s two numeric input columns.
    Where the box reaches inputs too large for the network's arithmetic (a box around rows near float64's largest
    value) an InputError says so, instead of the network's own error about the pixels' inputs."""
    def predict(points: Array) -> Array:
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # (an overflow is named below)
                return net.predict(prep.scale_inputs(points)).astype(np.float64)
        except InputError:
            raise InputError(f"the model's outputs over the plane around the rows are NaN or infinite: the values "
                             f"are too large for the network's {net.dtype.name} arithmetic, so the plane cannot be "
                             "drawn") from None
    return predict


def colours(k: int) -> Array:
    """The (k, 3) RGB colours of k classes (the palette repeats beyond eight)."""
    return PALETTE[np.arange(k) % len(PALETTE)]


def probabilities(outputs: Array) -> Array:
    """(n, k) class probabilities from a network's outputs: one sigmoid column becomes (1 - p, p)."""
    return np.column_stack([1 - outputs[:, 0], outputs[:, 0]]) if outputs.shape[1] == 1 else outputs


def dots(X: Array, labels: Array, box: Box, width: int, height: int, k: int,
         radius: float = 5) -> Array:
    """The rows of ``X`` as discs in their class's colour (of ``k``), on a (height, width, 3) layer that is NaN
    where no disc is: drawn once, it can be laid on many pictures of the same plane (the playground's frames)."""
    layer = np.full((height, width, 3), np.nan)
    _discs(layer, X, np.asarray(labels, dtype=int), box, colours(k), radius)
    return layer


def image(predict: Callable[[Array], Array], X: Array, labels: Array, width: int = 240, height: int = 240,
          box: Box | None = None, radius: float = 5, layer: Array | None = None) -> Array:
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


def _discs(pixels: Array, X: Array, labels: Array, box: Box, colours: Array, radius: float) -> None:
    """Draw each point of ``X`` on ``pixels`` as a disc in its label's colour, inside a dark ring."""
    height, width, _ = pixels.shape
    du, dv = spans(box)
    reach = int(np.ceil(radius + 1.2)) + 1  # each disc is drawn in the window of pixels it can touch
    with np.errstate(over="ignore", invalid="ignore"):  # (a point far off the box: clipped to just outside it)
        cols = np.clip((X[:, 0] - box[0]) / du * width, -2 * reach, width + 2 * reach)
        rows = np.clip((box[3] - X[:, 1]) / dv * height, -2 * reach, height + 2 * reach)
    dy, dx = np.mgrid[-reach:reach + 1, -reach:reach + 1]
    for r, c, label in zip(rows, cols, labels):
        if not (np.isfinite(r) and np.isfinite(c)):
            continue
        yy, xx = int(np.floor(r)) + dy, int(np.floor(c)) + dx
        d2 = (yy + 0.5 - r) ** 2 + (xx + 0.5 - c) ** 2
        inside = (yy >= 0) & (yy < height) & (xx >= 0) & (xx < width)
        ring, disc = inside & (d2 <= (radius + 1.2) ** 2), inside & (d2 <= radius**2)
        pixels[yy[ring], xx[ring]] = 20  # dark ring
        pixels[yy[disc], xx[disc]] = colours[label % len(colours)]
