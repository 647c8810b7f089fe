"""The Layers dock: thumbnails list with drag-reorder, blend mode, opacity and layer buttons."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from glide_desktop.document import commands
from glide_desktop.document.document import Change, Document
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.ui.icons import icon
from glide_desktop.ui.layer_masks import MaskActions, MaskThumbnailDelegate
from glide_desktop.ui.layers_model import THUMBNAIL_SIZE, LayersModel
from glide_desktop.ui.undo import DocumentUndo

M = BlendMode
# The combo's sections, as painting programs group them: darken, lighten, contrast, compare, colour,
# then the Porter-Duff operators that mask and clip.
BLEND_GROUPS = (
    (M.NORMAL,), (M.MULTIPLY, M.DARKEN, M.COLOR_BURN), (M.SCREEN, M.LIGHTEN, M.COLOR_DODGE, M.PLUS),
    (M.OVERLAY, M.SOFT_LIGHT, M.HARD_LIGHT), (M.DIFFERENCE, M.EXCLUSION),
    (M.HUE, M.SATURATION, M.COLOR, M.LUMINOSITY),
    (M.DST_IN, M.DST_OUT, M.SRC_ATOP, M.DST_OVER, M.SRC_IN, M.SRC_OUT, M.DST_ATOP, M.XOR),
)


class LayersPanel(QWidget):
    """Shows the document's layers top first and edits them through undoable commands."""

    propertiesRequested = Signal(int)  # noqa: N815 - Qt's naming; layer uid (double-click)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self.undo: DocumentUndo | None = None
        self._unsubscribe: Any = None
        self._syncing = False
        self.model = LayersModel(self)
        self.masks = MaskActions(self)
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
        self.blend_combo = QComboBox()
        for group in BLEND_GROUPS:
            if self.blend_combo.count():
                self.blend_combo.insertSeparator(self.blend_combo.count())
            for mode in group:
                self.blend_combo.addItem(mode.label, mode)
        self.blend_combo.setMaxVisibleItems(len(BlendMode) + len(BLEND_GROUPS))
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
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.view.setSpacing(1)
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDragDropOverwriteMode(False)
        # F2 renames in place; a double-click opens Layer Properties (name, and how it was generated).
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.doubleClicked.connect(self._on_double_click)
        self.mask_delegate = MaskThumbnailDelegate(THUMBNAIL_SIZE, self.model.layer_at, lambda: self.document,
                                                   self.view)
        self.mask_delegate.maskClicked.connect(lambda uid: self._choose_target(uid, True))
        self.mask_delegate.pixelsClicked.connect(lambda uid: self._choose_target(uid, False))
        self.view.setItemDelegate(self.mask_delegate)
        self.model.dataChanged.connect(self.mask_delegate.forget_thumbnails)  # painted masks refresh too
        self.model.modelReset.connect(self.mask_delegate.forget_thumbnails)
        self.view.selectionModel().currentChanged.connect(self._on_current_row)
        self.model.modelReset.connect(self._select_active)

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
        layer = self.model.layer_at(index.row())
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

    def active_layer(self) -> Layer | None:
        """The document's active layer."""
        return None if self.document is None else self.document.active_layer

    def _select_active(self) -> None:
        layer = self.active_layer()
        row = self.model.row_of(layer.uid if layer else None)
        selection = self.view.selectionModel()
        if row < 0 or selection.currentIndex().row() == row:
            return
        self._syncing = True
        try:
            selection.setCurrentIndex(self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            self._syncing = False

    def _on_current_row(self, current: Any, _previous: Any) -> None:
        layer = self.model.layer_at(current.row())
        if self._syncing or layer is None or self.document is None:
            return
        self.document.set_active(layer.uid)

    def _sync_controls(self) -> None:
        """Show the active layer's blend and opacity; enable what applies."""
        layer = self.active_layer()
        count = len(self.document.layers) if self.document else 0
        self._syncing = True
        try:
            if layer is not None:
                self.blend_combo.setCurrentIndex(self.blend_combo.findData(layer.blend))
                if not self.opacity_slider.isSliderDown():
                    self.opacity_slider.setValue(round(layer.opacity * 100))
        finally:
            self._syncing = False
        has_layer = layer is not None
        for widget in (self.blend_combo, self.opacity_slider, self.opacity_box):
            widget.setEnabled(has_layer)
        self.duplicate_action.setEnabled(has_layer)
        self.delete_action.setEnabled(has_layer and count > 1)
        self.add_action.setEnabled(self.document is not None)
        below = has_layer and self.document.index_of(layer.uid) > 0
        self.merge_action.setEnabled(bool(below))
        self.flatten_action.setEnabled(count > 1)

    # --- property edits --------------------------------------------------------------------------
    def _on_blend_chosen(self, index: int) -> None:
        layer = self.active_layer()
        if layer is not None:
            self.model.set_blend(layer.uid, self.blend_combo.itemData(index))

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
        """Add a transparent layer above the active one."""
        if self.document is None:
            return
        layer = self.active_layer()
        index = self.document.index_of(layer.uid) + 1 if layer else None
        name = f"Layer {len(self.document.layers) + 1}"
        self._push(commands.AddLayer(self.document.new_layer(name), index, text="New layer"))

    def duplicate_layer(self) -> None:
        """Copy the active layer just above itself."""
        layer = self.active_layer()
        if layer is None or self.document is None:
            return
        twin = layer.copy()
        twin.name = f"{layer.name} copy"
        self._push(commands.AddLayer(twin, self.document.index_of(layer.uid) + 1, text="Duplicate layer"))

    def delete_layer(self) -> None:
        """Remove the active layer (the only layer stays: a document always has one)."""
        layer = self.active_layer()
        if layer is not None and len(self.document.layers) > 1:
            self._push(commands.RemoveLayer(layer.uid))

    def merge_down(self) -> None:
        """Merge the active layer into the one below."""
        layer = self.active_layer()
        if layer is not None and self.document is not None and self.document.index_of(layer.uid) > 0:
            self._push(commands.MergeDown(layer.uid))

    def flatten(self) -> None:
        """Flatten all layers into one."""
        if self.document is not None and len(self.document.layers) > 1:
            self._push(commands.Flatten())
