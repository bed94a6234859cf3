"""A minimal PNG writer: an (height, width, 3) array of 8-bit RGB pixels to the bytes of a PNG file.

Each row is stored unfiltered (filter byte 0) and the rows are zlib-compressed; chunks carry a CRC-32.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

from ..errors import InputError

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode(pixels: np.ndarray, level: int = 9) -> bytes:
    """The PNG file of ``pixels``, a uint8 array of shape (height, width, 3); ``level``: zlib's, 1 (fast) to 9
    (small)."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3 or 0 in pixels.shape:
        raise InputError(f"PNG pixels must be a non-empty uint8 array (height, width, 3); got {pixels.dtype} "
                         f"{pixels.shape}")
    height, width, _ = pixels.shape
    rows = np.zeros((height, 1 + 3 * width), np.uint8)
    rows[:, 1:] = pixels.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    data = zlib.compress(rows.tobytes(), level)
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
