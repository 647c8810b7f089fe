"""Small tool icons drawn with QPainter, so the app ships no image files for them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

SIZE = 24
INK = QColor(220, 220, 220)


def _dashed(p: QPainter) -> None:
    pen = QPen(INK, 1.5, Qt.PenStyle.DashLine)
    p.setPen(pen)


def _move(p: QPainter) -> None:
    p.setPen(QPen(INK, 2))
    p.drawLine(12, 3, 12, 21)
    p.drawLine(3, 12, 21, 12)
    for a, b, c in (((12, 2), (9, 6), (15, 6)), ((12, 22), (9, 18), (15, 18)),
                    ((2, 12), (6, 9), (6, 15)), ((22, 12), (18, 9), (18, 15))):
        p.setBrush(INK)
        p.drawPolygon(QPolygonF([QPointF(*a), QPointF(*b), QPointF(*c)]))


def _rect(p: QPainter) -> None:
    _dashed(p)
    p.drawRect(QRectF(4, 6, 16, 12))


def _ellipse(p: QPainter) -> None:
    _dashed(p)
    p.drawEllipse(QRectF(3, 6, 18, 12))


def _lasso(p: QPainter) -> None:
    _dashed(p)
    path = QPainterPath(QPointF(6, 16))
    path.cubicTo(0, 6, 18, 0, 21, 8)
    path.cubicTo(23, 15, 12, 18, 8, 15)
    p.drawPath(path)
    p.setPen(QPen(INK, 1.5))
    p.drawLine(8, 15, 7, 22)


def _polygon(p: QPainter) -> None:
    _dashed(p)
    corners = ((4, 18), (7, 4), (20, 8), (15, 14), (20, 20))
    p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in corners]))


def _wand(p: QPainter) -> None:
    p.setPen(QPen(INK, 2.5))
    p.drawLine(4, 20, 15, 9)
    p.setPen(QPen(QColor(255, 220, 80), 1.5))
    for dx, dy in ((0, -4), (0, 4), (-4, 0), (4, 0)):
        p.drawLine(QPointF(18, 6), QPointF(18 + dx, 6 + dy))


def _brush(p: QPainter) -> None:
    p.setPen(QPen(INK, 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(19, 4, 10, 13)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(INK)
    p.drawEllipse(QRectF(4, 13, 8, 8))


def _eraser(p: QPainter) -> None:
    p.setPen(QPen(INK, 1.5))
    p.setBrush(QColor(240, 150, 170))
    p.drawPolygon(QPolygonF([QPointF(4, 15), QPointF(13, 6), QPointF(20, 13), QPointF(11, 22)]))
    p.drawLine(4, 22, 20, 22)


def _picker(p: QPainter) -> None:
    p.setPen(QPen(INK, 2.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(5, 19, 15, 9)
    p.setBrush(INK)
    p.drawEllipse(QRectF(14, 3, 7, 7))


def _quick_mask(p: QPainter) -> None:
    p.setPen(QPen(INK, 1.5))
    p.setBrush(QColor(230, 30, 30, 150))
    p.drawEllipse(QRectF(4, 4, 16, 16))


_PAINTERS: dict[str, Callable[[QPainter], None]] = {
    "move": _move, "rect_select": _rect, "ellipse_select": _ellipse, "lasso": _lasso,
    "polygon_lasso": _polygon, "magic_wand": _wand, "selection_brush": _quick_mask, "brush": _brush,
    "eraser": _eraser, "color_picker": _picker,
}


def tool_icon(name: str) -> QIcon:
    """The icon for a tool name (an empty icon for unknown names)."""
    draw = _PAINTERS.get(name)
    if draw is None:
        return QIcon()
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw(painter)
    painter.end()
    return QIcon(pixmap)
