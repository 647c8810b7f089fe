"""The Image menu in the main window: each operation is one undo step; dialogs driven by mouse and keys."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from glide_desktop.document import commands
from glide_desktop.document.layer import Layer
from glide_desktop.document.selection import rect_coverage
from glide_desktop.document.transform_ops import Axis
from tests.ui.screens import SHOTS, picture_document


def _menu_titles(window) -> list[str]:
    return [action.text() for action in window.menuBar().actions()]


def _image_menu(window):
    return next(a.menu() for a in window.menuBar().actions() if a.text() == "&Image")


def _state(doc) -> tuple:
    layers = tuple((layer.uid, layer.offset, repr(layer.metadata), layer.pixels.tobytes())
                   for layer in doc.layers)
    return doc.size, layers, doc.selection.coverage.tobytes()


def test_image_menu_sits_before_layer_with_every_entry(window):
    titles = _menu_titles(window)
    assert titles.index("&Image") == titles.index("&Layer") - 1
    texts = [a.text() for a in _image_menu(window).actions() if not a.isSeparator()]
    for text in ("&Crop to Selection", "Can&vas Size…", "&Image Size…", "Rotate 90° &Right",
                 "Rotate 90° &Left", "Rotate &180°", "Flip &Horizontal", "Flip &Vertical",
                 "Flip Layer H&orizontal", "Flip Layer V&ertical", "&Adjustments"):
        assert text in texts
    adjustments = next(a.menu() for a in _image_menu(window).actions() if a.text() == "&Adjustments")
    assert [a.text() for a in adjustments.actions()] == [
        "&Hue/Saturation…", "&Brightness/Contrast…", "&Levels…", "&Curves…"]


def test_rotate_is_one_step_and_undo_restores_bytes(window):
    picture_document(window)
    before = _state(window.document)
    steps = window.undo.stack.count()
    window.image_menu.actions["rotate_right"].trigger()
    assert window.document.size == (48, 64)
    assert window.size_label.text() == "48 × 64 px"
    assert window.undo.stack.count() == steps + 1
    assert window.undo.stack.undoText() == "Rotate 90° right"
    window.undo.undo()
    assert _state(window.document) == before
    assert window.size_label.text() == "64 × 48 px"


def test_crop_to_selection_keeps_the_generated_crop_box_in_place(window):
    picture_document(window)
    generated = Layer.filled(16, 16, (200, 10, 10, 255), "GLIDE: fox", offset=(30, 20),
                             metadata={"prompt": "fox", "crop": [30, 20, 16, 16]})
    window.push(commands.AddLayer(generated))
    window.push(commands.SetSelection(window.document.selection.coverage,
                                      rect_coverage(window.document.size, (10, 5, 40, 30))))
    window.image_menu.actions["crop_to_selection"].trigger()
    assert window.document.size == (40, 30)
    assert generated.offset == (20, 15) and generated.metadata["crop"] == [20, 15, 16, 16]
    window.undo.undo()
    assert window.document.size == (64, 48) and generated.metadata["crop"] == [30, 20, 16, 16]


def test_crop_without_selection_says_so(window):
    window.deselect()
    assert not window.image_menu.crop_to_selection()
    assert "Select" in window.statusBar().currentMessage()


def test_canvas_size_dialog_with_typed_size_and_clicked_anchor(qtbot, window):
    picture_document(window)
    window.image_menu.actions["canvas_size"].trigger()
    dialog = window.image_menu.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.width_box.selectAll()
    qtbot.keyClicks(dialog.width_box, "80")
    dialog.height_box.selectAll()
    qtbot.keyClicks(dialog.height_box, "60")
    qtbot.mouseClick(dialog.anchor_buttons["bottom-right"], Qt.MouseButton.LeftButton)
    assert dialog.anchor() == "bottom-right"
    assert dialog.anchor_buttons["center"].text() == "↖"
    assert dialog.anchor_buttons["bottom-right"].text() == "●"
    assert dialog.anchor_buttons["top-left"].text() == ""
    SHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SHOTS / "canvas_size_dialog.png"))
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert window.document.size == (80, 60)
    assert window.document.layers[0].offset == (16, 12)
    assert window.undo.stack.undoText() == "Canvas size 80 × 60"


def test_image_size_dialog_keeps_aspect_and_cancel_changes_nothing(qtbot, window):
    picture_document(window)
    window.image_menu.actions["image_size"].trigger()
    dialog = window.image_menu.dialog
    dialog.width_box.selectAll()
    qtbot.keyClicks(dialog.width_box, "32")
    assert dialog.height_box.value() == 24  # 64 × 48 keeps 4:3
    SHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SHOTS / "image_size_dialog.png"))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert window.document.size == (64, 48)
    window.image_menu.actions["image_size"].trigger()
    dialog = window.image_menu.dialog
    dialog.keep_aspect.setChecked(False)
    dialog.width_box.selectAll()
    qtbot.keyClicks(dialog.width_box, "100")
    assert dialog.height_box.value() == 48
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert window.document.size == (100, 48)
    assert window.document.layers[0].pixels.shape == (48, 100, 4)


def test_flip_layer_mirrors_only_the_active_layer(window):
    picture_document(window)
    background = window.document.layers[0].pixels.copy()
    top = Layer.blank(64, 48, "top")
    top.pixels[:, :8] = (0, 0, 255, 255)
    window.push(commands.AddLayer(top))
    window.image_menu.actions["flip_layer_horizontal"].trigger()
    assert np.all(top.pixels[:, -8:, 2] == 255) and np.all(top.pixels[:, :8, 3] == 0)
    assert np.array_equal(window.document.layers[0].pixels, background)
    window.image_menu.actions["flip_vertical"].trigger()
    assert np.array_equal(window.document.layers[0].pixels, background[::-1])


# Popup menus on the offscreen platform say they cannot raise or grab; real platforms do not.
@pytest.mark.qt_log_ignore(r"This plugin does not support (raise|grabbing the keyboard|propagateSizeHints)")
def test_image_menu_opens_from_the_menu_bar_with_the_mouse(qtbot, window):
    bar = window.menuBar()
    image_action = next(a for a in bar.actions() if a.text() == "&Image")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(image_action).center())
    menu = image_action.menu()
    qtbot.waitUntil(menu.isVisible, timeout=3000)
    SHOTS.mkdir(exist_ok=True)
    menu.grab().save(str(SHOTS / "image_menu.png"))
    rotate = window.image_menu.actions["rotate_180"]
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(rotate).center())
    assert window.undo.stack.undoText() == "Rotate 180°"


def test_geometry_waits_for_a_running_generation(window, monkeypatch):
    monkeypatch.setattr(type(window.generation), "busy", property(lambda self: True))
    assert not window.image_menu.rotate(1)
    assert window.document.size == (64, 48)
    assert "generation" in window.statusBar().currentMessage()


def test_geometry_waits_for_a_staged_result(window, monkeypatch):
    monkeypatch.setattr(type(window.generation.staging), "current", property(lambda self: object()))
    assert not window.image_menu.flip(Axis.HORIZONTAL)
    assert "staged" in window.statusBar().currentMessage()
