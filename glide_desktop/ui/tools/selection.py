"""Selection tools: rectangle, ellipse, freehand lasso, polygonal lasso and magic wand."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPen, QPolygonF

from glide_desktop.document.selection import (
    SelectionOp,
    ellipse_coverage,
    magic_wand,
    polygon_coverage,
    rect_coverage,
)
from glide_desktop.ui.canvas.events import CanvasPointerEvent
from glide_desktop.ui.tools.base import Tool, apply_selection, selection_op

CLOSE_DISTANCE = 6.0  # screen pixels: clicking this near the first vertex closes a polygon
_LEFT = Qt.MouseButton.LeftButton


def _rubber_pen(dark: bool) -> QPen:
    pen = QPen(QColor(0, 0, 0) if dark else QColor(255, 255, 255), 1)
    if dark:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _draw_rubber(painter: QPainter, shape: Any) -> None:
    """Draw a shape twice (white solid, black dashed) so it shows on any background."""
    painter.save()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for dark in (False, True):
        painter.setPen(_rubber_pen(dark))
        shape(painter)
    painter.restore()


class _DragShapeTool(Tool):
    """Press, drag and release a box; subclasses turn the box into coverage."""

    cursor_shape = Qt.CursorShape.CrossCursor
    shape_text = "Select"

    def __init__(self, state: Any) -> None:
        super().__init__(state)
        self._start: QPointF | None = None
        self._end: QPointF | None = None
        self._op = SelectionOp.REPLACE

    def press(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if event.button != _LEFT:
            return
        # Snap to pixel edges so rectangle selections are crisp.
        self._start = self._end = QPointF(round(event.x), round(event.y))
        self._op = selection_op(event, self.state.selection_mode)

    def move(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if self._start is None:
            return
        self._end = QPointF(round(event.x), round(event.y))
        canvas.update()

    def release(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if self._start is None or event.button != _LEFT:
            return
        self._end = QPointF(round(event.x), round(event.y))
        box = QRectF(self._start, self._end).normalized()
        self._start = self._end = None
        canvas.update()
        doc = canvas.document
        if box.width() < 1 or box.height() < 1:
            if self._op is SelectionOp.REPLACE and not doc.selection.is_empty():
                # A plain click without a drag drops the selection, as in other editors.
                apply_selection(canvas, SelectionOp.REPLACE, 0.0, "Deselect")
            return
        coverage = self.coverage((doc.width, doc.height), (box.x(), box.y(), box.width(), box.height()))
        apply_selection(canvas, self._op, coverage, self.shape_text)

    def cancel(self, canvas: Any) -> None:
        self._start = self._end = None

    def coverage(self, size: tuple[int, int], box: tuple[float, float, float, float]) -> Any:
        raise NotImplementedError

    def paint_overlay(self, painter: QPainter, canvas: Any) -> None:
        if self._start is None or self._end is None:
            return
        box = QRectF(canvas.map_from_document(self._start), canvas.map_from_document(self._end)).normalized()
        _draw_rubber(painter, lambda p: self.draw_shape(p, box))

    def draw_shape(self, painter: QPainter, box: QRectF) -> None:
        painter.drawRect(box)


class RectSelectTool(_DragShapeTool):
    name, label, shortcut = "rect_select", "Rectangle select", "M"
    description = "drag a box; Shift adds, Alt subtracts, Shift+Alt intersects"
    shape_text = "Rectangle select"

    def coverage(self, size: tuple[int, int], box: tuple[float, float, float, float]) -> Any:
        return rect_coverage(size, box)


class EllipseSelectTool(_DragShapeTool):
    name, label, shortcut = "ellipse_select", "Ellipse select", "Shift+M"
    description = "drag the ellipse's box; Shift adds, Alt subtracts, Shift+Alt intersects"
    shape_text = "Ellipse select"

    def coverage(self, size: tuple[int, int], box: tuple[float, float, float, float]) -> Any:
        return ellipse_coverage(size, box)

    def draw_shape(self, painter: QPainter, box: QRectF) -> None:
        painter.drawEllipse(box)


class LassoTool(Tool):
    """Freehand lasso: the path drawn while the button is held, closed on release."""

    name, label, shortcut = "lasso", "Lasso", "L"
    description = "draw around an area; Shift adds, Alt subtracts"
    cursor_shape = Qt.CursorShape.CrossCursor

    def __init__(self, state: Any) -> None:
        super().__init__(state)
        self._points: list[QPointF] = []
        self._op = SelectionOp.REPLACE

    def press(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if event.button == _LEFT:
            self._points = [event.pos]
            self._op = selection_op(event, self.state.selection_mode)

    def move(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if not self._points:
            return
        last = self._points[-1]
        # Skip points closer than half a screen pixel: they add nothing but cost.
        if math.hypot(event.x - last.x(), event.y - last.y()) * canvas.zoom >= 0.5:
            self._points.append(event.pos)
            canvas.update()

    def release(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if not self._points or event.button != _LEFT:
            return
        self._points.append(event.pos)
        points, self._points = self._points, []
        canvas.update()
        _select_polygon(canvas, points, self._op, "Lasso select")

    def cancel(self, canvas: Any) -> None:
        self._points = []

    def paint_overlay(self, painter: QPainter, canvas: Any) -> None:
        if len(self._points) > 1:
            poly = QPolygonF([canvas.map_from_document(p) for p in self._points])
            _draw_rubber(painter, lambda p: p.drawPolyline(poly))


def _select_polygon(canvas: Any, points: list[QPointF], op: SelectionOp, text: str) -> None:
    if len(points) < 3:
        return
    doc = canvas.document
    coverage = polygon_coverage((doc.width, doc.height), [(p.x(), p.y()) for p in points])
    apply_selection(canvas, op, coverage, text)


class PolygonLassoTool(Tool):
    """Click vertices; double-click, Enter or a click on the first vertex closes; Esc cancels."""

    name, label, shortcut = "polygon_lasso", "Polygonal lasso", "Shift+L"
    description = "click corners, double-click or Enter to close, Esc cancels, Backspace removes a corner"
    cursor_shape = Qt.CursorShape.CrossCursor

    def __init__(self, state: Any) -> None:
        super().__init__(state)
        self._points: list[QPointF] = []
        self._hover: QPointF | None = None
        self._op = SelectionOp.REPLACE

    def press(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if event.button != _LEFT:
            return
        if not self._points:
            self._op = selection_op(event, self.state.selection_mode)
        elif len(self._points) >= 3 and self._near_first(canvas, event.widget_pos):
            self._close(canvas)
            return
        self._points.append(event.pos)
        canvas.update()

    def move(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if self._points:
            self._hover = event.pos
            canvas.update()

    def double_click(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if self._points:
            self._close(canvas)

    def key_press(self, canvas: Any, event: QKeyEvent) -> bool:
        if not self._points:
            return False
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._close(canvas)
        elif key == Qt.Key.Key_Escape:
            self.cancel(canvas)
            canvas.update()
        elif key == Qt.Key.Key_Backspace:
            self._points.pop()
            canvas.update()
        else:
            return False
        return True

    def cancel(self, canvas: Any) -> None:
        self._points, self._hover = [], None

    def _near_first(self, canvas: Any, widget_pos: QPointF) -> bool:
        first = canvas.map_from_document(self._points[0])
        return math.hypot(first.x() - widget_pos.x(), first.y() - widget_pos.y()) <= CLOSE_DISTANCE

    def _close(self, canvas: Any) -> None:
        points = self._points
        self.cancel(canvas)
        canvas.update()
        _select_polygon(canvas, points, self._op, "Polygonal lasso select")

    def paint_overlay(self, painter: QPainter, canvas: Any) -> None:
        if not self._points:
            return
        points = self._points + ([self._hover] if self._hover is not None else [])
        poly = QPolygonF([canvas.map_from_document(p) for p in points])
        _draw_rubber(painter, lambda p: p.drawPolyline(poly))


class MagicWandTool(Tool):
    """Click a pixel to select the similar-coloured region around it (composite colours)."""

    name, label, shortcut = "magic_wand", "Magic wand", "W"
    description = "click to select a similar-coloured region; Shift adds, Alt subtracts"
    cursor_shape = Qt.CursorShape.PointingHandCursor

    def press(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if event.button != _LEFT:
            return
        doc = canvas.document
        x, y = math.floor(event.x), math.floor(event.y)
        if not (0 <= x < doc.width and 0 <= y < doc.height):
            return
        op = selection_op(event, self.state.selection_mode)
        coverage = magic_wand(doc.composite(), x, y, self.state.tolerance, self.state.contiguous)
        apply_selection(canvas, op, coverage, "Magic wand")
