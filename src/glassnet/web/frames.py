"""One update of the page, built from a snapshot of the session: the numbers, the loss chart, the network diagram
and the decision boundary, drawn by ``glassnet.viz`` (the report's drawings), plus a small heat map per unit.

The snapshot (the parameters copied into a network of the page's own, the loss lists) is taken under the session's
lock in a few microseconds; the drawing happens outside it, so training does not wait for the page.
"""

from __future__ import annotations

import base64
import inspect
import time
from dataclasses import asdict
from typing import Any

import numpy as np

from ..network import Network
from ..tabular import datasets
from ..viz import boundary, png, svg
from ..viz.report import MAX_UNITS, NEGATIVE, POSITIVE, network_svg
from .session import ACTIVATIONS, GENERATED, MAX_LAYERS, SCHEDULES, UPLOAD, Run, Session
from .session import MAX_UNITS as MAX_NEURONS

BOUNDARY_PIXELS, UNIT_PIXELS = 120, 20
SIGNS = [np.array([int(c[k:k + 2], 16) for k in (1, 3, 5)], float) for c in (POSITIVE, NEGATIVE)]
MAX_POINTS = 300  # rows drawn on the boundary (a large upload would take long to draw and hide the picture)


def data_url(pixels: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png.encode(pixels, level=1)).decode("ascii")


def shade(values: np.ndarray, size: int) -> np.ndarray:
    """A (size, size, 3) picture of one value per pixel: white at 0, blue for positive and vermilion for negative
    values (the weights' colours), full colour at the largest size."""
    top = float(np.abs(values).max()) or 1.0
    share = (values / top).reshape(size, size, 1)
    colour = np.where(share >= 0, SIGNS[0], SIGNS[1])
    pixels = 255 - (255 - colour) * np.abs(share)
    return np.clip(np.round(pixels), 0, 255).astype(np.uint8)


class Viewer:
    """Builds frames for one session from a network of its own (the session's parameters copied in)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.net: Network | None = None
        self.source: Network | None = None
        self.setup_version = -1
        self.costs: list[float] = []  # milliseconds per frame built, for the measurement in the README

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
        state.update(self.draw(run, history))
        cost = (time.perf_counter() - started) * 1000
        self.costs = (self.costs + [cost])[-200:]
        state["build_ms"] = round(cost, 2)
        return state

    def draw(self, run: Run, history: dict[str, list[float]]) -> dict[str, Any]:
        finite = {k: v for k, v in history.items() if v and np.isfinite(v).any()}
        last = {k: (float(v[-1]) if v and np.isfinite(v[-1]) else None) for k, v in history.items()}
        with np.errstate(all="ignore"):
            units, picture = self.pictures(run)
        return {"loss": last["loss"], "val_loss": last["val_loss"],
                "chart": svg.line_chart(finite, "loss") if finite else "",
                "network": network_svg(self.net, run.prep), "units": units, "boundary": picture,
                "layers": layer_notes(self.net), "setup": setup(run)}

    def inputs(self, run: Run, points: np.ndarray) -> np.ndarray:
        """Network inputs for raw (n, 2) points of the two boundary features, the other inputs at their training
        means."""
        cols = run.features
        X = np.tile(run.arrays[0].mean(axis=0), (len(points), 1))
        X[:, cols] = (points - run.prep.means[cols]) / run.prep.scales[cols]
        return X

    def pictures(self, run: Run) -> tuple[dict[str, str], dict[str, Any]]:
        """Each unit's heat map over the two boundary features, and the boundary picture."""
        cols = run.features
        if not cols:
            return {}, {"png": "", "note": "the boundary view needs two numeric input columns"}
        prep, X = run.prep, run.arrays[0]
        raw = X[:, cols] * prep.scales[cols] + prep.means[cols]
        box = boundary.bounds(raw)
        x = self.inputs(run, boundary.grid(box, UNIT_PIXELS, UNIT_PIXELS))
        units = {f"0,{j}": data_url(shade(x[:, j], UNIT_PIXELS)) for j in range(min(x.shape[1], MAX_UNITS))}
        for column, layer in enumerate(self.net.layers[:-1], 1):
            x = layer.forward(x, False, False)
            if hasattr(layer, "weights"):  # (a dropout column would repeat the one before)
                units.update({f"{column},{j}": data_url(shade(x[:, j], UNIT_PIXELS))
                              for j in range(min(x.shape[1], MAX_UNITS))})
        names = [prep.feature_names[c] for c in cols]
        note = f"over {names[0]} and {names[1]}; other inputs held at their training means"
        if prep.task == "classification":
            show = np.linspace(0, len(X) - 1, min(len(X), MAX_POINTS)).astype(int)
            pixels = boundary.image(lambda p: self.net.forward(self.inputs(run, p), keep=False), raw[show],
                                    run.arrays[1][show], BOUNDARY_PIXELS, BOUNDARY_PIXELS, box, radius=1.6)
        else:
            points = boundary.grid(box, BOUNDARY_PIXELS, BOUNDARY_PIXELS)
            pixels = shade(self.net.forward(self.inputs(run, points), keep=False)[:, 0], BOUNDARY_PIXELS)
            note += "; blue above the mean target, vermilion below"
        return units, {"png": data_url(pixels), "features": names, "box": list(box), "note": note}


def layer_notes(net: Network) -> dict[str, dict[str, Any]]:
    """For each column of the diagram past the inputs: its formula (the activation's own text), the NumPy line
    that computes it and its biases, for the hover text."""
    notes = {}
    for k, layer in enumerate(net.layers, 1):
        if not hasattr(layer, "weights"):
            notes[str(k)] = {"summary": layer.summary(), "formula": f"a{k} = a{k - 1} (dropout acts in training only)",
                             "numpy": f"a{k} = a{k - 1} * mask / (1 - rate)  # training", "bias": []}
            continue
        act = layer.activation
        formula = f"z{k} = a{k - 1} . W{k} + b{k};  " + act.formula.format(a=f"a{k}", z=f"z{k}", error="dL/da")
        bias = layer.bias[:MAX_UNITS].tolist() if getattr(layer, "use_bias", True) else []
        notes[str(k)] = {"summary": layer.summary(), "formula": formula, "activation": act.name,
                         "derivative": act.derivative.format(a=f"a{k}", z=f"z{k}"),
                         "numpy": f"z{k} = a{k - 1} @ W{k} + b{k}; a{k} = {act.name}(z{k})", "bias": bias}
    return notes


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
