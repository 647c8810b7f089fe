"""The Move tool with a selection, driven by real mouse and key events: lift, drag, nudge, land, cancel."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from glide_desktop.document.selection import rect_coverage
from glide_desktop.ui.tools import ToolBox
from tests.ui.test_canvas_support import at, canvas, doc, drag, selected, send_move  # noqa: F401

LEFT = Qt.MouseButton.LeftButton
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
RED = (220, 20, 30, 255)
WAIT_MS = 30_000  # the screen catches up in timer slices; a busy machine may need far longer


@pytest.fixture
def tools(canvas):  # noqa: F811
    tools = ToolBox(canvas)
    tools.set_tool("move")
    return tools


def _red_block_selected(doc) -> np.ndarray:  # noqa: F811
    """A red block at x 10..19, y 20..29 on the paint layer, exactly selected; returns the pixels."""
    paint = doc.layers[1]
    paint.pixels[20:30, 10:20] = RED
    paint.pixels[40:44, 50:54] = (0, 0, 255, 255)  # outside the selection: must stay
    doc.notify(None)
    doc.selection.combine("replace", rect_coverage(doc.size, (10, 20, 10, 10)))
    doc.notify(None)
    return paint.pixels.copy()


def _settled(qtbot, canvas) -> None:  # noqa: F811
    qtbot.waitUntil(lambda: not canvas.layer_drags.busy, timeout=WAIT_MS)


def test_drag_lifts_the_selection_and_enter_lands_it_as_one_step(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    before = _red_block_selected(doc)
    coverage_before = doc.selection.coverage.copy()
    drag(qtbot, canvas, [(15, 25), (25, 27), (40, 30)])
    assert [layer.name for layer in doc.layers] == ["Background", "Paint", "Floating selection"]
    assert doc.active_layer.name == "Floating selection" and doc.active_layer.offset == (35, 25)
    assert "Enter to merge" in canvas.hint
    assert selected(doc)[25:35, 35:45].all() and not selected(doc)[20:30, 10:20].any()  # ants moved too
    assert not paint.pixels[20:30, 10:20, 3].any()  # the hole

    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert [layer.name for layer in doc.layers] == ["Background", "Paint"]
    assert doc.active_uid == paint.uid and canvas.hint == ""
    assert (paint.pixels[25:35, 35:45] == RED).all() and not paint.pixels[20:25, 10:20, 3].any()
    assert (paint.pixels[40:44, 50:54] == (0, 0, 255, 255)).all()
    assert canvas.undo.stack.count() == 1 and canvas.undo.stack.text(0) == "Move selection"
    after = paint.pixels.copy()

    canvas.undo.undo()
    assert np.array_equal(paint.pixels, before) and np.array_equal(doc.selection.coverage, coverage_before)
    canvas.undo.redo()
    assert np.array_equal(paint.pixels, after) and selected(doc)[25:35, 35:45].all()
    _settled(qtbot, canvas)
    screen = canvas.grab().toImage()
    assert screen.pixelColor(at(canvas, 40, 30)).getRgb()[:3] == RED[:3]
    assert screen.pixelColor(at(canvas, 15, 22)).getRgb()[:3] == (255, 255, 255)


def test_the_piece_follows_the_mouse_on_screen_before_the_release(qtbot, canvas, doc, tools, tmp_path):  # noqa: F811
    _red_block_selected(doc)
    start = at(canvas, 15, 25)
    qtbot.mousePress(canvas, LEFT, Qt.KeyboardModifier.NoModifier, start)
    qtbot.waitUntil(lambda: canvas.layer_drags.ready, timeout=WAIT_MS)
    for x in (20, 30, 45):
        send_move(canvas, at(canvas, x, 35), LEFT)
    canvas.repaint()
    shot = canvas.grab()
    shot.save(str(tmp_path / "mid-drag.png"))
    screen = shot.toImage()
    assert screen.pixelColor(at(canvas, 48, 38)).getRgb()[:3] == RED[:3]  # the piece where the mouse is
    assert screen.pixelColor(at(canvas, 15, 25)).getRgb()[:3] == (255, 255, 255)  # the hole shows white
    assert doc.active_layer.offset == (10, 20)  # the document waits for the release
    assert canvas.ants.shift == (30, 10)
    qtbot.mouseRelease(canvas, LEFT, Qt.KeyboardModifier.NoModifier, at(canvas, 45, 35))
    assert doc.active_layer.offset == (40, 30) and canvas.ants.shift == (0, 0)
    assert selected(doc)[30:40, 40:50].all()


def test_arrow_keys_lift_and_nudge_shift_by_ten(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    _red_block_selected(doc)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    assert doc.active_layer.name == "Floating selection" and doc.active_layer.offset == (11, 20)
    qtbot.keyClick(canvas, Qt.Key.Key_Down, SHIFT)
    qtbot.keyClick(canvas, Qt.Key.Key_Left, SHIFT)
    assert doc.active_layer.offset == (1, 30)
    qtbot.keyClick(canvas, Qt.Key.Key_Enter)
    assert (paint.pixels[30:40, 1:11] == RED).all() and not paint.pixels[20:30, 11:20, 3].any()
    assert selected(doc)[30:40, 1:11].all() and not selected(doc)[20:30, 11:20].any()
    assert canvas.undo.stack.count() == 1


def test_escape_puts_everything_back_and_leaves_no_history(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    before = _red_block_selected(doc)
    coverage = doc.selection.coverage.copy()
    drag(qtbot, canvas, [(15, 25), (30, 40)])
    qtbot.keyClick(canvas, Qt.Key.Key_Down)
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert [layer.name for layer in doc.layers] == ["Background", "Paint"] and doc.active_uid == paint.uid
    assert np.array_equal(paint.pixels, before) and np.array_equal(doc.selection.coverage, coverage)
    assert canvas.undo.stack.count() == 0 and not canvas.undo.stack.canRedo() and canvas.hint == ""
    _settled(qtbot, canvas)
    screen = canvas.grab().toImage()  # the block is back on screen, nothing where it had been dragged
    assert screen.pixelColor(at(canvas, 15, 25)).getRgb()[:3] == RED[:3]
    assert screen.pixelColor(at(canvas, 30, 41)).getRgb()[:3] == (255, 255, 255)


def test_undo_while_floating_cancels_the_move(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    before = _red_block_selected(doc)
    drag(qtbot, canvas, [(15, 25), (30, 40)])
    canvas.undo.undo()  # what Edit ▸ Undo does
    assert np.array_equal(paint.pixels, before) and len(doc.layers) == 2
    assert not canvas.undo.stack.canRedo()  # nothing half-done to redo
    qtbot.waitUntil(lambda: canvas.hint == "", timeout=WAIT_MS)  # the tool saw it go
    drag(qtbot, canvas, [(15, 25), (16, 25)])  # and lifts afresh
    assert doc.active_layer.name == "Floating selection"


def test_switching_tools_lands_the_piece(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    _red_block_selected(doc)
    drag(qtbot, canvas, [(15, 25), (20, 25)])
    qtbot.keyClick(canvas, Qt.Key.Key_B)  # the brush
    assert tools.active_tool.name == "brush" and len(doc.layers) == 2
    assert (paint.pixels[20:30, 15:25] == RED).all() and not paint.pixels[20:30, 10:15, 3].any()
    assert canvas.undo.stack.count() == 1


def test_choosing_another_layer_lands_the_piece(qtbot, canvas, doc, tools):  # noqa: F811
    paint, background = doc.layers[1], doc.layers[0]
    _red_block_selected(doc)
    drag(qtbot, canvas, [(15, 25), (15, 35)])
    doc.set_active(background.uid)  # a click in the Layers panel
    qtbot.waitUntil(lambda: len(doc.layers) == 2, timeout=WAIT_MS)
    assert doc.active_uid == background.uid  # the artist's choice stays
    assert (paint.pixels[30:40, 10:20] == RED).all()


def test_alt_drag_moves_a_copy(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    _red_block_selected(doc)
    drag(qtbot, canvas, [(15, 25), (45, 25)], modifiers=ALT)
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert (paint.pixels[20:30, 10:20] == RED).all() and (paint.pixels[20:30, 40:50] == RED).all()
    assert canvas.undo.stack.text(0) == "Move copy of selection"


def test_a_feathered_selection_lifts_a_soft_piece(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    paint.pixels[:] = RED
    doc.notify(None)
    doc.selection.combine("replace", rect_coverage(doc.size, (20, 20, 20, 20)))
    doc.selection.feather(4)
    coverage = doc.selection.coverage.copy()
    drag(qtbot, canvas, [(30, 30), (50, 30)])
    piece = doc.active_layer
    alpha = piece.pixels[..., 3].astype(int)
    expected = np.rint(255 * coverage[piece.offset[1]: piece.offset[1] + piece.height,
                                      piece.offset[0] - 20: piece.offset[0] - 20 + piece.width])
    assert np.abs(alpha - expected).max() <= 1
    assert alpha.max() == 255 and ((alpha > 20) & (alpha < 235)).sum() > 40  # a solid middle, soft edges
    hole = paint.pixels[..., 3].astype(int)
    assert np.abs(hole - np.rint(255 * (1 - coverage))).max() <= 1


def test_without_a_selection_the_whole_layer_moves(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    drag(qtbot, canvas, [(10, 10), (14, 13)])
    assert paint.offset == (4, 3) and len(doc.layers) == 2 and canvas.undo.stack.text(0) == "Move layer"


def test_a_selection_outside_the_layer_says_so(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    doc.set_layer_property(paint.uid, "offset", (60, 0))
    doc.selection.combine("replace", rect_coverage(doc.size, (5, 5, 10, 10)))
    drag(qtbot, canvas, [(8, 8), (20, 20)])
    assert len(doc.layers) == 2 and paint.offset == (60, 0) and canvas.undo.stack.count() == 0
    assert "no pixels" in canvas.hint


def test_editing_the_mask_moves_mask_values(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    paint.pixels[:] = RED
    mask = np.full((doc.height, doc.width), 255, np.uint8)
    mask[20:30, 10:20] = 0  # a hidden square
    doc.set_mask(paint.uid, mask)
    doc.set_editing_mask(True)
    doc.selection.combine("replace", rect_coverage(doc.size, (10, 20, 10, 10)))
    pixels = paint.pixels.copy()
    qtbot.mousePress(canvas, LEFT, Qt.KeyboardModifier.NoModifier, at(canvas, 15, 25))
    send_move(canvas, at(canvas, 35, 25), LEFT)
    assert np.array_equal(paint.mask, mask) and canvas.ants.shift == (20, 0)  # the outline moves first
    qtbot.mouseRelease(canvas, LEFT, Qt.KeyboardModifier.NoModifier, at(canvas, 35, 25))
    assert len(doc.layers) == 2 and (paint.mask[20:30, 30:40] == 0).all()  # no piece layer: the mask
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert (paint.mask[20:30, 30:40] == 0).all() and (paint.mask[20:30, 10:20] == 0).all()  # the hole: black
    assert (paint.mask[:20] == 255).all() and np.array_equal(paint.pixels, pixels)
    canvas.undo.undo()
    assert np.array_equal(paint.mask, mask) and doc.edits_mask


def test_the_status_bar_says_a_selection_floats(qtbot, window):
    document = window.document
    document.selection.combine("replace", rect_coverage(document.size, (4, 4, 10, 10)))
    window.toolbox.set_tool("move")
    drag(qtbot, window.canvas, [(8, 8), (20, 12)])
    assert "Enter to merge, Esc to cancel" in window.hint_label.text()
    assert document.active_layer.name == "Floating selection"
    window.toolbox.set_tool("brush")
    assert window.hint_label.text() == "" and len(document.layers) == 1


def test_saving_lands_the_piece_first(qtbot, window, tmp_path):
    from glide_desktop.document import files

    document = window.document
    background = document.layers[0]
    background.pixels[4:14, 4:14] = RED
    document.notify(None)
    document.selection.combine("replace", rect_coverage(document.size, (4, 4, 10, 10)))
    window.toolbox.set_tool("move")
    drag(qtbot, window.canvas, [(8, 8), (28, 8)])
    assert window.save_to(tmp_path / "moved.ora")
    assert len(document.layers) == 1  # landed before the file was written
    qtbot.waitUntil(lambda: window.hint_label.text() == "", timeout=WAIT_MS)
    saved = files.open_any(tmp_path / "moved.ora")
    assert len(saved.layers) == 1
    assert tuple(saved.layers[0].pixels[8, 28]) == RED and tuple(saved.layers[0].pixels[8, 8][3:]) == (0,)



def _floating_in_window(qtbot, window):
    """A red block on a paint layer above the white background, lifted and moved 20 px right."""
    from glide_desktop.document.layer import Layer

    document = window.document
    paint = Layer.blank(document.width, document.height, name="Paint")
    paint.pixels[4:14, 4:14] = RED
    window.push(_add(paint))
    document.selection.combine("replace", rect_coverage(document.size, (4, 4, 10, 10)))
    document.notify(None, repaint=False)
    window.toolbox.set_tool("move")
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus, timeout=3000)
    drag(qtbot, window.canvas, [(8, 8), (28, 8)])
    assert document.active_layer.name == "Floating selection"
    return paint


def _add(layer):
    from glide_desktop.document.commands import AddLayer

    return AddLayer(layer)


def test_choosing_a_row_in_the_layers_panel_lands_the_piece(qtbot, window):
    document = window.document
    paint = _floating_in_window(qtbot, window)
    background = document.layers[0]
    view = window.layers_panel.view
    row = window.layers_panel.model.row_of(background.uid)
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(view.model().index(row)).center())
    qtbot.waitUntil(lambda: len(document.layers) == 2, timeout=WAIT_MS)
    assert document.active_uid == background.uid  # the row clicked, not the one that moved under it
    assert (paint.pixels[4:14, 24:34] == RED).all() and window.undo.stack.count() == 2


def test_hiding_the_floating_layer_lands_it(qtbot, window):
    document = window.document
    paint = _floating_in_window(qtbot, window)
    model = window.layers_panel.model
    piece = document.active_layer
    assert model.set_property(piece.uid, "visible", False) is not None  # its eye in the Layers panel
    assert [layer.name for layer in document.layers] == ["Background", "Paint"] and paint.visible
    assert (paint.pixels[4:14, 24:34] == RED).all() and window.undo.stack.undoText() == "Move selection"


def test_the_opacity_slider_lands_the_piece_before_it_changes_the_layer(qtbot, window):
    document = window.document
    paint = _floating_in_window(qtbot, window)
    box = window.layers_panel.opacity_box
    qtbot.mouseClick(box, LEFT)
    assert len(document.layers) == 2 and document.active_uid == paint.uid  # landed on the press
    box.setValue(40)
    assert paint.opacity == pytest.approx(0.4) and (paint.pixels[4:14, 24:34] == RED).all()


def test_a_shortcut_lands_the_piece_before_it_acts(qtbot, window):
    document = window.document
    paint = _floating_in_window(qtbot, window)
    qtbot.keyClick(window.canvas, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | SHIFT)  # Deselect
    assert len(document.layers) == 2 and (paint.pixels[4:14, 24:34] == RED).all()
    assert document.selection.is_empty()
    stack = window.undo.stack
    assert [stack.text(i) for i in range(stack.count())][-2] == "Move selection"
    stack.undo()  # the deselect
    assert (document.selection.coverage[4:14, 24:34] == 1).all()  # the selection where the piece landed


def test_the_undo_shortcut_cancels_a_floating_piece(qtbot, window):
    document = window.document
    paint = _floating_in_window(qtbot, window)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(document.layers) == 2 and (paint.pixels[4:14, 4:14] == RED).all()
    assert not paint.pixels[4:14, 24:34, 3].any() and not window.undo.stack.canRedo()
    assert window.undo.stack.count() == 1  # the paint layer's step is still there


def test_cut_while_floating_cuts_what_landed(qtbot, window):
    document = window.document
    paint = _floating_in_window(qtbot, window)
    qtbot.keyClick(window.canvas, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert len(document.layers) == 2 and not paint.pixels[4:14, 24:34, 3].any()  # the piece, cut
    stack = window.undo.stack
    assert [stack.text(i) for i in range(stack.count())][-2:] == ["Move selection", "Cut"]
    stack.undo()
    assert (paint.pixels[4:14, 24:34] == RED).all()  # the landed piece comes back: nothing lost


def test_zooming_with_the_keyboard_keeps_the_piece_floating(qtbot, window):
    document = window.document
    _floating_in_window(qtbot, window)
    zoom = window.canvas.zoom
    qtbot.keyClick(window.canvas, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)  # View ▸ Zoom In
    assert window.canvas.zoom > zoom
    assert document.active_layer.name == "Floating selection" and "Enter to merge" in window.hint_label.text()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return)
    assert len(document.layers) == 2
