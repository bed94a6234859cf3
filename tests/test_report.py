"""glassnet report: a self-contained HTML page whose parts show the model's real numbers; it renders in Chromium."""

import base64
import io as bytes_io
import os
import shutil
import subprocess
import zlib
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

import glassnet as gn
from csv_models import moons_model, regression_csv, save_model
from glassnet.cli import main
from glassnet.tabular import csvfile as tables
from glassnet.tabular import datasets
from glassnet.viz import boundary, png, svg


class Page(HTMLParser):
    """Every start tag with its attributes, the text inside each <section>, and the confusion table's cells."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.section, self.texts, self.cells, self.in_cell = [], None, {}, [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs, self.section))
        if tag == "section":
            self.section = attrs["id"]
        self.in_cell = tag == "td" and self.section == "confusion"

    def handle_endtag(self, tag):
        if tag == "section":
            self.section = None
        self.in_cell = False

    def handle_data(self, text):
        if self.section:
            self.texts[self.section] = self.texts.get(self.section, "") + text
        if self.in_cell:
            self.cells.append(int(text))

    def find(self, tag, section=None):
        return [attrs for t, attrs, s in self.tags if t == tag and (section is None or s == section)]

    def sections(self):
        return [attrs["id"] for attrs in self.find("section")]


@pytest.fixture(scope="module")
def moons(tmp_path_factory):
    folder = tmp_path_factory.mktemp("moons")
    model = moons_model(folder / "moons.safetensors")
    assert main(["report", str(folder / "moons.safetensors"), "moons", "--out", str(folder / "moons.html")]) == 0
    return model, (folder / "moons.html").read_text()


def test_page_is_self_contained(moons):
    _, text = moons
    page = Page(text)
    assert not page.find("script") and not page.find("link") and not page.find("iframe")
    for _, attrs, _ in page.tags:
        for key in ("src", "href"):
            assert attrs.get(key) is None or attrs[key].startswith("data:"), attrs
    assert {attrs["xmlns"] for attrs in page.find("svg")} == {"http://www.w3.org/2000/svg"}  # a name, not a fetch
    assert text.count("http") == len(page.find("svg"))
    assert "url(" not in text and "@import" not in text and "@font-face" not in text


def test_sections(moons):
    assert Page(moons[1]).sections() == ["summary", "network", "curves", "confusion", "boundary"]


def test_network_diagram_draws_every_weight_by_size_and_sign(moons):
    model, text = moons
    net = model.network
    lines = Page(text).find("line", "network")
    weights = np.array([float(a["data-weight"]) for a in lines])
    expected = np.concatenate([layer.weights.ravel() for layer in net.layers])
    np.testing.assert_allclose(weights, expected, rtol=1e-5, atol=1e-12)
    order = np.argsort(np.abs(weights))
    widths = np.array([float(a["stroke-width"]) for a in lines])[order]
    assert np.all(np.diff(widths) >= 0) and widths[-1] > 10 * widths[0]
    colours = {a["stroke"] for a, w in zip(lines, weights) if w > 0}, {a["stroke"] for a, w in zip(lines, weights)
                                                                        if w < 0}
    assert len(colours[0]) == len(colours[1]) == 1 and colours[0] != colours[1]


def test_curves_follow_the_history(moons):
    model, text = moons
    net = model.network
    series = {a["data-series"]: a["points"] for a in Page(text).find("polyline", "curves")}
    assert set(series) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    for name, points in series.items():
        xy = np.array([p.split(",") for p in points.split()], dtype=float)
        values = np.array(net.history[name])
        assert len(xy) == len(values) == 60
        assert np.all(np.diff(xy[:, 0]) > 0)
        ys = xy[np.argsort(values, kind="stable"), 1]  # larger values are drawn higher up: smaller y
        assert np.all(np.diff(ys) <= 0.1), name
    best = int(np.argmin(net.history["val_loss"]))
    assert f"{net.history['val_loss'][best]:.4g} at epoch {best + 1}" in text


def test_confusion_matrix_counts(moons):
    model, text = moons
    net = model.network
    table = datasets.load("moons")
    prep = model.preprocessing
    labels = table.numbers("label").astype(int)
    raw = np.column_stack([table.numbers(c) for c in ("x1", "x2")])
    predicted = net.predict((raw - raw.mean(axis=0)) / raw.std(axis=0)).argmax(axis=1)
    expected = np.zeros((2, 2), int)
    for t, p in zip(labels, predicted):
        expected[t, p] += 1
    np.testing.assert_array_equal(np.array(Page(text).cells).reshape(2, 2), expected)
    assert prep.target.classes == ["0", "1"]
    assert f"accuracy {np.trace(expected) / 200:.4f}" in Page(text).texts["confusion"]


def test_decision_boundary_colours_follow_the_predictions(moons):
    model, text = moons
    net = model.network
    (image,) = Page(text).find("image", "boundary")
    pixels = np.asarray(Image.open(bytes_io.BytesIO(base64.b64decode(image["href"].split(",", 1)[1]))).convert("RGB"),
                        dtype=int)
    assert pixels.shape == (360, 360, 3)
    table = datasets.load("moons")
    raw = np.column_stack([table.numbers(c) for c in ("x1", "x2")])
    low, high = raw.min(axis=0), raw.max(axis=0)
    low, high = low - 0.15 * (high - low), high + 0.15 * (high - low)
    rows, cols = np.mgrid[5:360:10, 5:360:10]
    u = low[0] + (cols.ravel() + 0.5) / 360 * (high[0] - low[0])
    v = high[1] - (rows.ravel() + 0.5) / 360 * (high[1] - low[1])
    points = np.column_stack([u, v])
    p1 = net.predict((points - raw.mean(axis=0)) / raw.std(axis=0))[:, 1]
    far = ((((points[:, None, :] - raw[None]) / (high - low) * 360) ** 2).sum(axis=2).min(axis=1) > 100)
    colour = pixels[rows.ravel(), cols.ravel()]
    orange, blue = colour[:, 0] > colour[:, 2] + 20, colour[:, 2] > colour[:, 0] + 20
    sure = far & ((p1 > 0.8) | (p1 < 0.2))
    assert sure.sum() > 300
    assert np.all(orange[sure & (p1 > 0.8)]) and np.all(blue[sure & (p1 < 0.2)])


def test_regression_report_shows_predictions_against_truth(tmp_path):
    csv = regression_csv(tmp_path / "lin.csv")
    model = save_model(tmp_path / "lin.safetensors", tables.read_csv(csv), "y", task="regression")
    net, prep = model.network, model.preprocessing
    assert main(["report", str(tmp_path / "lin.safetensors"), str(csv), "--out", str(tmp_path / "r.html")]) == 0
    page = Page((tmp_path / "r.html").read_text())
    assert page.sections() == ["summary", "network", "curves", "residuals"]
    dots = page.find("circle", "residuals")
    assert len(dots) == 60
    values = np.loadtxt(csv, delimiter=",", skiprows=1)
    predicted = net.predict((values[:, :2] - values[:, :2].mean(axis=0)) / values[:, :2].std(axis=0))[:, 0]
    predicted = predicted * prep.target.scale + prep.target.mean
    assert f"mean absolute error {np.abs(predicted - values[:, 2]).mean():.4g}" in page.texts["residuals"]
    xs = np.array([float(d["cx"]) for d in dots])
    assert np.corrcoef(xs, values[:, 2])[0, 1] > 0.999  # dots placed by true value, left to right


def test_without_data_and_a_network_saved_from_python(tmp_path, capsys):
    net = gn.Network([gn.Dense(3, 30, activation="relu"), gn.Dense(30, 1)], seed=0)
    net.save(tmp_path / "plain.safetensors")
    assert main(["report", str(tmp_path / "plain.safetensors"), "--out", str(tmp_path / "p.html")]) == 0
    page = Page((tmp_path / "p.html").read_text())
    assert page.sections() == ["summary", "network", "curves"]
    assert "no training history" in page.texts["curves"]
    assert len(page.find("line", "network")) == 3 * 24 + 24 * 1  # 24 of the 30 hidden units drawn
    assert "30 units (6 not drawn)" in page.texts["network"]
    assert main(["report", str(tmp_path / "plain.safetensors"), "moons", "--out", str(tmp_path / "q.html")]) == 2
    assert "holds no CSV preprocessing" in capsys.readouterr().err
    assert not (tmp_path / "q.html").exists()


def test_bad_inputs(tmp_path, capsys, moons):
    assert main(["report", str(tmp_path / "none.safetensors"), "--out", str(tmp_path / "x.html")]) == 2
    assert "no such model file" in capsys.readouterr().err
    moons_model(tmp_path / "m.safetensors", epochs=1)
    assert main(["report", str(tmp_path / "m.safetensors"), "iris", "--out", str(tmp_path / "x.html")]) == 2
    assert "lacks column(s) 'x1', 'x2'" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_ticks_png_and_probabilities():
    assert svg.ticks(0, 1) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
    assert svg.ticks(3, 207) == [50, 100, 150, 200]
    assert svg.Axis(1e-4, 1, 100, 0, log=True).ticks() == [1e-4, 1e-3, 1e-2, 0.1, 1.0]
    pixels = np.random.default_rng(0).integers(0, 256, (7, 5, 3), dtype=np.uint8)
    blob = png.encode(pixels)
    np.testing.assert_array_equal(np.asarray(Image.open(bytes_io.BytesIO(blob))), pixels)
    assert zlib.crc32(blob[12:29]) == int.from_bytes(blob[29:33], "big")  # the IHDR chunk's CRC
    with pytest.raises(gn.InputError, match="uint8"):
        png.encode(pixels.astype(float))
    np.testing.assert_allclose(boundary.probabilities(np.array([[0.2], [0.9]])), [[0.8, 0.2], [0.1, 0.9]])


def chromium_screenshot(page, folder):
    """Render ``page`` in headless Chromium; returns the screenshot's pixels and Chromium's log."""
    shot = folder / f"{page.stem}.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={folder / 'profile'}", "--enable-logging=stderr", "--v=0",
             f"--screenshot={shot}", "--window-size=1200,1600"]
    run = subprocess.run([CHROMIUM, *flags, page.as_uri()], capture_output=True, text=True, timeout=120)
    assert shot.exists(), run.stderr[-2000:]
    return np.asarray(Image.open(shot).convert("RGB")), run.stderr


CHROMIUM = shutil.which("chromium")


def console_messages(log):
    return [line for line in log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                    reason="needs /usr/bin/chromium (Debian package chromium); CI installs it and never skips")
def test_renders_in_headless_chromium(moons, tmp_path):
    assert CHROMIUM, "chromium is not installed: .ci/run installs it (apt-get install -y chromium)"
    page = tmp_path / "report.html"
    page.write_text(moons[1])
    pixels, log = chromium_screenshot(page, tmp_path)
    assert pixels.shape == (1600, 1200, 3)
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 200, "the page looks blank"
    assert np.mean(np.any(pixels < 200, axis=2)) > 0.02  # a fair share of the page is drawn on
    assert np.any(pixels[..., 2] > pixels[..., 0] + 80)  # the diagram's blue lines are there
    assert console_messages(log) == []
    # the same check sees a page's script error
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><p>text</p><script>notDefined();</script></body></html>")
    assert any("notDefined" in line for line in console_messages(chromium_screenshot(broken, tmp_path)[1]))
