"""The playground's run as a standalone Python script: the same data, splits, network, optimizer and epochs with
glassnet's own functions, so that what the page showed can be repeated (and changed) in a file."""

from __future__ import annotations

from ..tabular.arrowfile import is_arrow_file
from .session import GENERATED, HORIZON, UPLOAD, Run

TEMPLATE = '''"""The glassnet playground's run{title}, repeated with glassnet: {said} of {summary}."""

from glassnet import optimizers, schedules
from glassnet.tabular import datasets
from glassnet.tabular.csvfile import read_csv
from glassnet.tabular.workflow import build_network, loss_for, prepare

{data}
prep, (train, val, _) = prepare(table, {target!r}, "auto", {val_split!r}, 0.0, {seed!r})
net = build_network(prep, {hidden!r}, {activation!r}, {seed!r}, dropout={dropout!r})
X, Y = prep.inputs(train), prep.targets(train)
validation = (prep.inputs(val, unknown="ignore"), prep.targets(val)) if len(val) else None
batch_size = {batch!r}  # None: the whole training set at once
steps = {horizon} * -(-len(X) // min(batch_size or len(X), len(X)))  # the schedule's course: {horizon} epochs
lr = {lr}
optimizer = optimizers.REGISTRY.lookup({optimizer!r})(lr=lr, weight_decay={weight_decay!r})
epochs = {epochs}
if epochs:
    net.fit(X, Y, epochs=epochs, batch_size=batch_size, loss=loss_for(prep), optimizer=optimizer,
            validation_data=validation, verbose=0)
print(net.summary())
print("epochs", net.epochs_trained, "loss", net.history["loss"][-1] if net.epochs_trained else None)
'''


def data_lines(run: Run) -> str:
    s = run.settings
    if s.dataset == UPLOAD:
        options = "".join(f", {k}={v!r}" for k, v in run.table.read_with.items())
        call = f"({run.table.source!r}{options})  # your file: put its path here"
        if is_arrow_file(run.table.source):  # (a Parquet or Feather file given to glassnet playground)
            return f"from glassnet.tabular.arrowfile import read_arrow\ntable = read_arrow{call}"
        return f"table = read_csv{call}"
    if s.dataset in GENERATED:
        noise = "" if s.noise is None else f"noise={s.noise!r}"
        return (f"X, y = datasets.{s.dataset}({noise})\n"
                f"table = datasets.from_points({s.dataset!r}, X, y, [\"x1\", \"x2\", \"label\"])")
    return f"table = datasets.load({s.dataset!r})"


TUTORIAL = '''"""The glassnet playground's run of the classic tutorial, repeated with glassnet: {said}."""

from glassnet.teach import tutorial

net = tutorial.two_layer()  # 3 -> 4 sigmoid -> 1 sigmoid, no biases, seed 1: syn0 and syn1
epochs = {epochs}
if epochs:
    tutorial.train(net, tutorial.Y_XOR, epochs)  # full batch, sse, SGD with lr = 1
print(net.summary())
print("epochs", net.epochs_trained, "loss", net.history["loss"][-1] if net.epochs_trained else None)
'''


def script(run: Run) -> str:
    """The script's text. Strings from a file (the uploaded file's name, its target column) are written with
    ``repr``, so that they stay strings."""
    s = run.settings
    if s.tutorial:
        return TUTORIAL.format(epochs=run.net.epochs_trained, said=_epochs(run.net.epochs_trained))
    lr = {"constant": repr(s.lr), "cosine": f"schedules.Cosine({s.lr!r}, steps)",
          "onecycle": f"schedules.OneCycle({s.lr!r}, steps)"}[s.schedule]
    title = "" if s.dataset != UPLOAD else " on an uploaded file"
    epochs = run.net.epochs_trained
    return TEMPLATE.format(title=title, epochs=epochs, said=_epochs(epochs), summary=run.start.summary(),
                           data=data_lines(run), target=run.prep.target.name, val_split=s.val_split, seed=s.seed,
                           hidden=s.hidden, activation=s.activation, dropout=s.dropout, batch=s.batch_size or None,
                           horizon=HORIZON, lr=lr, optimizer=s.optimizer, weight_decay=s.weight_decay)


def _epochs(n: int) -> str:
    return f"{n} epoch{'' if n == 1 else 's'}"
