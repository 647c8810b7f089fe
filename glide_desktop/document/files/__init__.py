"""Reading and writing documents: flat images, OpenRaster, atomic saves, user-facing errors."""

from __future__ import annotations

import os
from pathlib import Path

from glide_desktop.document.files.atomic import atomic_write
from glide_desktop.document.files.errors import (
    DocumentFileError,
    ReadOnlyFileError,
    naming_file,
    unexpected_read_error,
)
from glide_desktop.document.files.images import (
    DEFAULT_MAX_PIXELS,
    DecodedImage,
    decode_rgba,
    export_flat,
    generation_text,
    open_image,
    read_image,
)
from glide_desktop.document.files.ora import load_ora, read_ora, save_ora
from glide_desktop.document.files.ora_safety import is_zip

__all__ = [
    "DEFAULT_MAX_PIXELS", "DecodedImage", "DocumentFileError", "ReadOnlyFileError", "atomic_write",
    "decode_rgba", "export_flat", "generation_text", "load_ora", "open_any", "open_image", "read_image",
    "read_ora", "save_ora",
]


def open_any(path: str | os.PathLike, max_pixels: int = DEFAULT_MAX_PIXELS, notes: list[str] | None = None):
    """Open .ora as layers and anything else as a flat image, deciding by extension then content.

    Only DocumentFileError comes out; notes (when given) gets what the user should be told about the
    file that did open (first frame only, blend modes shown as Normal, ...).
    """
    target = Path(path)
    try:
        return _open(target, max_pixels, notes)
    except DocumentFileError as exc:
        named = naming_file(exc, target.name, target)
        if named is exc:
            raise
        raise named from exc
    except Exception as exc:  # the promise to the UI: nothing but DocumentFileError comes out
        raise unexpected_read_error(exc, target.name, target) from exc


def _open(target: Path, max_pixels: int, notes: list[str] | None):
    if target.suffix.lower() == ".ora" or (target.suffix.lower() not in (".png", ".tif", ".tiff")
                                           and is_zip(target)):
        return load_ora(target, max_pixels, notes)
    return open_image(target, max_pixels, notes)
