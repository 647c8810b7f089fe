"""The tool protocol the canvas calls, and helpers for pushing document commands."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QPainter

from glide_desktop.document.commands import Command, SetSelection
from glide_desktop.document.selection import SelectionOp
from glide_desktop.ui.canvas.events import CanvasPointerEvent
from glide_desktop.ui.group_guard import group_refusal
from glide_desktop.ui.tools.state import ToolState


class Tool:
    """A canvas tool: receives pointer events in document coordinates and may draw an overlay."""

    name = "tool"
    label = "Tool"
    shortcut = ""
    description = ""
    cursor_shape = Qt.CursorShape.ArrowCursor
    has_size = False  # [ and ] resize it

    def __init__(self, state: ToolState) -> None:
        self.state = state

    @property
    def tooltip(self) -> str:
        """Tool name, what it does, and its shortcut."""
        text = f"{self.label} ({self.shortcut})" if self.shortcut else self.label
        return f"{text}: {self.description}" if self.description else text

    def activate(self, canvas: Any) -> None:
        """The tool became the canvas's tool."""

    def deactivate(self, canvas: Any) -> None:
        """Another tool takes over: finish or drop any gesture in progress."""
        self.cancel(canvas)

    def cancel(self, canvas: Any) -> None:
        """Abandon a gesture in progress (the document is about to change)."""

    def press(self, canvas: Any, event: CanvasPointerEvent) -> None:
        """A mouse button went down."""

    def move(self, canvas: Any, event: CanvasPointerEvent) -> None:
        """The pointer moved (buttons may or may not be held)."""

    def release(self, canvas: Any, event: CanvasPointerEvent) -> None:
        """A mouse button came up."""

    def double_click(self, canvas: Any, event: CanvasPointerEvent) -> None:
        """A double click (after the press/release pair)."""

    def key_press(self, canvas: Any, event: QKeyEvent) -> bool:
        """A key the canvas does not use itself; True when handled."""
        return False

    def paint_overlay(self, painter: QPainter, canvas: Any) -> None:
        """Draw gesture feedback in widget coordinates (the painter is untransformed)."""

    def cursor_radius(self) -> float | None:
        """Radius of the brush outline in document pixels, or None for no outline."""
        return None


def refuse_group(canvas: Any, what: str) -> bool:
    """True (and the canvas says why) when the active node is a group, which what (a verb) cannot use."""
    refusal = group_refusal(canvas.document, what)
    if refusal is not None:
        canvas.message.emit(refusal)
    return refusal is not None


def push(canvas: Any, command: Command, applied: bool = False) -> None:
    """Record a command on the canvas's undo history (or just apply it when the canvas has none)."""
    if canvas.undo is not None:
        canvas.undo.push(command, applied=applied)
    elif not applied:
        command.redo(canvas.document)


def selection_op(event: CanvasPointerEvent, default: SelectionOp) -> SelectionOp:
    """Shift adds, Alt subtracts, both intersect; otherwise the options bar's mode."""
    shift = event.has(Qt.KeyboardModifier.ShiftModifier)
    alt = event.has(Qt.KeyboardModifier.AltModifier)
    if shift and alt:
        return SelectionOp.INTERSECT
    if shift:
        return SelectionOp.ADD
    if alt:
        return SelectionOp.SUBTRACT
    return default


def apply_selection(canvas: Any, op: SelectionOp, coverage: Any, text: str) -> None:
    """Combine a shape's coverage (H, W float32) into the selection as one undo step."""
    doc = canvas.document
    command = SetSelection.from_change(doc, lambda selection: selection.combine(op, coverage), text)
    if not command.rect.is_empty():
        push(canvas, command)
