"""docs/notebook.ipynb runs on a real Jupyter kernel (nbclient + ipykernel), and what it shows is checked: the
diagram of the network with every weight, a progress bar that is a widget (no \\r frames in the saved output), the
History's curves and one-line text, a DataFrame, a loss plot redrawn in place, and a model bundle with its
preprocessing."""

import json
import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("ipywidgets")

import glassnet as gn  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebook.ipynb"


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    folder = tmp_path_factory.mktemp("notebook")
    env_path = os.pathsep.join([str(Path(gn.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])
    os.environ["PYTHONPATH"], before = env_path, os.environ.get("PYTHONPATH")
    try:
        nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = before
    return [c for c in nb.cells if c.cell_type == "code"]


def data(cell, kind):
    return [o["data"][kind] for o in cell.outputs if "data" in o and kind in o["data"]]


def test_no_cell_fails_and_nothing_writes_carriage_returns(cells):
    for cell in cells:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
        assert "\r" not in json.dumps(cell.outputs), cell.source


def test_the_network_shows_its_diagram(cells):
    (html,) = data(cells[0], "text/html")
    assert html.count("data-weight=") == 2 * 8 + 8 * 2 and "<svg" in html and "2 &rarr; 8 tanh &rarr; 2 softmax" in html
    assert data(cells[0], "text/plain")[0].startswith("Network([")


def test_fit_shows_a_notebook_bar_and_the_history_its_curves(cells):
    bars = data(cells[1], "application/vnd.jupyter.widget-view+json")
    assert bars, "no progress widget"
    assert not [o for o in cells[1].outputs if o.output_type == "stream"]  # no text bar, no lines
    html = data(cells[1], "text/html")[-1]
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(re.findall(r'data-series="(\w+)"', html))
    assert "best epoch (lowest val_loss)" in html
    (text,) = [o["text"] for o in cells[2].outputs if o.output_type == "stream"]
    assert text.startswith("History(150 epochs; last: loss ") and len(text) < 300


def test_the_frame_and_the_live_plot(cells):
    (table,) = data(cells[3], "text/html")
    assert "val_accuracy" in table and "<th>150</th>" in table
    (live,) = data(cells[4], "text/html")  # the display, updated in place: its last drawing
    assert live.startswith("<p>epoch 210: History(60 epochs")
    points = re.search(r'data-series="loss" points="([^"]+)"', live).group(1).split()
    assert len(points) == 60


def test_the_model_bundle_and_its_preprocessing(cells):
    (html,) = data(cells[5], "text/html")
    assert "species: classification into 3 classes (setosa, versicolor, virginica)" in html and "<svg" in html
    assert re.match(r"Model\(4 -> 6 tanh -> 3 softmax, \d+ epochs trained; Preprocessor\(4 columns", data(cells[5],
                                                                                                           "text/plain")[0])
    (prep,) = data(cells[6], "text/html")
    assert prep.count("numeric, mean") == 4
