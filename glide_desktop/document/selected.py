"""Pixels under the selection: what Copy puts on the clipboard and Cut takes away (no Qt)."""

from __future__ import annotations

import numpy as np

from glide_desktop.document.geometry import Rect
from glide_desktop.document.selection import Selection


def selected_pixels(pixels: np.ndarray, bounds: Rect, selection: Selection) -> tuple[np.ndarray, Rect] | None:
    """Pixels (at document rect bounds) under the selection, alpha scaled by coverage, and their rect.

    All of them when nothing is selected; None when the selection misses them.
    """
    box = selection.bbox()
    if box is None:
        return pixels.copy(), bounds
    area = box.intersect(bounds)
    if area.is_empty():
        return None
    out = pixels[area.slices(bounds.x, bounds.y)].copy()
    coverage = selection.coverage[area.slices()]
    out[..., 3] = np.round(out[..., 3] * coverage).astype(np.uint8)
    return out, area
