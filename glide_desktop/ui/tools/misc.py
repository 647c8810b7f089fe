"""The move tool (drags the active layer, or the selection's contents) and the colour picker."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeyEvent

from glide_desktop.document.commands import SetLayerProperty
from glide_desktop.document.geometry import Rect
from glide_desktop.ui.canvas.events import CanvasPointerEvent
from glide_desktop.ui.tools.base import Tool, push
from glide_desktop.ui.tools.floating import NUDGE as _NUDGE
from glide_desktop.ui.tools.floating import SelectionMove
from glide_desktop.ui.tools.group_move import GroupMove

_LEFT = Qt.MouseButton.LeftButton


class MoveTool(Tool):
    """Drags the active layer, or with a selection its contents (SelectionMove); the whole drag is one undo
    step. Arrow keys nudge (Shift: 10 px)."""

    name, label, shortcut = "move", "Move", "V"
    description = "drag to move the active layer, or the selection's contents; arrow keys nudge"
    cursor_shape = Qt.CursorShape.SizeAllCursor

    def __init__(self, state: Any) -> None:
        super().__init__(state)
        self._uid: int | None = None
        self._start_offset = (0, 0)
        self._start_pos = QPointF()
        self._offset = (0, 0)  # where the drag shows the layer now
        self._content = Rect(0, 0, 0, 0)  # the dragged layer's visible pixels, layer coordinates
        self.selection = SelectionMove()  # lifts, moves and lands the selection's contents
        self._group = GroupMove()  # an active group moves all its layers

    def activate(self, canvas: Any) -> None:
        # Start composing what lies below and above the active layer now: the press finds it ready.
        canvas.layer_drags.keep_ready(True)

    def deactivate(self, canvas: Any) -> None:
        super().deactivate(canvas)
        canvas.layer_drags.keep_ready(False)

    def press(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if self.selection.press(canvas, event) or self._group.press(canvas, event):
            return
        layer = canvas.document.active_layer
        if event.button != _LEFT or layer is None:
            return
        self._uid, self._start_offset, self._start_pos = layer.uid, layer.offset, event.pos
        self._offset = layer.offset
        self._content = layer.content_bounds()  # pixels stay put during a drag: measure once
        # The canvas prepares below/above composites once; each move then only redraws.
        canvas.layer_drags.begin(layer.uid, self._content)

    def move(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if self.selection.move(canvas, event) or self._group.move(canvas, event) or self._uid is None:
            return
        offset = self._offset_at(event.pos)
        if offset != self._offset:
            self._offset = offset
            canvas.layer_drags.move_to(offset)  # the document changes once, on release

    def release(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if (self.selection.release(canvas, event) or self._group.release(canvas, event)
                or self._uid is None or event.button != _LEFT):
            return
        self.move(canvas, event)
        canvas.layer_drags.end(lambda: self._commit(canvas))

    def cancel(self, canvas: Any) -> None:
        self.selection.land(canvas)  # a tool switch or another document lands a floating piece
        if self._group.dragging:
            self._group.finish(canvas)
        if self._uid is not None:
            canvas.layer_drags.end(lambda: self._commit(canvas))

    def _offset_at(self, pos: QPointF) -> tuple[int, int]:
        dx, dy = round(pos.x() - self._start_pos.x()), round(pos.y() - self._start_pos.y())
        return self._start_offset[0] + dx, self._start_offset[1] + dy

    def _commit(self, canvas: Any) -> None:
        uid, self._uid = self._uid, None
        layer = canvas.document.find_layer(uid) if uid is not None else None
        if layer is None or self._offset == self._start_offset:
            return
        # Only where the visible pixels were and are is recomposited, not the whole layer.
        canvas.document.set_layer_property(uid, "offset", self._offset, content=self._content)
        command = SetLayerProperty(uid, "offset", self._start_offset, self._offset, text="Move layer")
        push(canvas, command, applied=True)
        command.sealed = True  # the next drag is its own step, never merged into this one

    def key_press(self, canvas: Any, event: QKeyEvent) -> bool:
        if self.selection.key_press(canvas, event) or self._group.key_press(canvas, event):
            return True
        step = _NUDGE.get(event.key())
        layer = canvas.document.active_layer
        if step is None or layer is None or self._uid is not None:
            return False
        scale = 10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1
        new = (layer.offset[0] + step[0] * scale, layer.offset[1] + step[1] * scale)
        command = SetLayerProperty(layer.uid, "offset", layer.offset, new, text="Nudge layer")
        push(canvas, command)
        command.sealed = True
        return True


class ColorPickerTool(Tool):
    """Click or drag to take the paint colour from the composite image."""

    name, label, shortcut = "color_picker", "Colour picker", "I"
    description = "click to take the paint colour from the image"
    cursor_shape = Qt.CursorShape.CrossCursor

    def press(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if event.button == _LEFT:
            self._pick(canvas, event)

    def move(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if event.buttons & _LEFT:
            self._pick(canvas, event)

    def _pick(self, canvas: Any, event: CanvasPointerEvent) -> None:
        doc = canvas.document
        x, y = math.floor(event.x), math.floor(event.y)
        if not (0 <= x < doc.width and 0 <= y < doc.height):
            return
        pixel = doc.composite(Rect(x, y, 1, 1))[0, 0]
        if pixel[3] == 0:
            return  # fully transparent: nothing to take
        self.state.set_color((int(pixel[0]), int(pixel[1]), int(pixel[2])))
