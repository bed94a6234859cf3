"""``History``: what training measured, one list per name and one value per epoch."""

from __future__ import annotations

import math
from typing import Any

from .errors import InputError


class History(dict):
    """Per-epoch values, one list per name: ``loss``, each metric, and ``val_`` versions. The History that
    ``fit`` returns names in ``best_epoch`` the epoch whose weights early stopping kept (None without it), or
    in ``best_epochs`` each member's, for an ensemble whose members were validated on rows of their own; so
    does the network's whole ``history`` until its next fit (and a model file keeps them)."""

    best_epoch: int | None = None
    best_epochs: list[int] | None = None

    def __repr__(self) -> str:
        """One line: the epochs, the last value of each list and the best epoch (not every value)."""
        from .viz.notebook import history_text

        return history_text(self)

    def _repr_html_(self) -> str:
        """Jupyter's view: the loss and metric curves as SVG, the last and the best epoch."""
        from .viz.notebook import history_html

        return history_html(self)

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per epoch (index ``epoch`` from 1), one column per list; needs pandas."""
        try:
            import pandas as pd
        except ImportError:
            raise InputError("History.to_frame needs pandas, which is not installed: pip install pandas") from None
        uneven = {key: len(values) for key, values in self.items() if len(values) != self.epochs}
        if uneven:
            raise InputError(f"this History's lists differ in length (loss: {self.epochs} epochs; {uneven}): not "
                             "one value per epoch, so not one table")
        return pd.DataFrame(dict(self), index=pd.RangeIndex(1, self.epochs + 1, name="epoch"))

    def plot(self, ax: Any = None) -> Any:
        """The loss curves (training and validation) on matplotlib axes (new ones unless ``ax`` is given);
        returns the axes. Needs ``glassnet[plot]``."""
        from .viz.plot import draw_loss_curves

        return draw_loss_curves(self, ax)

    def append(self, values: dict[str, float]) -> None:
        """Add one epoch. Names not measured in some epochs (validation in one fit call, not in the next)
        hold NaN there, so every list has one value per epoch."""
        done = self.epochs  # epochs recorded so far
        for key, value in values.items():
            column = self.get(key)
            if column is None or len(column) != done:
                column = self.setdefault(key, [])
                column.extend([math.nan] * (done - len(column)))
            column.append(value)
        if len(self) > len(values):
            for column in self.values():
                if len(column) == done:
                    column.append(math.nan)

    def since(self, epochs: int) -> History:
        """A History of the epochs after the first ``epochs``."""
        return History({key: values[epochs:] for key, values in self.items()})

    def truncate(self, epochs: int) -> None:
        """Keep only the first ``epochs`` epochs."""
        for values in self.values():
            del values[epochs:]

    @property
    def epochs(self) -> int:
        return len(self.get("loss", ()))

    @property
    def watched(self) -> str:
        """What early stopping watches: ``val_loss`` where validation was measured, else ``loss``."""
        return "val_loss" if any(math.isfinite(v) for v in self.get("val_loss", ())) else "loss"

    def kept(self) -> str | None:
        """Which epoch's weights early stopping kept, in words (None where it kept none)."""
        if self.best_epochs:
            return f"each member's best epoch: {', '.join(map(str, self.best_epochs))}"
        return None if self.best_epoch is None else f"epoch {self.best_epoch}"

    def best(self, key: str | None = None) -> tuple[int, float] | None:
        """(epoch, value) of the lowest finite value of ``key`` (default: ``watched``), epochs counted from 1;
        None if there is none."""
        values = self.get(key or self.watched, ())
        finite = [(v, epoch) for epoch, v in enumerate(values, 1) if math.isfinite(v)]
        if not finite:
            return None
        value, epoch = min(finite)
        return epoch, value
