"""Importing checkpoint files copied from another machine: checked against the expected layout, then moved in.

A file is checked where it lies (its names and shapes must be exactly those the models folder's network
needs, read without running any pickled code), copied next to its final name while its sha256 is taken,
and renamed into place; it never replaces a file already there. Anything wrong leaves the folder as it
was. Plain Python: the layout check itself is the engine's, handed in as a ModelChecker by the
composition root (jobs/model_checker.py), so the dialog that starts an import never imports torch.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from glide_desktop.engine.locations import ALTERNATE_SUFFIXES, OFFICIAL_FILES, find_file
from glide_desktop.jobs import checksums

IMPORT_SUFFIX = ".import"  # the copy on its way in: <name>.import


class ModelImportError(Exception):
    """A file cannot be imported; the message is for the user and the folder is unchanged."""


class ModelChecker(Protocol):
    """The layout check: which official file a checkpoint is, and whether it fits a models folder."""

    def identify(self, folder: Path, source: Path) -> str | None:
        """The official name whose layout (as folder expects it) source has, or None."""
        ...

    def check(self, folder: Path, name: str, source: Path) -> None:
        """Raise ModelImportError saying what is wrong unless source fits folder's `name`."""
        ...


@dataclass(frozen=True)
class Imported:
    """One file of an import: its official name and final path, or why it was refused."""

    source: Path
    name: str | None = None
    path: Path | None = None
    error: str = ""


def official_name(source: Path) -> str | None:
    """The official name a file is stored under judging by its name alone (base.pt, base.safetensors ...)."""
    for name in OFFICIAL_FILES:
        if source.stem == Path(name).stem and source.suffix in ALTERNATE_SUFFIXES:
            return name
    return None


def import_file(source: Path, folder: Path, checker: ModelChecker,
                cancel: threading.Event | None = None) -> Imported:
    """Check source and move a copy into folder; raises ModelImportError with the reason."""
    source, folder = Path(source), Path(folder)
    if not source.is_file():
        raise ModelImportError(f"{source} is not a file")
    name = official_name(source) or checker.identify(folder, source)
    if name is None:
        raise ModelImportError(f"{source.name} is not one of GLIDE's checkpoints: its weights match "
                               f"none of {', '.join(OFFICIAL_FILES)} as this folder expects them")
    existing = find_file(folder, name)
    if existing is not None:
        raise ModelImportError(f"{name} is already in {folder} ({existing.name}); it was not replaced "
                               "(delete it first to replace it)")
    checker.check(folder, name, source)
    suffix = source.suffix if source.suffix in ALTERNATE_SUFFIXES else ".pt"
    final = folder / (Path(name).stem + suffix)
    return Imported(source, name, _copy_in(source, final, name, cancel))


def import_folder(source_dir: Path, folder: Path, checker: ModelChecker,
                  cancel: threading.Event | None = None) -> list[Imported]:
    """Import every .pt/.safetensors file of source_dir that is one of GLIDE's checkpoints."""
    found = sorted(p for p in Path(source_dir).iterdir() if p.is_file() and p.suffix in ALTERNATE_SUFFIXES)
    if not found:
        raise ModelImportError(f"{source_dir} holds no .pt or .safetensors files")
    results = []
    for source in found:
        if cancel is not None and cancel.is_set():
            break
        try:
            results.append(import_file(source, folder, checker, cancel))
        except ModelImportError as error:
            results.append(Imported(source, error=str(error)))
    return results


def import_any(source: Path, folder: Path, checker: ModelChecker,
               cancel: threading.Event | None = None) -> list[Imported]:
    """Import a file, or every checkpoint in a folder; a refused file is reported, not raised."""
    if Path(source).is_dir():
        return import_folder(source, folder, checker, cancel)
    try:
        return [import_file(source, folder, checker, cancel)]
    except ModelImportError as error:
        return [Imported(Path(source), error=str(error))]


def _copy_in(source: Path, final: Path, name: str, cancel: threading.Event | None) -> Path:
    """Copy to <final>.import while hashing, then rename into place and record the sha256."""
    folder = final.parent
    partial = final.with_name(final.name + IMPORT_SUFFIX)
    digest = hashlib.sha256()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(source, "rb") as src, open(partial, "wb") as out:
            while chunk := src.read(checksums.CHUNK):
                if cancel is not None and cancel.is_set():
                    raise ModelImportError(f"importing {name} was cancelled")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if final.exists():
            raise ModelImportError(f"{name} appeared in {folder} during the import; it was not replaced")
        os.replace(partial, final)
    except OSError as error:
        reason = error.strerror or error
        raise ModelImportError(f"could not copy {source.name} into {folder}: {reason}") from None
    finally:
        partial.unlink(missing_ok=True)
    checksums.record(folder, name, final, digest.hexdigest())
    return final
