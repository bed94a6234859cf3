"""Writing files so that nothing is lost: destinations checked before any work, and atomic replacement.

``atomic_write`` writes a temporary file in the target's folder, flushes and fsyncs it, then renames it over
the target, so a crash leaves the old file or the new one, never half of either. The temporary file is locked
while it is written; one left by a writer that was killed (``kill -9``) is removed by the next write to the same
target. Two writers of one target at once both finish whole: the last rename wins.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile

from ..errors import InputError

TEMPORARY = 14  # characters a save's temporary file adds to the file's name: .NAME.XXXXXXXX.tmp (see atomic_write)


def output_file(path: str, option: str, keep: dict[str, str | None] | None = None, temporary: bool = True) -> str:
    """``path`` if a command can write a file there (its folder exists, it is not a folder itself, it is none of
    the files in ``keep``, described by what they are: the command's own inputs), checked before any work so
    that a long training run does not fail at its very end; ``temporary``: written by ``atomic_write``, whose
    temporary file's name is longer."""
    if not path:
        raise InputError(f"{option} is empty; give a file name")
    if path == "-":  # (the usual name of the standard output, where a whole file cannot be written in one go)
        raise InputError(f"{option} -: this file is not written to the standard output; give a file name (./- "
                         "for a file named '-')")
    for what, other in (keep or {}).items():
        if other and _same_file(path, other):
            raise InputError(f"{option} {path} is {what} itself; writing there would replace it")
    folder = _refuse_unwritable(path, f"{option} {path}", temporary)
    if not os.access(folder, os.W_OK):
        raise InputError(f"{option} {path}: the folder {folder} is not writable")
    return path


def _refuse_unwritable(path: str, label: str, temporary: bool = True) -> str:
    """An InputError, naming ``label``, unless a whole file can replace ``path`` (it is not a folder, a device, a
    pipe or a socket, and its folder exists); the folder (through a link: where the file will really be)."""
    if path.endswith(("/", os.sep)):
        raise InputError(f"{label} ends with '/', so it names a folder: give a file name")
    try:
        os.stat(path)
    except FileNotFoundError:
        pass
    except OSError as exc:  # (a loop of links, a name too long, ...: the write would fail the same way)
        raise InputError(f"{label}: {exc.strerror}") from None
    folder = os.path.dirname(os.path.realpath(path))
    if os.path.isdir(path):
        raise InputError(f"{label} is a folder, not a file name")
    extra = TEMPORARY if temporary else 0
    if len(os.fsencode(os.path.basename(os.path.realpath(path)))) + extra > _longest_name(folder):
        raise InputError(f"{label}: File name too long (the file is written first under its name with "
                         f"{TEMPORARY} characters more)")
    if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
        raise InputError(f"{label} is not a regular file (a device, a pipe or a socket); glassnet writes whole files "
                         "and would replace it: give a file name")
    if not os.path.isdir(folder):
        raise InputError(f"{label}: the folder {folder} does not exist")
    return folder


def _longest_name(folder: str) -> int:
    """The longest file name ``folder``'s file system takes (255 where it does not say)."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def _same_file(a: str, b: str) -> bool:
    """Whether paths ``a`` and ``b`` name one file (existing, through any link, or one yet to be written)."""
    if os.path.exists(a) and os.path.exists(b):
        return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


def atomic_write(path: str | os.PathLike | bytes, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old file or the new one, never half.
    A symbolic link keeps pointing where it did (its target is replaced), and a file keeps its permissions. An
    error names ``path``, not the temporary file."""
    shown = os.fsdecode(path)
    if not shown:
        raise InputError("the file name to write is empty")
    _refuse_unwritable(shown, shown)  # (a device or a pipe is never replaced, from Python as from the command line)
    path = os.path.realpath(shown)
    folder, name = os.path.split(path)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    _remove_stale(folder, name)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, shown) from None
    try:
        with os.fdopen(fd, "wb") as f:
            _lock(f.fileno(), wait=True)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)  # (while still locked: no one takes it for a dead writer's)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, shown) from None
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _lock(fd: int, wait: bool) -> bool:
    """Take an exclusive lock on ``fd`` (without ``wait``: only if it is free); True if taken. Where fcntl is
    missing (Windows), nothing is locked and stale files are not cleaned."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _remove_stale(folder: str, name: str) -> None:
    """Remove temporary files of ``name`` that no writer holds locked: left by one that was killed."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            ours = entry.name.startswith(f".{name}.") and entry.name.endswith(".tmp")
            if ours and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    fd = os.open(entry.path, os.O_RDONLY)
                    try:
                        if _lock(fd, wait=False):
                            os.unlink(entry.path)
                    finally:
                        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
