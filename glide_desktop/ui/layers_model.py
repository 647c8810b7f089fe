"""A Qt list model over the document's layers, top layer first, editing through undoable commands."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QIcon

from glide_desktop.document import commands
from glide_desktop.document.document import Change, Document
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.ui.images import thumbnail
from glide_desktop.ui.undo import DocumentUndo

LAYER_MIME = "application/x-glide-layer-row"
UID_ROLE = Qt.ItemDataRole.UserRole + 1
OPACITY_ROLE = Qt.ItemDataRole.UserRole + 2
BLEND_ROLE = Qt.ItemDataRole.UserRole + 3
THUMBNAIL_SIZE = 40

Index = QModelIndex | QPersistentModelIndex


class LayersModel(QAbstractListModel):
    """Row 0 is the top layer; renames, visibility and moves become commands on the undo stack."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self.undo: DocumentUndo | None = None
        self._uids: list[int] = []  # top first, as shown
        self._thumbnails: dict[int, QIcon] = {}
        self._unsubscribe: Any = None
        # Pixel edits arrive per dab; thumbnails refresh at most a few times a second.
        self._thumb_timer = QTimer(self)
        self._thumb_timer.setSingleShot(True)
        self._thumb_timer.setInterval(200)
        self._thumb_timer.timeout.connect(self._refresh_thumbnails)

    # --- binding ---------------------------------------------------------------------------------
    def set_document(self, doc: Document | None, undo: DocumentUndo | None) -> None:
        """Show the layers of doc; edits go to undo."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.beginResetModel()
        self.document, self.undo = doc, undo
        self._uids = self._current_uids()
        self._thumbnails.clear()
        self.endResetModel()
        if doc is not None:
            self._unsubscribe = doc.subscribe(self._on_change)

    def _current_uids(self) -> list[int]:
        return [] if self.document is None else [layer.uid for layer in reversed(self.document.layers)]

    def _on_change(self, change: Change) -> None:
        if change.structure:
            uids = self._current_uids()
            if uids != self._uids:
                self.beginResetModel()
                self._uids = uids
                self._thumbnails = {u: p for u, p in self._thumbnails.items() if u in uids}
                self.endResetModel()
            elif uids:
                self.dataChanged.emit(self.index(0), self.index(len(uids) - 1))
        pixels = getattr(change, "pixels", True)
        if pixels and (change.rect is None or not change.rect.is_empty()):
            self._thumb_timer.start()

    def _refresh_thumbnails(self) -> None:
        self._thumbnails.clear()
        if self._uids:
            self.dataChanged.emit(self.index(0), self.index(len(self._uids) - 1),
                                  [Qt.ItemDataRole.DecorationRole])

    # --- lookups ---------------------------------------------------------------------------------
    def layer_at(self, row: int) -> Layer | None:
        """The layer shown in row (None outside the list)."""
        if self.document is None or not 0 <= row < len(self._uids):
            return None
        return self.document.find_layer(self._uids[row])

    def row_of(self, uid: int | None) -> int:
        """The row showing the layer with uid, -1 when none."""
        return self._uids.index(uid) if uid in self._uids else -1

    # --- read ------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt signature
        return 0 if parent.isValid() else len(self._uids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        layer = self.layer_at(index.row()) if index.isValid() else None
        if layer is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return layer.name
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(layer)
        if role == Qt.ItemDataRole.ToolTipRole:
            blend = layer.blend.label
            if layer.foreign_op and layer.blend is BlendMode.NORMAL:
                blend = f"shown as Normal; its own mode {layer.foreign_op} is kept when saved"
            return f"{layer.name} — {blend}, {round(layer.opacity * 100)}%"
        if role == UID_ROLE:
            return layer.uid
        if role == OPACITY_ROLE:
            return layer.opacity
        if role == BLEND_ROLE:
            return layer.blend
        return None

    def _thumbnail(self, layer: Layer) -> QIcon:
        found = self._thumbnails.get(layer.uid)
        if found is None:
            pixmap = thumbnail(layer.pixels, THUMBNAIL_SIZE)
            found = self._thumbnails[layer.uid] = QIcon(pixmap)
            # Without its own Selected pixmap the list tints the active layer's picture blue.
            found.addPixmap(pixmap, QIcon.Mode.Selected)
        return found

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # drops land between rows, never onto a layer
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable
                | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)

    # --- write -----------------------------------------------------------------------------------
    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        layer = self.layer_at(index.row()) if index.isValid() else None
        if layer is None:
            return False
        if role == Qt.ItemDataRole.EditRole:
            name = str(value).strip()
            return bool(name) and self.set_property(layer.uid, "name", name)
        if role == Qt.ItemDataRole.CheckStateRole:
            visible = Qt.CheckState(value) == Qt.CheckState.Checked
            return self.set_property(layer.uid, "visible", visible)
        return False

    def set_property(self, uid: int, name: str, value: Any, merge: bool = False) -> bool:
        """Push a SetLayerProperty step (consecutive steps merge when merge is set, e.g. slider drags)."""
        layer = self.document.find_layer(uid) if self.document is not None else None
        if layer is None or self.undo is None:
            return False
        old = getattr(layer, name)
        if old == value:
            return False
        self.undo.push(commands.SetLayerProperty(uid, name, old, value), close=not merge)
        return True

    def set_blend(self, uid: int, blend: BlendMode) -> bool:
        """Change a layer's blend mode as one step."""
        return self.set_property(uid, "blend", BlendMode(blend))

    # --- reordering ------------------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802 - Qt override
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt override
        return [LAYER_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # noqa: N802 - Qt override
        mime = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime.setData(LAYER_MIME, QByteArray(",".join(map(str, rows)).encode()))
        return mime

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                     parent: Index) -> bool:
        if action != Qt.DropAction.MoveAction or not data.hasFormat(LAYER_MIME):
            return False
        text = bytes(data.data(LAYER_MIME).data()).decode()
        rows = [int(r) for r in text.split(",") if r]
        if len(rows) != 1:
            return False
        target = parent.row() if row < 0 and parent.isValid() else row
        target = self.rowCount() if target < 0 else target
        return self.moveRows(QModelIndex(), rows[0], 1, QModelIndex(), target)

    def moveRows(self, source_parent: Index, source_row: int, count: int,  # noqa: N802 - Qt override
                 destination_parent: Index, destination_child: int) -> bool:
        """Move one layer; destination_child is the row it lands before, counted before the move."""
        if source_parent.isValid() or destination_parent.isValid() or count != 1 or self.undo is None:
            return False
        if not 0 <= source_row < len(self._uids) or not 0 <= destination_child <= len(self._uids):
            return False
        new_row = destination_child - 1 if destination_child > source_row else destination_child
        if new_row == source_row:
            return False
        uid = self._uids[source_row]
        stack_index = len(self._uids) - 1 - new_row  # rows are top first, the stack bottom first
        self.undo.push(commands.MoveLayer(uid, stack_index), close=True)
        return True
