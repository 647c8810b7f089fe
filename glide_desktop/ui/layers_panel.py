"""The Layers dock: a tree of layers and groups with drag-reorder and nesting, blend mode, opacity and
layer buttons."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from glide_desktop.document import commands
from glide_desktop.document.document import Change, Document
from glide_desktop.document.group import Node
from glide_desktop.document.group_commands import DuplicateNode, Restructure, SetGroupMode
from glide_desktop.document.group_masks import MASKED_PASS_THROUGH_REFUSAL
from glide_desktop.document.layer import BlendMode
from glide_desktop.document.node_sets import DuplicateNodes, RemoveNodes, roots
from glide_desktop.ui.blend_combo import PASS_THROUGH, blend_combo
from glide_desktop.ui.icons import icon
from glide_desktop.ui.layer_groups import GroupActions
from glide_desktop.ui.layer_masks import MaskActions, MaskThumbnailDelegate
from glide_desktop.ui.layers_model import THUMBNAIL_SIZE, LayersModel
from glide_desktop.ui.undo import DocumentUndo


class LayersPanel(QWidget):
    """Shows the document's layers top first and edits them through undoable commands."""

    propertiesRequested = Signal(int)  # noqa: N815 - Qt's naming; layer uid (double-click)
    message = Signal(str)  # what to tell the user (a step that cannot be done)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self.undo: DocumentUndo | None = None
        self._unsubscribe: Any = None
        self._syncing = False
        self._folding = False  # the panel itself opens or folds rows to match the document
        self.model = LayersModel(self)
        self.masks = MaskActions(self)
        self.masks.message.connect(self.message)
        self.groups = GroupActions(self.selected_uids, self)
        self.groups.message.connect(self.message)
        self._build_controls()
        self._build_list()
        self._build_buttons()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(self._controls)
        layout.addWidget(self.view, 1)
        layout.addLayout(self._buttons)
        self._sync_controls()

    # --- construction ----------------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.blend_combo = blend_combo()
        self.blend_combo.setToolTip("Blend mode")
        self.blend_combo.activated.connect(self._on_blend_chosen)
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setToolTip("Opacity")
        self.opacity_slider.valueChanged.connect(self._on_opacity_changed)
        self.opacity_slider.sliderReleased.connect(self._on_opacity_released)
        self.opacity_box = QSpinBox()
        self.opacity_box.setKeyboardTracking(False)  # typing "55" is one change (on Enter), not "5" then "55"
        self.opacity_box.setRange(0, 100)
        self.opacity_box.setSuffix("%")
        self.opacity_box.valueChanged.connect(self.opacity_slider.setValue)
        self.opacity_slider.valueChanged.connect(self.opacity_box.setValue)
        self._controls = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(QLabel("Blend:"))
        row.addWidget(self.blend_combo, 1)
        self._controls.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(QLabel("Opacity:"))
        row.addWidget(self.opacity_slider, 1)
        row.addWidget(self.opacity_box)
        self._controls.addLayout(row)

    def _build_list(self) -> None:
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.setIndentation(14)
        self.view.setRootIsDecorated(True)  # expand / collapse arrows on groups
        self.view.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.view.setUniformRowHeights(True)
        # Click chooses one; Ctrl/Shift-click picks several for Group Layers.
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # Drag and drop reorders and nests: the model takes only its own rows' uids (LAYER_MIME) and turns
        # a drop into one MoveNode step (DragDrop, not InternalMove, so the view never removes rows itself).
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropOverwriteMode(False)
        self.view.setExpandsOnDoubleClick(False)  # a double-click opens Layer Properties
        # F2 renames in place; a double-click opens Layer Properties (name, and how it was generated).
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.doubleClicked.connect(self._on_double_click)
        # Delete (Backspace on a Mac keyboard) deletes the chosen rows, only while the list itself has the
        # focus: on the canvas Delete belongs to the selection, and in the rename editor to the text.
        for key in (QKeySequence.StandardKey.Delete, QKeySequence(Qt.Key.Key_Backspace)):
            shortcut = QShortcut(QKeySequence(key), self.view)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)  # (the constructor's context is ignored)
            shortcut.activated.connect(self.delete_layer)
        self.model.nodesMoved.connect(self._select_uids)
        self.mask_delegate = MaskThumbnailDelegate(THUMBNAIL_SIZE, self.model.node_at, lambda: self.document,
                                                   self.view)
        self.mask_delegate.maskClicked.connect(lambda uid: self._choose_target(uid, True))
        self.mask_delegate.pixelsClicked.connect(lambda uid: self._choose_target(uid, False))
        self.view.setItemDelegate(self.mask_delegate)
        self.model.dataChanged.connect(self.mask_delegate.forget_thumbnails)  # painted masks refresh too
        self.model.modelReset.connect(self.mask_delegate.forget_thumbnails)
        self.view.selectionModel().currentChanged.connect(self._on_current_row)
        self.model.modelReset.connect(self._show_folding)
        self.model.modelReset.connect(self._select_active)
        self.view.expanded.connect(lambda index: self._fold(index, False))
        self.view.collapsed.connect(lambda index: self._fold(index, True))

    def _show_folding(self) -> None:
        """Open every group the document does not keep folded (after the tree was rebuilt)."""
        if self.document is None:
            return
        self._folding = True
        try:
            for uid in self.model.group_uids():
                group = self.document.find_layer(uid)
                self.view.setExpanded(self.model.index_of(uid), not group.collapsed)
        finally:
            self._folding = False

    def _fold(self, index: Any, collapsed: bool) -> None:
        node = self.model.node_at(index)
        # Also when showing the active layer opens its folded group: the document keeps what is shown.
        if not self._folding and node is not None and node.is_group and self.document is not None:
            self.document.set_collapsed(node.uid, collapsed)  # a view state: saved, never an undo step

    def selected_uids(self) -> list[int]:
        """The uids of the selected rows (the panel's multi-selection), top first."""
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        return [index.internalId() for index in rows]

    def chosen_uids(self) -> list[int]:
        """The rows a step acts on: the selected ones (groups carry their insides), else the active node."""
        if self.document is None:
            return []
        chosen = roots(self.document, self.selected_uids())
        active = self.document.active_uid
        return chosen if chosen else ([] if active is None else [active])

    def _select_uids(self, uids: list[int]) -> None:
        """Select just the rows a drop moved (it rebuilt the tree); the active one stays current, or the
        first of them becomes active when the active layer was not among them."""
        indexes = [index for index in map(self.model.index_of, uids) if index.isValid()]
        if not indexes or self.document is None:
            return
        selection, flag = self.view.selectionModel(), QItemSelectionModel.SelectionFlag
        if self.document.active_uid not in uids:
            selection.setCurrentIndex(indexes[0], flag.ClearAndSelect)  # (makes it the active layer)
        selection.select(self.model.index_of(self.document.active_uid), flag.ClearAndSelect)
        for index in indexes:
            self.view.scrollTo(index)
            selection.select(index, flag.Select)

    def _build_buttons(self) -> None:
        # The Layer menu shows these same actions, so menu and buttons enable together.
        self._buttons = QHBoxLayout()
        self.add_action, self.add_button = self._action(
            "add", "&New Layer", "Add a transparent layer above the active one", self.add_layer)
        self.duplicate_action, self.duplicate_button = self._action(
            "duplicate", "&Duplicate Layer", "Copy the active layer just above itself", self.duplicate_layer)
        self.merge_action, self.merge_button = self._action(
            "merge-down", "&Merge Down", "Merge the active layer into the layer below", self.merge_down)
        self.flatten_action, self.flatten_button = self._action(
            "flatten", "&Flatten Image",
            "Flatten image: merge every visible layer into one (Undo brings the layers back)", self.flatten)
        self.delete_action, self.delete_button = self._action(
            "delete", "De&lete Layer", "Remove the active layer", self.delete_layer)
        group_button = QToolButton()
        group_button.setDefaultAction(self.groups.new_group)
        group_button.setIconSize(QSize(18, 18))
        group_button.setAutoRaise(True)
        self._buttons.insertWidget(1, group_button)
        self.mask_button = QToolButton()
        self.mask_button.setText("Mask")
        self.mask_button.setToolTip("Layer mask: add, invert, disable, apply or delete")
        self.mask_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.mask_button.setMenu(self.masks.menu(self))
        self._buttons.addWidget(self.mask_button)
        self._buttons.addStretch(1)

    def _action(self, icon_name: str, text: str, tip: str, slot: Any) -> tuple[QAction, QToolButton]:
        action = QAction(icon(icon_name), text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        button = QToolButton()
        button.setDefaultAction(action)
        button.setIconSize(QSize(18, 18))
        button.setAutoRaise(True)
        self._buttons.addWidget(button)
        return action, button

    def _on_double_click(self, index: Any) -> None:
        layer = self.model.node_at(index)
        if layer is not None:
            self.propertiesRequested.emit(layer.uid)

    # --- binding ---------------------------------------------------------------------------------
    def set_document(self, doc: Document | None, undo: DocumentUndo | None) -> None:
        """Show and edit doc's layers; steps go to undo."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.document, self.undo = doc, undo
        self.model.set_document(doc, undo)
        self.masks.set_document(doc, undo)
        self.groups.set_document(doc, undo)
        self._show_folding()
        if doc is not None:
            self._unsubscribe = doc.subscribe(self._on_change)
        self._select_active()
        self._sync_controls()

    def _choose_target(self, uid: int, mask: bool) -> None:
        """A click on a row: its mask thumbnail makes the mask the edit target, elsewhere the pixels."""
        if self.document is not None and self.document.find_layer(uid) is not None:
            self.document.set_active(uid)
            self.document.set_editing_mask(mask)

    def _on_change(self, change: Change) -> None:
        if change.structure:
            self._select_active()
            self._sync_controls()

    def active_layer(self) -> Node | None:
        """The document's active layer or group."""
        return None if self.document is None else self.document.active_node

    def _select_active(self) -> None:
        layer = self.active_layer()
        index = self.model.index_of(layer.uid if layer else None)
        selection = self.view.selectionModel()
        if not index.isValid() or selection.currentIndex() == index:
            return
        self._syncing = True
        try:
            self.view.scrollTo(index)  # opens folded groups holding it
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            self._syncing = False

    def _on_current_row(self, current: Any, _previous: Any) -> None:
        layer = self.model.node_at(current)
        if self._syncing or layer is None or self.document is None:
            return
        self.document.set_active(layer.uid)

    def _sync_controls(self) -> None:
        """Show the active node's blend and opacity; enable what applies."""
        layer = self.active_layer()
        doc = self.document
        self._syncing = True
        try:
            if layer is not None:
                shown = PASS_THROUGH if layer.is_group and layer.pass_through else layer.blend
                self.blend_combo.setCurrentIndex(self.blend_combo.findData(shown))
                if not self.opacity_slider.isSliderDown():
                    self.opacity_slider.setValue(round(layer.opacity * 100))
        finally:
            self._syncing = False
        self.blend_combo.model().item(0).setEnabled(layer is not None and layer.is_group)
        has_layer = layer is not None
        for widget in (self.blend_combo, self.opacity_slider, self.opacity_box):
            widget.setEnabled(has_layer)
        self.duplicate_action.setEnabled(has_layer)
        self.delete_action.setEnabled(has_layer and self._keeps_a_layer(layer))
        self.add_action.setEnabled(doc is not None)
        mergeable = has_layer and (layer.is_group or commands.can_merge_down(doc, layer.uid))
        self.merge_action.setEnabled(mergeable)
        self.flatten_action.setEnabled(doc is not None and len(doc.layers) > 1)

    def _keeps_a_layer(self, node: Node) -> bool:
        """True when deleting node leaves a raster layer (a document always has one)."""
        inside = {n.uid for n in self.document.descendants(node.uid)} | {node.uid}
        return any(n.uid not in inside for n in self.document.raster_layers())

    # --- property edits --------------------------------------------------------------------------
    def _on_blend_chosen(self, index: int) -> None:
        layer, chosen = self.active_layer(), self.blend_combo.itemData(index)
        if layer is None:
            return
        if not layer.is_group:
            self.model.set_blend(layer.uid, chosen)
            return
        mode = (True, layer.blend) if chosen == PASS_THROUGH else (False, BlendMode(chosen))
        if mode[0] and layer.mask is not None:
            self.message.emit(MASKED_PASS_THROUGH_REFUSAL)
            self._sync_controls()  # the combo goes back to the group's blend
        elif mode != (layer.pass_through, layer.blend):
            self._push(SetGroupMode(layer.uid, *mode))

    def _on_opacity_changed(self, value: int) -> None:
        layer = self.active_layer()
        if self._syncing or layer is None:
            return
        dragging = self.opacity_slider.isSliderDown()
        # Every tick of one drag merges into a single undo step; release closes it.
        self.model.set_property(layer.uid, "opacity", value / 100.0, merge=dragging)

    def _on_opacity_released(self) -> None:
        if self.undo is not None:
            self.undo.end_merge()

    # --- layer operations --------------------------------------------------------------------------
    def _push(self, command: commands.Command) -> None:
        if self.undo is not None:
            self.undo.push(command, close=True)

    def add_layer(self) -> None:
        """Add a transparent layer above the active one, in its group."""
        if self.document is None:
            return
        layer = self.active_layer()
        index = self.document.index_of(layer.uid) + 1 if layer else None
        name = f"Layer {len(self.document.raster_layers()) + 1}"
        new = self.document.new_layer(name, parent=layer.parent if layer else None)
        self._push(commands.AddLayer(new, index, text="New layer"))

    def duplicate_layer(self) -> None:
        """Copy the active layer (a group with everything in it), or every selected row, just above itself."""
        layer = self.active_layer()
        if layer is None or self.document is None:
            return
        chosen = self.chosen_uids()
        if len(chosen) > 1:
            self._push_checked(DuplicateNodes(chosen, text="Duplicate layers"))
        elif layer.is_group:
            self._push(DuplicateNode(layer.uid, text="Duplicate group"))
        else:
            twin = layer.copy()
            twin.name = f"{layer.name} copy"
            self._push(commands.AddLayer(twin, self.document.index_of(layer.uid) + 1, text="Duplicate layer"))

    def delete_layer(self) -> None:
        """Remove the active layer or group, or every selected row, as one step (a layer always stays)."""
        layer, chosen = self.active_layer(), self.chosen_uids()
        if len(chosen) > 1:
            self._push_checked(RemoveNodes(chosen, text="Delete layers"))
        elif layer is not None and self._keeps_a_layer(layer):
            text = "Delete group" if layer.is_group else "Delete layer"
            self._push(commands.RemoveLayer(layer.uid, text=text))
        elif layer is not None:
            self.message.emit("An image keeps at least one layer")

    def _push_checked(self, step: Restructure) -> None:
        """Push a step on several rows, or say why it cannot be done."""
        try:
            self._push(step.prepare(self.document))
        except ValueError as exc:
            self.message.emit(str(exc))

    def merge_down(self) -> None:
        """Merge the active layer into the one below (a group: into one layer)."""
        layer = self.active_layer()
        if layer is None or self.document is None:
            return
        if layer.is_group:
            self.groups.merge_active()
        elif commands.can_merge_down(self.document, layer.uid):
            self._push(commands.MergeDown(layer.uid))
        else:
            self.message.emit("Merge Down needs a layer directly below in the same group")

    def flatten(self) -> None:
        """Flatten all layers into one."""
        if self.document is not None and len(self.document.layers) > 1:
            self._push(commands.Flatten())
