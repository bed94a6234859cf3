"""``History``: what training measured, one list per name and one value per epoch."""

from __future__ import annotations

import math


class History(dict):
    """Per-epoch values, one list per name: ``loss``, each metric, and ``val_`` versions. The History that
    ``fit`` returns names in ``best_epoch`` the epoch whose weights early stopping kept (None without it)."""

    best_epoch: int | None = None

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

    def best(self, key: str | None = None) -> tuple[int, float] | None:
        """(epoch, value) of the lowest finite value of ``key`` (default: ``watched``), epochs counted from 1;
        None if there is none."""
        values = self.get(key or self.watched, ())
        finite = [(v, epoch) for epoch, v in enumerate(values, 1) if math.isfinite(v)]
        if not finite:
            return None
        value, epoch = min(finite)
        return epoch, value
