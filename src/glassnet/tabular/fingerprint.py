"""A table's fingerprint: a short text that names its content, so that a model can tell later whether a file
is the data it was trained on (``glassnet evaluate --split test`` rebuilds the held-out rows only from that).

    fingerprint(read_csv("penguins.csv"))   # 'sha256:3f0c...'

The same cells under the same column names give the same fingerprint, whatever the order of the columns (the
splits depend on the rows, not on where a column stands); any changed cell, added, removed or reordered row,
or renamed column gives another.
"""

from __future__ import annotations

import hashlib

from .table import Table


def fingerprint(table: Table) -> str:
    """``"sha256:"`` and the SHA-256 (hex) of the column names and cells, column by column in name order.

    Each part is fed to the hash with its length first, so that no two tables feed it the same bytes: a
    column is its name, its number of cells and its cells joined by NUL characters (or, where a cell holds a
    NUL itself, the cells' lengths and then the cells)."""
    digest = hashlib.sha256()
    for name in sorted(table.columns):
        cells = table.column(name)
        digest.update(_counted(name) + len(cells).to_bytes(8, "little"))
        joined = "\0".join(cells)
        if joined.count("\0") == max(len(cells) - 1, 0):  # (the separators alone: the cells can be told apart)
            digest.update(b"S" + _counted(joined))
        else:
            digest.update(b"L" + _counted(",".join(map(str, map(len, cells)))) + _counted("".join(cells)))
    return "sha256:" + digest.hexdigest()


def _counted(text: str) -> bytes:
    """``text`` as UTF-8, preceded by its length in bytes (8 bytes, little-endian)."""
    data = text.encode("utf-8", "surrogatepass")
    return len(data).to_bytes(8, "little") + data
