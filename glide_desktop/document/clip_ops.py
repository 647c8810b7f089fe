"""What a cut clears: alpha taken away by the (soft) selection, as one exact undo step (copy: selected.py)."""

from __future__ import annotations

import numpy as np

from glide_desktop.document.commands import PixelEdit
from glide_desktop.document.document import Document


def cleared(pixels: np.ndarray, coverage: np.ndarray | None) -> np.ndarray:
    """pixels with alpha taken away in proportion to coverage (None: everything goes)."""
    out = pixels.copy()
    if coverage is None:
        out[...] = 0
    else:
        out[..., 3] = np.round(out[..., 3] * (1.0 - coverage)).astype(np.uint8)
    return out


def cut_command(doc: Document) -> PixelEdit | None:
    """The step that clears the active layer under the selection (all of it without one); None if missed."""
    layer = doc.active_layer
    if layer is None:
        return None
    box = doc.selection.bbox()
    area = layer.bounds if box is None else box.intersect(layer.bounds)
    if area.is_empty():
        return None
    rect = area.translate(-layer.offset[0], -layer.offset[1])
    before = layer.pixels[rect.slices()].copy()
    coverage = None if box is None else doc.selection.coverage[area.slices()]
    return PixelEdit(layer.uid, rect, before, cleared(before, coverage), text="Cut")
