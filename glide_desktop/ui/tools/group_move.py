"""The Move tool on a group: every layer inside follows the pointer (or the arrow keys) as one step.

The Move tool hands each event here first; what returns True was a group's and is done.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeyEvent

from glide_desktop.document.group_commands import OffsetLayers
from glide_desktop.ui.canvas.events import CanvasPointerEvent
from glide_desktop.ui.tools.base import push

_LEFT = Qt.MouseButton.LeftButton
_NUDGE = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}


def _active_group(canvas: Any) -> Any:
    node = canvas.document.active_node
    return node if node is not None and node.is_group else None


class GroupMove:
    """A drag of the active group: its layers move live; release records one OffsetLayers step."""

    def __init__(self) -> None:
        self._starts: dict[int, tuple[int, int]] = {}  # layer uid -> offset when the drag began
        self._start_pos = QPointF()
        self._delta = (0, 0)

    @property
    def dragging(self) -> bool:
        return bool(self._starts)

    def press(self, canvas: Any, event: CanvasPointerEvent) -> bool:
        group = _active_group(canvas)
        if group is None or event.button != _LEFT:
            return group is not None
        doc = canvas.document
        self._starts = {n.uid: n.offset for n in doc.descendants(group.uid) if not n.is_group}
        self._start_pos, self._delta = event.pos, (0, 0)
        return True

    def move(self, canvas: Any, event: CanvasPointerEvent) -> bool:
        if not self.dragging:
            return False
        delta = (round(event.pos.x() - self._start_pos.x()), round(event.pos.y() - self._start_pos.y()))
        if delta != self._delta:
            self._delta = delta
            for uid, (x, y) in self._starts.items():
                canvas.document.set_layer_property(uid, "offset", (x + delta[0], y + delta[1]))
        return True

    def release(self, canvas: Any, event: CanvasPointerEvent) -> bool:
        if not self.dragging:
            return False
        if event.button == _LEFT:
            self.move(canvas, event)
            self.finish(canvas)
        return True

    def finish(self, canvas: Any) -> None:
        """End the drag: the moved layers become one undo step (nothing when they did not move)."""
        uids, self._starts = list(self._starts), {}
        if self._delta != (0, 0) and uids:
            command = OffsetLayers(uids, self._delta, text="Move group", moved=True)
            push(canvas, command, applied=True)
            command.sealed = True

    def key_press(self, canvas: Any, event: QKeyEvent) -> bool:
        group, step = _active_group(canvas), _NUDGE.get(event.key())
        if group is None or step is None or self.dragging:
            return False
        scale = 10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1
        command = OffsetLayers.for_node(canvas.document, group.uid, (step[0] * scale, step[1] * scale),
                                        text="Nudge group")
        push(canvas, command)
        command.sealed = True
        return True
