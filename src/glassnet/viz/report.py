"""A trained model as one self-contained HTML page: no scripts, no fonts, no links to fetch.

Sections: a summary; the network drawn as SVG (one line per weight, width growing with |w|, blue for
positive and vermilion for negative weights; a layer without weights, such as dropout, as dashed one-to-one
lines); loss and metric curves; and, given labelled rows, the confusion matrix (classification) or predicted
against true values (regression), plus the decision boundary over the two input columns of a 2-feature
classifier.
"""

from __future__ import annotations

import base64
from html import escape

import numpy as np

from .. import metrics
from ..ensemble import Ensemble
from ..errors import InputError
from ..network import Network
from ..tabular.evaluation import finite, labelled_rows, metric_text
from ..tabular.model import Model
from ..tabular.preprocessing import Numeric
from ..tabular.table import Table, quote
from . import boundary, png, svg

Array = np.ndarray
POSITIVE, NEGATIVE = "#0072b2", "#d55e00"
MAX_UNITS = 24  # units drawn per layer; the rest are counted
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; } td, th { padding: 4px 10px; border: 1px solid #ccc; text-align: right; }
th { background: #f4f4f4; } .note { color: #555; font-size: 0.9em; } dl { display: grid;
grid-template-columns: max-content auto; gap: 2px 16px; } dt { font-weight: 600; } dd { margin: 0; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
"""


def render(model: Model, title: str, table: Table | None = None) -> str:
    """The report page of ``model``; ``table`` (rows with the model's columns and target) adds the sections
    that need data."""
    net, prep = model.network, model.preprocessing
    if table is not None and prep is None:
        raise InputError("this model holds no CSV preprocessing (it was saved from Python), so it cannot read DATA; "
                         "make the report without DATA")
    drawn = net.member(0) if isinstance(net, Ensemble) else net  # an ensemble: its first member's weights
    note = _network_note(drawn) + (f" The drawing shows the first of the ensemble's {net.members} members, which "
                                   "differ only in their weights." if drawn is not net else "")
    sections = [_summary(model, title), _section("network", "The network", network_svg(drawn, prep), note),
                _curves(net)]
    if table is not None:
        table = labelled_rows(table, prep)[0]
        labels = prep.targets(table)
        outputs = model.outputs_of(table)  # (an InputError for a cell or row the network cannot compute)
        if prep.task == "classification":
            sections.append(_confusion(labels, outputs, prep.target.classes, table.source))
            if len(prep.columns) == 2 and all(isinstance(c, Numeric) for c in prep.columns):
                sections.append(_boundary(net, prep, table, labels))
        else:
            sections.append(_residuals(prep, table, outputs))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(sections) + "\n</body></html>\n")


def _section(key: str, heading: str, body: str, note: str = "") -> str:
    note = f'<p class="note">{note}</p>' if note else ""
    return f'<section id="{key}"><h2>{escape(heading)}</h2>{note}{body}</section>'


def _summary(model: Model, title: str) -> str:
    net = model.network
    items = {"architecture": escape(net.summary()).replace("-&gt;", "&rarr;"), "parameters": f"{net.n_params:,}",
             "loss": escape(net.loss.describe()) if net.loss else "not set",
             "optimizer": escape(repr(net.optimizer)) if net.optimizer else "not set",
             "epochs trained": str(net.epochs_trained)}
    for key, values in net.history.items():
        if values and np.isfinite(values[-1]):
            items[f"last {escape(key)}"] = f"{values[-1]:.4g}"
    best = net.history.best("val_loss")
    if best:
        items["lowest val_loss"] = f"{best[1]:.4g} at epoch {best[0]}"
    if net.history.kept():
        items["weights kept by early stopping"] = net.history.kept()
    for key, value in (model.record.test_metrics or {}).items():
        if isinstance(value, float):
            items[f"test {escape(key)}"] = f"{value:.4g}"
    rows = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items.items())
    return f'<h1>{escape(title)}</h1><section id="summary"><dl>{rows}</dl></section>'


def _names(net: Network, prep: object) -> tuple[list[str], list[str]]:
    if prep is None:
        return [f"x{i + 1}" for i in range(net.n_inputs)], [f"y{j + 1}" for j in range(net.n_outputs)]
    outputs = prep.target.classes if prep.task == "classification" else [prep.target.name]
    return prep.feature_names, list(outputs)


def _biggest_weight(net: Network) -> float:
    return max((float(np.abs(layer.weights).max()) for layer in net.layers if hasattr(layer, "weights")),
               default=0.0)


def network_svg(net: Network, prep: object = None) -> str:
    """Columns of units, inputs on the left; each weight a line (width and opacity grow with |w|); a layer
    without weights (dropout) as dashed one-to-one lines, captioned with its summary. Lines name their weight
    (``data-layer``, ``data-from``, ``data-to``) and circles their unit (``data-unit="column,unit"``), for the
    playground's hover text."""
    sizes = [net.n_inputs] + [layer.n_out for layer in net.layers]
    shown = [min(n, MAX_UNITS) for n in sizes]
    width, height, label_space = 180 * len(sizes) + 160, 28 * max(shown) + 60, 120
    xs = [label_space + i * 180 for i in range(len(sizes))]

    def y(i: int, j: int) -> float:
        return 30 + (height - 60) * (j + 0.5) / shown[i]

    biggest = _biggest_weight(net) or 1.0
    parts = []
    for i, layer in enumerate(net.layers):
        if not hasattr(layer, "weights"):
            parts += [f'<line x1="{xs[i]}" y1="{y(i, j):.1f}" x2="{xs[i + 1]}" y2="{y(i + 1, j):.1f}" '
                      'stroke="#888" stroke-dasharray="4 3"/>' for j in range(min(shown[i], shown[i + 1]))]
            parts.append(f'<text x="{(xs[i] + xs[i + 1]) / 2}" y="18" text-anchor="middle">'
                         f'{escape(layer.summary())}</text>')
            continue
        w = layer.weights[:shown[i], :shown[i + 1]].astype(np.float64)
        ya, yb = [f"{y(i, a):.1f}" for a in range(w.shape[0])], [f"{y(i + 1, b):.1f}" for b in range(w.shape[1])]
        scaled = (np.abs(w) / biggest).tolist()
        for a, (row, row_size) in enumerate(zip(w.tolist(), scaled)):  # (plain floats: a large layer is quick)
            parts += [f'<line x1="{xs[i]}" y1="{ya[a]}" x2="{xs[i + 1]}" y2="{yb[b]}" '
                      f'stroke="{POSITIVE if value >= 0 else NEGATIVE}" stroke-width="{0.3 + 4 * size:.2f}" '
                      f'stroke-opacity="{0.25 + 0.75 * size:.2f}" data-weight="{value:.6g}" '
                      f'data-layer="{i}" data-from="{a}" data-to="{b}"/>'
                      for b, (value, size) in enumerate(zip(row, row_size))]
    inputs, outputs = _names(net, prep)
    for i, n in enumerate(shown):
        for j in range(n):
            parts.append(f'<circle cx="{xs[i]}" cy="{y(i, j):.1f}" r="7" fill="#fff" stroke="#333" '
                         f'data-unit="{i},{j}"/>')
        names = inputs if i == 0 else outputs if i == len(sizes) - 1 else []
        anchor, dx = ("end", -12) if i == 0 else ("start", 12)
        parts += [f'<text x="{xs[i] + dx}" y="{y(i, j) + 4:.1f}" text-anchor="{anchor}">{escape(str(name))}</text>'
                  for j, name in enumerate(names[:n])]
        kind = "input" if i == 0 else "unit"
        caption = f"{sizes[i]} {kind}{'s' if sizes[i] > 1 else ''}"
        if n < sizes[i]:
            caption += f" ({sizes[i] - n} not drawn)"
        parts.append(f'<text x="{xs[i]}" y="{height - 8}" text-anchor="middle">{caption}</text>')
    return svg.svg(parts, "network diagram", width, height)


def _network_note(net: Network) -> str:
    biggest = _biggest_weight(net)
    return (f'Each line is one weight: <span style="color:{POSITIVE}">blue positive</span>, '
            f'<span style="color:{NEGATIVE}">vermilion negative</span>, thicker and darker the larger its size '
            f'(the largest is {biggest:.3g}). Biases are not drawn.')


def _curves(net: Network) -> str:
    history = net.history
    if not history.get("loss"):
        return _section("curves", "Training curves", "", "This model has no training history.")
    charts = [svg.line_chart({k: history[k] for k in ("loss", "val_loss") if k in history}, "loss")]
    for key in history:
        if key != "loss" and not key.startswith("val_"):
            charts.append(svg.line_chart({k: history[k] for k in (key, f"val_{key}") if k in history}, key))
    return _section("curves", "Training curves", f'<div class="charts">{"".join(charts)}</div>',
                    f"{history.epochs} epochs; values are per epoch, training rows and (val_) validation rows.")


def _confusion(labels: Array, outputs: Array, classes: list[str], source: str) -> str:
    scores = metrics.classification_report(labels, boundary.probabilities(outputs), classes)
    if len(classes) > metrics.SHOWN_CLASSES:
        return _section("confusion", "Confusion matrix", "", f"{len(labels)} rows of {escape(source)}: accuracy "
                        f"{scores['accuracy']:.4f}. The matrix of {len(classes)} classes ({len(classes) ** 2:,} cells) "
                        "is not drawn: glassnet evaluate --json gives it.")
    counts = np.array(scores["confusion_matrix"])
    head = "<tr><th>true \\ predicted</th>" + "".join(f"<th>{escape(c)}</th>" for c in classes) + "</tr>"
    rows = []
    for i, name in enumerate(classes):
        total = max(counts[i].sum(), 1)
        cells = "".join(
            f'<td style="background: rgba(0, 114, 178, {0.8 * n / total:.2f})">{n}</td>' for n in counts[i])
        rows.append(f"<tr><th>{escape(name)}</th>{cells}</tr>")
    return _section("confusion", "Confusion matrix", f'<table class="confusion">{head}{"".join(rows)}</table>',
                    f"{counts.sum()} rows of {escape(source)}: accuracy {scores['accuracy']:.4f}. Row i, column j "
                    "counts the rows of class i that the model put in class j; the diagonal is right. Rows the model "
                    "was trained on make this look better than new rows would.")


def _residuals(prep, table: Table, outputs: Array) -> str:
    truth, predicted = table.numbers(prep.target.name), prep.target.decode(outputs)
    scores = finite(metrics.regression_report(truth, predicted), table, prep)  # (as evaluate refuses them)
    chart = svg.scatter_against_truth(truth, predicted, prep.target.name)
    note = (f"{len(truth)} rows of {escape(table.source)}: mean absolute error {scores['mae']:.4g}, "
            f"root mean squared error {scores['rmse']:.4g}, R&sup2; {metric_text(scores['r2'])}. Perfect predictions "
            "lie on the dashed line.")
    return _section("residuals", "Predictions against true values", chart, note)


def _boundary(net: Network, prep, table: Table, labels: Array) -> str:
    """The decision boundary section: the chart of ``_boundary_chart``, or, where the rows cannot be drawn (none
    without a missing cell, values that span more than float64 holds), a line that says why not."""
    names = prep.input_columns
    raw = np.column_stack([table.numbers(name) for name in names])
    present = np.isfinite(raw).all(axis=1)  # (rows with a missing cell are not drawn)
    if not present.any():
        return _not_drawn(f"every row of {table.source} has a missing cell in {quote(names[0])} or "
                          f"{quote(names[1])}; there are no points to draw")
    try:
        return _boundary_chart(net, prep, raw[present], labels[present])
    except InputError as e:  # (from boundary.bounds or boundary.predictor: the page is written without it)
        return _not_drawn(str(e))


def _not_drawn(reason: str) -> str:
    """The decision boundary section as one line: why it is not drawn."""
    return _section("boundary", "Decision boundary", "", f"The decision boundary is not drawn: {escape(reason)}.")


def _boundary_chart(net: Network, prep, raw: Array, labels: Array) -> str:
    """The model's classes over the plane of its two input columns (``boundary.image``), with axes and legend."""
    names = prep.input_columns
    box = boundary.bounds(raw, names=names)
    size = 360
    pixels = boundary.image(boundary.predictor(net, prep), raw, labels, size, size, box, 4)
    data = base64.b64encode(png.encode(pixels)).decode("ascii")
    left, top = svg.LEFT, svg.TOP
    x = svg.Axis(box[0], box[1], left, left + size)
    y = svg.Axis(box[2], box[3], top + size, top)
    parts = [f'<image x="{left}" y="{top}" width="{size}" height="{size}" href="data:image/png;base64,{data}"/>',
             f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#888"/>']
    for t in x.ticks():
        parts.append(f'<text x="{x(t):.1f}" y="{top + size + 16}" text-anchor="middle">{t:.3g}</text>')
    for t in y.ticks():
        parts.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{t:.3g}</text>')
    parts.append(f'<text x="{left + size / 2}" y="{top + size + 36}" text-anchor="middle">{escape(names[0])}</text>')
    parts.append(f'<text transform="translate(14 {top + size / 2}) rotate(-90)" text-anchor="middle">'
                 f'{escape(names[1])}</text>')
    palette = boundary.colours(len(prep.target.classes))
    legend = ", ".join(f'<span style="color:rgb{tuple(int(c) for c in colour)}">{escape(name)}</span>'
                       for colour, name in zip(palette, prep.target.classes))
    chart = svg.svg(parts, "decision boundary", left + size + 20, top + size + 50)
    return _section("boundary", "Decision boundary", chart,
                    f"What the model predicts over the plane of {escape(names[0])} and {escape(names[1])}: each "
                    f"class's colour ({legend}), pale where the model is unsure, a dark line where the predicted "
                    "class changes; the dots are the rows, in their true class's colour.")
