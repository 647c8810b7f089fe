"""Cut, Copy Merged, Paste in Place and Paste as New Image through the real system clipboard."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtWidgets import QApplication

from glide_desktop.document import commands
from glide_desktop.document.layer import Layer
from glide_desktop.document.selection import rect_coverage
from glide_desktop.ui.clipboard import ORIGIN_KEY, clipboard_origin
from glide_desktop.ui.images import array_to_qimage, qimage_to_array
from tests.ui.screens import picture_document


@pytest.fixture
def foreign_clipboard():
    """Lets a test put its own QMimeData on the clipboard, as another application would.

    Emptied afterwards: PySide crashes at exit when the clipboard still holds a Python-made QMimeData.
    """
    yield QApplication.clipboard()
    QApplication.clipboard().clear()


def _select(window, x, y, w, h) -> None:
    window.push(commands.SetSelection(window.document.selection.coverage,
                                      rect_coverage(window.document.size, (x, y, w, h))))


def _clipboard_array() -> np.ndarray:
    return qimage_to_array(QApplication.clipboard().image())


def _edit_menu_texts(window) -> list[str]:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_edit_menu_order(window):
    texts = _edit_menu_texts(window)
    order = ["Cu&t", "&Copy", "Copy &Merged", "&Paste as New Layer", "Paste in Pla&ce", "Paste as New &Image"]
    assert [t for t in texts if t in order] == order


def test_cut_copies_then_clears_and_undo_brings_it_back(window):
    doc = picture_document(window)
    original = doc.layers[0].pixels.copy()
    _select(window, 10, 5, 20, 12)
    window.clipboard.actions["cut"].trigger()
    assert np.array_equal(_clipboard_array(), original[5:17, 10:30])
    assert clipboard_origin().x == 10 and clipboard_origin().y == 5
    assert (doc.layers[0].pixels[5:17, 10:30, 3] == 0).all()
    assert np.array_equal(doc.layers[0].pixels[:5], original[:5])
    assert window.undo.stack.undoText() == "Cut"
    window.undo.undo()
    assert np.array_equal(doc.layers[0].pixels, original)


def test_copy_merged_takes_what_the_canvas_shows(window):
    doc = picture_document(window)
    window.push(commands.AddLayer(Layer.filled(64, 48, (0, 0, 255, 128), "tint")))
    window.push(commands.AddLayer(Layer.blank(64, 48, "empty")))  # the active layer holds nothing
    _select(window, 0, 0, 8, 8)
    window.clipboard.actions["copy_merged"].trigger()
    assert np.array_equal(_clipboard_array(), doc.composite()[:8, :8])


def test_paste_in_place_lands_where_the_copy_came_from_in_another_document(window):
    picture_document(window)
    _select(window, 20, 10, 6, 4)
    assert window.clipboard.copy()
    picture_document(window, 100, 80)
    window.clipboard.actions["paste_in_place"].trigger()
    pasted = window.document.active_layer
    assert pasted.offset == (20, 10) and pasted.pixels.shape == (4, 6, 4)
    assert window.undo.stack.undoText() == "Paste in place"


def test_paste_of_another_applications_image_is_centred(window):
    QApplication.clipboard().setImage(array_to_qimage(np.full((8, 10, 4), 200, np.uint8)))
    assert clipboard_origin() is None
    window.clipboard.paste_in_place()
    assert window.document.active_layer.offset == ((64 - 10) // 2, (48 - 8) // 2)


def test_paste_as_new_image_from_a_copied_file(window, tmp_path, foreign_clipboard):
    pixels = np.random.default_rng(2).integers(0, 256, (30, 40, 4), dtype=np.uint8)
    Image.fromarray(pixels, "RGBA").save(tmp_path / "copied.png")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "copied.png"))])
    foreign_clipboard.setMimeData(mime)
    assert window.clipboard.actions["paste_new_image"].isEnabled()
    assert window.actions_by_name["paste"].isEnabled()
    window.clipboard.actions["paste_new_image"].trigger()
    assert window.document.size == (40, 30)
    assert np.array_equal(window.document.layers[0].pixels, pixels)
    assert window.undo.stack.count() == 0 and window.path is None


def test_a_damaged_origin_is_ignored(window):
    image = array_to_qimage(np.full((2, 2, 4), 255, np.uint8))
    image.setText(ORIGIN_KEY, "not,numbers")
    QApplication.clipboard().setImage(image)
    assert clipboard_origin() is None
    assert window.clipboard.paste_in_place()


def test_keyboard_cut_then_paste_in_place(qtbot, window):
    doc = picture_document(window)
    original = doc.layers[0].pixels.copy()
    _select(window, 4, 6, 10, 8)
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus, timeout=3000)
    qtbot.keyClick(window.canvas, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert window.undo.stack.undoText() == "Cut"
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.canvas, Qt.Key.Key_V, modifiers)
    pasted = doc.active_layer
    assert pasted.offset == (4, 6) and np.array_equal(pasted.pixels, original[6:14, 4:14])
    assert np.array_equal(doc.composite()[..., :3], original[..., :3])  # put back exactly where it was
