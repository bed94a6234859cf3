"""Degenerate planes for ``glassnet report`` and ``glassnet plot`` (a constant huge column, no complete row,
values near float64's largest), and regression metrics that do not depend on the size of the targets' unit."""

import json
import math
import re
import warnings
from html import escape

import numpy as np
import pytest
from sklearn import metrics as sk

from glassnet import metrics
from glassnet.cli import main
from glassnet.errors import InputError
from glassnet.viz import boundary


def write(path, header, rows):
    path.write_text(header + "\n" + "".join(",".join(str(v) for v in row) + "\n" for row in rows))
    return str(path)


def train(tmp_path, data, target="y", *options):
    model = str(tmp_path / "model.safetensors")
    assert main(["train", data, "--target", target, "--epochs", "3", "--quiet", "--out", model, *options]) == 0
    return model


def boundary_section(page):
    return page[page.index('<section id="boundary">'):].split("</section>")[0]


def tick_labels(section):
    return re.findall(r'text-anchor="(?:middle|end)">([^<]*)</text>', section)


@pytest.fixture(scope="module")
def rep2(tmp_path_factory):
    """A classifier of two ordinary columns x and t, and its folder."""
    folder = tmp_path_factory.mktemp("rep2")
    data = write(folder / "rep2.csv", "x,t,y", [(i % 10, 3 * i % 7, "a" if i % 2 else "b") for i in range(40)])
    return folder, train(folder, data)


# --- a constant column far from 0: the box had no height (15% of nothing is below float64's step) --------

@pytest.mark.parametrize("value, label", [(1700000000, "1.7e+09"),  # a timestamp
                                          (2**63 - 808, "9.2e+18")])  # a uint64 id: all round to one float64
def test_report_and_plot_draw_a_constant_large_column(tmp_path, capsys, value, label):
    data = write(tmp_path / "rep_min.csv", "x,t,y",
                 [(i % 10, value + i * (value > 2**62), "b" if i % 10 > 4 else "a") for i in range(20)])
    model = train(tmp_path, data)
    capsys.readouterr()
    assert main(["report", model, data, "--out", str(tmp_path / "r.html")]) == 0
    section = boundary_section((tmp_path / "r.html").read_text())
    assert "<image" in section and "not drawn" not in section
    assert label in tick_labels(section) and "nan" not in section.lower()
    assert main(["plot", model, data, "--out", str(tmp_path / "p.png")]) == 0
    assert (tmp_path / "p.png").stat().st_size > 0 and capsys.readouterr().err == ""


@pytest.mark.parametrize("points", [
    [[3.0, 4.0]],  # one row
    [[3.0, 4.0]] * 5,  # all points the same
    [[0.0, 0.0], [0.0, 0.0]],  # the same, at 0
    [[1.7e9, 5e-324], [1.7e9, 5e-324]],  # a constant timestamp; the smallest float64
    [[2.0**63, -1e-170], [2.0**63, 1e-170]],  # an id near 2**63; a tiny span
    [[1.7e9, 1.0], [1.7e9 + 2.4e-7, 2.0]],  # a span of one float64 step
    [[-4e307, 0.0], [4e307, 1.0]],  # a span near float64's largest
])
def test_the_box_always_has_width_and_height(points):
    X = np.array(points)
    box = boundary.bounds(X)
    width, height = boundary.spans(box)
    assert all(map(math.isfinite, box)) and width > 0 and height > 0
    assert box[0] <= X[:, 0].min() <= X[:, 0].max() <= box[1] and box[2] <= X[:, 1].min() <= X[:, 1].max() <= box[3]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero, no overflow
        pixels = boundary.image(lambda p: (p[:, :1] > box[0] + width / 2).astype(float), X,
                                np.zeros(len(X), dtype=int), 40, 30, box)
        assert np.isfinite(boundary.grid(box, 40, 30)).all()
    assert pixels.shape == (30, 40, 3)


