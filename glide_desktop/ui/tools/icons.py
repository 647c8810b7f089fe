"""Small tool icons drawn with QPainter, so the app ships no image files for them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
)

SIZE = 24


def _dashed(p: QPainter, ink: QColor) -> None:
    pen = QPen(ink, 1.5, Qt.PenStyle.DashLine)
    p.setPen(pen)


def _move(p: QPainter, ink: QColor) -> None:
    p.setPen(QPen(ink, 2))
    p.drawLine(12, 3, 12, 21)
    p.drawLine(3, 12, 21, 12)
    for a, b, c in (((12, 2), (9, 6), (15, 6)), ((12, 22), (9, 18), (15, 18)),
                    ((2, 12), (6, 9), (6, 15)), ((22, 12), (18, 9), (18, 15))):
        p.setBrush(ink)
        p.drawPolygon(QPolygonF([QPointF(*a), QPointF(*b), QPointF(*c)]))


def _rect(p: QPainter, ink: QColor) -> None:
    _dashed(p, ink)
    p.drawRect(QRectF(4, 6, 16, 12))


def _ellipse(p: QPainter, ink: QColor) -> None:
    _dashed(p, ink)
    p.drawEllipse(QRectF(3, 6, 18, 12))


def _lasso(p: QPainter, ink: QColor) -> None:
    _dashed(p, ink)
    path = QPainterPath(QPointF(6, 16))
    path.cubicTo(0, 6, 18, 0, 21, 8)
    path.cubicTo(23, 15, 12, 18, 8, 15)
    p.drawPath(path)
    p.setPen(QPen(ink, 1.5))
    p.drawLine(8, 15, 7, 22)


def _polygon(p: QPainter, ink: QColor) -> None:
    _dashed(p, ink)
    corners = ((4, 18), (7, 4), (20, 8), (15, 14), (20, 20))
    p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in corners]))


def _wand(p: QPainter, ink: QColor) -> None:
    p.setPen(QPen(ink, 2.5))
    p.drawLine(4, 20, 15, 9)
    p.setPen(QPen(QColor(255, 220, 80), 1.5))
    for dx, dy in ((0, -4), (0, 4), (-4, 0), (4, 0)):
        p.drawLine(QPointF(18, 6), QPointF(18 + dx, 6 + dy))


def _brush(p: QPainter, ink: QColor) -> None:
    # Handle, ferrule and a tapered tip, so it does not read as the colour picker's dropper.
    p.setPen(QPen(ink, 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(21, 3), QPointF(13, 11))
    p.setPen(QPen(ink, 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
    p.drawLine(QPointF(13.5, 10.5), QPointF(11, 13))
    tip = QPainterPath(QPointF(9, 11.5))
    tip.cubicTo(5, 14, 5, 18, 3, 21)
    tip.cubicTo(7, 20, 11, 19, 12.5, 15)
    tip.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(ink)
    p.drawPath(tip)


def _eraser(p: QPainter, ink: QColor) -> None:
    p.setPen(QPen(ink, 1.5))
    p.setBrush(QColor(240, 150, 170))
    p.drawPolygon(QPolygonF([QPointF(4, 15), QPointF(13, 6), QPointF(20, 13), QPointF(11, 22)]))
    p.drawLine(4, 22, 20, 22)


def _picker(p: QPainter, ink: QColor) -> None:
    # An eyedropper: squeeze bulb, collar, glass tube and a fine tip.
    p.setPen(QPen(ink, 5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(16.5, 7.5), QPointF(19, 5))
    p.setPen(QPen(ink, 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(11.5, 8.5), QPointF(15.5, 12.5))
    p.setPen(QPen(ink, 2.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
    p.drawLine(QPointF(13.5, 10.5), QPointF(6, 18))
    p.setPen(QPen(ink, 1.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(6, 18), QPointF(3.5, 20.5))


def _quick_mask(p: QPainter, ink: QColor) -> None:
    # A brush laying down the red tint, inside a selection's dashed edge.
    area = QRectF(2, 8, 14, 14)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(230, 30, 30, 200))
    p.drawEllipse(area)
    pen = QPen(ink, 1.5)
    pen.setDashPattern([2.0, 1.5])
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(area)
    p.setPen(QPen(ink, 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(22, 2), QPointF(17, 7))
    p.setPen(QPen(ink, 3.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
    p.drawLine(QPointF(17.5, 6.5), QPointF(15, 9))
    tip = QPainterPath(QPointF(13.5, 8))
    tip.cubicTo(11, 10, 11, 13, 9, 15.5)
    tip.cubicTo(12, 15, 15, 14, 16, 10.5)
    tip.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(ink)
    p.drawPath(tip)


_PAINTERS: dict[str, Callable[[QPainter, QColor], None]] = {
    "move": _move, "rect_select": _rect, "ellipse_select": _ellipse, "lasso": _lasso,
    "polygon_lasso": _polygon, "magic_wand": _wand, "selection_brush": _quick_mask, "brush": _brush,
    "eraser": _eraser, "color_picker": _picker,
}


def tool_icon(name: str) -> QIcon:
    """The icon for a tool name in the palette's text colour (an empty icon for unknown names)."""
    draw = _PAINTERS.get(name)
    if draw is None:
        return QIcon()
    ink = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw(painter, ink)
    painter.end()
    return QIcon(pixmap)
