"""What the canvas draws from: the composite and the quick-mask tint, each kept as an image pyramid."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from glide_desktop.document.geometry import Rect
from glide_desktop.ui.canvas.pyramid import ImagePyramid, premultiply
from glide_desktop.ui.canvas.render import draw_pyramid
from glide_desktop.ui.canvas.viewport import Viewport

BAND_ROWS = 256  # refresh big areas in bands so temporaries stay small
QUICK_MASK_RGB = (230, 30, 30)
QUICK_MASK_ALPHA = 0.5


class _PyramidImage:
    """Shared part: a pyramid the size of the document, refreshed band by band."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.pyramid = ImagePyramid(int(doc.width), int(doc.height))
        self.refresh(None)

    @property
    def width(self) -> int:
        return self.pyramid.width

    @property
    def height(self) -> int:
        return self.pyramid.height

    def refresh(self, rect: Rect | None) -> None:
        """Re-read rect (None: everything) from the document."""
        rect = Rect(0, 0, self.width, self.height) if rect is None else rect.clip(self.width, self.height)
        for top in range(rect.y, rect.bottom, BAND_ROWS):
            band = Rect.from_edges(rect.x, top, rect.right, min(rect.bottom, top + BAND_ROWS))
            self.pyramid.write(band, self._render(band))

    def _render(self, rect: Rect) -> np.ndarray:
        raise NotImplementedError

    def draw(self, painter: QPainter, viewport: Viewport, exposed: QRectF) -> None:
        """Paint the part under `exposed` (widget coordinates)."""
        draw_pyramid(painter, self.pyramid, viewport, exposed)


class CompositeImage(_PyramidImage):
    """The document's composite, premultiplied for fast drawing."""

    def _render(self, rect: Rect) -> np.ndarray:
        return premultiply(self.doc.composite(rect))


class QuickMaskImage(_PyramidImage):
    """A translucent red wash whose strength follows the selection coverage."""

    def _render(self, rect: Rect) -> np.ndarray:
        coverage = self.doc.selection.coverage[rect.slices()]  # h, w float32
        alpha = np.clip(coverage * (QUICK_MASK_ALPHA * 255.0) + 0.5, 0, 255).astype(np.uint8)
        out = np.zeros((rect.h, rect.w, 4), np.uint8)
        for channel, value in enumerate(QUICK_MASK_RGB):
            if value:
                out[..., channel] = (alpha.astype(np.uint16) * value + 127) // 255
        out[..., 3] = alpha
        return out


def subscribe(doc: Any, callback: Any) -> Any:
    """Subscribe to document changes; returns a callable that unsubscribes."""
    token = doc.subscribe(callback)
    if callable(token):
        return token
    unsubscribe = getattr(doc, "unsubscribe", None)
    return (lambda: unsubscribe(callback)) if unsubscribe is not None else None

