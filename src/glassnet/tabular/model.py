"""``Model``: a trained model as one bundle, as a model file holds it: the network (the maths), the
preprocessing (table columns -> network inputs and back), and the training record (settings, test metrics)."""

from __future__ import annotations

import os
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import GlassnetError, InputError, ModelFileError
from ..history import History
from ..network import Network
from .preprocessing import Counts, Preprocessor
from .table import Table, quote

ROWS_AT_ONCE = 16384  # rows the network computes at a time when it predicts (8 members x 1M rows x 32 units: 1 GB)


@dataclass
class TrainingRecord:
    """How a model was trained: ``settings`` (the command line's, a JSON-safe dict: what ``resume`` needs to
    rebuild the splits and batches) and ``test_metrics`` (on the held-out test rows), each None if unknown."""

    settings: dict[str, Any] | None = None
    test_metrics: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"settings": self.settings, "test_metrics": self.test_metrics}


@dataclass
class Model:
    """``network`` (a ``glassnet.Network``), ``preprocessing`` (a ``Preprocessor``, or None for a network saved
    from Python) and ``record`` (a ``TrainingRecord``)."""

    network: Network
    preprocessing: Preprocessor | None = None
    record: TrainingRecord = field(default_factory=TrainingRecord)
    version: int | None = None  # the format version of the file it was read from, if any
    last_run: History | None = field(default=None, repr=False, compare=False)  # this process's latest fit, if any

    def __repr__(self) -> str:
        from ..viz.notebook import model_text

        return model_text(self)

    def _repr_html_(self) -> str:
        """Jupyter's view: the network (summary and diagram), the preprocessing, test metrics and curves."""
        from ..viz.notebook import model_html

        return model_html(self)

    @property
    def history(self) -> History:
        return self.network.history

    def save(self, path: str | os.PathLike) -> None:
        """Write every part to one model file, atomically."""
        from ..formats.modelfile import write

        prep = None if self.preprocessing is None else self.preprocessing.to_json()
        write(path, self.network, prep, self.record.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike) -> Model:
        """Read a model file (format 1, 2 or 3); anything wrong raises ModelFileError naming the file."""
        from ..formats.modelfile import read

        net, parts = read(path)
        try:
            prep = _preprocessing(parts["preprocessing"], net)
        except GlassnetError as exc:
            raise ModelFileError(f"{os.fspath(path)}: {exc}") from None
        return cls(net, prep, TrainingRecord(**parts["training"]), parts["version"])

    def predict_table(self, data: Any, unknown: str = "ignore") -> list[str] | np.ndarray:
        """One prediction per row of ``data`` (a file path, a bundled dataset name or a pandas DataFrame with the
        model's input columns): class names, or values on the target's scale. Missing cells are filled as in
        training; a category never seen in training is encoded as all zeros (``unknown="error"`` refuses it)."""
        return self.require_preprocessing("this model").target.decode(self._outputs(data, unknown))

    def predict_proba_table(self, data: Any, unknown: str = "ignore") -> np.ndarray:
        """Class probabilities, one row per row of ``data`` and one column per class (``preprocessing.target.
        classes``), for a classification model."""
        if self.require_preprocessing("this model").task != "classification":
            raise InputError("predict_proba_table needs a classification model; this one does regression")
        return self._outputs(data, unknown)

    def _outputs(self, data: Any, unknown: str) -> np.ndarray:
        """The network's outputs for the rows of ``data``; missing cells filled and unseen categories are said
        as UserWarnings, as ``glassnet predict`` says them on stderr."""
        import warnings

        outputs, table, counts = self.table_outputs(data, unknown)
        for text in counts.warnings(table.source):
            warnings.warn(text, UserWarning, stacklevel=3)
        return outputs

    def outputs(self, inputs: np.ndarray, table: Table) -> np.ndarray:
        """The network's outputs, in float64, for ``inputs``: the network inputs of the rows of ``table`` (from
        ``table_inputs``). An InputError names the cell whose input the network's dtype cannot hold, or the first
        row whose outputs are NaN or infinite (inputs so large that the network's arithmetic overflows), rather
        than let NaN become probabilities and classes."""
        net, prep = self.network, self.require_preprocessing("this model")
        prep.check_range(inputs, table, net.dtype)
        with np.errstate(invalid="ignore"):  # (inf - inf inside a layer: NaN outputs, named below)
            outputs = net.outputs(inputs).astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(outputs).all(axis=1))
        what = f"the model's outputs are NaN or infinite: its inputs overflow {net.dtype.name} inside the network"
        if not bad.size and prep.task == "regression":
            with np.errstate(over="ignore"):
                bad = np.flatnonzero(~np.isfinite(prep.target.decode(outputs)))
            what = f"the prediction is beyond float64 on the target's scale (the network's output times " \
                f"{prep.target.scale:g})"
        if bad.size:
            i = int(bad[0])
            j = int(np.argmax(np.abs(inputs[i])))
            raise InputError(f"{table.source} {table.line(i)}: {what} (the largest input, "
                             f"{quote(prep.feature_names[j])}, is {inputs[i, j]:.3g} once scaled); "
                             f"{bad.size} row(s) in all")
        return outputs

    def read(self, data: Any, keep: Sequence[str] = (), sep: str | None = None, decimal: str | None = None) -> Any:
        """``data`` (a path, bundled dataset name, DataFrame or Table) as a Table, read as the training data was
        (its decimal mark and missing-cell tokens); ``keep``: columns also kept as written (ids). A CSV file's
        separator is ``sep`` (None: found in its header) and its decimal mark ``decimal`` (None: the training
        data's)."""
        from .datasets import resolve

        prep = self.require_preprocessing("this model")
        return resolve(data, sep, decimal or prep.decimal, prep.na_values, keep)

    def table_outputs(self, data: Any, unknown: str = "ignore") -> tuple[np.ndarray, Any, Any]:
        """(the network's outputs, the table, the ``Counts`` of missing cells and unseen categories met); ``data``
        as ``read`` takes it (a Table read with ``read``'s options passes as it is)."""
        if unknown not in ("ignore", "error"):
            raise InputError(f"unknown must be 'ignore' or 'error'; got {unknown!r}")
        table, counts = self.read(data), Counts(unknown)
        return self.outputs_of(table, counts), table, counts

    def outputs_of(self, table: Table, counts: Any = None) -> np.ndarray:
        """The network's outputs for the rows of ``table``, their inputs made and computed ``ROWS_AT_ONCE`` rows
        at a time (a million rows of a thousand one-hot inputs are never held at once)."""
        prep = self.require_preprocessing("this model")
        parts = (table if len(table) <= ROWS_AT_ONCE else table.take(range(i, min(i + ROWS_AT_ONCE, len(table))))
                 for i in range(0, max(len(table), 1), ROWS_AT_ONCE))
        return np.concatenate([self.outputs(prep.inputs(part, counts=counts), part) for part in parts])

    def require_preprocessing(self, path: str) -> Preprocessor:
        """The preprocessing, or an error for a network saved from Python without one."""
        if self.preprocessing is None:
            raise InputError(f"{path} holds no CSV preprocessing (it was saved from Python, not by glassnet "
                             "train); use it from Python")
        return self.preprocessing


def _preprocessing(spec: dict | None, net: Network) -> Preprocessor | None:
    """The preprocessing, if any, checked to make as many inputs and outputs as the network has."""
    if spec is None:
        return None
    prep = Preprocessor.from_json(spec)
    if (prep.n_inputs, prep.n_outputs) != (net.n_inputs, net.n_outputs):
        raise ModelFileError(f"the preprocessing makes {prep.n_inputs} inputs and {prep.n_outputs} outputs; "
                             f"the network has {reprlib.repr(net.n_inputs)} and {reprlib.repr(net.n_outputs)}")
    return prep

