"""A table's fingerprint: a short text that names its content, so that a model can tell later whether a file
is the data it was trained on (``glassnet evaluate --split test`` rebuilds the held-out rows only from that).

    fingerprint(read_csv("penguins.csv"))   # 'sha256:3f0c...'

The same cells under the same column names give the same fingerprint, whatever the order of the columns (the
splits depend on the rows, not on where a column stands); any changed cell, added, removed or reordered row,
or renamed column gives another.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .cells import inexact
from .table import Table


def fingerprint(table: Table, earlier: bool = False) -> str:
    """``"sha256:"`` and the SHA-256 (hex) of the column names and cells, column by column in name order.

    Each part is fed to the hash with its length first, so that no two tables feed it the same bytes: a column
    is its name, its number of rows, then its numbers as float64 bytes (every missing cell the same NaN; with the
    text of integers past 2**53, which float64 cannot all hold) or its text cells, each with its length (a missing
    cell: -1). ``earlier``: with the columns that an older glassnet read otherwise as it read them (a Parquet
    file's float32 values widened, Arrow's text of durations), to check a fingerprint saved then."""
    digest = hashlib.sha256()
    for name in sorted(table.columns):
        before = earlier and name in table.earlier
        values = table.earlier[name] if before else table.data[name]
        digest.update(_counted(name) + len(values).to_bytes(8, "little"))
        if values.dtype == np.float64:
            digest.update(b"F" + np.where(np.isnan(values), np.nan, values).tobytes())
            values = table.exact.get(name) if inexact(values) and not before else None  # (the text of long
            # integers only: '02134' is 2134, as in a Parquet file of the same numbers and in fingerprints saved
            # before it kept its text)
        if values is not None and values.dtype == object:
            lengths = np.array([-1 if v is None else len(v.encode("utf-8", "surrogatepass")) for v in values])
            digest.update(b"T" + lengths.astype("<i8").tobytes())
            digest.update("".join(v for v in values if v is not None).encode("utf-8", "surrogatepass"))
    return "sha256:" + digest.hexdigest()


def _counted(text: str) -> bytes:
    """``text`` as UTF-8, preceded by its length in bytes (8 bytes, little-endian)."""
    data = text.encode("utf-8", "surrogatepass")
    return len(data).to_bytes(8, "little") + data
