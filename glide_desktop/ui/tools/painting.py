"""Painting tools: brush, eraser and the selection brush (quick mask); each stroke is one undo step."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PySide6.QtCore import Qt

from glide_desktop.document.brush import BrushSettings, Stroke, dab_mask
from glide_desktop.document.commands import SetSelection
from glide_desktop.document.geometry import Rect
from glide_desktop.document.mask_brush import MaskStroke
from glide_desktop.ui.canvas.events import CanvasPointerEvent
from glide_desktop.ui.tools.base import Tool, push, refuse_group

_LEFT = Qt.MouseButton.LeftButton


class _SizedTool(Tool):
    """A tool with a round footprint whose options live in state.brushes[name]."""

    has_size = True
    cursor_shape = Qt.CursorShape.CrossCursor

    @property
    def options(self) -> Any:
        return self.state.brushes[self.name]

    def cursor_radius(self) -> float | None:
        return self.options.size / 2.0


class BrushTool(_SizedTool):
    """Paints the active layer with the current colour."""

    name, label, shortcut = "brush", "Brush", "B"
    description = "paint on the active layer; [ and ] change the size"
    eraser = False

    def __init__(self, state: Any) -> None:
        super().__init__(state)
        self._stroke: Stroke | None = None

    def settings(self) -> BrushSettings:
        """The document-side brush settings for a new stroke."""
        o = self.options
        return BrushSettings(size=o.size, hardness=o.hardness, opacity=o.opacity,
                             color=tuple(self.state.color), eraser=self.eraser)

    def press(self, canvas: Any, event: CanvasPointerEvent) -> None:
        doc = canvas.document
        if event.button != _LEFT:
            return
        if doc.edits_mask:  # the layer's (or group's) mask is the edit target: its thumbnail was clicked
            self._stroke = MaskStroke(doc, doc.active_uid, self.settings())
        elif refuse_group(canvas, "paint") or doc.active_layer is None:
            return
        else:
            self._stroke = Stroke(doc, doc.active_layer.uid, self.settings())
        self._stroke.dab(event.x, event.y, event.pressure)

    def move(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if self._stroke is not None and event.buttons & _LEFT:
            self._stroke.dab(event.x, event.y, event.pressure)

    def release(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if self._stroke is None or event.button != _LEFT:
            return
        self._stroke.dab(event.x, event.y, event.pressure)
        self._end(canvas)

    def _end(self, canvas: Any) -> None:
        stroke, self._stroke = self._stroke, None
        edit = stroke.finish() if stroke is not None else None
        if edit is not None:
            push(canvas, edit, applied=True)

    def cancel(self, canvas: Any) -> None:
        # The pixels are already on the layer: keep them and make them undoable.
        self._end(canvas)


class EraserTool(BrushTool):
    """Makes the active layer transparent under the brush."""

    name, label, shortcut = "eraser", "Eraser", "E"
    description = "erase to transparency; [ and ] change the size"
    eraser = True


class SelectionBrushTool(_SizedTool):
    """Quick mask: paints selection coverage (Alt removes), shown as a red tint while active."""

    name, label, shortcut = "selection_brush", "Selection brush", "Q"
    description = "paint the area to select (red); Alt paints it away"

    def __init__(self, state: Any) -> None:
        super().__init__(state)
        self._before: np.ndarray | None = None
        self._last: tuple[float, float] | None = None
        self._erase = False
        self._carry = 0.0

    def activate(self, canvas: Any) -> None:
        canvas.set_quick_mask(True)

    def deactivate(self, canvas: Any) -> None:
        self.cancel(canvas)
        canvas.set_quick_mask(False)

    def press(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if event.button != _LEFT:
            return
        self._before = canvas.document.selection.coverage.copy()
        # Re-tracing the outline of a big selection per dab would stall the stroke; the red tint shows it.
        canvas.ants.hold(True)
        self._erase = event.has(Qt.KeyboardModifier.AltModifier)
        self._last, self._carry = (event.x, event.y), 0.0
        self._dab(canvas, event.x, event.y, event.pressure)

    def move(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if self._before is None or self._last is None or not event.buttons & _LEFT:
            return
        x0, y0 = self._last
        length = math.hypot(event.x - x0, event.y - y0)
        step = max(1.0, self.options.size * 0.15)
        travelled = step - self._carry
        while travelled <= length:
            t = travelled / length
            self._dab(canvas, x0 + (event.x - x0) * t, y0 + (event.y - y0) * t, event.pressure)
            travelled += step
        self._carry = length - (travelled - step)
        self._last = (event.x, event.y)

    def release(self, canvas: Any, event: CanvasPointerEvent) -> None:
        if self._before is None or event.button != _LEFT:
            return
        self.move(canvas, event)
        self.cancel(canvas)

    def cancel(self, canvas: Any) -> None:
        before, self._before, self._last = self._before, None, None
        if before is None or canvas.document is None:
            return
        canvas.ants.hold(False)
        command = SetSelection(before, canvas.document.selection.coverage, "Selection brush")
        if not command.rect.is_empty():
            push(canvas, command, applied=True)

    def _dab(self, canvas: Any, cx: float, cy: float, pressure: float) -> None:
        doc, o = canvas.document, self.options
        size = max(1.0, o.size * min(1.0, max(0.0, pressure)))
        mask = dab_mask(size, o.hardness) * np.float32(o.opacity)  # S, S
        side = mask.shape[0]
        left, top = math.floor(cx - side / 2.0 + 0.5), math.floor(cy - side / 2.0 + 0.5)
        rect = Rect(left, top, side, side)
        inside = rect.clip(doc.width, doc.height)
        if inside.is_empty():
            return
        amount = mask[inside.slices(rect.x, rect.y)]
        current = doc.selection.coverage[inside.slices()]
        updated = np.minimum(current, 1.0 - amount) if self._erase else np.maximum(current, amount)
        doc.write_selection(inside, updated)
