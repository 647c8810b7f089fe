"""Free Transform on the canvas: a box with eight handles over the lifted piece.

Drag a handle to scale (Shift keeps the aspect, Alt scales about the pivot), drag inside to move
(whole pixels), drag outside to turn about the pivot (Shift: 15° steps). The pivot is the centre until
an Alt-press places it (snapping onto the centre and the handles); once moved it can be dragged.
Arrow keys nudge (Shift: 10 px), Ctrl+Z steps back through the gestures (redo forward), Enter or
a double click inside applies, Esc cancels. The tool is not in the tool box: Edit ▸ Free Transform
puts it on the canvas for one transform, and choosing any tool applies it.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QCursor, QKeyEvent, QKeySequence, QPainter, QPen, QPixmap, QPolygonF

from glide_desktop.document.geometry import Rect
from glide_desktop.document.transform_box import BoxSteps, Part, TransformBox
from glide_desktop.ui.canvas.events import CanvasPointerEvent
from glide_desktop.ui.canvas.transform_preview import TransformPreview
from glide_desktop.ui.tools.base import Tool

HANDLE_SIZE = 8  # screen pixels across a handle square
REACH = 7  # screen pixels from a handle's centre that still grab it
_LEFT = Qt.MouseButton.LeftButton
_SHIFT, _ALT = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.AltModifier
_NUDGE = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
_SIZE_CURSORS = (Qt.CursorShape.SizeHorCursor, Qt.CursorShape.SizeFDiagCursor, Qt.CursorShape.SizeVerCursor,
                 Qt.CursorShape.SizeBDiagCursor)


class TransformHost(Protocol):
    """What the tool asks of the controller running the transform."""

    def apply(self) -> bool: ...

    def cancel(self) -> None: ...

    def tool_left(self) -> None: ...

    def box_changed(self) -> None: ...


class FreeTransformTool(Tool):
    """The canvas side of one Free Transform: hit-testing, dragging, keys, and the drawn box."""

    name, label = "free_transform", "Free Transform"
    description = "drag a handle to scale, inside to move, outside to turn; Enter applies, Esc cancels"
    cursor_shape = Qt.CursorShape.SizeAllCursor

    def __init__(self, state: Any, host: TransformHost, box: TransformBox, preview: TransformPreview) -> None:
        super().__init__(state)
        self.host, self.box, self.preview = host, box, preview
        self.steps = BoxSteps(box)  # Ctrl+Z inside the transform steps back through its gestures
        self._part: Part | None = None  # what the drag in progress holds
        self._start_box = box
        self._start = QPointF()
        self._zoom = 1.0  # the view's zoom when the drag began (snapping reaches a few screen pixels)
        self._rotate_cursor: QCursor | None = None

    # ----- gestures ----------------------------------------------------------------------------------
    def press(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if event.button != _LEFT:
            return
        self._part = self.box.part_at(event.x, event.y, REACH / canvas.zoom)
        self._start_box, self._start, self._zoom = self.box, event.pos, canvas.zoom
        if event.has(_ALT) and not self._part.is_handle:  # Alt-press places the pivot (and drags it)
            self._part = Part.PIVOT
            self.set_box(canvas, self._dragged(event))

    def move(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if self._part is None:
            canvas.setCursor(self._cursor(self.box.part_at(event.x, event.y, REACH / canvas.zoom)))
            return
        self.set_box(canvas, self._dragged(event))

    def release(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if self._part is not None and event.button == _LEFT:
            self.set_box(canvas, self._dragged(event), record=True)
            self._part = None

    def double_click(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if event.button == _LEFT and self.box.part_at(event.x, event.y, 0) is Part.INSIDE:
            self.host.apply()  # as in Photoshop: a double click inside the box applies

    def _dragged(self, event: CanvasPointerEvent) -> TransformBox:
        box, part = self._start_box, self._part
        if part is Part.INSIDE:  # whole pixels: a plain move stays lossless
            return box.moved(round(event.x - self._start.x()), round(event.y - self._start.y()))
        if part is Part.OUTSIDE:
            return box.turned((self._start.x(), self._start.y()), (event.x, event.y), event.has(_SHIFT))
        if part is Part.PIVOT:  # snaps onto the centre and the handles, as Photoshop's reference point
            return box.with_pivot_at(event.x, event.y, REACH / self._zoom)
        x, y = event.x, event.y
        if box.angle == 0:  # upright: edges land on whole pixels, so they stay crisp
            x, y = round(x), round(y)
        return box.dragged(part, x, y, keep_aspect=event.has(_SHIFT), from_centre=event.has(_ALT))

    def set_box(self, canvas: Any, box: TransformBox, record: bool = False) -> None:
        """Show the piece through box (a repaint; the document changes only on apply); record: a gesture
        ended there (a step Ctrl+Z goes back from)."""
        if record:
            self.steps.record(box)
        if box != self.box:
            # Repaint only where the box was and is (handles reach a few screen pixels past it).
            margin = math.ceil((HANDLE_SIZE + 4) / canvas.zoom)
            dirty = self._footprint(self.box).union(self._footprint(box)).expand(margin)
            self.box = box
            canvas.update_doc_rect(dirty)
            self.host.box_changed()

    @staticmethod
    def _footprint(box: TransformBox) -> Rect:
        """Where the box draws (document pixels): the piece's bounds and the pivot, which may lie outside."""
        return box.affine().bounds(box.source).union(Rect.around(*box.pivot_point, 1))

    def key_press(self, canvas: Any, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.host.apply()
        elif key == Qt.Key.Key_Escape:
            self.host.cancel()
        elif key in _NUDGE:
            step = 10 if event.modifiers() & _SHIFT else 1
            dx, dy = _NUDGE[key]
            self.set_box(canvas, self.box.moved(dx * step, dy * step), record=True)
        elif event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo):
            box = self.steps.undo() if event.matches(QKeySequence.StandardKey.Undo) else self.steps.redo()
            if box is not None:
                self.set_box(canvas, box)
        else:
            return False
        return True

    def deactivate(self, canvas: Any) -> None:
        self._part = None
        self.host.tool_left()

    def cancel(self, canvas: Any) -> None:
        self._part = None
        self.host.cancel()

    # ----- drawing -----------------------------------------------------------------------------------
    def paint_overlay(self, painter: QPainter, canvas: Any) -> None:
        self.preview.paint(painter, canvas.viewport, self.box.affine())
        corners = [canvas.map_from_document(QPointF(x, y)) for x, y in self.box.corners()]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        outline = QPolygonF(corners)
        for colour, width in ((QColor(0, 0, 0, 160), 3.0), (QColor(255, 255, 255), 1.0)):
            painter.setPen(QPen(colour, width))
            painter.drawPolygon(outline)
        pivot = canvas.map_from_document(QPointF(*self.box.pivot_point))
        for colour, width in ((QColor(0, 0, 0, 160), 3.0), (QColor(255, 255, 255), 1.0)):
            painter.setPen(QPen(colour, width))
            painter.drawEllipse(pivot, 4.0, 4.0)
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):  # ticks outside the ring: the pixel shows
                painter.drawLine(pivot + QPointF(5 * dx, 5 * dy), pivot + QPointF(9 * dx, 9 * dy))
        painter.setPen(QPen(QColor(0, 0, 0), 1.0))
        painter.setBrush(QColor(255, 255, 255))
        half = HANDLE_SIZE / 2
        for x, y in self.box.handles().values():
            point = canvas.map_from_document(QPointF(x, y))
            painter.drawRect(QRectF(point.x() - half, point.y() - half, HANDLE_SIZE, HANDLE_SIZE))
        painter.restore()

    def _cursor(self, part: Part) -> QCursor | Qt.CursorShape:
        if part is Part.INSIDE:
            return Qt.CursorShape.SizeAllCursor
        if part is Part.PIVOT:
            return Qt.CursorShape.CrossCursor
        if part is Part.OUTSIDE:
            if self._rotate_cursor is None:
                self._rotate_cursor = rotate_cursor()
            return self._rotate_cursor
        hx, hy = self.box.point(*part.signs)
        direction = math.degrees(math.atan2(hy - self.box.cy, hx - self.box.cx)) % 180.0
        return _SIZE_CURSORS[int(((direction + 22.5) % 180.0) // 45.0)]


def rotate_cursor() -> QCursor:
    """A curved double arrow (Qt has no rotate cursor), white with a dark edge so it shows on any picture."""
    pixmap = QPixmap(24, 24)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    centre, radius = QPointF(12, 14), 8.0
    heads = []
    for degrees, turn in ((25, 1), (155, -1)):  # the arc's ends, each head pointing on round the arc
        a = math.radians(degrees)
        end = QPointF(centre.x() + radius * math.cos(a), centre.y() - radius * math.sin(a))
        ahead = QPointF(turn * math.sin(a), turn * math.cos(a))  # the tangent, away from the arc
        side = QPointF(-ahead.y(), ahead.x())
        heads.append(QPolygonF([end + ahead * 4.5, end + side * 3.5, end - side * 3.5]))
    arc = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
    for colour, width in ((QColor(0, 0, 0), 4.0), (QColor(255, 255, 255), 2.0)):
        painter.setPen(QPen(colour, width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(arc, 25 * 16, 130 * 16)
        painter.setBrush(colour)
        for head in heads:
            painter.drawPolygon(head)
    painter.end()
    return QCursor(pixmap, 12, 12)
