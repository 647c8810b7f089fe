"""Group masks in the window: the Mask menu on an isolated group, its thumbnail on the group's row, painting
it with the mouse, and the clear refusals for a pass-through group."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from glide_desktop.document.document import Document
from glide_desktop.document.group_commands import GroupLayers
from glide_desktop.document.layer import Layer
from tests.ui.screens import SHOTS, picture
from tests.ui.test_canvas_support import drag

LEFT = Qt.MouseButton.LeftButton


def _document(window) -> tuple[Document, int]:
    """A photo under a group holding a red square (the group active, pass-through)."""
    doc = Document(64, 48)
    doc.insert_layer(Layer(picture(64, 48), name="Photo"))
    doc.insert_layer(Layer.filled(40, 30, (230, 40, 40, 255), "Red", offset=(12, 9)))
    window.set_document(doc, None)
    window.push(GroupLayers([doc.layers[1].uid], "Group 1"))
    window.show()
    return doc, doc.active_uid


def _click_group_row(qtbot, window, uid: int, on_mask: bool) -> None:
    panel = window.layers_panel
    rect = panel.view.visualRect(panel.model.index_of(uid))
    point = panel.mask_delegate.mask_rect(rect).center() if on_mask else rect.center()
    qtbot.mouseClick(panel.view.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, point)


def _choose_blend(qtbot, window, data) -> None:
    """Step the blend combo with the arrow keys towards data (at most a few steps: a refusal resets it)."""
    combo = window.layers_panel.blend_combo
    combo.setFocus()
    for _ in range(4):
        if combo.currentData() == data:
            return
        down = combo.currentIndex() < combo.findData(data)
        qtbot.keyClick(combo, Qt.Key.Key_Down if down else Qt.Key.Key_Up)


def test_a_pass_through_group_says_why_it_takes_no_mask(window, qtbot):
    doc, uid = _document(window)
    steps = window.undo.stack.count()
    window.layers_panel.masks.add_white.trigger()
    assert doc.layer_by_uid(uid).mask is None and window.undo.stack.count() == steps
    assert "isolated group" in window.statusBar().currentMessage()


def test_an_isolated_groups_mask_is_painted_with_the_mouse(window, qtbot):
    doc, uid = _document(window)
    _choose_blend(qtbot, window, "normal")
    group = doc.layer_by_uid(uid)
    assert not group.pass_through
    masks = window.layers_panel.masks
    masks.add_white.trigger()
    assert group.mask is not None and group.mask.shape == (48, 64) and doc.edits_mask
    assert not masks.apply.isEnabled()  # a group has no pixels to bake it into
    _click_group_row(qtbot, window, uid, on_mask=False)
    assert not doc.edits_mask
    _click_group_row(qtbot, window, uid, on_mask=True)
    assert doc.edits_mask
    red = doc.layers[1].pixels.copy()
    window.toolbox.set_tool("eraser")
    window.toolbox.state.set_brush("eraser", size=8, hardness=1.0, opacity=1.0)
    drag(qtbot, window.canvas, [(20, 24), (35, 24), (45, 24)])
    assert group.mask[24, 20:46].max() == 0 and group.mask[12, 30] == 255
    assert np.array_equal(doc.layers[1].pixels, red)  # the layer inside is untouched
    assert np.array_equal(doc.composite()[24, 30], doc.layers[0].pixels[24, 30])  # the photo shows
    assert window.undo.stack.undoText().endswith("(mask)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.layers_panel.grab().save(str(SHOTS / "layers_panel_group_mask.png"))
    window.grab().save(str(SHOTS / "main_window_group_mask.png"))
    _choose_blend(qtbot, window, "pass-through")  # refused while masked
    assert not group.pass_through and "delete its mask" in window.statusBar().currentMessage()
    assert window.layers_panel.blend_combo.currentData() != "pass-through"
    window.undo.undo()
    assert (group.mask == 255).all()


def test_dragging_a_masked_group_with_the_move_tool_takes_its_mask_along(window, qtbot):
    doc, uid = _document(window)
    _choose_blend(qtbot, window, "normal")
    group = doc.layer_by_uid(uid)
    window.layers_panel.masks.add_black.trigger()
    group.mask[9:39, 12:32] = 255  # the left half of the red square shows (no step: set-up)
    doc.notify(None)
    _click_group_row(qtbot, window, uid, on_mask=False)
    before, steps = group.mask.copy(), window.undo.stack.count()
    window.toolbox.set_tool("move")
    drag(qtbot, window.canvas, [(20, 20), (25, 22), (30, 24)])
    moved = doc.layer_by_uid(uid)
    assert doc.layers[1].offset == (22, 13)
    assert np.array_equal(moved.mask[13:43, 22:42], before[9:39, 12:32])
    assert window.undo.stack.count() == steps + 1 and window.undo.stack.undoText() == "Move group"
    assert np.array_equal(doc.composite()[20, 38], [230, 40, 40, 255])  # the shown half went along
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    window.undo.undo()
    assert np.array_equal(moved.mask, before) and doc.layers[1].offset == (12, 9)
