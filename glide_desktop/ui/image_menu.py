"""The Image menu: crop, canvas and image size, quarter turns, flips (image or layer), Adjustments."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QMenuBar

from glide_desktop.document.transform_commands import FlipLayer, TransformImage
from glide_desktop.document.transform_ops import Axis, Crop, Flip, ImageOp, Resize, Rotate, canvas_crop
from glide_desktop.ui.adjustments import AdjustmentsMenu
from glide_desktop.ui.editor_host import EditorHost, as_parent, tell
from glide_desktop.ui.group_guard import group_refusal
from glide_desktop.ui.image_dialogs import CanvasSizeDialog, ImageSizeDialog

MAX_PIXELS = 100_000_000  # the same ceiling as opening a file


class ImageMenu(QObject):
    """Builds the Image actions and menu and runs each operation as one undo step."""

    def __init__(self, host: EditorHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.adjustments = AdjustmentsMenu(host, self)
        self.dialog: QDialog | None = None
        self._size: tuple[int, int] | None = None
        specs: list[tuple[str, str, Callable[[], object], str | None, str]] = [
            ("crop_to_selection", "&Crop to Selection", self.crop_to_selection, None,
             "Cut the image down to the selection's bounding box"),
            ("canvas_size", "Can&vas Size…", self.canvas_size_with_dialog, "Ctrl+Alt+C",
             "Add or remove space around the image"),
            ("image_size", "&Image Size…", self.image_size_with_dialog, "Ctrl+Alt+I",
             "Scale the whole image (Lanczos)"),
            ("rotate_right", "Rotate 90° &Right", lambda: self.rotate(1), None, "Turn the image clockwise"),
            ("rotate_left", "Rotate 90° &Left", lambda: self.rotate(-1), None,
             "Turn the image counter-clockwise"),
            ("rotate_180", "Rotate &180°", lambda: self.rotate(2), None, "Turn the image upside down"),
            ("flip_horizontal", "Flip &Horizontal", lambda: self.flip(Axis.HORIZONTAL), None,
             "Mirror the image left to right"),
            ("flip_vertical", "Flip &Vertical", lambda: self.flip(Axis.VERTICAL), None,
             "Mirror the image top to bottom"),
            ("flip_layer_horizontal", "Flip Layer H&orizontal", lambda: self.flip_layer(Axis.HORIZONTAL),
             None,
             "Mirror the active layer left to right"),
            ("flip_layer_vertical", "Flip Layer V&ertical", lambda: self.flip_layer(Axis.VERTICAL), None,
             "Mirror the active layer top to bottom"),
        ]
        self.actions: dict[str, QAction] = {}
        for name, text, slot, shortcut, tip in specs:
            action = QAction(text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.setStatusTip(tip)
            action.triggered.connect(lambda _checked=False, run=slot: run())
            self.actions[name] = action
        host.undo_group.indexChanged.connect(self._sync_size)

    # --- menu ------------------------------------------------------------------------------------------
    def install(self, bar: QMenuBar, before_title: str = "&Layer") -> QMenu:
        """Add the Image menu to bar, in front of the menu titled before_title (at the end if none)."""
        menu = QMenu("&Image", bar)
        a = self.actions
        menu.addActions([a["crop_to_selection"], a["canvas_size"], a["image_size"]])
        menu.addSeparator()
        menu.addActions([a["rotate_right"], a["rotate_left"], a["rotate_180"]])
        menu.addSeparator()
        menu.addActions([a["flip_horizontal"], a["flip_vertical"], a["flip_layer_horizontal"],
                         a["flip_layer_vertical"]])
        menu.addSeparator()
        self.adjustments.menu(menu)
        before = next((act for act in bar.actions() if act.text() == before_title), None)
        bar.insertMenu(before, menu) if before is not None else bar.addMenu(menu)
        self.menu = menu
        return menu

    # --- operations --------------------------------------------------------------------------------------
    def apply(self, op: ImageOp, text: str) -> bool:
        """Run op on the whole image as one undo step."""
        doc = self.host.document
        if doc is None:
            return False
        waiting = _generation_waiting(self.host)
        if waiting:
            tell(self.host, waiting)
            return False
        new_w, new_h = op.new_size(*doc.size)
        if new_w * new_h > MAX_PIXELS:
            tell(self.host, f"{new_w} × {new_h} px is more than {MAX_PIXELS // 1_000_000} megapixels")
            return False
        self.host.push(TransformImage(op, text))
        return True

    def crop_to_selection(self) -> bool:
        """Crop to the selection's bounding box."""
        doc = self.host.document
        box = doc.selection.bbox() if doc is not None else None
        if box is None:
            tell(self.host, "Select the part to keep first")
            return False
        return self.apply(Crop(box), "Crop to selection")

    def set_canvas_size(self, width: int, height: int, anchor: str = "center") -> bool:
        """Grow or shrink the canvas, keeping the image at anchor."""
        doc = self.host.document
        if doc is None or (width, height) == doc.size:
            return False
        return self.apply(canvas_crop(*doc.size, width, height, anchor), f"Canvas size {width} × {height}")

    def set_image_size(self, width: int, height: int) -> bool:
        """Scale the image to width × height."""
        doc = self.host.document
        if doc is None or (width, height) == doc.size:
            return False
        return self.apply(Resize(width, height), f"Image size {width} × {height}")

    def rotate(self, turns: int) -> bool:
        """Quarter turns clockwise (negative: counter-clockwise)."""
        names = {1: "Rotate 90° right", -1: "Rotate 90° left", 2: "Rotate 180°"}
        return self.apply(Rotate(turns), names.get(turns, "Rotate"))

    def flip(self, axis: Axis) -> bool:
        """Mirror the whole image."""
        return self.apply(Flip(axis), f"Flip image {Axis(axis).value}")

    def flip_layer(self, axis: Axis) -> bool:
        """Mirror the active layer where it is."""
        doc = self.host.document
        layer = doc.active_layer if doc is not None else None
        refusal = group_refusal(doc, "flip")
        if refusal is not None:
            tell(self.host, refusal)
        if layer is None:
            return False
        self.host.push(FlipLayer(layer.uid, axis))
        return True

    # --- dialogs -----------------------------------------------------------------------------------------
    def canvas_size_with_dialog(self) -> CanvasSizeDialog | None:
        """Ask for the canvas size and anchor (window-modal)."""
        if self.host.document is None:
            return None
        dialog = CanvasSizeDialog(*self.host.document.size, as_parent(self.host))
        return self._open(dialog, lambda: self.set_canvas_size(*dialog.canvas_size(), dialog.anchor()))

    def image_size_with_dialog(self) -> ImageSizeDialog | None:
        """Ask for the image size (window-modal)."""
        if self.host.document is None:
            return None
        dialog = ImageSizeDialog(*self.host.document.size, as_parent(self.host))
        return self._open(dialog, lambda: self.set_image_size(*dialog.image_size()))

    def _open(self, dialog: QDialog, on_accept: Callable[[], object]) -> QDialog:
        self.dialog = dialog

        def finished(result: int) -> None:
            self.dialog = None
            if result == QDialog.DialogCode.Accepted:
                on_accept()
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def _sync_size(self, *_args: object) -> None:
        """After any step (undo and redo too): refit the view and show the size when the size changed."""
        doc = self.host.document
        if doc is None or doc.size == self._size:
            return
        self._size = doc.size
        label = getattr(self.host, "size_label", None)
        if label is not None:
            label.setText(f"{doc.width} × {doc.height} px")
        self.host.canvas.fit()


def _generation_waiting(host: EditorHost) -> str:
    """Why the geometry must stay as it is now ("" when it may change).

    Running jobs and staged results are placed by the current geometry; changing it would misplace them.
    """
    generation = getattr(host, "generation", None)
    if getattr(generation, "busy", False):
        return "Wait for the generation to finish (or cancel it) before changing the image"
    if getattr(getattr(generation, "staging", None), "current", None) is not None:
        return "Apply or discard the staged generation result before changing the image"
    return ""