def test_the_box_of_ordinary_points_is_as_before():
    X = np.array([[0.0, -2.0], [10.0, 2.0]])
    assert boundary.bounds(X) == (0 - 10 * 0.15, 10 + 10 * 0.15, -2 - 4 * 0.15, 2 + 4 * 0.15)


@pytest.mark.parametrize("points, message", [
    (np.empty((0, 2)), "there are no points to draw"),
    ([[-1e308, 0.0], [1e308, 1.0]], "the values of 'u' reach 1e+308, too large to draw"),
    ([[0.0, 1.7e308]], "the values of 'v' reach 1.7e+308, too large to draw"),
    ([[0.0, np.inf]], "the values of 'v' are not all finite numbers"),
])
def test_points_that_cannot_be_drawn_are_an_input_error(points, message):
    with pytest.raises(InputError, match=re.escape(message)):
        boundary.bounds(np.array(points))


def test_a_box_without_height_is_an_input_error_not_a_division_by_zero():
    box = (0.0, 1.0, 1.7e9, 1.7e9)
    for draw in (lambda: boundary.grid(box, 4, 4), lambda: boundary.dots(np.zeros((1, 2)), [0], box, 4, 4, 2)):
        with pytest.raises(InputError, match="has no width or height"):
            draw()


# --- no row to draw: every row misses a cell of one of the two inputs ------------------------------------

