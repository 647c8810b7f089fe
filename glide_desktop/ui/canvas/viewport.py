"""Zoom and pan state: maps between widget pixels and document pixels."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize
from PySide6.QtGui import QTransform

MIN_ZOOM = 1 / 64
MAX_ZOOM = 64.0
# Preset steps for Ctrl +/- so repeated zooming lands on familiar percentages.
ZOOM_STEPS = (
    1 / 64, 1 / 48, 1 / 32, 1 / 24, 1 / 16, 1 / 12, 1 / 8, 1 / 6, 1 / 4, 1 / 3, 1 / 2, 2 / 3,
    1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0,
)


def clamp_zoom(zoom: float) -> float:
    """The zoom limited to the supported range."""
    return min(MAX_ZOOM, max(MIN_ZOOM, float(zoom)))


def next_zoom_step(zoom: float, direction: int) -> float:
    """The next preset step above (direction > 0) or below the given zoom."""
    eps = 1e-6
    if direction > 0:
        return next((s for s in ZOOM_STEPS if s > zoom * (1 + eps)), MAX_ZOOM)
    return next((s for s in reversed(ZOOM_STEPS) if s < zoom * (1 - eps)), MIN_ZOOM)


class Viewport:
    """Document pixel (x, y) shows at widget point origin + zoom * (x, y)."""

    def __init__(self) -> None:
        self.zoom = 1.0
        self.origin = QPointF(0.0, 0.0)

    def to_doc(self, point: QPointF) -> QPointF:
        """Widget point -> document point (floating, pixel centres at +0.5)."""
        return QPointF((point.x() - self.origin.x()) / self.zoom, (point.y() - self.origin.y()) / self.zoom)

    def to_widget(self, point: QPointF) -> QPointF:
        """Document point -> widget point."""
        return QPointF(self.origin.x() + point.x() * self.zoom, self.origin.y() + point.y() * self.zoom)

    def doc_rect_to_widget(self, rect: QRectF) -> QRectF:
        """A document rectangle in widget coordinates."""
        return QRectF(self.to_widget(rect.topLeft()), self.to_widget(rect.bottomRight()))

    def widget_rect_to_doc(self, rect: QRectF) -> QRectF:
        """A widget rectangle in document coordinates."""
        return QRectF(self.to_doc(rect.topLeft()), self.to_doc(rect.bottomRight()))

    def transform(self) -> QTransform:
        """The document -> widget transform for a QPainter."""
        return QTransform(self.zoom, 0, 0, self.zoom, self.origin.x(), self.origin.y())

    def zoom_about(self, zoom: float, anchor: QPointF) -> None:
        """Set the zoom keeping the document point under the widget point `anchor` fixed."""
        doc_point = self.to_doc(anchor)
        self.zoom = clamp_zoom(zoom)
        self.origin = QPointF(anchor.x() - doc_point.x() * self.zoom, anchor.y() - doc_point.y() * self.zoom)

    def pan(self, dx: float, dy: float) -> None:
        """Move the view by (dx, dy) widget pixels."""
        self.origin = QPointF(self.origin.x() + dx, self.origin.y() + dy)

    def center(self, doc_size: QSize, widget_size: QSize) -> None:
        """Place the document's centre at the widget's centre, keeping the zoom."""
        self.origin = QPointF(
            round((widget_size.width() - doc_size.width() * self.zoom) / 2),
            round((widget_size.height() - doc_size.height() * self.zoom) / 2),
        )

    def fit(self, doc_size: QSize, widget_size: QSize, margin: int = 16) -> None:
        """The largest zoom (at most 100 %) that shows the whole document, centred."""
        if doc_size.isEmpty() or widget_size.isEmpty():
            return
        avail_w = max(1, widget_size.width() - 2 * margin)
        avail_h = max(1, widget_size.height() - 2 * margin)
        self.zoom = clamp_zoom(min(1.0, avail_w / doc_size.width(), avail_h / doc_size.height()))
        self.center(doc_size, widget_size)

    def pyramid_level(self, max_level: int) -> int:
        """The coarsest power-of-two reduction that still has at least one pixel per screen pixel."""
        if self.zoom >= 1.0:
            return 0
        return max(0, min(max_level, int(math.floor(math.log2(1.0 / self.zoom) + 1e-9))))
