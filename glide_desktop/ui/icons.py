"""Small icons painted in code, so the app ships no image files it must find at run time."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QLinearGradient, QPainter, QPen, QPixmap, QPolygonF

_INK = QColor(215, 215, 215)
_SIZE = 32


def _canvas(draw: Callable[[QPainter], None], size: int = _SIZE) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / _SIZE, size / _SIZE)
    pen = QPen(_INK, 2.4)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    draw(painter)
    painter.end()
    return QIcon(pixmap)


def _plus(p: QPainter) -> None:
    p.drawLine(16, 7, 16, 25)
    p.drawLine(7, 16, 25, 16)


def _duplicate(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(5, 5, 15, 15), 2, 2)
    p.setBrush(QColor(45, 45, 48))
    p.drawRoundedRect(QRectF(12, 12, 15, 15), 2, 2)


def _delete(p: QPainter) -> None:
    p.drawLine(8, 9, 24, 9)
    p.drawLine(13, 6, 19, 6)
    p.drawPolyline(QPolygonF([QPointF(10, 9), QPointF(11.5, 26), QPointF(20.5, 26), QPointF(22, 9)]))


def _merge_down(p: QPainter) -> None:
    p.drawLine(16, 5, 16, 19)
    p.drawPolyline(QPolygonF([QPointF(10, 13), QPointF(16, 19), QPointF(22, 13)]))
    p.drawLine(7, 25, 25, 25)


def _flatten(p: QPainter) -> None:
    for y in (9, 16, 23):
        p.drawLine(7, y, 25, y)


def _dice(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(6, 6, 20, 20), 4, 4)
    p.setBrush(_INK)
    for x, y in ((11, 11), (16, 16), (21, 21), (21, 11), (11, 21)):
        p.drawEllipse(QPointF(x, y), 1.2, 1.2)


def _app(p: QPainter) -> None:
    gradient = QLinearGradient(0, 0, _SIZE, _SIZE)
    gradient.setColorAt(0.0, QColor(236, 120, 60))
    gradient.setColorAt(1.0, QColor(120, 70, 200))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(gradient))
    p.drawRoundedRect(QRectF(1, 1, 30, 30), 7, 7)
    p.setPen(QPen(QColor(255, 255, 255), 3.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    # A brush stroke sweeping up: painting guided by a prompt.
    p.drawPolyline(QPolygonF([QPointF(7, 23), QPointF(13, 17), QPointF(18, 20), QPointF(25, 9)]))


_DRAWINGS: dict[str, Callable[[QPainter], None]] = {
    "add": _plus,
    "duplicate": _duplicate,
    "delete": _delete,
    "merge-down": _merge_down,
    "flatten": _flatten,
    "dice": _dice,
    "app": _app,
}


def icon(name: str) -> QIcon:
    """The named icon: add, duplicate, delete, merge-down, flatten, dice, app."""
    try:
        draw = _DRAWINGS[name]
    except KeyError:
        raise ValueError(f"unknown icon {name!r}; known: {', '.join(_DRAWINGS)}") from None
    if name == "app":
        result = QIcon()
        for size in (16, 32, 64, 128, 256):
            result.addPixmap(_canvas(draw, size).pixmap(size, size))
        return result
    return _canvas(draw)
