"""The playground's one training session: the data, the network built from the page's settings, and the thread that
trains it epoch by epoch with the real ``Network.fit`` while the page watches.

Every change of settings builds a whole new run (table -> ``tabular.workflow.prepare`` -> ``build_network``) before
it replaces the old one, so a bad setting or a bad file leaves the session as it was, with its error to show.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from .. import optimizers, schedules
from ..errors import GlassnetError, InputError
from ..network import Network
from ..tabular import datasets
from ..tabular.fingerprint import fingerprint
from ..tabular.model import Model, TrainingRecord
from ..tabular.preprocessing import Numeric, Preprocessor, Target
from ..tabular.table import Table
from ..tabular.workflow import build_network, loss_for, prepare
from ..viz.report import MAX_UNITS as DRAWN_UNITS

MAX_LAYERS = 6  # hidden layers: a network the page can still draw live; and units a layer: as many as the diagram draws
MAX_UNITS = DRAWN_UNITS
GENERATED = {"moons": datasets.moons, "circles": datasets.circles, "spirals": datasets.spirals}
ACTIVATIONS = ["tanh", "relu", "sigmoid", "leaky_relu", "linear"]
SCHEDULES = ["constant", "cosine", "onecycle"]
HORIZON = 300  # epochs over which a cosine or one-cycle schedule runs its course
UPLOAD = "upload"
MAX_INPUTS = 1000  # network inputs (a text column adds one per category): an id column would ask for gigabytes


@dataclass
class Settings:
    """What the page chooses; every field is checked by ``Settings.parse`` with a message naming it."""

    dataset: str = "moons"
    target: str = ""  # "" : the dataset's own target (an uploaded file's last column)
    features: list[int] = field(default_factory=lambda: [0, 1])  # the boundary's two numeric input columns
    hidden: list[int] = field(default_factory=lambda: [8, 8])
    activation: str = "tanh"
    optimizer: str = "adam"
    lr: float = 0.03
    batch_size: int = 10  # 0: the whole training set at once
    dropout: float = 0.0
    weight_decay: float = 0.0
    schedule: str = "constant"
    seed: int = 0
    noise: float | None = None  # None: the generated set's own
    val_split: float = 0.3
    tutorial: bool = False  # the classic tutorial's 3-4-1 network on XOR, with its names (l0, syn0, l1_delta, ...)

    @classmethod
    def parse(cls, spec: dict[str, Any]) -> Settings:
        if not isinstance(spec, dict):
            raise InputError("settings must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(spec) - known)
        if unknown:
            raise InputError(f"unknown setting(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}")
        s = cls(**{**asdict(cls()), **spec})
        s.hidden = _sizes(s.hidden)
        s.features = [_integer("features", v, 0, 10_000) for v in _list("features", s.features, 2, 2)]
        s.activation = _choice("activation", s.activation, ACTIVATIONS)
        s.optimizer = _choice("optimizer", s.optimizer, ["adam", "sgd"])
        s.schedule = _choice("schedule", s.schedule, SCHEDULES)
        s.lr = _number("lr", s.lr, 1e-6, 10.0)
        s.batch_size = _integer("batch_size", s.batch_size, 0, 100_000)
        s.dropout = _number("dropout", s.dropout, 0.0, 0.9)
        s.weight_decay = _number("weight_decay", s.weight_decay, 0.0, 1.0)
        s.seed = _integer("seed", s.seed, 0, 2**31 - 1)
        s.noise = None if s.noise is None else _number("noise", s.noise, 0.0, 0.5)
        s.val_split = _number("val_split", s.val_split, 0.0, 0.5)
        if not isinstance(s.tutorial, bool):
            raise InputError(f"tutorial: true or false; got {s.tutorial!r:.80}")
        if not isinstance(s.dataset, str) or not isinstance(s.target, str):
            raise InputError("dataset and target must be names")
        return s


def _list(name: str, value: object, least: int, most: int) -> list:
    if not isinstance(value, list) or not least <= len(value) <= most:
        raise InputError(f"{name}: a list of {least} to {most} numbers; got {value!r:.80}")
    return value


def _sizes(value: object) -> list[int]:
    if isinstance(value, list) and len(value) > MAX_LAYERS:
        raise InputError(f"hidden layers: at most {MAX_LAYERS} in the playground (so that it stays live); "
                         f"got {len(value)}")
    return [_integer("neurons per layer (as many as the diagram draws)", v, 1, MAX_UNITS)
            for v in _list("hidden", value, 0, MAX_LAYERS)]


def _integer(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InputError(f"{name}: a whole number from {lo} to {hi}; got {value!r:.80}")
    return value


def _number(name: str, value: object, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise InputError(f"{name}: a number from {lo:g} to {hi:g}; got {value!r:.80}")
    return float(value)


def _choice(name: str, value: object, choices: list[str]) -> str:
    if value not in choices:
        raise InputError(f"{name}: one of {', '.join(choices)}; got {value!r:.80}")
    return value


def generated_table(name: str, noise: float | None) -> Table:
    """A generated bundled set (moons, circles, spirals) drawn with its fixed seed and the given noise (None: its
    own)."""
    X, y = GENERATED[name]() if noise is None else GENERATED[name](noise=noise)
    return datasets.from_points(name, X, y, ["x1", "x2", "label"])


@dataclass
class Run:
    """One setup, ready to train: its settings, table, preprocessing, arrays and network (with the weights it
    started from, for reset)."""

    settings: Settings
    table: Table
    prep: Preprocessor
    arrays: tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]
    start: Network  # never trained: reset copies it
    net: Network = field(init=False)  # the one that trains
    fresh: bool = field(init=False)  # the next epoch starts with a new optimizer

    def __post_init__(self) -> None:
        self.reset()

    @property
    def loss(self) -> str:
        return "sse" if self.settings.tutorial else loss_for(self.prep)

    @property
    def features(self) -> list[int]:
        """The network inputs that span the boundary view: the chosen numeric columns, by input index."""
        numeric = [i for i, c in enumerate(self.prep.columns) if isinstance(c, Numeric)]
        if len(numeric) < 2:
            return []
        offsets = np.cumsum([0] + [1 if isinstance(c, Numeric) else len(c.categories) for c in self.prep.columns])
        chosen = [numeric[min(k, len(numeric) - 1)] for k in self.settings.features]
        if chosen[0] == chosen[1]:
            chosen[1] = next(i for i in numeric if i != chosen[0])
        return [int(offsets[i]) for i in chosen]

    def optimizer(self) -> optimizers.Optimizer:
        """A new optimizer of the settings; a schedule runs its course over HORIZON epochs of updates."""
        s = self.settings
        rows = len(self.arrays[0])
        steps = HORIZON * -(-rows // min(s.batch_size or rows, rows))
        lr: float | schedules.Schedule = s.lr
        if s.schedule == "cosine":
            lr = schedules.Cosine(s.lr, steps)
        elif s.schedule == "onecycle":
            lr = schedules.OneCycle(s.lr, steps)
        return optimizers.REGISTRY.lookup(s.optimizer)(lr=lr, weight_decay=s.weight_decay)

    def epoch(self) -> None:
        """One epoch of the real ``Network.fit``."""
        X, Y, val = self.arrays
        s = self.settings
        self.net.fit(X, Y, epochs=1, batch_size=s.batch_size or None, loss=self.loss, shuffle=not s.tutorial,
                     optimizer=self.optimizer() if self.fresh else None, validation_data=val, verbose=0)
        self.fresh = False

    def reset(self) -> None:
        self.net, self.fresh = self.start.copy(), True

    def model(self) -> Model:
        """The run as a model file's bundle, with the settings ``glassnet resume`` reads (the tutorial's network:
        the network alone, as ``Network.save`` writes it)."""
        s = self.settings
        if s.tutorial:
            return Model(self.net.copy())
        record = {"data": s.dataset, "target": self.prep.target.name, "task": self.prep.task, "hidden": s.hidden,
                  "activation": s.activation, "dropout": s.dropout, "optimizer": s.optimizer, "lr": s.lr,
                  "val_split": s.val_split, "test_split": 0.0, "seed": s.seed,
                  "batch_size": s.batch_size or len(self.arrays[0]), "drop_missing": False, "dtype": "float64",
                  "patience": 0, "rows": len(self.table), "fingerprint": fingerprint(self.table),  # (the data:
                  "sep": self.table.read_with.get("sep")}  # resume refuses other points, such as another noise's)
        return Model(self.net.copy(), self.prep, TrainingRecord(record))


TUTORIAL = {"dataset": "xor", "target": "y", "features": [0, 1], "hidden": [4], "activation": "sigmoid",
            "optimizer": "sgd", "lr": 1.0, "batch_size": 0, "dropout": 0.0, "weight_decay": 0.0, "schedule": "constant",
            "seed": 1, "val_split": 0.0}


def tutorial_run(settings: Settings) -> Run:
    """The classic tutorial's run: its 4 rows as they are (x3 = 1 is its bias), 3 -> 4 sigmoid -> 1 sigmoid without
    biases from seed 1, half the sum of squared errors, full-batch SGD with lr = 1 (``glassnet.teach.tutorial``)."""
    from ..teach import tutorial

    settings = Settings(**{**asdict(settings), **TUTORIAL})
    identity = Preprocessor([Numeric(name, 0.0, 1.0) for name in ("x1", "x2", "x3")],
                            Target("y", "classification", classes=["0", "1"], numeric=True))
    return Run(settings, datasets.load("xor"), identity, (tutorial.X.copy(), tutorial.Y_XOR.copy(), None),
               tutorial.two_layer())


def build_run(settings: Settings, upload: Table | None) -> Run:
    """A new run from the settings (and the uploaded table, for the dataset ``upload``)."""
    if settings.tutorial:
        return tutorial_run(settings)
    if settings.dataset == UPLOAD:
        if upload is None:
            raise InputError("no file uploaded yet: choose a CSV file first")
        table, default = upload, upload.columns[-1]
    elif settings.dataset in GENERATED:
        table, default = generated_table(settings.dataset, settings.noise), "label"
    elif settings.dataset in datasets.DATASETS:
        table, default = datasets.load(settings.dataset), datasets.DATASETS[settings.dataset].target
    else:
        raise InputError(f"unknown dataset {settings.dataset!r}; bundled: {', '.join(datasets.DATASETS)}, or upload")
    settings.target = settings.target or default
    prep, (train, val, _) = prepare(table, settings.target, "auto", settings.val_split, 0.0, settings.seed)
    prep.na_values, prep.decimal = table.read_with.get("na_values", []), table.read_with.get("decimal", ".")  # (as
    # the model file keeps them, so that the file reads again as it was read here)
    if prep.n_inputs > MAX_INPUTS:
        widest = max(prep.columns, key=lambda c: len(c.features))
        raise InputError(f"{table.source} makes {prep.n_inputs} network inputs ({len(widest.features)} from column "
                         f"{widest.name!r} alone: one per category); the playground takes at most {MAX_INPUTS}: leave "
                         "such a column (an id?) out of the file, or use glassnet train --ignore")
    net = build_network(prep, settings.hidden, settings.activation, settings.seed, dropout=settings.dropout)
    validation = (prep.inputs(val, unknown="ignore"), prep.targets(val)) if len(val) else None
    return Run(settings, table, prep, (prep.inputs(train), prep.targets(train), validation), net)


class Session:
    """The run, the training thread and what the page needs to know: running or not, the last error, and a
    version number that grows with every change (the pushes send a frame only when it has grown)."""

    def __init__(self, settings: Settings | None = None, upload: Table | None = None) -> None:
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.upload = upload
        self.run = build_run(settings or Settings(), upload)
        self.running, self.pending, self.error, self.version, self.closed = False, 0, None, 0, False
        self.waiting, self._count = 0, threading.Lock()  # threads after the lock: the trainer lets them in
        self.thread = threading.Thread(target=self._train, name="glassnet-playground", daemon=True)
        self.thread.start()

    def setup(self, spec: dict[str, Any], upload: Table | None = None) -> None:
        """Replace the run with one built from ``spec`` (and a new uploaded table); on any error keep the old."""
        run = build_run(Settings.parse(spec), upload or self.upload)
        with self.locked():
            self.upload = upload or self.upload
            self.run, self.running, self.pending, self.error = run, False, 0, None
            self.version += 1

    def control(self, action: str) -> None:
        """run, pause, step (one epoch), reset (the same initial weights) or seed (new weights and splits)."""
        if action == "seed":
            spec = asdict(self.run.settings)
            spec["seed"] = random.randrange(2**31)
            self.setup(spec)
            return
        with self.locked():
            if action == "run":
                self.running, self.error = True, None
            elif action == "pause":
                self.running, self.pending = False, 0
            elif action == "step":
                self.running, self.pending, self.error = False, self.pending + 1, None
            elif action == "reset":
                self.running, self.pending, self.error = False, 0, None
                self.run.reset()
            else:
                raise InputError(f"unknown action {action!r}: run, pause, step, reset or seed")
            self.version += 1
        self.wake.set()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """The lock, for anyone but the trainer, who makes way for it after the epoch it is running."""
        with self._count:
            self.waiting += 1
        try:
            with self.lock:
                yield
        finally:
            with self._count:
                self.waiting -= 1

    def _train(self) -> None:
        while not self.closed:
            if not (self.running or self.pending):
                self.wake.wait(0.5)
                self.wake.clear()
                continue
            with self.lock:
                if not (self.running or self.pending):
                    continue
                try:
                    self.run.epoch()
                except GlassnetError as exc:  # divergence, or anything the settings let through
                    self.error, self.running = f"glassnet playground: error: {exc}", False
                except Exception as exc:  # anything else: said on the page, and the thread lives on
                    self.error = f"glassnet playground: error: training stopped ({type(exc).__name__}: {exc})"
                    self.running = False
                self.pending = max(0, self.pending - 1)
                self.version += 1
            if self.waiting:
                time.sleep(0.0005)

    def close(self) -> None:
        self.closed = True
        self.wake.set()
        self.thread.join(timeout=5)
