"""One update of the page, built from a snapshot of the session: the numbers, the loss chart, the network diagram
and the decision boundary, drawn by ``glassnet.viz`` (the report's drawings), plus a small heat map per unit.

The snapshot (the parameters copied into a network of the page's own, a copy of the loss lists) is taken under the
session's lock in a moment; the drawing happens outside it, so training does not wait for the page.
"""

from __future__ import annotations

import base64
import inspect
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..network import Network
from ..tabular import datasets
from ..viz import boundary, png, svg
from ..viz.report import MAX_UNITS, NEGATIVE, POSITIVE, network_svg
from .session import ACTIVATIONS, GENERATED, MAX_LAYERS, SCHEDULES, UPLOAD, Run, Session
from .session import MAX_UNITS as MAX_NEURONS

BOUNDARY_PIXELS, UNIT_PIXELS = 100, 20
SIGNS = [np.array([int(c[k:k + 2], 16) for k in (1, 3, 5)], float) for c in (POSITIVE, NEGATIVE)]
MAX_POINTS = 300  # rows drawn on the boundary (a large upload would take long to draw and hide the picture)


def data_url(pixels: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png.encode(pixels, level=1)).decode("ascii")


def shade(values: np.ndarray, size: int) -> np.ndarray:
    """Pictures of ``values`` (size * size rows, one column per picture), side by side in one (size, size * columns,
    3) strip: white at 0, blue for positive and vermilion for negative values (the weights' colours), each column
    at full colour where its size is largest."""
    values = values.reshape(size * size, -1)
    top = np.abs(values).max(axis=0)
    share = values / np.where(top > 0, top, 1.0)
    strip = share.reshape(size, size, -1).transpose(0, 2, 1).reshape(size, -1, 1)  # picture k: columns k*size...
    colour = np.where(strip >= 0, SIGNS[0], SIGNS[1])
    pixels = 255 - (255 - colour) * np.abs(strip)
    return np.clip(np.round(pixels), 0, 255).astype(np.uint8)


@dataclass
class Plane:
    """What every frame of a run shares: the plane of the two boundary features (``names``, ``box``), the network
    inputs of its pixels (the other inputs at their training means) for the boundary and for the units' heat maps,
    and the training rows drawn as dots."""

    names: list[str]
    box: tuple[float, float, float, float]
    pixels: np.ndarray  # network inputs, one row per pixel of the boundary picture
    units: np.ndarray  # network inputs, one row per pixel of a unit's heat map
    dots: np.ndarray | None  # classification: the rows, from boundary.dots


def plane(run: Run) -> Plane | None:
    """The run's plane, or None if it has fewer than two numeric input columns."""
    cols, prep, X = run.features, run.prep, run.arrays[0]
    if not cols:
        return None
    raw = X[:, cols] * prep.scales[cols] + prep.means[cols]
    box = boundary.bounds(raw)

    def inputs(size: int) -> np.ndarray:
        points = np.tile(X.mean(axis=0), (size * size, 1))
        points[:, cols] = (boundary.grid(box, size, size) - prep.means[cols]) / prep.scales[cols]
        return points

    dots = None
    if prep.task == "classification":
        show = np.linspace(0, len(X) - 1, min(len(X), MAX_POINTS)).astype(int)
        dots = boundary.dots(raw[show], run.arrays[1][show], box, BOUNDARY_PIXELS, BOUNDARY_PIXELS,
                             max(2, prep.n_outputs), radius=1.6)
    return Plane([prep.feature_names[c] for c in cols], box, inputs(BOUNDARY_PIXELS), inputs(UNIT_PIXELS), dots)


