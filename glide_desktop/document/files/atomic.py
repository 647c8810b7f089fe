"""Atomic saves: write a temp file beside the real target, fsync, then os.replace over the old file.

The saved file keeps what the user had: its mode and group (a new file gets the umask's mode), and a
symlink stays a link while its target gets the new contents. A read-only file is not overwritten
unless the caller says so (after asking). Temp files left by a killed save are removed on the next.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from glide_desktop.document.files.errors import DocumentFileError, ReadOnlyFileError

STALE_TEMP_SECONDS = 30  # younger temp files may belong to a save still running in another window
_umask_lock = threading.Lock()


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def current_umask() -> int:
    """The process umask (reading it means setting it, so briefly and under a lock)."""
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def real_target(path: str | os.PathLike) -> Path:
    """The file a save must replace: path itself, or the final target when path is a symlink."""
    target = Path(path)
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def is_read_only(path: Path) -> bool:
    """True when path exists and its mode (or the OS) does not let us write it."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    # root may write anything, so the mode bits are what tells the user's intent
    return not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def _remove_stale_temps(folder: Path, name: str, keep: str) -> None:
    """Delete `.name.XXXXXXXX.tmp` files of earlier saves that were killed before they finished."""
    pattern = re.compile(rf"\.{re.escape(name)}\.[A-Za-z0-9_]{{8}}\.tmp")
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name == keep or not pattern.fullmatch(entry.name):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and now - entry.stat().st_mtime > STALE_TEMP_SECONDS:
                    os.unlink(entry.path)


def _adopt_permissions(temp_name: str, existing: os.stat_result | None) -> None:
    """Give the temp file the old file's mode and group, or the umask's mode for a new file."""
    if existing is None:
        os.chmod(temp_name, 0o666 & ~current_umask())  # mkstemp made it 0600
        return
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):  # not a member of that group: keep ours
            os.chown(temp_name, -1, existing.st_gid)
    os.chmod(temp_name, stat.S_IMODE(existing.st_mode))


def atomic_write(path: str | os.PathLike, write_fn: Callable[[BinaryIO], None],
                 overwrite_read_only: bool = False) -> None:
    """Call write_fn(file) on a temp file beside path and move it into place only when it succeeded.

    ReadOnlyFileError when path is read-only and overwrite_read_only is false.
    """
    shown = Path(path)
    target = real_target(shown)
    folder = target.parent if str(target.parent) else Path(".")
    if not overwrite_read_only and is_read_only(target):
        raise ReadOnlyFileError(f"{shown.name} is read-only.", shown)
    try:
        existing = target.stat()
    except OSError:
        existing = None
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise DocumentFileError(f"Cannot save {shown.name}: {exc.strerror or exc}", shown) from exc
    try:
        _remove_stale_temps(folder, target.name, Path(temp_name).name)
        _adopt_permissions(temp_name, existing)
        with os.fdopen(fd, "wb") as handle:
            write_fn(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise DocumentFileError(f"Cannot save {shown.name}: {exc.strerror or exc}", shown) from exc
        raise
    _fsync_folder(folder)
