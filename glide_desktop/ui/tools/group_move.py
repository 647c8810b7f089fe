"""The Move tool on a group: every layer inside follows the pointer (or the arrow keys) as one step.

The Move tool hands each event here first; what returns True was a group's and is done. A drag shows
the group's layers as one block through the canvas's prepared drag preview (canvas/drag.py): the
document changes once, on release.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeyEvent

from glide_desktop.document.group_commands import OffsetLayers
from glide_desktop.ui.canvas.drag_scene import piece_rect
from glide_desktop.ui.canvas.events import CanvasPointerEvent
from glide_desktop.ui.tools.base import push

_LEFT = Qt.MouseButton.LeftButton
_NUDGE = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}


def _active_group(canvas: Any) -> Any:
    node = canvas.document.active_node
    return node if node is not None and node.is_group else None


class GroupMove:
    """A drag of the active group: its layers move as one block in the preview; release records one
    OffsetLayers step."""

    def __init__(self) -> None:
        self._uids: list[int] = []  # the group's raster layers, while a drag is on
        self._start_pos = QPointF()
        self._origin = (0, 0)  # the block's top-left when the drag began (document pixels)
        self._delta = (0, 0)
        self._group: int | None = None

    @property
    def dragging(self) -> bool:
        return self._group is not None

    def press(self, canvas: Any, event: CanvasPointerEvent) -> bool:
        group = _active_group(canvas)
        if group is None or event.button != _LEFT:
            return group is not None
        doc = canvas.document
        self._uids = [n.uid for n in doc.descendants(group.uid) if not n.is_group]
        self._start_pos, self._delta, self._group = event.pos, (0, 0), group.uid
        rect = piece_rect(doc, group)
        self._origin = (rect.x, rect.y)
        # The canvas prepares the picture below and above the group once; each move then only redraws.
        # Each move repaints where the block's prepared pixels were and are (measured while preparing).
        canvas.layer_drags.begin(group.uid)
        return True

    def move(self, canvas: Any, event: CanvasPointerEvent) -> bool:
        if not self.dragging:
            return False
        delta = (round(event.pos.x() - self._start_pos.x()), round(event.pos.y() - self._start_pos.y()))
        if delta != self._delta:
            self._delta = delta
            canvas.layer_drags.move_to((self._origin[0] + delta[0], self._origin[1] + delta[1]))
        return True

    def release(self, canvas: Any, event: CanvasPointerEvent) -> bool:
        if not self.dragging:
            return False
        if event.button == _LEFT:
            self.move(canvas, event)
            self.finish(canvas)
        return True

    def finish(self, canvas: Any) -> None:
        """End the drag: the document changes once, one undo step (nothing when it did not move)."""
        group, delta, self._uids, self._group = self._group, self._delta, [], None
        canvas.layer_drags.end(lambda: self._commit(canvas, group, delta))

    @staticmethod
    def _commit(canvas: Any, group: int | None, delta: tuple[int, int]) -> None:
        doc = canvas.document
        if delta != (0, 0) and group is not None and doc.find_layer(group) is not None:
            command = OffsetLayers.for_node(doc, group, delta, text="Move group")
            if command.uids or any(doc.layer_by_uid(uid).mask is not None for uid in command.groups):
                push(canvas, command)
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
