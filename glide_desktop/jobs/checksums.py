"""Each model file's sha256, recorded after its first verified download or import and re-checked on demand.

The record is `checksums.json` in the models folder ({name: {"sha256": ..., "bytes": ...}}), written
atomically. Plain Python (stdlib only): the Model Files dialog runs it on a worker thread.
"""

from __future__ import annotations

import hashlib
import json
import threading
from enum import StrEnum
from pathlib import Path

from glide_desktop.engine.locations import write_text_atomically

CHECKSUMS_NAME = "checksums.json"
CHUNK = 4 * 1024 * 1024
_LOCK = threading.Lock()  # downloads and imports may record from different threads


class Check(StrEnum):
    """What re-checking a file found."""

    OK = "verified"  # the bytes are those recorded
    CHANGED = "changed"  # the bytes differ from the record: damaged or replaced
    UNRECORDED = "unrecorded"  # no record yet (put there by hand): recorded now
    MISSING = "missing"


def sha256_of(path: Path, cancel: threading.Event | None = None) -> str:
    """The file's sha256 as hex, read in chunks (cancel stops between chunks with InterruptedError)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            if cancel is not None and cancel.is_set():
                raise InterruptedError(f"checking {path.name} was cancelled")
            digest.update(chunk)
    return digest.hexdigest()


def recorded(folder: Path) -> dict[str, dict[str, object]]:
    """The folder's records; {} when there are none or the file is unreadable."""
    try:
        content = json.loads((Path(folder) / CHECKSUMS_NAME).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return {k: v for k, v in content.items() if isinstance(v, dict)} if isinstance(content, dict) else {}


def record(folder: Path, name: str, path: Path, sha256: str | None = None) -> str:
    """Record the sha256 (computed when not given) and size of the file at path under name; returns it."""
    digest = sha256 or sha256_of(path)
    with _LOCK:
        records = recorded(folder)
        records[name] = {"sha256": digest, "bytes": Path(path).stat().st_size}
        write_text_atomically(Path(folder) / CHECKSUMS_NAME, json.dumps(records, indent=2, sort_keys=True))
    return digest


def verify(folder: Path, name: str, path: Path | None, cancel: threading.Event | None = None) -> Check:
    """Re-read the file and compare with its record; a file with no record gets one now."""
    if path is None or not Path(path).is_file():
        return Check.MISSING
    entry = recorded(folder).get(name)
    digest = sha256_of(Path(path), cancel)
    if entry is None:
        record(folder, name, Path(path), digest)
        return Check.UNRECORDED
    return Check.OK if entry.get("sha256") == digest else Check.CHANGED


def verify_folder(folder: Path, cancel: threading.Event | None = None) -> dict[str, Check]:
    """verify() for every official file present in folder, by name."""
    from glide_desktop.engine.locations import OFFICIAL_FILES, find_file

    results = {}
    for name in OFFICIAL_FILES:
        path = find_file(folder, name)
        if path is not None:
            results[name] = verify(folder, name, path, cancel)
    return results
