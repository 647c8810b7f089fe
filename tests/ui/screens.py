"""Helpers for UI tests: a colourful picture document and the folder screenshots go to."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from glide_desktop.document.document import Document
from glide_desktop.document.layer import Layer

SHOTS = Path(tempfile.gettempdir()) / "glide-desktop-screenshots"


def picture(width: int, height: int) -> np.ndarray:
    """An opaque picture with hues across and lightness down, so colour changes show."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    red = 127 + 127 * np.sin(xs / width * 6.28)
    green = 127 + 127 * np.sin(xs / width * 6.28 + 2.1)
    blue = 127 + 127 * np.sin(xs / width * 6.28 + 4.2)
    shade = 0.35 + 0.65 * (1 - ys / height)
    rgb = np.stack([red, green, blue], axis=-1) * shade[..., None]
    alpha = np.full((height, width, 1), 255, np.float32)
    return np.concatenate([rgb, alpha], axis=-1).astype(np.uint8)


def picture_document(window, width: int = 64, height: int = 48) -> Document:
    """Show a one-layer picture document in window (fresh history)."""
    doc = Document(width, height)
    doc.insert_layer(Layer(picture(width, height), name="Photo"))
    window.set_document(doc, None)
    return doc
