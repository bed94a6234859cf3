"""Writing files so that nothing is lost: destinations checked before any work, and atomic replacement.

``atomic_write`` writes a temporary file in the target's folder, flushes and fsyncs it, then renames it over
the target, so a crash leaves the old file or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

from ..errors import InputError


def output_file(path: str, option: str, keep: dict[str, str | None] | None = None) -> str:
    """``path`` if a command can write a file there (its folder exists, it is not a folder itself, it is none of
    the files in ``keep``, described by what they are: the command's own inputs), checked before any work so
    that a long training run does not fail at its very end."""
    if not path:
        raise InputError(f"{option} is empty; give a file name")
    for what, other in (keep or {}).items():
        if other and _same_file(path, other):
            raise InputError(f"{option} {path} is {what} itself; writing there would replace it")
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InputError(f"{option} {path} is a folder, not a file name")
    if not os.path.isdir(folder):
        raise InputError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{option} {path}: the folder {folder} is not writable")
    return path


def _same_file(a: str, b: str) -> bool:
    """Whether paths ``a`` and ``b`` name one file (existing, through any link, or one yet to be written)."""
    if os.path.exists(a) and os.path.exists(b):
        return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old file or the new one, never half.
    A symbolic link keeps pointing where it did (its target is replaced), and a file keeps its permissions."""
    path = os.path.realpath(os.fspath(path))
    folder = os.path.dirname(path)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
