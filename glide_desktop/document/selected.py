"""A layer's pixels under the selection: what Copy puts on the clipboard (no Qt)."""

from __future__ import annotations

import numpy as np

from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import Layer
from glide_desktop.document.selection import Selection


def selected_pixels(layer: Layer, selection: Selection) -> tuple[np.ndarray, Rect] | None:
    """The layer's pixels under the selection (alpha scaled by coverage) and their document rect.

    The whole layer when nothing is selected; None when the selection misses the layer.
    """
    box = selection.bbox()
    if box is None:
        return layer.pixels.copy(), layer.bounds
    area = box.intersect(layer.bounds)
    if area.is_empty():
        return None
    pixels = layer.pixels[area.slices(*layer.offset)].copy()
    coverage = selection.coverage[area.slices()]
    pixels[..., 3] = np.round(pixels[..., 3] * coverage).astype(np.uint8)
    return pixels, area
