"""Cut, Copy, Copy Merged, Paste, Paste in Place and Paste as New Image through the system clipboard.

Copies carry the image (other applications read it as image/png and friends) and, in the image's text
(a PNG text chunk on the way out), where it came from in the document, so Paste in Place can put it
back at that spot, even in another document. Qt makes the clipboard's QMimeData itself (setImage): one
made in Python and handed over crashes PySide when the application is torn down.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QObject
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from glide_desktop.document import commands
from glide_desktop.document.clip_ops import cut_command
from glide_desktop.document.document import Document
from glide_desktop.document.files import DocumentFileError, decode_rgba
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import Layer
from glide_desktop.document.selected import selected_pixels
from glide_desktop.ui.editor_host import EditorHost, tell
from glide_desktop.ui.group_guard import group_refusal
from glide_desktop.ui.images import array_to_qimage, qimage_to_array

ORIGIN_KEY = "glide-desktop-origin"  # image text: "x,y,w,h" of the copied pixels in their document
Key = QKeySequence.StandardKey


class ClipboardActions(QObject):
    """The Edit menu's clipboard actions, working on the host's document."""

    def __init__(self, host: EditorHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        specs = [
            ("cut", "Cu&t", self.cut, Key.Cut, "Copy the selection of the active layer, then clear it"),
            ("copy_merged", "Copy &Merged", self.copy_merged, "Ctrl+Shift+C",
             "Copy the selection of the whole picture as you see it"),
            ("paste_in_place", "Paste in Pla&ce", self.paste_in_place, "Ctrl+Shift+V",
             "Paste as a new layer exactly where the copy came from"),
            ("paste_new_image", "Paste as New &Image", self.paste_as_new_image, "Ctrl+Alt+V",
             "Start a new image from the clipboard"),
        ]
        self.actions: dict[str, QAction] = {}
        for name, text, slot, shortcut, tip in specs:
            action = QAction(text, self)
            action.setShortcuts(QKeySequence.keyBindings(shortcut) if isinstance(shortcut, Key)
                                else [QKeySequence(shortcut)])
            action.setStatusTip(tip)
            action.triggered.connect(lambda _checked=False, run=slot: run())
            self.actions[name] = action
        clipboard = QApplication.clipboard()
        clipboard.dataChanged.connect(self._update_paste)
        self._update_paste()

    def install(self, copy: QAction, paste: QAction) -> None:
        """Put Cut before copy, Copy Merged after it, and the pastes after paste (in copy's menu)."""
        menu = next(m for m in copy.associatedObjects() if isinstance(m, QMenu))
        menu.insertAction(copy, self.actions["cut"])
        after_copy = _next_action(menu, copy)
        menu.insertAction(after_copy, self.actions["copy_merged"])
        after_paste = _next_action(menu, paste)
        menu.insertActions(after_paste, [self.actions["paste_in_place"], self.actions["paste_new_image"]])

    def _update_paste(self) -> None:
        has = clipboard_has_image()
        self.actions["paste_in_place"].setEnabled(has)
        self.actions["paste_new_image"].setEnabled(has)

    # --- copying ---------------------------------------------------------------------------------------
    def copy(self) -> bool:
        """Copy the selected part of the active layer (all of it without a selection)."""
        doc = self.host.document
        layer = doc.active_layer if doc is not None else None
        found = selected_pixels(layer.pixels, layer.bounds, doc.selection) if layer is not None else None
        refusal = group_refusal(doc, "copy (or use Copy Merged)")
        return self._put(found, refusal or "Nothing to copy: the selection misses the active layer")

    def copy_merged(self) -> bool:
        """Copy the selected part of the composite (what the canvas shows)."""
        doc = self.host.document
        if doc is None:
            return False
        box = doc.selection.bbox() or doc.bounds
        found = selected_pixels(doc.composite(box), box, doc.selection)
        return self._put(found, "Nothing to copy")

    def cut(self) -> bool:
        """Copy, then clear the copied pixels of the active layer (soft selections clear partly)."""
        if not self.copy():
            return False
        self.host.push(cut_command(self.host.document))  # copy() found pixels, so there is a step
        return True

    def _put(self, found: tuple[np.ndarray, Rect] | None, nothing: str) -> bool:
        if found is None:
            tell(self.host, nothing)
            return False
        pixels, area = found
        image = array_to_qimage(pixels)
        image.setText(ORIGIN_KEY, f"{area.x},{area.y},{area.w},{area.h}")
        QApplication.clipboard().setImage(image)
        tell(self.host, f"Copied {area.w} × {area.h} px", 3000)
        return True

    # --- pasting -----------------------------------------------------------------------------------------
    def paste_as_layer(self) -> bool:
        """A new layer from the clipboard: our own copy goes back where it came from, others are centred."""
        return self._paste(in_place=False)

    def paste_in_place(self) -> bool:
        """A new layer at the copied position (centred when the image came from another application)."""
        return self._paste(in_place=True)

    def _paste(self, in_place: bool) -> bool:
        doc = self.host.document
        pixels = clipboard_pixels()
        if doc is None or pixels is None:
            tell(self.host, "The clipboard holds no image")
            return False
        height, width = pixels.shape[:2]
        origin = clipboard_origin()
        if origin is not None and (in_place or origin.w == width and origin.h == height):
            offset = (origin.x, origin.y)
        else:
            offset = ((doc.width - width) // 2, (doc.height - height) // 2)
        active = doc.active_node  # above the active layer or group, in its group
        index = doc.index_of(active.uid) + 1 if active else None
        layer = Layer(pixels, name="Pasted layer", offset=offset)
        self.host.push(commands.AddLayer(layer, index, text="Paste in place" if in_place else "Paste"))
        return True

    def paste_as_new_image(self) -> bool:
        """Open the clipboard's image as a new document (asks about unsaved changes first)."""
        pixels = clipboard_pixels()
        if pixels is None:
            tell(self.host, "The clipboard holds no image")
            return False
        if not self.host.maybe_save():
            return False
        doc = Document(pixels.shape[1], pixels.shape[0])
        doc.insert_layer(Layer(pixels, name="Pasted"))
        self.host.set_document(doc, None)
        return True


def _next_action(menu: QMenu, action: QAction) -> QAction | None:
    actions = menu.actions()
    index = actions.index(action) if action in actions else len(actions) - 1
    return actions[index + 1] if index + 1 < len(actions) else None


def clipboard_has_image() -> bool:
    """True when the clipboard offers an image (or an image file)."""
    mime = QApplication.clipboard().mimeData()
    return mime is not None and (mime.hasImage() or bool(_image_files(mime)))


def clipboard_pixels() -> np.ndarray | None:
    """The clipboard's image as H, W, 4 uint8 (image data, or the first image file a file manager copied)."""
    mime = QApplication.clipboard().mimeData()
    if mime is None:
        return None
    if mime.hasImage():
        image = QImage(mime.imageData())
        if not image.isNull():
            return qimage_to_array(image)
    for path in _image_files(mime):
        try:
            return decode_rgba(path)
        except DocumentFileError:
            continue
    return None


def _image_files(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    suffixes = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [p for p in paths if p.suffix.lower() in suffixes]


def clipboard_origin() -> Rect | None:
    """Where the clipboard's pixels were copied from in GLIDE Desktop (None for other applications)."""
    mime = QApplication.clipboard().mimeData()
    if mime is None or not mime.hasImage():
        return None
    try:
        x, y, w, h = (int(v) for v in QImage(mime.imageData()).text(ORIGIN_KEY).split(","))
    except (TypeError, ValueError):
        return None
    return Rect(x, y, w, h)
