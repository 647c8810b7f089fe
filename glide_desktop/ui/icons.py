"""Small icons painted in code; the application icon is the shipped resources/icons/glide-desktop-*.png."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF

from glide_desktop.engine.resources import resource_path

_INK = QColor(215, 215, 215)
_SIZE = 32
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


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


def _sheet(y: float) -> QPolygonF:
    """A layer seen from above at an angle: the diamond of the usual "layers" pictogram."""
    return QPolygonF([QPointF(16, y - 4), QPointF(27, y), QPointF(16, y + 4), QPointF(5, y)])


def _flatten(p: QPainter) -> None:
    # Two stacked sheets, an arrow, one solid sheet: many layers become one.
    p.drawPolygon(_sheet(6))
    p.drawPolyline(QPolygonF([QPointF(5, 10.5), QPointF(16, 14.5), QPointF(27, 10.5)]))
    p.drawPolyline(QPolygonF([QPointF(13, 17), QPointF(16, 20), QPointF(19, 17)]))
    p.setBrush(_INK)
    p.drawPolygon(_sheet(25))


def _dice(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(6, 6, 20, 20), 4, 4)
    p.setBrush(_INK)
    for x, y in ((11, 11), (16, 16), (21, 21), (21, 11), (11, 21)):
        p.drawEllipse(QPointF(x, y), 1.2, 1.2)


def _folder(p: QPainter) -> None:
    # A folder with a tab, filled warm so it reads on light and dark panels alike.
    outline = QPolygonF([QPointF(4, 8), QPointF(12, 8), QPointF(15, 11), QPointF(28, 11), QPointF(28, 26),
                         QPointF(4, 26)])
    p.setBrush(QColor(214, 168, 74))
    p.setPen(QPen(QColor(120, 86, 24), 1.6))
    p.drawPolygon(outline)
    p.setBrush(QColor(236, 196, 110))
    p.drawRect(QRectF(4, 14, 24, 12))


_DRAWINGS: dict[str, Callable[[QPainter], None]] = {
    "add": _plus,
    "duplicate": _duplicate,
    "delete": _delete,
    "merge-down": _merge_down,
    "flatten": _flatten,
    "dice": _dice,
    "folder": _folder,
}


def icon(name: str) -> QIcon:
    """The named icon: add, duplicate, delete, merge-down, flatten, dice, folder, app."""
    if name == "app":
        return app_icon()
    try:
        draw = _DRAWINGS[name]
    except KeyError:
        raise ValueError(f"unknown icon {name!r}; known: {', '.join(_DRAWINGS)}, app") from None
    return _canvas(draw)


def app_icon() -> QIcon:
    """The application's icon at every shipped size (the same files launchers show)."""
    result = QIcon()
    for size in APP_ICON_SIZES:
        result.addFile(str(resource_path("icons", f"glide-desktop-{size}.png")), QSize(size, size))
    return result
