"""Painting helpers: the transparency checkerboard and the exposed part of an image pyramid."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap

from glide_desktop.ui.canvas.pyramid import ImagePyramid
from glide_desktop.ui.canvas.viewport import Viewport

CHECKER_SQUARE = 8  # screen pixels
CHECKER_LIGHT = QColor(204, 204, 204)
CHECKER_DARK = QColor(153, 153, 153)


def checker_brush() -> QBrush:
    """A brush tiling light and dark squares (needs a QGuiApplication)."""
    tile = QPixmap(2 * CHECKER_SQUARE, 2 * CHECKER_SQUARE)
    tile.fill(CHECKER_LIGHT)
    painter = QPainter(tile)
    painter.fillRect(0, 0, CHECKER_SQUARE, CHECKER_SQUARE, CHECKER_DARK)
    painter.fillRect(CHECKER_SQUARE, CHECKER_SQUARE, CHECKER_SQUARE, CHECKER_SQUARE, CHECKER_DARK)
    painter.end()
    return QBrush(tile)


def document_rect(viewport: Viewport, width: int, height: int) -> QRectF:
    """The whole document's area in widget coordinates."""
    return viewport.doc_rect_to_widget(QRectF(0, 0, width, height))


def draw_checkerboard(painter: QPainter, brush: QBrush, area: QRectF, origin: QPointF) -> None:
    """Fill `area` with the checkerboard, anchored at `origin` so it pans with the image."""
    painter.setBrushOrigin(origin)
    painter.fillRect(area, brush)


def draw_pyramid(painter: QPainter, pyramid: ImagePyramid, viewport: Viewport, exposed: QRectF) -> None:
    """Draw only the document pixels under `exposed` from the pyramid level that suits the zoom."""
    level = viewport.pyramid_level(pyramid.max_level)
    scale = 2**level
    image = pyramid.image(level)
    doc_area = viewport.widget_rect_to_doc(exposed)
    # Whole source pixels covering the exposed area (one extra for the smooth filter's footprint).
    pad = 1 if viewport.zoom < 1.0 else 0
    left = max(0, math.floor(doc_area.left() / scale) - pad)
    top = max(0, math.floor(doc_area.top() / scale) - pad)
    right = min(image.width(), math.ceil(doc_area.right() / scale) + pad)
    bottom = min(image.height(), math.ceil(doc_area.bottom() / scale) + pad)
    if right <= left or bottom <= top:
        return
    source = QRectF(left, top, right - left, bottom - top)
    target = viewport.doc_rect_to_widget(QRectF(left * scale, top * scale, source.width() * scale,
                                                source.height() * scale))
    # Levels can be one pixel larger than the exact half (odd sizes): never draw past the document.
    painter.save()
    painter.setClipRect(exposed.intersected(document_rect(viewport, pyramid.width, pyramid.height)))
    # Zoomed in, crisp pixel squares help editing; zoomed out, filtering avoids shimmering.
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, viewport.zoom < 1.0)
    painter.drawImage(target, image, source)
    painter.restore()


def draw_brush_outline(painter: QPainter, centre: QPointF, radius: float) -> None:
    """A circle of the brush size, visible on light and dark pixels (widget coordinates)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(QColor(255, 255, 255, 200), 3))
    painter.drawEllipse(centre, radius, radius)
    painter.setPen(QPen(QColor(0, 0, 0, 230), 1))
    painter.drawEllipse(centre, radius, radius)
    painter.restore()
