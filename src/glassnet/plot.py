"""Pictures, drawn with matplotlib's Agg backend: loss curves and 2-D decision boundaries.

matplotlib is the optional extra ``glassnet[plot]`` and is imported only inside these functions; without it
they raise an InputError that says how to install it.
"""

from __future__ import annotations

import numpy as np

from . import checks
from .data import Table, numbers
from .errors import InputError

INSTALL = 'plotting needs matplotlib, which is not installed: pip install "glassnet[plot]"'


def require() -> None:
    """Raise the one-line install hint if matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(INSTALL) from None


def check_image_file(path: str, option: str) -> str:
    """``path`` if matplotlib can draw to it: a writable place and a file type it knows (.png, .svg, .pdf, ...)."""
    import os

    require()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    checks.output_file(path, option)
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
    ax = fig.add_subplot()
    epochs = np.arange(1, len(history["loss"]) + 1)
    ax.plot(epochs, history["loss"], label="training")
    if "val_loss" in history:
        ax.plot(epochs, history["val_loss"], label="validation")
    ax.set(xlabel="epoch", ylabel="loss", yscale="log", title="loss per epoch")
    ax.legend()
    fig.savefig(path, dpi=100)


def decision_boundary(net, table: Table, path: str, resolution: int = 200) -> None:
    """The model's prediction over the plane of its two numeric inputs, with the table's rows on top.

    Classification: each region in the colour of its predicted class (argmax of the outputs), rows in the
    colour of their true class (or predicted one, if the table lacks the target). Regression: the predicted
    value as filled contours, rows coloured by their value.
    """
    prep = net.preprocessing
    if prep is None or prep.has_categories or len(prep.columns) != 2:
        columns = "none saved" if prep is None else ", ".join(prep.input_columns)
        raise InputError(f"a decision boundary needs a model with exactly two numeric input columns; this one "
                         f"has: {columns}")
    table.require(prep.input_columns)
    points = np.column_stack([numbers(table, name) for name in prep.input_columns])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = np.maximum(high - low, 1e-9) * 0.1
    u, v = (np.linspace(low[i] - pad[i], high[i] + pad[i], resolution) for i in (0, 1))
    grid = np.column_stack([a.ravel() for a in np.meshgrid(u, v)])
    outputs = net.predict((grid - prep.means) / prep.scales).astype(np.float64)
    has_target = prep.target.name in table.columns
    fig = _figure(6, 5)
    ax = fig.add_subplot()
    if prep.task == "classification":
        colours = _colours(len(prep.target.classes))
        region = outputs.argmax(axis=1).reshape(resolution, resolution)
        ax.contourf(u, v, region, levels=np.arange(len(colours) + 1) - 0.5, colors=colours, alpha=0.35)
        labels = prep.targets(table) if has_target else net.predict(prep.inputs(table)).argmax(axis=1)
        for k, name in enumerate(prep.target.classes):
            rows = labels == k
            ax.scatter(points[rows, 0], points[rows, 1], s=14, color=colours[k], edgecolors="black",
                       linewidths=0.4, label=name)
        ax.legend(title=prep.target.name, fontsize="small")
    else:
        surface = prep.target.decode(outputs).reshape(resolution, resolution)
        filled = ax.contourf(u, v, surface, levels=20, cmap="viridis")
        fig.colorbar(filled, ax=ax, label=f"predicted {prep.target.name}")
        values = numbers(table, prep.target.name) if has_target else prep.target.decode(
            net.predict(prep.inputs(table)).astype(np.float64))
        ax.scatter(points[:, 0], points[:, 1], c=values, cmap="viridis", norm=filled.norm, s=14,
                   edgecolors="black", linewidths=0.4)
    ax.set(xlabel=prep.input_columns[0], ylabel=prep.input_columns[1], title=f"{prep.target.name}: predictions")
    fig.savefig(path, dpi=100)


def _colours(n: int) -> list:
    """n distinct colours (tab10, or tab20 beyond ten classes, repeating beyond twenty)."""
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(k % cmap.N) for k in range(n)]
