"""How glassnet objects show themselves in notebooks: short text reprs, HTML with the report's SVG pictures (names
from files escaped), History.to_frame and History.plot."""

import re
import sys
from html.parser import HTMLParser

import numpy as np
import pytest

import glassnet as gn
from glassnet.tabular.cells import Reader
from glassnet.tabular.model import Model, TrainingRecord
from glassnet.tabular.table import Table
from glassnet.tabular.workflow import build_network, prepare

HOSTILE = '<script>alert("x")</script>&'


class Tags(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.tags, self.text = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def trained():
    rng = np.random.default_rng(0)
    values = rng.normal(size=60)
    rows = [[f"{a:.3f}", ["red", HOSTILE][i % 2], ["yes", HOSTILE][int(a > 0)]] for i, a in enumerate(values)]
    columns = ["size", HOSTILE + "col", "label"]
    data = {name: Reader().convert([row[j] for row in rows])[0] for j, name in enumerate(columns)}
    table = Table("hostile.csv", columns, data, np.arange(2, 62))
    prep, splits = prepare(table, "label", "auto", 0.2, 0.0, 0)
    net = build_network(prep, [3], "tanh", 0)
    val = prep.inputs(splits[1]), prep.targets(splits[1])
    history = net.fit(prep.inputs(splits[0]), prep.targets(splits[0]), epochs=300, verbose=0,
                      loss="categorical_crossentropy", validation_data=val)
    return Model(net, prep, TrainingRecord(test_metrics={"accuracy": 0.5})), history


def test_history_repr_is_one_short_line_with_last_and_best(trained):
    _, history = trained
    text = repr(history)
    assert "\n" not in text and len(text) < 300, text  # the dict would be thousands of characters
    assert len(str(dict(history))) > 10_000
    best_epoch, best_value = history.best()
    assert f"best epoch {best_epoch} " in text and f"{best_value:.4g}" in text
    assert f"loss {history['loss'][-1]:.4g}" in text and text.startswith("History(300 epochs")
    assert repr(gn.History()) == "History(no epochs)"


def test_history_html_draws_each_series_from_its_values(trained):
    _, history = trained
    page = Tags(history._repr_html_())
    lines = {attrs["data-series"]: attrs["points"] for tag, attrs in page.tags if tag == "polyline"}
    assert set(lines) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    # the loss line falls as the values do: y pixels grow downwards
    ys = [float(p.split(",")[1]) for p in lines["loss"].split()]
    assert ys[-1] > ys[0] and len(ys) == 300
    text = "".join(page.text)
    assert f"{history.best()[0]} ({history.best()[1]:.4g})" in text and "last val_loss" in text


def test_network_html_has_every_weight_and_escapes_names(trained):
    model, _ = trained
    html = model.network._repr_html_()
    weights = [float(a["data-weight"]) for t, a in Tags(html).tags if t == "line" and "data-weight" in a]
    expected = np.concatenate([layer.weights.ravel() for layer in model.network.layers])
    np.testing.assert_allclose(sorted(weights), sorted(expected), rtol=1e-5)
    assert f"{model.network.n_params:,}" in html
    whole = model._repr_html_()
    assert "<script" not in whole and "&lt;script&gt;" in whole  # column and class names from the file
    assert "test accuracy" in whole and 'data-series="loss"' in whole


def test_preprocessing_and_model_reprs(trained):
    model, _ = trained
    prep = model.preprocessing
    assert repr(prep).startswith("Preprocessor(2 columns -> 3 inputs; target label: classification into 2 classes")
    assert re.search(r"size: numeric, mean -?\d", prep._repr_html_())
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;col: one-hot, 2 categories" in prep._repr_html_()
    assert repr(model) == f"Model({model.network.summary()}, 300 epochs trained; {prep!r})"
    assert "\n" not in repr(model)


def test_to_frame_holds_the_lists(trained):
    pd = pytest.importorskip("pandas")
    _, history = trained
    frame = history.to_frame()
    assert isinstance(frame, pd.DataFrame) and list(frame.index[:2]) == [1, 2] and frame.index.name == "epoch"
    for key, values in history.items():
        np.testing.assert_array_equal(frame[key].to_numpy(), values)


def test_to_frame_without_pandas_says_how_to_install(trained, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(gn.InputError, match="pip install pandas"):
        trained[1].to_frame()


def test_plot_draws_the_loss_lists(trained):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    _, history = trained
    ax = history.plot()
    lines = {line.get_label(): line.get_ydata() for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["training"], history["loss"])
    np.testing.assert_array_equal(lines["validation"], history["val_loss"])
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_progress_in_a_notebook_is_a_widget_or_lines_never_a_text_bar(monkeypatch):
    from glassnet import progress

    assert not progress.in_notebook()  # (pytest is no Jupyter kernel)
    bar = progress.reporter(2, 1, 10)
    assert isinstance(bar, progress.Bar) and isinstance(progress.reporter(1, 1, 10), progress.Lines)
    bar.close()
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(progress, "widgets", lambda: False)
    assert all(isinstance(progress.reporter(v, 1, 10), progress.Lines) for v in (1, 2))
    assert isinstance(progress.reporter(0, 1, 10), progress.Silent)


def test_to_frame_refuses_lists_of_other_lengths():
    pytest.importorskip("pandas")
    with pytest.raises(gn.InputError, match="lists differ in length"):
        gn.History({"loss": [1.0, 2.0, 3.0], "val_loss": [1.0]}).to_frame()


def test_progress_lines_say_something_at_least_every_ten_seconds(monkeypatch):
    """Every 5th of 100 epochs is printed (1, 6, 11); when epochs take 4 seconds, also any epoch 10 seconds or
    more after the last line (4, 9)."""
    import io

    from glassnet import progress

    clock = iter(range(0, 10**6, 4))  # (4 seconds an epoch)
    monkeypatch.setattr(progress.time, "perf_counter", lambda: next(clock))
    out = io.StringIO()
    lines = progress.Lines(1, 100, stream=out)
    for epoch in range(1, 13):
        lines.update(epoch, {"loss": 1.0})
    assert [line.split()[1] for line in out.getvalue().splitlines()] == ["1/100", "4/100", "6/100", "9/100",
                                                                       "11/100"]
