"""Training progress for people: Keras-style lines, or a tqdm bar on a terminal; in Jupyter, a notebook progress bar
(a widget, from ``tqdm.auto``) where ipywidgets is installed, else the lines: never a text bar, whose ``\r`` frames
would pile up in the notebook's saved output and in logs."""

from __future__ import annotations

import sys
import time

QUIET_SECONDS = 10.0  # the longest that Lines stays silent between epochs (slow epochs: a line each)


def format_values(values: dict[str, float]) -> str:
    return " - ".join(f"{k}: {v:.4g}" for k, v in values.items())


class Lines:
    """One line per reporting interval, and one at least every ``QUIET_SECONDS`` (a table of a million rows takes
    seconds an epoch):  ``epoch 10/100 - loss: 0.231 - mae: 0.41 - 0.02s``."""

    def __init__(self, first: int, last: int, every: int | None = None, stream=None) -> None:
        self.first, self.last = first, last
        self.every = every or max(1, (last - first + 1) // 20)
        self.stream = stream or sys.stdout
        self.started = self.said = time.perf_counter()

    def update(self, epoch: int, values: dict[str, float]) -> None:
        now = time.perf_counter()
        if (epoch - self.first) % self.every and epoch != self.last and now - self.said < QUIET_SECONDS:
            return
        self.said, seconds = now, now - self.started
        print(f"epoch {epoch}/{self.last} - {format_values(values)} - {seconds:.2f}s", file=self.stream, flush=True)

    def close(self) -> None:
        pass


class Bar:
    """A tqdm progress bar with the latest loss and metrics (tqdm is imported only when used)."""

    def __init__(self, first: int, last: int) -> None:
        from tqdm.auto import tqdm

        self.first, self.last = first, last
        self.every = max(1, (last - first + 1) // 1000)
        self.bar = tqdm(total=last - first + 1, unit="epoch", dynamic_ncols=True)

    def update(self, epoch: int, values: dict[str, float]) -> None:
        done = epoch - self.first + 1
        if done - self.bar.n >= self.every or epoch == self.last:
            self.bar.set_postfix_str(format_values(values), refresh=False)
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


class Silent:
    def update(self, epoch: int, values: dict[str, float]) -> None:
        pass

    def close(self) -> None:
        pass


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython's ZMQ shell), which shows widgets instead of a terminal."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def widgets() -> bool:
    """True where a notebook progress bar can be drawn (ipywidgets installed)."""
    import importlib.util

    return importlib.util.find_spec("ipywidgets") is not None


def reporter(verbose: int, first: int, last: int) -> Lines | Bar | Silent:
    """0: nothing; 1: lines; 2: a progress bar. In Jupyter, 1 and 2 give the notebook's bar (or lines without
    ipywidgets)."""
    if not verbose:
        return Silent()
    if in_notebook():
        return Bar(first, last) if widgets() else Lines(first, last)
    return Bar(first, last) if verbose == 2 else Lines(first, last)