def test_report_without_complete_rows_says_why_the_boundary_is_not_drawn(rep2, tmp_path, capsys):
    folder, model = rep2
    data = write(tmp_path / "rep2_allgap.csv", "x,t,y", [("", 3 * i % 7, "a" if i % 2 else "b") for i in range(40)])
    assert main(["report", model, data, "--out", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text()
    section = boundary_section(page)
    assert "<svg" not in section and "<image" not in section and '<section id="confusion">' in page
    assert (f"The decision boundary is not drawn: every row of {data} has a missing cell in &#x27;x&#x27; "
            "or &#x27;t&#x27;; there are no points to draw.") in section
    capsys.readouterr()
    assert main(["plot", model, data, "--out", str(tmp_path / "p.png")]) == 2
    assert capsys.readouterr().err == (f"glassnet plot: error: {data}: every row has a missing input cell; "
                                       "there are no points to draw\n")


# --- values near float64's largest: the width of the box, max - min, overflowed ----------------------------

@pytest.mark.parametrize("rows, shown", [([(-1e308, 1, "a"), (1e308, 2, "b"), (0, 3, "a")], "1e+308"),
                                         ([(1e308, 1, "a"), (1.7e308, 2, "b")], "1.7e+308")])
def test_report_and_plot_of_values_near_float64s_largest(rep2, tmp_path, capsys, rows, shown):
    folder, model = rep2
    data = write(tmp_path / "huge.csv", "x,t,y", rows)
    assert main(["report", model, data, "--out", str(tmp_path / "r.html")]) == 0
    section = boundary_section((tmp_path / "r.html").read_text())
    reason = f"the values of &#x27;x&#x27; reach {shown}, too large to draw"
    assert "<image" not in section and f"The decision boundary is not drawn: {reason}" in section
    capsys.readouterr()
    assert main(["plot", model, data, "--out", str(tmp_path / "p.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"glassnet plot: error: the values of 'x' reach {shown}, too large to draw")
    assert len(err.splitlines()) == 1


def test_a_box_beyond_a_float32_networks_range_is_named(rep2, tmp_path, capsys):
    folder, _ = rep2  # (the rows fit float32 once scaled; the box, 15% wider, does not)
    quick = train(tmp_path, str(folder / "rep2.csv"), "y", "--preset", "quick", "--dtype", "float32")
    data = write(tmp_path / "big.csv", "x,t,y", [(0, 1, "a"), (9e38, 2, "b")])
    reason = "the model's outputs over the plane around the rows are NaN or infinite: the values are too large " \
             "for the network's float32 arithmetic, so the plane cannot be drawn"
    assert main(["report", quick, data, "--out", str(tmp_path / "r.html")]) == 0
    section = boundary_section((tmp_path / "r.html").read_text())
    assert "<image" not in section and escape(reason) in section
    capsys.readouterr()
    assert main(["plot", quick, data, "--out", str(tmp_path / "p.png")]) == 2
    assert capsys.readouterr().err == f"glassnet plot: error: {reason}\n"


def test_plot_names_an_infinite_cell(rep2, tmp_path, capsys):
    folder, model = rep2
    data = write(tmp_path / "inf.csv", "x,t,y", [("inf", 1, "a"), (1, 2, "b")])
    capsys.readouterr()
    assert main(["plot", model, data, "--out", str(tmp_path / "p.png")]) == 2
    assert capsys.readouterr().err == (f"glassnet plot: error: {data} line 2, column 'x': 'inf' is not a finite "
                                       "number\n")


# --- regression metrics at any scale: squared errors of 1e-170 underflowed, of 1e200 overflowed ------------

TRUTH = np.array([(7 * i) % 13 for i in range(40)], dtype=float)
GUESS = TRUTH + np.random.default_rng(0).normal(0, 3, 40)


@pytest.mark.parametrize("scale", [1e-300, 1e-170, 1e-10, 1.0, 1e10, 1e200, 1e300])
def test_rmse_and_r2_do_not_depend_on_the_unit(scale):
    y, predicted = TRUTH * scale, GUESS * scale
    assert metrics.rmse(y, predicted) / scale == pytest.approx(sk.root_mean_squared_error(TRUTH, GUESS), rel=1e-12)
    assert metrics.r2(y, predicted) == pytest.approx(sk.r2_score(TRUTH, GUESS), rel=1e-12)
    report = metrics.regression_report(y, predicted)
    assert report["rmse"] == pytest.approx(metrics.rmse(y, predicted), rel=0) and report["r2"] < 1


def test_ordinary_values_give_the_unscaled_results_bit_for_bit():
    rng = np.random.default_rng(1)
    for _ in range(50):
        y = rng.normal(rng.normal(0, 10), 10 ** rng.uniform(-3, 3), 30)
        predicted = y + rng.normal(0, 10 ** rng.uniform(-8, 3), 30)
        assert metrics.rmse(y, predicted) == np.sqrt(np.mean((predicted - y) ** 2))
        assert metrics.r2(y, predicted) == 1 - np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2)


def test_errors_of_opposite_huge_values_do_not_overflow():
    y, predicted = np.array([-1e308, 1e308, 0.0, 0.0]), np.array([-1e308, 1e308, 0.0, 1e308])
    assert metrics.rmse(y, predicted) == pytest.approx(5e307, rel=1e-12)
    assert metrics.r2(y, predicted) == pytest.approx(0.5, rel=1e-12)


def test_train_and_evaluate_of_tiny_targets_show_the_scaled_metrics(tmp_path, capsys):
    scores = {}
    for scale in (1.0, 1e-170):
        data = write(tmp_path / f"tiny{scale:g}.csv", "x,t", [(i, repr((7 * i) % 13 * scale)) for i in range(40)])
        model = str(tmp_path / f"tiny{scale:g}.safetensors")
        assert main(["train", data, "--target", "t", "--epochs", "20", "--out", model]) == 0
        printed = capsys.readouterr().out
        assert "RMSE 0 " not in printed and "R^2 1.0000" not in printed
        assert main(["evaluate", model, data, "--json", "--split", "test"]) == 0
        scores[scale] = json.loads(capsys.readouterr().out)
    assert scores[1e-170]["r2"] == pytest.approx(scores[1.0]["r2"], rel=1e-6)
    assert scores[1e-170]["rmse"] / 1e-170 == pytest.approx(scores[1.0]["rmse"], rel=1e-6)
