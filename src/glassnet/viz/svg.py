"""Charts as inline SVG text: axes with round-number ticks, line charts, predictions against true values.

A value v on an axis from lo to hi lands at pixel p0 + (v - lo) / (hi - lo) * (p1 - p0); a log axis
maps log10(v) the same way.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np

Array = np.ndarray
COLOURS = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9"]
WIDTH, HEIGHT = 520, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 30, 44
MAX_POINTS = 800  # longer series are thinned to about this many points


def ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round numbers (1, 2 or 5 times a power of 10 apart) from lo to hi, about n of them."""
    span = hi - lo
    step = 10 ** math.floor(math.log10(span / n))
    for m in (1, 2, 5, 10):
        if span / (step * m) <= n:
            step *= m
            break
    first = math.ceil(lo / step - 1e-9)
    return [k * step for k in range(first, math.floor(hi / step + 1e-9) + 1)]


class Axis:
    """Maps data values to pixels, linearly or on a log scale."""

    def __init__(self, lo: float, hi: float, p0: float, p1: float, log: bool = False) -> None:
        if log:
            lo, hi = math.log10(lo), math.log10(hi)
        if hi - lo < 1e-12 * max(abs(lo), abs(hi), 1e-300):
            lo, hi = lo - 0.5, hi + 0.5
        self.lo, self.hi, self.p0, self.p1, self.log = lo, hi, p0, p1, log

    def __call__(self, v: Array | float) -> Array | float:
        v = np.log10(v) if self.log else v
        return self.p0 + (v - self.lo) / (self.hi - self.lo) * (self.p1 - self.p0)

    def ticks(self) -> list[float]:
        if not self.log:
            return ticks(self.lo, self.hi)
        exponents = range(math.ceil(self.lo - 1e-9), math.floor(self.hi + 1e-9) + 1)
        return [10.0**e for e in exponents] or [10**self.lo]


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def frame(x: Axis, y: Axis, x_label: str, y_label: str) -> list[str]:
    """Axes, grid lines, tick labels and axis titles."""
    parts = [f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{HEIGHT - TOP - BOTTOM}" '
             'fill="#fff" stroke="#888"/>']
    for t in x.ticks():
        px = x(t)
        parts.append(f'<line x1="{px:.1f}" y1="{TOP}" x2="{px:.1f}" y2="{HEIGHT - BOTTOM}" stroke="#eee"/>'
                     f'<text x="{px:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{_fmt(t)}</text>')
    for t in y.ticks():
        py = y(t)
        parts.append(f'<line x1="{LEFT}" y1="{py:.1f}" x2="{WIDTH - RIGHT}" y2="{py:.1f}" stroke="#eee"/>'
                     f'<text x="{LEFT - 6}" y="{py + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 6}" text-anchor="middle">'
                 f'{escape(x_label)}</text>')
    parts.append(f'<text transform="translate(14 {(TOP + HEIGHT - BOTTOM) / 2}) rotate(-90)" '
                 f'text-anchor="middle">{escape(y_label)}</text>')
    return parts


def svg(parts: list[str], label: str, width: int = WIDTH, height: int = HEIGHT) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" font-size="12" '
            f'font-family="sans-serif">{"".join(parts)}</svg>')


def line_chart(series: dict[str, list[float]], y_label: str, x_label: str = "epoch") -> str:
    """One line per named series of per-epoch values (NaN values are left out); log scale when the
    positive values span more than two powers of ten."""
    values = np.concatenate([np.asarray(v, dtype=float) for v in series.values()])
    finite = values[np.isfinite(values)]
    if not finite.size:
        finite = np.zeros(1)
    n = max(len(v) for v in series.values())
    log = bool(finite.min() > 0 and finite.max() / finite.min() > 100)
    lo = finite.min() if log else min(0.0, float(finite.min()))
    x = Axis(1, max(n, 2), LEFT, WIDTH - RIGHT)
    y = Axis(lo, float(finite.max()), HEIGHT - BOTTOM, TOP, log=log)
    parts = frame(x, y, x_label, y_label + (" (log scale)" if log else ""))
    for i, (name, vals) in enumerate(series.items()):
        vals = np.asarray(vals, dtype=float)
        keep = np.unique(np.linspace(0, len(vals) - 1, min(len(vals), MAX_POINTS)).round().astype(int))
        keep = keep[np.isfinite(vals[keep])]
        points = " ".join(f"{x(k + 1):.1f},{y(vals[k]):.1f}" for k in keep)
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f'<polyline data-series="{escape(name)}" points="{points}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"/>')
        parts.append(f'<text x="{LEFT + 110 * i}" y="{TOP - 10}" fill="{colour}" font-weight="bold">'
                     f'&#9472; {escape(name)}</text>')
    return svg(parts, f"{y_label} per {x_label}")


def scatter_against_truth(truth: Array, predicted: Array, name: str) -> str:
    """Points (true value, prediction) on equal axes, and the dashed line y = x of perfect predictions."""
    lo, hi = float(min(truth.min(), predicted.min())), float(max(truth.max(), predicted.max()))
    pad = 0.05 * (hi - lo) or 0.5
    lo, hi = lo - pad, hi + pad
    x, y = Axis(lo, hi, LEFT, WIDTH - RIGHT), Axis(lo, hi, HEIGHT - BOTTOM, TOP)
    parts = frame(x, y, f"true {name}", f"predicted {name}")
    parts.append(f'<line x1="{x(lo):.1f}" y1="{y(lo):.1f}" x2="{x(hi):.1f}" y2="{y(hi):.1f}" '
                 'stroke="#888" stroke-dasharray="4 3"/>')
    parts += [f'<circle cx="{x(a):.1f}" cy="{y(b):.1f}" r="3" fill="{COLOURS[0]}" fill-opacity="0.6"/>'
              for a, b in zip(truth, predicted)]
    return svg(parts, f"predicted against true {name}")
