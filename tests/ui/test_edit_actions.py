"""Clipboard copy/paste and selection commands of the main window."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QApplication

from glide_desktop.document import commands
from glide_desktop.document.selection import rect_coverage
from glide_desktop.ui.images import array_to_qimage, qimage_to_array


def _select_rect(window, x, y, w, h) -> None:
    cover = rect_coverage(window.document.size, (x, y, w, h))
    window.selection_actions.change_selection(lambda s: s.combine("replace", cover), "Select")


def test_qimage_round_trip_keeps_straight_alpha():
    pixels = np.random.default_rng(1).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    assert np.array_equal(qimage_to_array(array_to_qimage(pixels)), pixels)


def test_copy_selection_and_paste_as_new_layer(window):
    layer = window.document.active_layer
    layer.pixels[10:14, 20:26] = (10, 200, 30, 255)
    _select_rect(window, 20, 10, 6, 4)
    assert window.copy()
    image = QApplication.clipboard().image()
    assert (image.width(), image.height()) == (6, 4)
    assert window.paste_as_layer()
    pasted = window.document.active_layer
    assert pasted.name == "Pasted layer" and pasted.offset == (20, 10)
    assert np.array_equal(pasted.pixels[..., :3], np.broadcast_to([10, 200, 30], (4, 6, 3)))
    window.undo.undo()
    assert window.document.active_layer is layer


def test_copy_without_selection_copies_the_whole_layer(window):
    window.deselect()
    assert window.copy()
    image = QApplication.clipboard().image()
    assert (image.width(), image.height()) == window.document.size


def test_copy_scales_alpha_by_soft_coverage(window):
    coverage = np.zeros((48, 64), np.float32)
    coverage[0, 0] = 0.5
    coverage[0, 1] = 1.0
    window.push(commands.SetSelection(window.document.selection.coverage, coverage))
    window.copy()
    copied = qimage_to_array(QApplication.clipboard().image())
    assert copied.shape == (1, 2, 4)
    assert copied[0, 0, 3] == 128 and copied[0, 1, 3] == 255


def test_paste_of_a_foreign_image_is_centred(window):
    QApplication.clipboard().setImage(array_to_qimage(np.full((8, 10, 4), 255, np.uint8)))
    window._copied_at = None
    assert window.paste_as_layer()
    assert window.document.active_layer.offset == ((64 - 10) // 2, (48 - 8) // 2)


def test_select_all_deselect_invert_are_undoable(window):
    selection = window.document.selection
    assert window.select_all()
    assert selection.coverage.min() == 1.0
    assert window.deselect()
    assert selection.is_empty()
    _select_rect(window, 0, 0, 32, 48)
    assert window.selection_actions.invert_selection()
    assert selection.coverage[0, 0] == 0.0 and selection.coverage[0, 40] == 1.0
    window.undo.undo()
    assert selection.coverage[0, 0] == 1.0 and selection.coverage[0, 40] == 0.0


def test_unchanged_selection_is_not_a_step(window):
    count = window.undo.stack.count()
    assert not window.deselect()
    assert window.undo.stack.count() == count


def test_grow_shrink_feather(window):
    selection = window.document.selection
    _select_rect(window, 20, 20, 10, 10)
    assert window.selection_actions.grow_selection(3)
    assert selection.coverage[20, 17] == 1.0 and selection.coverage[20, 15] == 0.0
    assert window.selection_actions.shrink_selection(5)
    assert selection.coverage[20, 20] == 0.0 and selection.coverage[25, 25] == 1.0
    assert window.selection_actions.feather_selection(4)
    soft = selection.coverage[(selection.coverage > 0) & (selection.coverage < 1)]
    assert soft.size > 0
    for _ in range(3):
        window.undo.undo()
    assert selection.coverage[20, 20] == 1.0 and selection.coverage[20, 19] == 0.0


def test_selection_menu_actions_trigger(window):
    window.actions_by_name["select_all"].trigger()
    assert window.document.selection.coverage.min() == 1.0
    window.actions_by_name["deselect"].trigger()
    assert window.document.selection.is_empty()


def test_paste_is_offered_only_while_the_clipboard_holds_an_image(window, qtbot):
    paste = window.actions_by_name["paste"]
    QApplication.clipboard().clear()
    qtbot.waitUntil(lambda: not paste.isEnabled(), timeout=2000)
    assert window.copy()
    qtbot.waitUntil(paste.isEnabled, timeout=2000)
