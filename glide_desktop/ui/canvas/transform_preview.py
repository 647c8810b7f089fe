"""Free Transform's live preview: the picture with the piece lifted out, and the piece drawn through the
box's transform by QPainter at the zoom's pyramid level. Nothing here touches the document, so a drag
costs one repaint; the exact resampling happens once, on apply.

The piece is drawn over the whole picture with its layer's opacity (normal blending): layers above it
and its blend mode show in the result after Enter.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage, QPainter, QTransform

from glide_desktop.document.affine import Affine
from glide_desktop.document.free_transform import LiftedPicture
from glide_desktop.document.geometry import Rect
from glide_desktop.ui.canvas.pyramid import downsample, premultiply
from glide_desktop.ui.canvas.render import checker_brush, draw_checkerboard
from glide_desktop.ui.canvas.viewport import Viewport

MAX_LEVEL = 6
_PREMULTIPLIED = QImage.Format.Format_RGBA8888_Premultiplied
_SCREEN = QImage.Format.Format_ARGB32_Premultiplied  # what a widget's backing store blits fastest


def qt_transform(affine: Affine) -> QTransform:
    """The same map as a QTransform (Qt keeps the matrix transposed)."""
    return QTransform(affine.a, affine.d, affine.b, affine.e, affine.c, affine.f)


class _Levels:
    """A premultiplied image and its box-filtered reductions, made when first drawn at a level."""

    def __init__(self, straight: np.ndarray) -> None:
        self._full = premultiply(np.ascontiguousarray(straight))
        self._images: dict[int, tuple[QImage, np.ndarray]] = {}

    def image(self, level: int) -> QImage:
        if level not in self._images:
            pixels = np.ascontiguousarray(downsample(self._full, level))
            height, width = pixels.shape[:2]
            # The QImage shares the array's memory: keep both together.
            self._images = {level: (QImage(pixels.data, width, height, width * 4, _PREMULTIPLIED), pixels)}
        return self._images[level][0]


class TransformPreview:
    """Paints the picture without the piece, the piece (its pixels at piece_rect) mapped, then the layers
    above the piece's layer when there are any."""

    def __init__(self, picture: LiftedPicture, piece: np.ndarray, piece_rect: Rect, opacity: float) -> None:
        self.rect, self.piece_rect, self.opacity = picture.rect, piece_rect, opacity
        shown = picture.below is not None and not picture.rect.is_empty()
        self._below = _Levels(picture.below) if shown else None
        self._above = _Levels(picture.above) if picture.above is not None else None
        self._piece = _Levels(piece)
        self._checker = checker_brush()
        self._screen_key: tuple | None = None
        self._screen_images: tuple[QImage | None, QImage | None] = (None, None)

    def paint(self, painter: QPainter, viewport: Viewport, affine: Affine) -> None:
        """Draw the preview with the piece moved by affine (document coordinates)."""
        below, above = self._screens(painter, viewport)
        level = viewport.pyramid_level(MAX_LEVEL)
        painter.save()
        if below is not None:
            painter.drawImage(QPointF(0, 0), below)
        r = self.piece_rect
        painter.setTransform(qt_transform(Affine.translation(r.x, r.y).then(affine)) * viewport.transform())
        # Whole-pixel maps stay crisp when zoomed in, like the canvas; anything else is filtered.
        exact = viewport.zoom >= 1.0 and affine.quarter_turn()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not exact)
        painter.setOpacity(self.opacity)
        painter.drawImage(QRectF(0, 0, r.w, r.h), self._piece.image(level))
        if above is not None:
            painter.resetTransform()
            painter.setOpacity(1.0)
            painter.drawImage(QPointF(0, 0), above)
        painter.restore()

    def _screens(self, painter: QPainter, viewport: Viewport) -> tuple[QImage | None, QImage | None]:
        """What lies below and above the piece, scaled to the widget once per view (a move then blits)."""
        device = painter.device()
        key = (viewport.zoom, viewport.origin.x(), viewport.origin.y(), device.width(), device.height(),
               device.devicePixelRatioF())
        if key != self._screen_key:
            self._screen_key = key
            area = QRectF(self.rect.x, self.rect.y, self.rect.w, self.rect.h)
            below = None if area.isEmpty() else self._screen(key, viewport, area, self._below, checker=True)
            above = self._screen(key, viewport, area, self._above, checker=False) if self._above else None
            self._screen_images = (below, above)
        return self._screen_images

    def _screen(self, key: tuple, viewport: Viewport, area: QRectF, levels: _Levels | None,
                checker: bool) -> QImage:
        width, height, ratio = key[3], key[4], key[5]
        image = QImage(round(width * ratio), round(height * ratio), _SCREEN)
        image.setDevicePixelRatio(ratio)
        image.fill(0)
        painter = QPainter(image)
        if checker:  # where the picture is see-through, the checkerboard shows, not the lifted pixels
            draw_checkerboard(painter, self._checker, viewport.doc_rect_to_widget(area),
                              viewport.to_widget(QPointF(0, 0)))
        if levels is not None:
            painter.setTransform(viewport.transform())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, viewport.zoom < 1.0)
            painter.drawImage(area, levels.image(viewport.pyramid_level(MAX_LEVEL)))
        painter.end()
        return image
