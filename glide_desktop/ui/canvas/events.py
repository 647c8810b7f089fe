"""What a tool receives from the canvas: pointer events already mapped to document coordinates."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt


@dataclass(frozen=True)
class CanvasPointerEvent:
    """A press, move or release at `pos` (document pixels, floating; pixel centres at +0.5)."""

    pos: QPointF
    widget_pos: QPointF
    button: Qt.MouseButton
    buttons: Qt.MouseButton
    modifiers: Qt.KeyboardModifier
    pressure: float = 1.0

    @property
    def x(self) -> float:
        return self.pos.x()

    @property
    def y(self) -> float:
        return self.pos.y()

    def has(self, modifier: Qt.KeyboardModifier) -> bool:
        """True when the given keyboard modifier was held."""
        return bool(self.modifiers & modifier)
