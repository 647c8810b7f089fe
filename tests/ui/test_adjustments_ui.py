"""Adjustment dialogs in the main window: live preview on the canvas, one step on OK, nothing on Cancel."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox

from glide_desktop.document import commands
from glide_desktop.document.selection import ellipse_coverage
from tests.ui.screens import SHOTS, picture_document


def _open(window, kind: str):
    window.image_menu.adjustments.actions[kind].trigger()
    dialog = window.image_menu.adjustments.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog, window.image_menu.adjustments.session


def _caught_up(qtbot, session) -> None:
    qtbot.waitUntil(lambda: not session.preview.pending, timeout=5000)


def _click(qtbot, dialog, button) -> None:
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(button), Qt.MouseButton.LeftButton)


def _shot(window, dialog, name: str) -> None:
    """The window with the previewed canvas, and the dialog, saved as PNGs."""
    SHOTS.mkdir(exist_ok=True)
    window.canvas.repaint()
    window.grab().save(str(SHOTS / f"{name}_window.png"))
    dialog.grab().save(str(SHOTS / f"{name}_dialog.png"))


def test_hue_saturation_previews_live_and_ok_is_one_step(qtbot, window):
    doc = picture_document(window, 256, 192)
    original = doc.layers[0].pixels.copy()
    steps = window.undo.stack.count()
    dialog, session = _open(window, "hue_saturation")
    dialog.hue.slider.setFocus()
    for _ in range(9):
        qtbot.keyClick(dialog.hue.slider, Qt.Key.Key_PageUp)  # 10° per page
    assert dialog.hue.box.value() == 90
    _caught_up(qtbot, session)
    previewed = doc.layers[0].pixels.copy()
    assert not np.array_equal(previewed, original)
    assert np.array_equal(doc.composite(), previewed)  # the canvas shows the real composite
    assert window.undo.stack.count() == steps  # previewing is not a step
    _shot(window, dialog, "hue_saturation")
    _click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert window.undo.stack.count() == steps + 1
    assert window.undo.stack.undoText() == "Hue/Saturation"
    assert np.array_equal(doc.layers[0].pixels, previewed)
    window.undo.undo()
    assert np.array_equal(doc.layers[0].pixels, original)
    window.undo.redo()
    assert np.array_equal(doc.layers[0].pixels, previewed)


def test_cancel_and_preview_switch_restore_the_original(qtbot, window):
    doc = picture_document(window)
    original = doc.layers[0].pixels.copy()
    dialog, session = _open(window, "brightness_contrast")
    dialog.brightness.box.selectAll()
    qtbot.keyClicks(dialog.brightness.box, "60")
    _caught_up(qtbot, session)
    assert doc.layers[0].pixels.mean() > original.mean()
    qtbot.mouseClick(dialog.preview_box, Qt.MouseButton.LeftButton)
    assert not dialog.preview_box.isChecked()
    assert np.array_equal(doc.layers[0].pixels, original)
    qtbot.mouseClick(dialog.preview_box, Qt.MouseButton.LeftButton)
    _caught_up(qtbot, session)
    assert doc.layers[0].pixels.mean() > original.mean()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert np.array_equal(doc.layers[0].pixels, original)
    assert window.image_menu.adjustments.dialog is None
    assert window.undo.stack.count() == 0


def test_levels_per_channel_inside_a_soft_selection(qtbot, window):
    doc = picture_document(window, 160, 120)
    coverage = ellipse_coverage(doc.size, (20, 10, 120, 100))
    window.push(commands.SetSelection(doc.selection.coverage, coverage))
    window.selection_actions.feather_selection(8)
    soft = doc.selection.coverage.copy()
    original = doc.layers[0].pixels.copy()
    dialog, session = _open(window, "levels")
    assert dialog.histogram.counts.sum() > 0
    dialog.channel.setCurrentIndex(1)  # Red
    dialog.black.selectAll()
    qtbot.keyClicks(dialog.black, "120")
    _caught_up(qtbot, session)
    _shot(window, dialog, "levels")
    _click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    after = doc.layers[0].pixels
    outside, inside, edge = soft == 0, soft == 1, (soft > 0.2) & (soft < 0.8)
    assert np.array_equal(after[outside], original[outside])
    assert np.array_equal(after[..., 1:], original[..., 1:])  # only red moves
    assert (after[inside][:, 0].astype(int) <= original[inside][:, 0]).all()
    full = np.clip((original[..., 0].astype(float) - 120) / 135 * 255, 0, 255)
    half = np.abs(after[..., 0].astype(float) - original[..., 0]) < np.abs(full - original[..., 0]) + 1
    assert half[edge].all()
    assert window.undo.stack.undoText() == "Levels"


def test_curves_point_dragged_with_the_mouse(qtbot, window):
    doc = picture_document(window, 128, 96)
    original = doc.layers[0].pixels.copy()
    dialog, session = _open(window, "curves")
    editor = dialog.editor
    start = editor.to_widget(128, 128).toPoint()
    qtbot.mousePress(editor, Qt.MouseButton.LeftButton, pos=start)
    target = editor.to_widget(128, 200).toPoint()
    qtbot.mouseMove(editor, pos=QPoint(start.x(), (start.y() + target.y()) // 2))
    qtbot.mouseMove(editor, pos=target)
    qtbot.mouseRelease(editor, Qt.MouseButton.LeftButton, pos=target)
    assert len(editor.points) == 3 and abs(editor.points[1][1] - 200) <= 2
    _caught_up(qtbot, session)
    _shot(window, dialog, "curves")
    assert doc.layers[0].pixels[..., :3].mean() > original[..., :3].mean() + 20
    _click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert window.undo.stack.undoText() == "Curves"


def test_adjusting_a_layer_the_selection_misses_says_so(window):
    picture_document(window)
    coverage = np.zeros((48, 64), np.float32)
    window.push(commands.SetSelection(window.document.selection.coverage, coverage))
    window.document.layers[0].offset = (100, 100)
    window.document.selection.coverage[0:4, 0:4] = 1
    assert window.image_menu.adjustments.open("levels") is None
    assert "Nothing to adjust" in window.statusBar().currentMessage()


def test_a_document_replaced_while_the_dialog_is_open_gets_no_step(qtbot, window):
    old = picture_document(window)
    original = old.layers[0].pixels.copy()
    dialog, session = _open(window, "brightness_contrast")
    dialog.brightness.setValue(50)
    _caught_up(qtbot, session)
    picture_document(window, 32, 32)
    dialog.accept()
    assert window.undo.stack.count() == 0
    assert np.array_equal(old.layers[0].pixels, original)


def test_shortcuts_open_the_dialogs_and_escape_leaves_no_trace(qtbot, window):
    doc = picture_document(window)
    original = doc.layers[0].pixels.copy()
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus, timeout=3000)
    for key, kind in ((Qt.Key.Key_U, "HueSaturationDialog"), (Qt.Key.Key_L, "LevelsDialog"),
                      (Qt.Key.Key_M, "CurvesDialog")):
        qtbot.keyClick(window.canvas, key, Qt.KeyboardModifier.ControlModifier)
        dialog = window.image_menu.adjustments.dialog
        assert dialog is not None and type(dialog).__name__ == kind
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert window.image_menu.adjustments.dialog is None
        window.canvas.setFocus()
    assert np.array_equal(doc.layers[0].pixels, original) and window.undo.stack.count() == 0