class Viewer:
    """Builds frames for one session from a network of its own (the session's parameters copied in)."""

    def __init__(self, session: Session, costs: list[float] | None = None) -> None:
        self.session = session
        self.net: Network | None = None
        self.source: Network | None = None
        self.run: Run | None = None
        self.plane: Plane | None = None
        self.steps: dict[str, Any] = {}
        self.costs = [] if costs is None else costs  # milliseconds per frame built (pacing; the README's figures)

    def frame(self, after: int = -1) -> dict[str, Any] | None:
        """The newest frame, or None if nothing changed since version ``after``."""
        s = self.session
        with s.locked():
            if s.version == after:
                return None
            run, version = s.run, s.version
            if self.source is not run.net:
                self.net, self.source = run.net.copy(), run.net
            np.copyto(self.net.flat, run.net.flat)
            history = {k: list(run.net.history.get(k, ())) for k in ("loss", "val_loss")}
            state = {"version": version, "running": s.running, "error": s.error, "epoch": len(history["loss"])}
        started = time.perf_counter()
        if self.run is not run:
            self.run, self.plane = run, plane(run)
            self.steps = {} if run.settings.tutorial else explained(run, run.start)  # (formulas: the same all run)
        state.update(self.draw(run, history))
        cost = (time.perf_counter() - started) * 1000
        self.costs = (self.costs + [cost])[-200:]
        state["build_ms"] = round(cost, 2)
        return state

    def draw(self, run: Run, history: dict[str, list[float]]) -> dict[str, Any]:
        finite = {k: v for k, v in history.items() if v and np.isfinite(v).any()}
        last = {k: (float(v[-1]) if v and np.isfinite(v[-1]) else None) for k, v in history.items()}
        with np.errstate(all="ignore"):
            units, picture = self.pictures(run.prep.task)
        tutorial = run.settings.tutorial
        steps = explained(run, self.net) if tutorial else self.steps  # (the tutorial's: small enough every frame)
        return {"loss": last["loss"], "val_loss": last["val_loss"],
                "chart": svg.line_chart(finite, "loss") if finite else "",
                "network": network_svg(self.net, None if tutorial else run.prep), "units": units,
                "boundary": picture, "layers": layer_notes(self.net, steps, tutorial), "setup": setup(run),
                "steps": tutorial_steps(steps) if tutorial else []}

    def pictures(self, task: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Each unit's heat map over the plane (side by side in one picture, in the order of ``ids``), and the
        boundary picture."""
        p = self.plane
        if p is None:
            return {"ids": []}, {"png": "", "note": "the boundary view needs two numeric input columns"}
        x, maps, ids = p.units, [], []
        for column, layer in enumerate([None, *self.net.layers[:-1]]):
            x = x if layer is None else layer.forward(x, False, False)
            if layer is None or hasattr(layer, "weights"):  # (a dropout column would repeat the one before)
                maps.append(x[:, :MAX_UNITS])
                ids += [f"{column},{j}" for j in range(maps[-1].shape[1])]
        units = {"ids": ids, "size": UNIT_PIXELS, "png": data_url(shade(np.hstack(maps), UNIT_PIXELS))}
        outputs = self.net.forward(p.pixels, keep=False)
        note = f"over {p.names[0]} and {p.names[1]}; other inputs held at their training means"
        if task == "classification":  # (p.pixels are the inputs of boundary.grid's points, in its order)
            pixels = boundary.image(lambda _: outputs, None, None, BOUNDARY_PIXELS, BOUNDARY_PIXELS, p.box,
                                    layer=p.dots)
        else:
            pixels = shade(outputs[:, 0], BOUNDARY_PIXELS)
            note += "; blue above the mean target, vermilion below"
        return units, {"png": data_url(pixels), "features": p.names, "box": list(p.box), "note": note}


def explained(run: Run, net: Network) -> dict[str, Any]:
    """``Network.explain`` of one step of ``net`` on the first few training rows, by name (the tutorial's names for
    its network): each array's formula, NumPy line (tutorial), shapes and value. The network is not changed."""
    X, Y = run.arrays[0][:16], run.arrays[1][:16]
    with np.errstate(all="ignore"):
        steps = net.explain(X, Y, loss=run.loss, optimizer=run.optimizer(), tutorial=run.settings.tutorial)
    return {step.name: step for step in steps}


def names(k: int, tutorial: bool) -> dict[str, str]:
    """What ``explain`` calls the arrays of layer k (the tutorial: l1, l1_error, l1_delta, syn0)."""
    if tutorial:
        return {"unit": f"l{k}", "weights": f"syn{k - 1}", "steps": f"l{k} l{k}_error l{k}_delta syn{k - 1}"}
    return {"unit": f"a{k}", "weights": f"W{k}", "steps": f"z{k} a{k} delta{k} grad_W{k} W{k}"}


def layer_notes(net: Network, steps: dict[str, Any], tutorial: bool) -> dict[str, dict[str, Any]]:
    """For each column of the diagram past the inputs, for the hover text: its names, the formulas ``explain``
    gives for its arrays (forward, backward, update) with their NumPy lines where it has them, its biases."""
    notes = {"0": {"summary": "inputs", **names(0, tutorial), "lines": [], "bias": []}}
    for k, layer in enumerate(net.layers, 1):
        called = names(k, tutorial)
        lines = [step.formula + (f"    NumPy: {step.numpy}" if step.numpy else "")
                 for step in (steps.get(name) for name in called["steps"].split()) if step is not None]
        bias = layer.bias[:MAX_UNITS].tolist() if getattr(layer, "use_bias", False) else []
        notes[str(k)] = {"summary": layer.summary(), **called, "lines": lines, "bias": bias}
    return notes


def tutorial_steps(steps: dict[str, Any]) -> list[dict[str, Any]]:
    """The tutorial's next step, array by array, with its numbers (its arrays are 4 rows at most)."""
    return [{"name": s.name, "formula": s.formula, "numpy": s.numpy, "shapes": s.shapes,
             "value": np.round(np.asarray(s.value, dtype=float), 4).tolist()} for s in steps.values()]


def setup(run: Run) -> dict[str, Any]:
    """What the page's selects offer for this run, and its settings."""
    prep, name = run.prep, run.settings.dataset
    noise = inspect.signature(GENERATED[name]).parameters["noise"].default if name in GENERATED else None
    return {"settings": asdict(run.settings), "source": run.table.source, "columns": run.table.columns,
            "numeric": [c.name for c in prep.columns if hasattr(c, "mean")], "task": prep.task,
            "classes": prep.target.classes or [], "rows": [len(run.arrays[0]), len(run.arrays[2][0])
                                                             if run.arrays[2] else 0],
            "summary": run.start.summary(), "limits": {"layers": MAX_LAYERS, "units": MAX_NEURONS},
            "activations": ACTIVATIONS, "schedules": SCHEDULES, "noise_default": noise,
            "datasets": [*datasets.DATASETS, *([UPLOAD] if run.settings.dataset == UPLOAD else [])]}
