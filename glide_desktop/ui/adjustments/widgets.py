"""Widgets of the adjustment dialogs: a slider with its number, a histogram, an editable curve."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QSlider, QSpinBox, QWidget

from glide_desktop.document.adjustments import IDENTITY_POINTS, monotone_curve

CHANNEL_COLOURS = {"rgb": QColor(200, 200, 200), "red": QColor(230, 80, 80),
                   "green": QColor(80, 200, 90), "blue": QColor(90, 130, 240)}
GRAB_RADIUS = 8  # screen pixels within which a press picks up a curve point


class SliderRow(QWidget):
    """A horizontal slider and a spin box showing the same integer."""

    valueChanged = Signal(int)

    def __init__(self, low: int, high: int, value: int = 0, suffix: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(low, high)
        self.slider.setMinimumWidth(220)
        self.box = QSpinBox()
        self.box.setRange(low, high)
        self.box.setSuffix(suffix)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.box)
        self.slider.valueChanged.connect(self._from_slider)
        self.box.valueChanged.connect(self._from_box)
        self.setValue(value)

    def value(self) -> int:
        return self.slider.value()

    def setValue(self, value: int) -> None:  # noqa: N802 - Qt style, like the widgets it wraps
        self.slider.setValue(int(value))
        self.box.setValue(int(value))

    def _from_slider(self, value: int) -> None:
        if self.box.value() != value:
            self.box.setValue(value)
        self.valueChanged.emit(value)

    def _from_box(self, value: int) -> None:
        if self.slider.value() != value:
            self.slider.setValue(value)


class HistogramView(QWidget):
    """Counts of 256 levels drawn as a filled profile (square-root scale so midtones stay readable)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts = np.zeros(256)
        self.colour = CHANNEL_COLOURS["rgb"]
        self.setMinimumSize(256, 110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_counts(self, counts: np.ndarray, colour: QColor) -> None:
        self.counts, self.colour = np.asarray(counts, np.float64), colour
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(30, 30, 30))
        draw_profile(painter, QRectF(self.rect()), self.counts, self.colour)
        painter.end()


def draw_profile(painter: QPainter, area: QRectF, counts: np.ndarray, colour: QColor) -> None:
    """A histogram's filled outline across area."""
    heights = np.sqrt(counts)
    top = heights.max() if heights.size and heights.max() > 0 else 1.0
    step = area.width() / 256.0
    points = [QPointF(area.left(), area.bottom())]
    for level, value in enumerate(heights):
        y = area.bottom() - value / top * (area.height() - 4)
        points += [QPointF(area.left() + level * step, y), QPointF(area.left() + (level + 1) * step, y)]
    points.append(QPointF(area.right(), area.bottom()))
    fill = QColor(colour)
    fill.setAlpha(150)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawPolygon(QPolygonF(points))


class CurveEditor(QWidget):
    """A 0..255 × 0..255 curve: click to add a point, drag to move it, drag it off the side to remove it."""

    pointsChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[float, float]] = list(IDENTITY_POINTS)
        self.colour = CHANNEL_COLOURS["rgb"]
        self.counts = np.zeros(256)
        self._dragging: int | None = None
        self.setMinimumSize(280, 280)
        self.setMouseTracking(False)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(300, 300)

    def set_points(self, points, colour: QColor, counts: np.ndarray) -> None:
        self.points, self.colour, self.counts = sorted(points), colour, counts
        self.update()

    # --- coordinates --------------------------------------------------------------------------------
    def _area(self) -> QRectF:
        side = min(self.width(), self.height()) - 12
        return QRectF(6, 6, side, side)

    def to_widget(self, x: float, y: float) -> QPointF:
        """Widget position of curve point (x, y) in 0..255."""
        area = self._area()
        return QPointF(area.left() + x / 255 * area.width(), area.bottom() - y / 255 * area.height())

    def to_curve(self, pos: QPointF) -> tuple[float, float]:
        area = self._area()
        x = (pos.x() - area.left()) / area.width() * 255
        y = (area.bottom() - pos.y()) / area.height() * 255
        return float(np.clip(round(x), 0, 255)), float(np.clip(round(y), 0, 255))

    # --- mouse -----------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        near = [i for i, p in enumerate(self.points)
                if (self.to_widget(*p) - pos).manhattanLength() <= GRAB_RADIUS * 1.5]
        if near:
            self._dragging = near[0]
        else:
            point = self.to_curve(pos)
            self.points = sorted([p for p in self.points if p[0] != point[0]] + [point])
            self._dragging = self.points.index(point)
            self._changed()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._dragging is None:
            return
        x, y = self.to_curve(event.position())
        others = [p for i, p in enumerate(self.points) if i != self._dragging]
        inner = 0 < self._dragging < len(self.points) - 1
        outside = not self._area().adjusted(-20, -20, 20, 20).contains(event.position())
        if inner and outside:  # dragged off the graph: the point goes
            self.points, self._dragging = others, None
            self._changed()
            return
        if any(p[0] == x for p in others):
            return  # two points at one input level would make the curve ambiguous
        moved = (x, y)
        self.points = sorted(others + [moved])
        self._dragging = self.points.index(moved)
        self._changed()

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._dragging = None

    def _changed(self) -> None:
        self.update()
        self.pointsChanged.emit()

    # --- painting --------------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(40, 40, 40))
        area = self._area()
        painter.fillRect(area, QColor(28, 28, 28))
        draw_profile(painter, area, self.counts, QColor(90, 90, 90))
        painter.setPen(QPen(QColor(70, 70, 70), 1))
        for i in range(1, 4):
            painter.drawLine(QPointF(area.left() + area.width() * i / 4, area.top()),
                             QPointF(area.left() + area.width() * i / 4, area.bottom()))
            painter.drawLine(QPointF(area.left(), area.top() + area.height() * i / 4),
                             QPointF(area.right(), area.top() + area.height() * i / 4))
        painter.drawLine(area.bottomLeft(), area.topRight())
        values = np.clip(monotone_curve(self.points), 0, 255)
        path = QPainterPath(self.to_widget(0, values[0]))
        for x in range(1, 256):
            path.lineTo(self.to_widget(x, values[x]))
        painter.setPen(QPen(self.colour, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        painter.setBrush(self.colour)
        for point in self.points:
            painter.drawEllipse(self.to_widget(*point), 4, 4)
        painter.end()
