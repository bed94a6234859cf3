"""Whether a table's network inputs fit in memory, asked before they are made: a text column of ids or free text
makes an input of each of its values, and a process out of memory is ended by the system without a word."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from ..errors import InputError
from .table import quote

LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")  # a container's (v2, v1)


def machine_memory() -> float:
    """The memory this process may use, in bytes: the machine's, or its container's limit where that is lower
    (infinite where the system does not say)."""
    memory = float("inf")
    with contextlib.suppress(AttributeError, ValueError, OSError):
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for path in LIMITS:
        with contextlib.suppress(OSError, ValueError), open(path) as f:
            memory = min(memory, int(f.read().strip()))  # ('max': no limit, a ValueError)
    return memory


def check_room(prep: Any, rows: int, source: str) -> None:
    """An InputError if the network inputs of ``rows`` rows (float64, ``prep.n_inputs`` of them) would take over
    a third of ``machine_memory()`` (they are copied once more in the network's dtype), naming the widest column."""
    need, memory = rows * prep.n_inputs * 8, machine_memory()
    if need > memory / 3:
        widest = max(prep.columns, key=lambda column: len(column.features))
        raise InputError(f"{source}: the inputs of {rows:,} rows would take {need / 2**30:.1f} GiB ({prep.n_inputs:,} "
                         f"inputs, {len(widest.features):,} from column {quote(widest.name)}), over a third of the "
                         f"memory here ({memory / 2**30:.1f} GiB): train without the column (--ignore {widest.name}) "
                         "if it is an id or free text, or give fewer rows at a time")
