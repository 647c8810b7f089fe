"""Layer groups in the Layers panel: New Group, Group Layers, Ungroup, Merge Group, Move Up/Down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from glide_desktop.document.group_commands import (
    GroupLayers,
    MergeGroup,
    NewGroup,
    Restructure,
    Ungroup,
    move_within_siblings,
)
from glide_desktop.ui.document_actions import DocumentActions
from glide_desktop.ui.icons import icon


class GroupActions(DocumentActions):
    """The group actions of one panel; selected() names the uids the panel's selection holds."""

    def __init__(self, selected: Callable[[], list[int]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._selected = selected
        self.new_group = self._action("New &Group", "Add an empty group above the active layer",
                                      self.add_group, icon("folder"))
        self.group_layers = self._action(
            "&Group Layers", "Put the active layer (or the selected layers) into a new group", self.group)
        self.ungroup = self._action("&Ungroup", "Take the active group's layers out and drop the group",
                                    self.ungroup_active)
        self.merge_group = self._action("Merge Gro&up", "Flatten the active group into one layer",
                                        self.merge_active)
        self.move_up = self._action("Move Layer &Up", "Move the active layer up (into or out of groups)",
                                    lambda: self.move_active(+1))
        self.move_down = self._action("Move Layer Do&wn",
                                      "Move the active layer down (into or out of groups)",
                                      lambda: self.move_active(-1))
        self.actions = [self.new_group, self.group_layers, self.ungroup, self.merge_group, self.move_up,
                        self.move_down]
        self.sync()

    def _action(self, text: str, tip: str, slot: Callable[[], object], picture: Any = None) -> QAction:
        action = QAction(text, self) if picture is None else QAction(picture, text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def sync(self) -> None:
        """Enable what applies to the active node."""
        doc = self.document
        node = doc.active_node if doc is not None else None
        self.new_group.setEnabled(doc is not None)
        self.group_layers.setEnabled(node is not None)
        is_group = node is not None and node.is_group
        self.ungroup.setEnabled(is_group)
        self.merge_group.setEnabled(is_group)
        self.move_up.setEnabled(node is not None and self._can_move(node.uid, +1))
        self.move_down.setEnabled(node is not None and self._can_move(node.uid, -1))

    def _can_move(self, uid: int, step: int) -> bool:
        return move_within_siblings(self.document, uid, step) is not None

    def _push(self, step: Restructure | None) -> bool:
        """Push a group step, or tell why it cannot be done; True when pushed."""
        if step is None or self.document is None or self.undo is None:
            return False
        try:
            step.prepare(self.document)
        except ValueError as exc:
            self.message.emit(str(exc))
            return False
        self.undo.push(step, close=True)
        return True

    # --- the actions -------------------------------------------------------------------------------
    def add_group(self) -> bool:
        """An empty group above the active node."""
        count = sum(1 for node in self.document.layers if node.is_group) if self.document else 0
        return self._push(NewGroup(f"Group {count + 1}"))

    def group(self) -> bool:
        """The selected nodes (or the active one) into a new group (Ctrl+G)."""
        doc = self.document
        if doc is None or doc.active_node is None:
            self.message.emit("Group Layers needs a layer: choose one in the Layers panel")
            return False
        uids = [uid for uid in self._selected() if doc.find_layer(uid) is not None] or [doc.active_uid]
        count = sum(1 for node in doc.layers if node.is_group)
        return self._push(GroupLayers(uids, f"Group {count + 1}"))

    def ungroup_active(self) -> bool:
        """Take the active group's children out (Ctrl+Shift+G)."""
        node = self.document.active_node if self.document is not None else None
        if node is None or not node.is_group:
            self.message.emit("Ungroup needs a group: choose one in the Layers panel")
            return False
        return self._push(Ungroup(node.uid))

    def merge_active(self) -> bool:
        """Flatten the active group into one layer."""
        node = self.document.active_node if self.document is not None else None
        if node is None or not node.is_group:
            self.message.emit("Merge Group needs a group: choose one in the Layers panel")
            return False
        return self._push(MergeGroup(node.uid))

    def move_active(self, step: int) -> bool:
        """Move the active node one place up (+1) or down (-1), crossing group edges."""
        doc = self.document
        if doc is None or doc.active_node is None:
            return False
        return self._push(move_within_siblings(doc, doc.active_uid, step))
