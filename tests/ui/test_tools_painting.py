"""Painting, picking and moving with real mouse and keyboard input; each stroke is one undo step."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QSpinBox

from glide_desktop.ui.tools import ToolBox
from tests.ui.test_canvas_support import at, canvas, click, doc, drag, selected  # noqa: F401

ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def tools(canvas):  # noqa: F811
    return ToolBox(canvas)


def test_brush_stroke_paints_along_the_path_and_undo_restores_exactly(qtbot, canvas, doc, tools):  # noqa: F811
    layer = doc.layers[1]
    before = layer.pixels.copy()
    tools.set_tool("brush")
    tools.state.set_color((10, 200, 30))
    tools.state.set_brush("brush", size=6, hardness=1.0, opacity=1.0)
    drag(qtbot, canvas, [(10, 30), (25, 30), (40, 30), (55, 30), (70, 30)])
    for x in range(10, 71, 5):
        assert tuple(layer.pixels[30, x]) == (10, 200, 30, 255), x
    assert not layer.pixels[:20, :, 3].any() and not layer.pixels[41:, :, 3].any()  # nowhere else
    assert canvas.undo.stack.count() == 1
    canvas.undo.undo()
    assert np.array_equal(layer.pixels, before)
    canvas.undo.redo()
    assert tuple(layer.pixels[30, 40]) == (10, 200, 30, 255)


def test_stroke_reaches_the_screen_image(qtbot, canvas, doc, tools):  # noqa: F811
    tools.set_tool("brush")
    tools.state.set_color((0, 0, 255))
    tools.state.set_brush("brush", size=8, hardness=1.0, opacity=1.0)
    drag(qtbot, canvas, [(20, 20), (40, 20)])
    screen = canvas.grab().toImage()
    assert screen.pixelColor(at(canvas, 30, 20)).getRgb()[:3] == (0, 0, 255)
    assert screen.pixelColor(at(canvas, 30, 40)).getRgb()[:3] == (255, 255, 255)


def test_eraser_makes_pixels_transparent(qtbot, canvas, doc, tools):  # noqa: F811
    background = doc.layers[0]
    doc.set_active(background.uid)
    tools.set_tool("eraser")
    tools.state.set_brush("eraser", size=10, hardness=1.0, opacity=1.0)
    drag(qtbot, canvas, [(20, 30), (60, 30)])
    assert background.pixels[30, 20:61, 3].max() == 0
    assert background.pixels[10, :, 3].min() == 255
    canvas.undo.undo()
    assert background.pixels[..., 3].min() == 255


def test_color_picker_picks_the_composite_colour(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    pixels = paint.pixels.copy()
    pixels[10:20, 10:20] = (12, 34, 56, 255)
    doc.write_pixels(paint.uid, doc.bounds, pixels)
    tools.set_tool("color_picker")
    click(qtbot, canvas, 15, 15)
    assert tools.state.color == (12, 34, 56)
    click(qtbot, canvas, 50, 50)  # the white background shows there
    assert tools.state.color == (255, 255, 255)


def test_brackets_change_the_brush_size(qtbot, canvas, tools):  # noqa: F811
    tools.set_tool("brush")
    tools.state.set_brush("brush", size=20)
    qtbot.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert tools.state.brushes["brush"].size > 20
    size_widget = tools.options_for("brush").findChild(QSpinBox, "size")
    assert size_widget.value() == tools.state.brushes["brush"].size
    qtbot.keyClick(canvas, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(canvas, Qt.Key.Key_BracketLeft)
    assert tools.state.brushes["brush"].size < 20
    assert canvas.tool.cursor_radius() == tools.state.brushes["brush"].size / 2


def test_single_key_shortcuts_choose_tools(qtbot, canvas, tools):  # noqa: F811
    for key, name in [(Qt.Key.Key_V, "move"), (Qt.Key.Key_M, "rect_select"), (Qt.Key.Key_L, "lasso"),
                      (Qt.Key.Key_W, "magic_wand"), (Qt.Key.Key_Q, "selection_brush"),
                      (Qt.Key.Key_B, "brush"), (Qt.Key.Key_E, "eraser"), (Qt.Key.Key_I, "color_picker")]:
        qtbot.keyClick(canvas, key)
        assert tools.active_tool.name == name
        assert tools.actions[name].isChecked()
    qtbot.keyClick(canvas, Qt.Key.Key_M)
    qtbot.keyClick(canvas, Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)
    assert tools.active_tool.name == "ellipse_select"
    qtbot.keyClick(canvas, Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)
    assert tools.active_tool.name == "rect_select"
    qtbot.keyClick(canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ShiftModifier)
    assert tools.active_tool.name == "polygon_lasso"


def test_toolbar_is_vertical_exclusive_with_shortcut_tooltips(tools):
    assert tools.toolbar.orientation() == Qt.Orientation.Vertical
    assert "(B)" in tools.actions["brush"].toolTip()
    assert "(Shift+M)" in tools.actions["ellipse_select"].toolTip()
    tools.actions["eraser"].trigger()
    assert tools.active_tool.name == "eraser"
    assert [n for n, a in tools.actions.items() if a.isCheckable() and a.isChecked()] == ["eraser"]


def test_every_tools_options_have_one_height(tools):
    # Otherwise the options bar, and the canvas under it, jump when the tool changes.
    widgets = [tools.options_for(name) for name in tools.tools]
    heights = {(w.minimumHeight(), w.maximumHeight()) for w in widgets}
    tallest = max(w.sizeHint().height() for w in widgets)
    assert heights == {(tallest, tallest)}


def test_tool_icons_differ(tools):
    from PySide6.QtGui import QImage

    images = {name: tools.actions[name].icon().pixmap(24, 24).toImage() for name in tools.tools}
    assert all(not image.isNull() for image in images.values())
    as_bytes = {name: bytes(image.convertToFormat(QImage.Format.Format_ARGB32).constBits())
                for name, image in images.items()}
    assert len(set(as_bytes.values())) == len(as_bytes)


def test_selection_brush_paints_and_alt_removes_coverage(qtbot, canvas, doc, tools):  # noqa: F811
    tools.set_tool("selection_brush")
    assert canvas.quick_mask
    tools.state.set_brush("selection_brush", size=10, hardness=1.0, opacity=1.0)
    drag(qtbot, canvas, [(10, 30), (70, 30)])
    mask = selected(doc)
    assert mask[30, 10:71].all() and mask[26:35, 40].all()
    assert not mask[:20].any() and not mask[41:].any()
    drag(qtbot, canvas, [(40, 20), (40, 40)], modifiers=ALT)
    assert not selected(doc)[30, 37:44].any() and selected(doc)[30, 20]
    assert canvas.undo.stack.count() == 2
    canvas.undo.undo()
    canvas.undo.undo()
    assert not doc.selection.coverage.any()
    tools.set_tool("brush")
    assert not canvas.quick_mask


def test_quick_mask_tints_the_selection_red(qtbot, canvas, doc, tools):  # noqa: F811
    tools.set_tool("selection_brush")
    tools.state.set_brush("selection_brush", size=12, hardness=1.0, opacity=1.0)
    drag(qtbot, canvas, [(20, 30), (60, 30)])
    screen = canvas.grab().toImage()
    r, g, b, _ = screen.pixelColor(at(canvas, 40, 30)).getRgb()
    assert r > 200 and g < 160 and b < 160  # reddened white
    assert screen.pixelColor(at(canvas, 40, 50)).getRgb()[:3] == (255, 255, 255)


def test_move_tool_drag_is_one_undo_step(qtbot, canvas, doc, tools):  # noqa: F811
    layer = doc.layers[1]
    tools.set_tool("move")
    drag(qtbot, canvas, [(10, 10), (15, 12), (22, 17)])
    assert layer.offset == (12, 7)
    drag(qtbot, canvas, [(10, 10), (5, 10)])
    assert layer.offset == (7, 7)
    assert canvas.undo.stack.count() == 2
    canvas.undo.undo()
    assert layer.offset == (12, 7)
    canvas.undo.undo()
    assert layer.offset == (0, 0)


def test_move_tool_recomposites_only_where_the_layer_shows(qtbot, canvas, doc, tools):  # noqa: F811
    layer = doc.layers[1]
    layer.pixels[20:24, 30:35] = (200, 10, 10, 255)  # a small patch on an otherwise clear layer
    doc.notify(None)
    changes = []
    doc.subscribe(changes.append)
    tools.set_tool("move")
    drag(qtbot, canvas, [(10, 10), (13, 11), (16, 13)])
    assert layer.offset == (6, 3)
    qtbot.waitUntil(lambda: not canvas.layer_drags.busy, timeout=30_000)  # the screen catches up in slices
    preview = [c.rect for c in changes if c.rect is not None]
    assert preview and all(rect.area <= 11 * 7 for rect in preview)  # patch then and now, not 80x60
    level0 = canvas.composite_image.pyramid.levels[0].pixels
    composite = doc.composite_uncached().astype(np.int32)  # the screen matches a fresh composite
    alpha = composite[..., 3:4]
    expected = np.concatenate([(composite[..., :3] * alpha + 127) // 255, alpha], axis=2)
    assert np.array_equal(level0.astype(np.int32), expected)
    assert tuple(level0[24, 38]) == (200, 10, 10, 255) and tuple(level0[21, 31]) == (255, 255, 255, 255)


def test_settings_round_trip(tmp_path, canvas):  # noqa: F811
    first = ToolBox(canvas)
    first.state.set_brush("brush", size=77, hardness=0.25, opacity=0.5)
    first.state.set_brush("eraser", size=33)
    first.state.set_color((1, 2, 3))
    first.state.set_tolerance(99)
    first.set_tool("magic_wand")
    settings = QSettings(str(tmp_path / "tools.ini"), QSettings.Format.IniFormat)
    first.save_settings(settings)
    settings.sync()
    second = ToolBox(canvas)
    second.load_settings(QSettings(str(tmp_path / "tools.ini"), QSettings.Format.IniFormat))
    brush = second.state.brushes["brush"]
    assert (brush.size, brush.hardness, brush.opacity) == (77, 0.25, 0.5)
    assert second.state.brushes["eraser"].size == 33
    assert second.state.color == (1, 2, 3) and second.state.tolerance == 99
    assert second.active_tool.name == "magic_wand"
    assert second.options_for("magic_wand").findChild(QSpinBox, "tolerance").value() == 99
