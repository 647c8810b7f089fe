"""Selection tools driven by real mouse input on the canvas: rectangle, ellipse, lassos, magic wand."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSpinBox, QToolButton

from glide_desktop.ui.tools import ToolBox
from tests.ui.test_canvas_support import canvas, click, doc, drag, selected  # noqa: F401

SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def tools(canvas):  # noqa: F811
    return ToolBox(canvas)


def box(x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    mask = np.zeros((60, 80), bool)
    mask[y0:y1, x0:x1] = True
    return mask


def test_rectangle_drag_selects_exactly_the_box(qtbot, canvas, doc, tools):  # noqa: F811
    tools.set_tool("rect_select")
    drag(qtbot, canvas, [(10, 8), (20, 15), (30, 25)])
    assert np.array_equal(selected(doc), box(10, 8, 30, 25))
    # Fully inside pixels are fully selected (coverage 1, not just >= 0.5).
    assert doc.selection.coverage[8:25, 10:30].min() == 1.0


def test_selection_is_one_undo_step(qtbot, canvas, doc, tools):  # noqa: F811
    tools.set_tool("rect_select")
    drag(qtbot, canvas, [(10, 8), (30, 25)])
    assert canvas.undo.stack.count() == 1
    canvas.undo.undo()
    assert not doc.selection.coverage.any()
    canvas.undo.redo()
    assert np.array_equal(selected(doc), box(10, 8, 30, 25))


def test_shift_adds_alt_subtracts_shift_alt_intersects(qtbot, canvas, doc, tools):  # noqa: F811
    tools.set_tool("rect_select")
    drag(qtbot, canvas, [(10, 10), (30, 30)])
    drag(qtbot, canvas, [(40, 10), (60, 30)], modifiers=SHIFT)
    assert np.array_equal(selected(doc), box(10, 10, 30, 30) | box(40, 10, 60, 30))
    drag(qtbot, canvas, [(20, 0), (50, 60)], modifiers=ALT)
    expected = (box(10, 10, 30, 30) | box(40, 10, 60, 30)) & ~box(20, 0, 50, 60)
    assert np.array_equal(selected(doc), expected)
    drag(qtbot, canvas, [(0, 15), (80, 25)], modifiers=SHIFT | ALT)
    assert np.array_equal(selected(doc), expected & box(0, 15, 80, 25))


def test_mode_buttons_set_the_default_operation(qtbot, canvas, doc, tools):  # noqa: F811
    tools.set_tool("rect_select")
    drag(qtbot, canvas, [(10, 10), (30, 30)])
    tools.options_for("rect_select").findChild(QToolButton, "mode_add").click()
    drag(qtbot, canvas, [(40, 10), (60, 30)])
    assert np.array_equal(selected(doc), box(10, 10, 30, 30) | box(40, 10, 60, 30))


def test_click_without_drag_deselects(qtbot, canvas, doc, tools):  # noqa: F811
    tools.set_tool("rect_select")
    drag(qtbot, canvas, [(10, 10), (30, 30)])
    click(qtbot, canvas, 50, 50)
    assert not doc.selection.coverage.any()


def test_ellipse_select_covers_the_inscribed_ellipse(qtbot, canvas, doc, tools):  # noqa: F811
    tools.set_tool("ellipse_select")
    drag(qtbot, canvas, [(10, 10), (50, 40)])
    ys, xs = np.mgrid[0:60, 0:80] + 0.5
    inside = ((xs - 30) / 20) ** 2 + ((ys - 25) / 15) ** 2
    mask = selected(doc)
    assert mask[inside < 0.8].all()
    assert not mask[inside > 1.2].any()


def test_lasso_selects_the_drawn_polygon(qtbot, canvas, doc, tools):  # noqa: F811
    tools.set_tool("lasso")
    triangle = [(10, 50), (40, 5), (70, 50)]
    path = []
    for (x0, y0), (x1, y1) in zip(triangle, triangle[1:] + triangle[:1]):
        path += [(x0 + (x1 - x0) * t / 10, y0 + (y1 - y0) * t / 10) for t in range(10)]
    drag(qtbot, canvas, path + [triangle[0]])
    mask = selected(doc)
    assert mask[40, 40] and mask[45, 20] and mask[45, 60]  # well inside the triangle
    assert not mask[10, 15] and not mask[10, 65] and not mask[55, 40]  # outside it
    # Its area matches the triangle's (60 * 45 / 2 = 1350) to within the boundary pixels.
    assert abs(int(mask.sum()) - 1350) < 60


def test_polygonal_lasso_closes_on_double_click(qtbot, canvas, doc, tools):  # noqa: F811
    tools.set_tool("polygon_lasso")
    for x, y in [(10, 10), (60, 10), (60, 40)]:
        click(qtbot, canvas, x, y)
    assert not doc.selection.coverage.any()  # still open
    click(qtbot, canvas, 10, 40)
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert np.array_equal(selected(doc), box(10, 10, 60, 40))


def test_magic_wand_selects_a_flat_colour_region(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    pixels = paint.pixels.copy()
    pixels[20:35, 15:45] = (200, 30, 30, 255)
    pixels[40:50, 60:70] = (200, 30, 30, 255)  # same colour but not connected
    doc.write_pixels(paint.uid, doc.bounds, pixels)
    tools.set_tool("magic_wand")
    click(qtbot, canvas, 20, 25)
    assert np.array_equal(selected(doc), box(15, 20, 45, 35))
    tools.state.set_contiguous(False)
    click(qtbot, canvas, 20, 25)
    assert np.array_equal(selected(doc), box(15, 20, 45, 35) | box(60, 40, 70, 50))


def test_magic_wand_tolerance_widens_the_region(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    pixels = paint.pixels.copy()
    pixels[:, :40] = (100, 100, 100, 255)
    pixels[:, 40:] = (120, 100, 100, 255)
    doc.write_pixels(paint.uid, doc.bounds, pixels)
    tools.set_tool("magic_wand")
    tools.options_for("magic_wand").findChild(QSpinBox, "tolerance").setValue(10)
    click(qtbot, canvas, 5, 5)
    assert np.array_equal(selected(doc), box(0, 0, 40, 60))
    tools.options_for("magic_wand").findChild(QSpinBox, "tolerance").setValue(30)
    click(qtbot, canvas, 5, 5)
    assert selected(doc).all()
