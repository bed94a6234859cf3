"""Pictures, drawn with matplotlib's Agg backend: loss curves and 2-D decision boundaries.

matplotlib is the optional extra ``glassnet[plot]`` and is imported only inside these functions; without it
they raise an InputError that says how to install it. A classifier's decision boundary is the picture that
``glassnet.viz.boundary`` draws for the HTML report, put on matplotlib's axes.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..formats.files import output_file
from ..tabular.model import Model
from ..tabular.table import Table
from . import boundary

INSTALL = 'plotting needs matplotlib, which is not installed: pip install "glassnet[plot]"'


def require() -> None:
    """Raise the one-line install hint if matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(INSTALL) from None


def check_image_file(path: str, option: str, keep: dict[str, str | None] | None = None) -> str:
    """``path`` if matplotlib can draw to it: a writable place, none of the files in ``keep`` (see
    ``output_file``), and a file type it knows (.png, .svg, .pdf, ...)."""
    import os

    require()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    output_file(path, option, keep, temporary=False)  # (matplotlib writes the file itself, under its name)
    kinds = FigureCanvasAgg.get_supported_filetypes()
    if os.path.splitext(path)[1].lower().lstrip(".") not in kinds:
        raise InputError(f"{option} {path}: the name must end in a picture type matplotlib writes: "
                         f"{', '.join('.' + k for k in sorted(kinds))}")
    return path


def _figure(width: float, height: float):
    require()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def loss_curves(history: dict, path: str) -> None:
    """Training and (if present) validation loss per epoch, on a log scale, saved as an image to ``path``."""
    fig = _figure(6, 4)
    draw_loss_curves(history, fig.add_subplot())
    fig.savefig(path, dpi=100)


def draw_loss_curves(history: dict, ax=None):
    """Draw the loss curves on matplotlib axes ``ax`` (new pyplot ones if None, for notebooks); return them."""
    if ax is None:
        require()
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=(6, 4), layout="constrained").add_subplot()
    epochs = np.arange(1, len(history["loss"]) + 1)
    ax.plot(epochs, history["loss"], label="training")
    if "val_loss" in history:
        ax.plot(epochs, history["val_loss"], label="validation")
    ax.set(xlabel="epoch", ylabel="loss", yscale="log", title="loss per epoch")
    ax.legend()
    return ax


def decision_boundary(model: Model, table: Table, path: str, resolution: int = 240) -> None:
    """The model's prediction over the plane of its two numeric inputs, with the table's rows on top.

    Classification: ``boundary.image`` (each class's colour, pale where the model is unsure, a dark line where
    the predicted class changes), rows in the colour of their true class (or predicted one, if the table lacks
    the target). Regression: the predicted value as a colour map, rows coloured by their value. An InputError
    where the rows cannot be drawn: see ``_rows`` and ``boundary.bounds``.
    """
    net, prep = model.network, model.preprocessing
    if prep is None or prep.has_categories or len(prep.columns) != 2:
        columns = "none saved" if prep is None else ", ".join(prep.input_columns)
        raise InputError(f"a decision boundary needs a model with exactly two numeric input columns; this one "
                         f"has: {columns}")
    table, points, outputs = _rows(model, table)
    box = boundary.bounds(points, names=prep.input_columns)
    predict = boundary.predictor(net, prep)
    has_target = prep.target.name in table.columns
    fig = _figure(6, 5)
    ax = fig.add_subplot()
    if prep.task == "classification":
        from matplotlib.patches import Patch

        labels = prep.targets(table) if has_target else outputs.argmax(axis=1)
        ax.imshow(boundary.image(predict, points, labels, resolution, resolution, box, 3), extent=box,
                  aspect="auto", interpolation="nearest")
        colours = boundary.colours(len(prep.target.classes)) / 255
        ax.legend(handles=[Patch(color=c, label=name) for c, name in zip(colours, prep.target.classes)],
                  title=prep.target.name, fontsize="small")
    else:
        surface = prep.target.decode(predict(boundary.grid(box, resolution, resolution)))
        shown = ax.imshow(surface.reshape(resolution, resolution), extent=box, aspect="auto", cmap="viridis")
        fig.colorbar(shown, ax=ax, label=f"predicted {prep.target.name}")
        values = table.numbers(prep.target.name) if has_target else prep.target.decode(outputs)
        ax.scatter(points[:, 0], points[:, 1], c=values, cmap="viridis", norm=shown.norm, s=14,
                   edgecolors="black", linewidths=0.4)
    ax.set(xlabel=prep.input_columns[0], ylabel=prep.input_columns[1], title=f"{prep.target.name}: predictions")
    fig.savefig(path, dpi=100)


def _rows(model: Model, table: Table) -> tuple[Table, np.ndarray, np.ndarray]:
    """The rows of ``table`` without a missing input cell, their (rows, 2) points on the plane, and the model's
    outputs for them. An InputError if there are none, or (from ``Model.outputs``) at the first cell that is
    infinite or too large for the network."""
    prep = model.preprocessing
    table.require(prep.input_columns)
    table = table.take(np.flatnonzero(~np.logical_or.reduce([table.missing(c) for c in prep.input_columns])))
    if not len(table):
        raise InputError(f"{table.source}: every row has a missing input cell; there are no points to draw")
    outputs = model.outputs_of(table)
    return table, np.column_stack([table.numbers(name) for name in prep.input_columns]), outputs
