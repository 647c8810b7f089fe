"""A Qt tree model over the document's layers and groups, top first, editing through undoable commands."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QIcon

from glide_desktop.document import commands
from glide_desktop.document.document import Change, Document
from glide_desktop.document.group import Node
from glide_desktop.document.layer import BlendMode
from glide_desktop.document.node_sets import MoveNodes
from glide_desktop.ui.icons import icon
from glide_desktop.ui.images import thumbnail
from glide_desktop.ui.undo import DocumentUndo

LAYER_MIME = "application/x-glide-layer-uid"
UID_ROLE = Qt.ItemDataRole.UserRole + 1
OPACITY_ROLE = Qt.ItemDataRole.UserRole + 2
BLEND_ROLE = Qt.ItemDataRole.UserRole + 3
THUMBNAIL_SIZE = 40

Index = QModelIndex | QPersistentModelIndex


class LayersModel(QAbstractItemModel):
    """Groups are parents of their children; row 0 of each level is its top node. Renames, visibility
    and moves become commands on the undo stack. An index's internalId is its node's uid."""

    nodesMoved = Signal(list)  # noqa: N815 - Qt's naming; the uids a drop moved, so the view keeps them chosen

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self.undo: DocumentUndo | None = None
        self._kids: dict[int | None, list[int]] = {None: []}  # group uid (None: top) -> uids, top first
        self._parents: dict[int, int | None] = {}
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
        self._adopt(self._current_tree())
        self._thumbnails.clear()
        self.endResetModel()
        if doc is not None:
            self._unsubscribe = doc.subscribe(self._on_change)

    def _current_tree(self) -> tuple[tuple[int, int | None], ...]:
        if self.document is None:
            return ()
        present = {node.uid for node in self.document.layers}
        return tuple((node.uid, node.parent if node.parent in present else None)
                     for node in reversed(self.document.layers))

    def _adopt(self, tree: tuple[tuple[int, int | None], ...]) -> None:
        self._kids, self._parents = {None: []}, {}
        for uid, parent in tree:  # top first, so each level lists its top node first
            self._kids.setdefault(parent, []).append(uid)
            self._parents[uid] = parent

    def _on_change(self, change: Change) -> None:
        if change.structure:
            tree = self._current_tree()
            if tree != tuple(self._parents.items()):
                self.beginResetModel()
                self._adopt(tree)
                self._thumbnails = {u: p for u, p in self._thumbnails.items() if u in self._parents}
                self.endResetModel()
            else:
                self._all_changed()
        pixels = getattr(change, "pixels", True)
        if pixels and (change.rect is None or not change.rect.is_empty()):
            self._thumb_timer.start()

    def _all_changed(self, roles: list[int] | None = None) -> None:
        for parent, kids in self._kids.items():
            if kids:
                top = self.index(0, 0, self.index_of(parent))
                bottom = self.index(len(kids) - 1, 0, self.index_of(parent))
                self.dataChanged.emit(top, bottom, roles or [])

    def _refresh_thumbnails(self) -> None:
        self._thumbnails.clear()
        self._all_changed([Qt.ItemDataRole.DecorationRole])

    # --- lookups ---------------------------------------------------------------------------------
    def node_at(self, index: Index) -> Node | None:
        """The layer or group an index shows (None for an invalid index)."""
        if self.document is None or not index.isValid():
            return None
        return self.document.find_layer(index.internalId())

    def layer_at(self, row: int) -> Node | None:
        """The node shown in top-level row (None outside the list)."""
        return self.node_at(self.index(row, 0))

    def index_of(self, uid: int | None) -> QModelIndex:
        """The index showing the node with uid (invalid when none or None)."""
        if uid is None or uid not in self._parents:
            return QModelIndex()
        return self.createIndex(self._kids[self._parents[uid]].index(uid), 0, uid)

    def row_of(self, uid: int | None) -> int:
        """The row showing the node with uid within its group, -1 when none."""
        index = self.index_of(uid)
        return index.row() if index.isValid() else -1

    def group_uids(self) -> list[int]:
        """Every group shown, top first."""
        return [uid for uid in self._parents if self._is_group(uid)]

    def _is_group(self, uid: int) -> bool:
        node = self.document.find_layer(uid) if self.document is not None else None
        return node is not None and node.is_group

    # --- tree shape ------------------------------------------------------------------------------
    def index(self, row: int, column: int = 0, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        kids = self._kids.get(parent.internalId() if parent.isValid() else None, [])
        if column != 0 or not 0 <= row < len(kids):
            return QModelIndex()
        return self.createIndex(row, 0, kids[row])

    def parent(self, child: Index | None = None) -> Any:  # noqa: D102 - Qt's two overloads
        if child is None:
            return QObject.parent(self)
        if not child.isValid():
            return QModelIndex()
        return self.index_of(self._parents.get(child.internalId()))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt signature
        if parent.isValid() and parent.column() > 0:
            return 0
        return len(self._kids.get(parent.internalId() if parent.isValid() else None, []))

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt signature
        return 1

    # --- read ------------------------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        layer = self.node_at(index)
        if layer is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return layer.name
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(layer)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(layer)
        if role == UID_ROLE:
            return layer.uid
        if role == OPACITY_ROLE:
            return layer.opacity
        if role == BLEND_ROLE:
            return layer.blend
        return None

    @staticmethod
    def _tooltip(layer: Node) -> str:
        blend = layer.mode_label if layer.is_group else layer.blend.label
        if layer.foreign_op and layer.blend is BlendMode.NORMAL:
            blend = f"shown as Normal; its own mode {layer.foreign_op} is kept when saved"
        kind = "group — " if layer.is_group else ""
        return f"{layer.name} — {kind}{blend}, {round(layer.opacity * 100)}%"

    def _thumbnail(self, layer: Node) -> QIcon:
        found = self._thumbnails.get(layer.uid)
        if found is None:
            if layer.is_group:
                found = self._thumbnails[layer.uid] = icon("folder")
                found.addPixmap(found.pixmap(THUMBNAIL_SIZE), QIcon.Mode.Selected)  # untinted when active
                return found
            pixmap = thumbnail(layer.pixels, THUMBNAIL_SIZE)
            found = self._thumbnails[layer.uid] = QIcon(pixmap)
            # Without its own Selected pixmap the list tints the active layer's picture blue.
            found.addPixmap(pixmap, QIcon.Mode.Selected)
        return found

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # the top level takes drops
        flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable
                 | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
        if self._is_group(index.internalId()):
            flags |= Qt.ItemFlag.ItemIsDropEnabled  # a drop onto a group puts the layer inside, at its top
        return flags

    # --- write -----------------------------------------------------------------------------------
    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        layer = self.node_at(index)
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

    # --- reordering and nesting ---------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802 - Qt override
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt override
        return [LAYER_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # noqa: N802 - Qt override
        mime = QMimeData()
        uids = sorted({i.internalId() for i in indexes if i.isValid()})
        mime.setData(LAYER_MIME, QByteArray(",".join(map(str, uids)).encode()))
        return mime

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                     parent: Index) -> bool:
        if action != Qt.DropAction.MoveAction or not data.hasFormat(LAYER_MIME):
            return False
        text = bytes(data.data(LAYER_MIME).data()).decode()
        uids = [int(u) for u in text.split(",") if u.isdigit()]
        if not uids or any(uid not in self._parents for uid in uids):
            return False
        group = self.node_at(parent)
        if parent.isValid() and (group is None or not group.is_group):
            return False  # onto a layer: nothing (drops land between rows or onto groups)
        target = parent.internalId() if parent.isValid() else None
        return self._move_many(uids, target, 0 if row < 0 else row)  # onto a group: at its top

    def _move_many(self, uids: list[int], parent: int | None, row: int) -> bool:
        """Push one MoveNodes putting uids (in stack order) before row (top first, counted with them still
        in place) of parent; nothing when they already stand there."""
        if self.undo is None or self.document is None:
            return False
        moving = set(uids)
        # The rows below the drop point, nearest first: a selection still floating lands before the move
        # and its row vanishes, so the drop is kept as "just above the nearest of these that remains".
        below = [uid for uid in self._kids.get(parent, [])[max(0, row):] if uid not in moving]
        self.undo.settle()
        doc = self.document
        uids = [uid for uid in uids if doc.find_layer(uid) is not None]
        if not uids or (parent is not None and doc.find_layer(parent) is None):
            return False
        anchor = next((uid for uid in below if doc.find_layer(uid) is not None), None)
        siblings = [node.uid for node in doc.children(parent) if node.uid not in moving]  # bottom first
        position = siblings.index(anchor) + 1 if anchor in siblings else 0
        text = "Move layer" if len(uids) == 1 else "Move layers"
        try:
            step = MoveNodes(uids, parent, position, text=text).prepare(doc)
        except ValueError:
            return False  # a group into itself, or nested too deep
        if step.leaves_as_is(doc):
            return False  # dropped onto their own place
        self.undo.push(step, close=True)
        self.nodesMoved.emit(list(uids))
        return True

    def moveRows(self, source_parent: Index, source_row: int, count: int,  # noqa: N802 - Qt override
                 destination_parent: Index, destination_child: int) -> bool:
        """Move one node; destination_child is the row it lands before, counted before the move."""
        source = self.index(source_row, 0, source_parent)
        if count != 1 or not source.isValid():
            return False
        target = destination_parent.internalId() if destination_parent.isValid() else None
        if target is not None and not self._is_group(target):
            return False
        return self._move_many([source.internalId()], target, destination_child)
