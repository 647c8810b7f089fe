"""Layer masks in the Layers panel: the Mask actions and the row delegate showing a mask thumbnail.

Clicking the mask thumbnail makes the mask what the brush and eraser paint (a white frame marks it);
clicking elsewhere on the row goes back to the layer's pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from glide_desktop.document import mask_commands as masks
from glide_desktop.document.commands import Command
from glide_desktop.document.document import Document
from glide_desktop.document.group import Node
from glide_desktop.document.layer import Layer
from glide_desktop.ui.document_actions import DocumentActions
from glide_desktop.ui.images import thumbnail

_MARGIN = 4


def mask_thumbnail(mask: np.ndarray, box: int) -> QPixmap:
    """The mask as an opaque grey picture, box x box."""
    grey = np.empty((*mask.shape, 4), np.uint8)
    grey[..., :3] = mask[..., None]
    grey[..., 3] = 255
    return thumbnail(grey, box)


class MaskActions(DocumentActions):
    """Add from selection / white / black, invert, disable, apply, delete: each one undo step, on the
    active layer or isolated group (a group's mask cannot be applied; the message says why)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.add_selection = self._action("Add Mask from &Selection", "Hide the layer outside the selection",
                                          lambda doc, uid: masks.add_mask(doc, uid, "selection"), True)
        self.add_white = self._action("Add &White Mask", "A mask that shows the whole layer",
                                      lambda doc, uid: masks.add_mask(doc, uid, "white"), True)
        self.add_black = self._action("Add &Black Mask", "A mask that hides the whole layer",
                                      lambda doc, uid: masks.add_mask(doc, uid, "black"), True)
        self.invert = self._action("&Invert Mask", "Show what the mask hides and hide what it shows",
                                   masks.invert_mask)
        self.disable = self._action("&Disable Mask", "Show the layer without its mask (the mask is kept)",
                                    masks.toggle_mask)
        self.disable.setCheckable(True)
        self.apply = self._action("&Apply Mask", "Bake the mask into the layer's transparency",
                                  masks.apply_mask_step)
        self.delete = self._action("De&lete Mask", "Remove the mask without applying it", masks.delete_mask)
        self.actions = [self.add_selection, self.add_white, self.add_black, self.invert, self.disable,
                        self.apply, self.delete]
        self.sync()

    def _action(self, text: str, tip: str, step: Callable[[Document, int], Command],
                edit_after: bool = False) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.triggered.connect(lambda: self._run(step, edit_after))
        return action

    def menu(self, parent: Any) -> QMenu:
        """A "Mask" menu holding every action."""
        menu = QMenu("&Mask", parent)
        menu.addActions(self.actions[:3])
        menu.addSeparator()
        menu.addActions(self.actions[3:])
        menu.aboutToShow.connect(lambda: self.sync(selection=True))  # the selection may have changed
        return menu

    def _layer(self) -> Node | None:
        return None if self.document is None else self.document.active_node

    def _run(self, step: Callable[[Document, int], Command], edit_after: bool) -> None:
        layer = self._layer()
        if layer is None or self.undo is None:
            return
        if edit_after == (layer.mask is not None):
            return  # adding needs no mask yet; the others need one
        try:
            command = step(self.document, layer.uid)
        except ValueError as exc:  # a pass-through group, or Apply on a group
            self.message.emit(str(exc))
            return
        self.undo.push(command, close=True)
        self.document.set_editing_mask(edit_after)  # a new mask is what the brush paints next

    def sync(self, selection: bool = False) -> None:
        """Enable what applies to the active layer (selection: also whether anything is selected)."""
        layer = self._layer()
        has_mask = layer is not None and layer.mask is not None
        for action in self.actions[:3]:
            action.setEnabled(layer is not None and not has_mask)
        for action in self.actions[3:]:
            action.setEnabled(has_mask)
        group = layer is not None and layer.is_group
        self.apply.setEnabled(has_mask and not group)  # a group has no pixels to bake it into
        self.apply.setToolTip("A group's mask cannot be applied: Merge Group bakes it into one layer" if group
                              else "Bake the mask into the layer's transparency")
        if selection:  # scanning a big selection per layer change would cost; menus ask when they open
            self.add_selection.setEnabled(self.add_selection.isEnabled()
                                          and bool(self.document.selection.coverage.any()))
        self.disable.setChecked(has_mask and not layer.mask_enabled)


class MaskThumbnailDelegate(QStyledItemDelegate):
    """Draws each row as usual plus, for a layer with a mask, its mask thumbnail at the right."""

    maskClicked = Signal(int)  # noqa: N815 - Qt's naming; layer uid
    pixelsClicked = Signal(int)  # noqa: N815

    def __init__(self, box: int, layer_of: Callable[[Any], Layer | None], document: Callable[[], Any],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.box, self._layer_of, self._document = box, layer_of, document
        self._thumbs: dict[int, tuple[int, QPixmap]] = {}  # uid -> (id of the mask array, pixmap)

    def forget_thumbnails(self, *_args: Any) -> None:
        """Drop the cached thumbnails (the model says when layers or their pixels changed)."""
        self._thumbs.clear()

    def mask_rect(self, row: QRect) -> QRect:
        """Where the mask thumbnail lies in a row's rect."""
        top = row.top() + (row.height() - self.box) // 2
        return QRect(row.right() - self.box - _MARGIN, top, self.box, self.box)

    def _thumb(self, layer: Layer) -> QPixmap:
        key = id(layer.mask)  # a new mask array (added, undone, transformed) is a new picture
        found = self._thumbs.get(layer.uid)
        if found is None or found[0] != key:
            found = self._thumbs[layer.uid] = (key, mask_thumbnail(layer.mask, self.box))
        return found[1]

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        layer = self._layer_of(index)
        if layer is None or layer.mask is None:
            super().paint(painter, option, index)
            return
        # The row's highlight spans the whole row; its name is elided before the mask thumbnail.
        style = option.widget.style() if option.widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        narrowed = QStyleOptionViewItem(option)
        narrowed.rect = option.rect.adjusted(0, 0, -(self.box + 2 * _MARGIN), 0)
        super().paint(painter, narrowed, index)
        rect = self.mask_rect(option.rect)
        painter.save()
        painter.setOpacity(1.0 if layer.mask_enabled else 0.35)  # a disabled mask shows faded
        painter.drawPixmap(rect, self._thumb(layer))
        doc = self._document()
        if doc is not None and doc.active_uid == layer.uid and doc.edits_mask:
            painter.setOpacity(1.0)
            painter.setPen(QPen(QColor(255, 255, 255), 2))
            painter.drawRect(rect.adjusted(-2, -2, 1, 1))
        if not layer.mask_enabled:  # a red cross, as Photoshop marks a disabled mask
            painter.setOpacity(1.0)
            painter.setPen(QPen(QColor(220, 40, 40), 2))
            painter.drawLine(rect.topLeft(), rect.bottomRight())
            painter.drawLine(rect.topRight(), rect.bottomLeft())
        painter.restore()

    def editorEvent(self, event: QEvent, model: Any, option: QStyleOptionViewItem,  # noqa: N802
                    index: Any) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            layer = self._layer_of(index)
            if layer is not None:
                on_mask = layer.mask is not None and self.mask_rect(option.rect).contains(
                    event.position().toPoint())
                (self.maskClicked if on_mask else self.pixelsClicked).emit(layer.uid)
        return super().editorEvent(event, model, option, index)
