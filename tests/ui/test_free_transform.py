"""Free Transform in the window, driven by real keys and mouse drags on the canvas."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from glide_desktop.document.commands import SetLayerProperty
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.group_commands import GroupLayers
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.document.selection import rect_coverage
from glide_desktop.ui.transform_jobs import Afterimage
from tests.document.conftest import snapshot
from tests.ui.test_canvas_support import at, drag, send_move

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
NONE = Qt.KeyboardModifier.NoModifier
W, H = 80, 60
RED = (220, 30, 40, 255)


@pytest.fixture
def doc(window) -> Document:
    """A white background and a red 20 x 10 block at (20, 20) on the active layer, at 400 %."""
    doc = Document(W, H)
    doc.insert_layer(Layer.filled(W, H, (255, 255, 255, 255), "Background"))
    block = Layer.blank(W, H, "Block")
    block.pixels[20:30, 20:40] = RED
    doc.insert_layer(block)
    window.set_document(doc, None)
    window.canvas.actual_size()
    window.canvas.set_zoom(4.0)
    return doc


def _start(qtbot, window) -> None:
    """Ctrl+T from the keyboard, as an artist starts it."""
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus, timeout=3000)
    qtbot.keyClick(window.canvas, Qt.Key.Key_T, CTRL)
    assert window.free_transform.session is not None
    assert window.canvas.tool is window.free_transform.tool


def _key(qtbot, window, key, modifiers=NONE) -> None:
    qtbot.keyClick(window.canvas, key, modifiers)


def _steps(window) -> int:
    return window.undo.stack.count()


def _shifted(pixels: np.ndarray, dx: int, dy: int) -> np.ndarray:
    out = np.zeros_like(pixels)
    out[20 + dy:30 + dy, 20 + dx:40 + dx] = pixels[20:30, 20:40]
    return out


def test_corner_drag_scales_and_enter_applies_one_step_that_undoes(qtbot, window, doc):
    before, steps = doc.active_layer.pixels.copy(), _steps(window)
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(40, 30), (50, 35), (60, 40)])
    _key(qtbot, window, Qt.Key.Key_Return)
    assert window.free_transform.session is None and window.canvas.tool is window.toolbox.active_tool
    assert _steps(window) == steps + 1 and window.undo.stack.undoText() == "Free Transform"
    pixels = doc.active_layer.pixels
    assert (pixels[24:36, 24:56] == RED).all()  # 2x: (20, 20) to (60, 40); the edge may ring a little
    assert not pixels[:18, :, 3].any() and not pixels[:, 62:, 3].any()
    window.undo.stack.undo()
    assert np.array_equal(doc.active_layer.pixels, before)


def test_drag_inside_moves_by_whole_pixels_exactly(qtbot, window, doc):
    before = doc.active_layer.pixels.copy()
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(30, 25), (38, 28), (45.2, 31.8)])
    _key(qtbot, window, Qt.Key.Key_Enter)
    assert np.array_equal(doc.active_layer.pixels, _shifted(before, 15, 7))


def test_shift_drag_outside_turns_in_15_degree_steps(qtbot, window, doc):
    before = doc.active_layer.pixels.copy()
    _start(qtbot, window)
    # From right of the centre (30, 25) to just off straight below it: Shift snaps to a quarter turn.
    drag(qtbot, window.canvas, [(55, 25), (50, 40), (31, 50)], modifiers=SHIFT)
    assert window.free_transform.tool.box.angle == pytest.approx(90)
    _key(qtbot, window, Qt.Key.Key_Return)
    pixels = doc.active_layer.pixels
    assert np.array_equal(pixels[15:35, 25:35], np.rot90(before[20:30, 20:40], -1))  # exact, no blur
    assert pixels[..., 3].sum() == before[..., 3].sum()


def test_shift_keeps_the_aspect_and_esc_changes_nothing(qtbot, window, doc):
    start, steps = snapshot(doc), _steps(window)
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(40, 30), (60, 32), (80, 33)], modifiers=SHIFT)
    box = window.free_transform.tool.box
    assert box.sx == pytest.approx(3.0) and box.sy == pytest.approx(3.0)
    assert window.free_transform.bar.width_spin.value() == pytest.approx(300)
    _key(qtbot, window, Qt.Key.Key_Escape)
    assert window.free_transform.session is None
    assert snapshot(doc) == start and _steps(window) == steps
    assert window.canvas.tool is window.toolbox.active_tool


def test_an_edge_handle_without_shift_stretches_one_side(qtbot, window, doc):
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(40, 25), (50, 26), (60, 27)])
    box = window.free_transform.tool.box
    assert (box.sx, box.sy) == pytest.approx((2.0, 1.0))


def test_arrow_keys_nudge_the_box(qtbot, window, doc):
    before = doc.active_layer.pixels.copy()
    _start(qtbot, window)
    for _ in range(3):
        _key(qtbot, window, Qt.Key.Key_Right)
    _key(qtbot, window, Qt.Key.Key_Down, SHIFT)
    _key(qtbot, window, Qt.Key.Key_Return)
    assert np.array_equal(doc.active_layer.pixels, _shifted(before, 3, 10))


def test_the_selection_lifts_its_pixels_and_moves_along(qtbot, window, doc):
    doc.selection.combine("replace", rect_coverage((W, H), (20, 20, 10, 10)))  # the block's left half
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(25, 25), (25, 35), (25, 45)])
    _key(qtbot, window, Qt.Key.Key_Return)
    pixels = doc.active_layer.pixels
    assert (pixels[40:50, 20:30] == RED).all() and not pixels[20:30, 20:30, 3].any()
    assert (pixels[20:30, 30:40] == RED).all()  # the unselected half stays
    assert doc.selection.coverage[40:50, 20:30].min() == 1.0 and doc.selection.coverage[:40].max() == 0


def test_the_preview_shows_the_piece_moved_and_the_hole_before_anything_changes(qtbot, window, doc):
    start = snapshot(doc)
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(30, 25), (30, 40), (30, 45)])
    screen = _grab(window.canvas)
    moved = at(window.canvas, 30, 45)
    old = at(window.canvas, 30, 22)
    assert tuple(screen[moved.y(), moved.x(), :3]) == RED[:3]
    assert tuple(screen[old.y(), old.x(), :3]) == (255, 255, 255)  # the background shows where it was
    assert snapshot(doc) == start


def test_cursors_tell_scale_move_and_turn(qtbot, window, doc):
    _start(qtbot, window)
    canvas = window.canvas
    for point, shape in (((40, 30), Qt.CursorShape.SizeFDiagCursor), ((30, 20), Qt.CursorShape.SizeVerCursor),
                         ((30, 25), Qt.CursorShape.SizeAllCursor), ((60, 50), Qt.CursorShape.BitmapCursor)):
        send_move(canvas, at(canvas, *point), Qt.MouseButton.NoButton)
        assert canvas.cursor().shape() == shape, point


def test_typing_a_width_scales_the_box(qtbot, window, doc):
    _start(qtbot, window)
    spin = window.free_transform.bar.width_spin
    spin.setValue(50)
    box = window.free_transform.tool.box
    assert box.sx == pytest.approx(0.5) and box.sy == 1.0
    qtbot.mouseClick(window.free_transform.bar.apply_button, Qt.MouseButton.LeftButton)
    assert window.free_transform.session is None and window.undo.stack.undoText() == "Free Transform"
    assert doc.active_layer.content_bounds().w == 10


@pytest.mark.parametrize("name", ["rect_select", "brush"])  # the brush was the chosen tool already
def test_clicking_a_tool_applies(qtbot, window, doc, name):
    steps = _steps(window)
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(30, 25), (35, 25), (40, 25)])
    button = window.toolbox.toolbar.widgetForAction(window.toolbox.actions[name])
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.free_transform.session is None and _steps(window) == steps + 1
    assert window.canvas.tool is window.toolbox.tools[name]
    assert doc.active_layer.pixels[25, 45, 3] == 255 and doc.active_layer.pixels[25, 25, 3] == 0


def test_choosing_another_layer_applies_to_the_transformed_one(qtbot, window, doc):
    block = doc.active_layer
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(30, 25), (30, 30), (30, 35)])
    doc.set_active(doc.layers[0].uid)
    qtbot.waitUntil(lambda: window.free_transform.session is None, timeout=3000)
    assert window.undo.stack.undoText() == "Free Transform" and block.pixels[35, 25, 3] == 255


def test_an_edit_from_elsewhere_cancels(qtbot, window, doc):
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(30, 25), (30, 35), (30, 45)])
    window.push(SetLayerProperty(doc.layers[0].uid, "opacity", 1.0, 0.5))
    assert window.free_transform.session is None
    assert "cancelled" in window.statusBar().currentMessage()
    assert doc.active_layer.pixels[22, 25, 3] == 255  # the block never moved


def test_a_hidden_or_empty_layer_is_refused_with_a_message(qtbot, window, doc):
    doc.active_layer.visible = False
    window.free_transform.action.trigger()
    assert window.free_transform.session is None and "hidden" in window.statusBar().currentMessage()
    doc.set_active(doc.layers[0].uid)
    doc.insert_layer(Layer.blank(W, H, "Empty"))
    window.free_transform.action.trigger()
    assert window.free_transform.session is None and "empty" in window.statusBar().currentMessage()


def test_free_transform_sits_in_the_edit_menu(window):
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    action = next(a for a in edit.actions() if a.text() == "Free &Transform")
    assert action.shortcut().toString() == "Ctrl+T"


def _grab(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4).copy()



def test_a_masked_layer_moves_with_its_mask_in_the_preview_and_the_result(qtbot, window, doc):
    layer = doc.active_layer
    mask = np.full((H, W), 255, np.uint8)
    mask[:, 30:] = 0  # hides the block's right half
    doc.set_mask(layer.uid, mask)
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(25, 25), (25, 35), (25, 45)])
    screen = _grab(window.canvas)
    for x, colour in ((25, RED[:3]), (35, (255, 255, 255))):
        point = at(window.canvas, x, 45)
        assert tuple(screen[point.y(), point.x(), :3]) == colour, x
    _key(qtbot, window, Qt.Key.Key_Return)
    picture = doc.composite()
    assert tuple(picture[45, 25, :3]) == RED[:3] and tuple(picture[45, 35, :3]) == (255, 255, 255)
    assert tuple(picture[25, 25, :3]) == (255, 255, 255)


def test_layers_above_stay_above_the_moving_piece_in_the_preview(qtbot, window, doc):
    block = doc.active_layer
    top = Layer.blank(W, H, "Top")
    top.pixels[40:50, 28:36] = (20, 40, 230, 255)
    doc.insert_layer(top)
    doc.set_active(block.uid)
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(30, 25), (30, 35), (30, 45)])
    screen = _grab(window.canvas)
    for x, colour in ((24, RED[:3]), (34, (20, 40, 230)), (45, (255, 255, 255))):  # clear of the pivot mark
        point = at(window.canvas, x, 45)
        assert tuple(screen[point.y(), point.x(), :3]) == colour, x
    point = at(window.canvas, 30, 25)
    assert tuple(screen[point.y(), point.x(), :3]) == (255, 255, 255)  # the hole shows the background


def test_a_double_click_inside_applies(qtbot, window, doc):
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(30, 25), (31, 25), (32, 25)])
    qtbot.mouseDClick(window.canvas, Qt.MouseButton.LeftButton, NONE, at(window.canvas, 33, 25))
    assert window.free_transform.session is None and window.undo.stack.undoText() == "Free Transform"
    assert doc.active_layer.pixels[25, 41, 3] == 255 and doc.active_layer.pixels[25, 21, 3] == 0


def test_moving_the_bottom_layer_shows_the_checkerboard_where_it_left(qtbot, window, doc):
    doc.set_active(doc.layers[0].uid)  # the white background, under the red block
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(50, 40), (55, 40), (60, 40)])
    screen = _grab(window.canvas)
    left, block = at(window.canvas, 5, 5), at(window.canvas, 30, 25)
    assert tuple(screen[left.y(), left.x(), :3]) in ((204, 204, 204), (153, 153, 153))
    assert tuple(screen[block.y(), block.x(), :3]) == RED[:3]  # the layer above stays on top


def test_a_floating_selection_lands_before_free_transform_starts(qtbot, window, doc):
    block = doc.active_layer
    doc.selection.combine("replace", rect_coverage((W, H), (20, 20, 20, 10)))
    window.toolbox.set_tool("move")
    drag(qtbot, window.canvas, [(30, 25), (30, 30), (30, 35)])
    assert doc.active_layer.name == "Floating selection"
    _start(qtbot, window)
    assert [layer.name for layer in doc.layers] == ["Background", "Block"]
    assert window.free_transform.session.uid == block.uid
    assert window.undo.stack.undoText() == "Move selection"
    _key(qtbot, window, Qt.Key.Key_Right)
    _key(qtbot, window, Qt.Key.Key_Return)
    assert window.undo.stack.undoText() == "Free Transform" and window.undo.stack.count() == 2
    assert (block.pixels[30:40, 21:41] == RED).all() and not block.pixels[20:30, :, 3].any()
    assert window.canvas.tool is window.toolbox.tools["move"]


def test_the_status_bar_says_how_while_the_box_is_up(qtbot, window, doc):
    _start(qtbot, window)
    assert "Enter applies" in window.hint_label.text()
    _key(qtbot, window, Qt.Key.Key_Escape)
    assert window.hint_label.text() == "" and "cancelled" in window.statusBar().currentMessage()


def test_a_group_transforms_all_its_layers_and_masks_as_one_step(qtbot, window, doc):
    block = doc.active_layer
    blue = Layer.blank(W, H, "Blue")
    blue.pixels[40:50, 50:60] = (20, 40, 230, 255)
    blue.mask = np.full((H, W), 255, np.uint8)
    blue.mask[40:45, 50:60] = 0  # its top half masked off
    doc.insert_layer(blue)
    window.push(GroupLayers([block.uid, blue.uid]))
    group = doc.active_node
    assert group.is_group
    start, steps = snapshot(doc), _steps(window)
    _start(qtbot, window)
    assert window.free_transform.tool.box.source == Rect(20, 20, 40, 30)  # both layers' pixels
    drag(qtbot, window.canvas, [(30, 25), (33, 27), (35, 28)])  # inside: a whole-pixel move
    screen = _grab(window.canvas)
    moved = at(window.canvas, 31, 29)
    assert tuple(screen[moved.y(), moved.x(), :3]) == RED[:3]  # the group's picture moves in the preview
    _key(qtbot, window, Qt.Key.Key_Return)
    assert _steps(window) == steps + 1 and window.undo.stack.undoText() == "Free Transform"
    dx, dy = 5, 3
    assert (block.pixels[20 + dy:30 + dy, 20 + dx:40 + dx] == RED).all()
    assert block.pixels[..., 3].sum() == 200 * 255  # nothing left behind
    assert (blue.pixels[40 + dy:50 + dy, 50 + dx:60 + dx] == (20, 40, 230, 255)).all()
    assert blue.mask.shape == blue.pixels.shape[:2] and blue.offset == block.offset == (0, 0)
    assert not blue.mask[40 + dy:45 + dy, 50 + dx:60 + dx].any()  # the mask moved with its pixels
    assert (blue.mask[45 + dy:50 + dy, 50 + dx:60 + dx] == 255).all()
    assert block.parent == group.uid and blue.parent == group.uid
    window.undo.stack.undo()
    assert snapshot(doc) == start


def test_a_masked_group_turns_with_its_mask_as_one_step(qtbot, window, doc):
    block = doc.active_layer
    window.push(GroupLayers([block.uid]))
    group = doc.active_node
    window.push(SetLayerProperty(group.uid, "pass_through", True, False))
    mask = np.zeros((H, W), np.uint8)
    mask[20:50, 20:40] = 255  # exactly the block's columns show
    group.mask = mask
    doc.notify(None)
    start, steps = snapshot(doc), _steps(window)
    _start(qtbot, window)
    assert window.free_transform.session is not None
    drag(qtbot, window.canvas, [(30, 25), (33, 27), (35, 28)])  # inside: a whole-pixel move
    _key(qtbot, window, Qt.Key.Key_Return)
    assert _steps(window) == steps + 1 and window.undo.stack.undoText() == "Free Transform"
    dx, dy = 5, 3
    assert (block.pixels[20 + dy:30 + dy, 20 + dx:40 + dx] == RED).all()
    assert np.array_equal(group.mask[20 + dy:50, 20 + dx:40 + dx], mask[20:50 - dy, 20:40])  # along
    assert not group.mask[:, 40 + dx:].any()
    assert tuple(doc.composite()[25, 42, :3]) == RED[:3]  # shown: the mask went along with the block
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    window.undo.stack.undo()
    assert snapshot(doc) == start


@pytest.mark.parametrize("isolated", [False, True])
def test_a_layer_under_a_group_previews_and_lands_as_the_composite_shows(qtbot, window, doc, isolated):
    """Above the block, a group (pass-through or isolated) holding a blue layer: the preview keeps it on
    top where it can, and the result is the exact composite either way."""
    block = doc.active_layer
    top = Layer.blank(W, H, "Top")
    top.pixels[40:50, 28:36] = (20, 40, 230, 255)
    doc.insert_layer(top)
    window.push(GroupLayers([top.uid]))
    doc.active_node.pass_through = not isolated
    doc.set_active(block.uid)
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(30, 25), (30, 35), (30, 45)])
    screen = _grab(window.canvas)
    point = at(window.canvas, 24, 45)
    assert tuple(screen[point.y(), point.x(), :3]) == RED[:3]
    _key(qtbot, window, Qt.Key.Key_Return)
    picture = doc.composite()
    assert tuple(picture[45, 32, :3]) == (20, 40, 230) and tuple(picture[45, 24, :3]) == RED[:3]
    assert np.array_equal(picture, doc.composite_uncached())


def test_saving_applies_the_transform_first(qtbot, window, doc, tmp_path):
    from glide_desktop.document.files import open_any

    _start(qtbot, window)
    drag(qtbot, window.canvas, [(30, 25), (30, 30), (30, 35)])
    assert window.save_to(tmp_path / "moved.ora")
    assert window.free_transform.session is None and window.undo.stack.undoText() == "Free Transform"
    saved = open_any(tmp_path / "moved.ora")
    picture = saved.composite()
    assert np.array_equal(picture, doc.composite())
    assert tuple(picture[35, 30, :3]) == RED[:3] and tuple(picture[25, 30, :3]) == (255, 255, 255)


def test_the_pivot_drags_onto_a_corner_and_the_turn_goes_about_it(qtbot, window, doc):
    before = doc.active_layer.pixels.copy()
    _start(qtbot, window)
    canvas = window.canvas
    drag(qtbot, canvas, [(30, 25), (25, 22), (21, 21)], modifiers=ALT)  # snaps onto the top-left corner
    assert window.free_transform.tool.box.pivot == (-1.0, -1.0)
    send_move(canvas, at(canvas, 20, 20), Qt.MouseButton.NoButton)
    assert canvas.cursor().shape() == Qt.CursorShape.CrossCursor  # once moved, the pivot can be dragged
    drag(qtbot, canvas, [(60, 20), (50, 45), (20, 60)], modifiers=SHIFT)  # a quarter turn about (20, 20)
    _key(qtbot, window, Qt.Key.Key_Return)
    pixels = doc.active_layer.pixels
    assert np.array_equal(pixels[20:40, 10:20], np.rot90(before[20:30, 20:40], -1))
    assert not pixels[20:30, 20:40, 3].any()


def test_ctrl_z_steps_back_through_the_gestures_not_the_images_history(qtbot, window, doc):
    window.push(SetLayerProperty(doc.layers[0].uid, "opacity", 1.0, 0.9))  # a step Ctrl+Z must not undo
    _start(qtbot, window)
    first = window.free_transform.tool.box
    drag(qtbot, window.canvas, [(40, 30), (50, 35), (60, 40)])
    scaled = window.free_transform.tool.box
    _key(qtbot, window, Qt.Key.Key_Right)
    _key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert window.free_transform.tool.box == scaled
    _key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert window.free_transform.tool.box == first and window.free_transform.session is not None
    _key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert window.free_transform.tool.box == scaled
    assert window.undo.stack.count() == 1 and doc.layers[0].opacity == 0.9  # the image's history untouched
    _key(qtbot, window, Qt.Key.Key_Return)
    assert window.undo.stack.count() == 2
    assert (doc.active_layer.pixels[24:36, 24:56] == RED).all()  # the scaled box, not the nudged one


@pytest.mark.parametrize("blend", [BlendMode.MULTIPLY, BlendMode.SCREEN, BlendMode.DIFFERENCE])
def test_the_preview_blends_the_piece_as_its_layer_does(qtbot, window, doc, blend):
    grey = np.full((H, W, 4), (128, 160, 96, 255), np.uint8)
    doc.layers[0].pixels[...] = grey
    doc.notify(None)
    window.push(SetLayerProperty(doc.active_uid, "blend", BlendMode.NORMAL, blend))
    _start(qtbot, window)
    drag(qtbot, window.canvas, [(30, 25), (30, 30), (30, 35)])
    during = _grab(window.canvas)
    _key(qtbot, window, Qt.Key.Key_Return)
    # The exact composite, once the canvas has read the change (the preview lingers until then).
    qtbot.waitUntil(lambda: not any(isinstance(overlay, Afterimage) for overlay in window.canvas.overlays),
                    timeout=10_000)
    window.canvas.repaint()
    after = _grab(window.canvas)
    point = at(window.canvas, 25, 34)  # inside the moved block, clear of the box's lines
    seen, landed = during[point.y(), point.x(), :3].astype(int), after[point.y(), point.x(), :3].astype(int)
    assert np.abs(seen - landed).max() <= 3  # the preview showed what Enter gives
    assert np.abs(landed - np.array(RED[:3])).max() > 40  # and that is blended, not the plain red
