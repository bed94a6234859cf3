"""How glassnet objects draw themselves in Jupyter: the HTML that ``Network``, ``History``, ``Preprocessor`` and
``Model`` return from ``_repr_html_``, the short one-line texts of their ``__repr__``, and ``LiveLoss``, a ``fit``
callback that redraws the loss curves in place while a network trains.

The pictures are the HTML report's (``report.network_svg``, ``svg.line_chart``), not second drawings; every name
that comes from a file (a column, a class, a category) is escaped where it lands.
"""

from __future__ import annotations

import math
import time
from html import escape
from typing import Any

from ..errors import InputError
from . import svg

STYLE = ("font-family: system-ui, sans-serif; font-size: 13px; border-collapse: collapse; margin: 4px 0")
CELL = "padding: 2px 10px; border: 1px solid #ddd; text-align: left"


def _dl(items: dict[str, str]) -> str:
    """A two-column table of already-escaped values, named by plain keys."""
    rows = "".join(f'<tr><th style="{CELL}">{escape(k)}</th><td style="{CELL}">{v}</td></tr>' for k, v in items.items())
    return f'<table style="{STYLE}">{rows}</table>'


def _last(values: list[float]) -> str:
    finite = [v for v in values if math.isfinite(v)]
    return f"{finite[-1]:.4g}" if finite else "none"


def history_text(history: Any) -> str:
    """``History(300 epochs; loss 0.0123, val_loss 0.02; best epoch 120)``: what a 300-epoch dict would bury."""
    if not history.epochs:
        return "History(no epochs)"
    last = ", ".join(f"{key} {_last(values)}" for key, values in history.items())
    best = history.best()
    where = f"; best epoch {best[0]} ({history.watched} {best[1]:.4g})" if best else ""
    return f"History({history.epochs} epoch{'s' if history.epochs != 1 else ''}; last: {last}{where})"


def history_html(history: Any) -> str:
    """The loss curves (training and validation) and every other metric's, with the last and the best epoch."""
    if not history.epochs:
        return "<p>History: no epochs yet</p>"
    charts = [svg.line_chart({k: history[k] for k in ("loss", "val_loss") if k in history}, "loss")]
    for key in history:
        if key != "loss" and not key.startswith("val_"):
            charts.append(svg.line_chart({k: history[k] for k in (key, f"val_{key}") if k in history}, key))
    items = {"epochs": str(history.epochs)}
    items.update({f"last {key}": _last(values) for key, values in history.items()})
    best = history.best()
    if best:
        items[f"best epoch (lowest {history.watched})"] = f"{best[0]} ({best[1]:.4g})"
    if history.kept():
        items["weights kept by early stopping"] = history.kept()
    return f'<div class="glassnet-history">{_dl(items)}<div style="display:flex;flex-wrap:wrap">{"".join(charts)}' \
           "</div></div>"


def network_items(net: Any) -> dict[str, str]:
    """The summary of a network, escaped for HTML."""
    return {"architecture": escape(net.summary()).replace("-&gt;", "&rarr;"), "parameters": f"{net.n_params:,}",
            "loss": escape(net.loss.name) if net.loss else "not set yet (fit sets it)",
            "optimizer": escape(repr(net.optimizer)) if net.optimizer else "not set yet (fit sets it)",
            "epochs trained": str(net.epochs_trained), "seed": str(net.seed), "dtype": net.dtype.name}


def network_html(net: Any, prep: Any = None) -> str:
    """The summary and the network diagram (one line per weight, colour its sign, width its size; of an ensemble,
    its first member's, as the report draws it)."""
    from .report import network_svg

    items = network_items(net)
    if net.history.epochs:
        items["history"] = escape(history_text(net.history))
    drawn = net.member(0) if hasattr(net, "member") else net
    return f'<div class="glassnet-network">{_dl(items)}{network_svg(drawn, prep)}</div>'


def column_text(column: Any) -> str:
    """One input column in words: ``sepal_length: numeric, mean 5.84, scale 0.825`` or its categories."""
    if hasattr(column, "categories"):
        shown = ", ".join(column.categories[:8]) + (", ..." if len(column.categories) > 8 else "")
        return f"{column.name}: one-hot, {len(column.categories)} categories ({shown})"
    return f"{column.name}: numeric, mean {column.mean:.4g}, scale {column.scale:.4g}"


def target_text(target: Any) -> str:
    if target.task == "classification":
        shown = ", ".join(target.classes[:8]) + (", ..." if len(target.classes) > 8 else "")
        return f"{target.name}: classification into {len(target.classes)} classes ({shown})"
    return f"{target.name}: regression, mean {target.mean:.4g}, scale {target.scale:.4g}"


def preprocessor_text(prep: Any) -> str:
    return (f"Preprocessor({len(prep.columns)} column{'s' if len(prep.columns) != 1 else ''} -> {prep.n_inputs} "
            f"inputs; target {target_text(prep.target)})")


def preprocessor_html(prep: Any) -> str:
    """One row per input column (what it becomes), and the target."""
    items = {f"input {i + 1}": escape(column_text(c)) for i, c in enumerate(prep.columns)}
    items["target"] = escape(target_text(prep.target))
    return f'<div class="glassnet-preprocessing">{_dl(items)}</div>'


def model_text(model: Any) -> str:
    prep = "no preprocessing" if model.preprocessing is None else preprocessor_text(model.preprocessing)
    return f"Model({model.network.summary()}, {model.network.epochs_trained} epochs trained; {prep})"


def model_html(model: Any) -> str:
    """The network (summary and diagram), its preprocessing, the test metrics and the loss curves."""
    parts = [network_html(model.network, model.preprocessing)]
    if model.preprocessing is not None:
        parts.append(preprocessor_html(model.preprocessing))
    scores = {k: f"{v:.4g}" for k, v in (model.record.test_metrics or {}).items() if isinstance(v, float)}
    if scores:
        parts.append(_dl({f"test {k}": v for k, v in scores.items()}))
    if model.network.history.epochs:
        parts.append(history_html(model.network.history))
    return f'<div class="glassnet-model">{"".join(parts)}</div>'


class LiveLoss:
    """A ``fit`` callback that redraws the loss curves in place in Jupyter while the network trains:

        net.fit(X, y, epochs=300, validation_split=0.2, callback=LiveLoss(epochs=300))

    It draws at most once every ``every`` seconds, and after the ``epochs``-th epoch it sees (if given), with
    the same SVG chart as ``History``'s view. Needs IPython (any Jupyter kernel has it)."""

    def __init__(self, epochs: int | None = None, every: float = 0.25) -> None:
        try:
            from IPython.display import HTML, display
        except ImportError:
            raise InputError("LiveLoss draws in Jupyter and needs IPython, which is not installed: pip install "
                             "ipykernel") from None
        from ..history import History

        self.html, self.epochs, self.every = HTML, epochs, every
        self.history, self.drawn = History(), -math.inf
        self.handle = display(HTML("<p>waiting for the first epoch</p>"), display_id=True)

    def __call__(self, epoch: int, values: dict[str, float]) -> None:
        self.history.append({k: v for k, v in values.items() if k in ("loss", "val_loss")})
        now = time.perf_counter()
        if now - self.drawn >= self.every or self.history.epochs == self.epochs:
            self.drawn = now
            series = {k: self.history[k] for k in ("loss", "val_loss") if k in self.history}
            note = f"<p>epoch {epoch}: {escape(history_text(self.history))}</p>"
            self.handle.update(self.html(note + svg.line_chart(series, "loss")))
