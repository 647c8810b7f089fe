"""Floating selection leftovers, with real mouse events: Alt-drag of a floating piece stamps a copy where it
lies and drags on; a Layers-panel row dropped while a piece floats lands where the artist dropped it."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent

from glide_desktop.document.commands import AddLayer
from glide_desktop.document.layer import Layer
from glide_desktop.document.selection import rect_coverage
from glide_desktop.ui.tools import ToolBox
from tests.ui.screens import SHOTS
from tests.ui.test_canvas_support import canvas, doc, drag  # noqa: F401
from tests.ui.test_layer_groups_ui import _tree

ALT = Qt.KeyboardModifier.AltModifier
RED = (220, 20, 30, 255)


@pytest.fixture
def tools(canvas):  # noqa: F811
    tools = ToolBox(canvas)
    tools.set_tool("move")
    return tools


def _float_red_block(qtbot, canvas, doc) -> Layer:  # noqa: F811
    """A red block at x 10..19, y 20..29, selected, lifted and dragged by (25, 5)."""
    paint = doc.layers[1]
    paint.pixels[20:30, 10:20] = RED
    doc.notify(None)
    doc.selection.combine("replace", rect_coverage(doc.size, (10, 20, 10, 10)))
    doc.notify(None)
    drag(qtbot, canvas, [(15, 25), (30, 28), (40, 30)])
    assert doc.active_layer.name == "Floating selection"
    return paint


def test_alt_drag_of_a_floating_piece_leaves_a_copy_and_keeps_floating(qtbot, canvas, doc, tools):  # noqa: F811
    paint = _float_red_block(qtbot, canvas, doc)
    drag(qtbot, canvas, [(40, 30), (50, 30), (60, 30)], modifiers=ALT)
    assert doc.active_layer.name == "Floating selection"  # still floating: the copy
    assert (paint.pixels[25:35, 35:45] == RED).all()  # the stamp, landed where the piece lay
    assert doc.active_layer.offset == (55, 25)
    assert doc.selection.coverage[25:35, 55:65].all() and not doc.selection.coverage[25:35, 35:45].any()
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert (paint.pixels[25:35, 55:65] == RED).all() and (paint.pixels[25:35, 35:45] == RED).all()
    assert not paint.pixels[20:30, 10:20, 3].any()  # the first move still left its hole
    stack = canvas.undo.stack
    assert [stack.text(i) for i in range(stack.count())] == ["Move selection", "Move copy of selection"]
    canvas.undo.undo()
    assert not paint.pixels[25:35, 55:65, 3].any() and (paint.pixels[25:35, 35:45] == RED).all()
    canvas.undo.undo()
    assert (paint.pixels[20:30, 10:20] == RED).all() and not paint.pixels[25:35, 35:45, 3].any()


def test_a_stamped_copy_carries_the_piece_not_what_lies_under_it(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    paint.pixels[20:30, 10:20] = (220, 20, 30, 128)  # a half-clear piece
    paint.pixels[20:30, 60:70] = (0, 0, 255, 255)  # it will be stamped over this blue
    doc.notify(None)
    doc.selection.combine("replace", rect_coverage(doc.size, (10, 20, 10, 10)))
    doc.notify(None)
    drag(qtbot, canvas, [(15, 25), (40, 25), (65, 25)])  # over the blue
    piece = doc.active_layer.pixels.copy()
    drag(qtbot, canvas, [(65, 25), (65, 40), (65, 55)], modifiers=ALT)  # stamp, drag the copy down
    assert np.array_equal(doc.active_layer.pixels, piece)  # no blue came along
    stamped = paint.pixels[20:30, 60:70]
    assert stamped[..., 2].min() > 0 and stamped[..., 0].min() > 0  # red over blue, mixed
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert np.array_equal(paint.pixels[50:60, 60:70], piece)  # landed on clear pixels: the piece itself


def test_alt_press_on_a_piece_that_never_moved_floats_a_copy(qtbot, canvas, doc, tools):  # noqa: F811
    paint = doc.layers[1]
    paint.pixels[20:30, 10:20] = RED
    doc.notify(None)
    doc.selection.combine("replace", rect_coverage(doc.size, (10, 20, 10, 10)))
    doc.notify(None)
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Right)  # lifted, nudged one pixel
    qtbot.keyClick(canvas, Qt.Key.Key_Left)  # back: it floats where it came from
    drag(qtbot, canvas, [(15, 25), (30, 25), (45, 25)], modifiers=ALT)
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert (paint.pixels[20:30, 10:20] == RED).all() and (paint.pixels[20:30, 40:50] == RED).all()
    assert canvas.undo.stack.undoText() == "Move copy of selection"


def _floating_with_three_layers(qtbot, window):
    """Top first: Floating selection, Paint, Sky, Background; the piece moved 20 px right."""
    document = window.document
    window.push(AddLayer(Layer.filled(document.width, document.height, (120, 180, 240, 255), "Sky")))
    paint = Layer.blank(document.width, document.height, name="Paint")
    paint.pixels[4:14, 4:14] = RED
    window.push(AddLayer(paint))
    document.selection.combine("replace", rect_coverage(document.size, (4, 4, 10, 10)))
    document.notify(None, repaint=False)
    window.toolbox.set_tool("move")
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus, timeout=3000)
    drag(qtbot, window.canvas, [(8, 8), (18, 8), (28, 8)])
    assert _tree(window) == [(0, "Floating selection"), (0, "Paint"), (0, "Sky"), (0, "Background")]
    return paint


def test_a_row_dropped_while_a_piece_floats_lands_where_it_was_dropped(qtbot, window):
    document = window.document
    paint = _floating_with_three_layers(qtbot, window)
    view, model = window.layers_panel.view, window.layers_panel.model
    background = document.layers[0]
    sky_row = view.visualRect(model.index_of(document.layers[1].uid))
    mime = model.mimeData([model.index_of(background.uid)])
    drop = QDropEvent(QPointF(sky_row.center().x(), sky_row.top() + 1), Qt.DropAction.MoveAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    view.dropEvent(drop)  # on the line between Paint and Sky
    assert _tree(window) == [(0, "Paint"), (0, "Background"), (0, "Sky")]
    assert (paint.pixels[4:14, 24:34] == RED).all()  # the piece landed first
    assert document.active_uid == background.uid  # the moved row is the chosen one
    assert window.layers_panel.selected_uids() == [background.uid]
    stack = window.undo.stack
    assert [stack.text(i) for i in range(stack.count())][-2:] == ["Move selection", "Move layer"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.layers_panel.grab().save(str(SHOTS / "layers_panel_drop_while_floating.png"))
    window.undo.undo()
    assert _tree(window) == [(0, "Paint"), (0, "Sky"), (0, "Background")]


def test_dragging_the_floating_row_itself_just_lands_it(qtbot, window):
    document = window.document
    paint = _floating_with_three_layers(qtbot, window)
    view, model = window.layers_panel.view, window.layers_panel.model
    piece = document.active_layer
    row = view.visualRect(model.index_of(document.layers[0].uid))
    mime = model.mimeData([model.index_of(piece.uid)])
    drop = QDropEvent(QPointF(row.center().x(), row.top() + 1), Qt.DropAction.MoveAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    view.dropEvent(drop)
    assert _tree(window) == [(0, "Paint"), (0, "Sky"), (0, "Background")]
    assert (paint.pixels[4:14, 24:34] == RED).all()


def test_delete_of_chosen_rows_while_a_piece_floats_leaves_no_floating_layer(qtbot, window):
    document = window.document
    paint = _floating_with_three_layers(qtbot, window)
    panel = window.layers_panel
    sky = document.layers[1]
    # Rows chosen programmatically (no click, which would land the piece), then the step prepared first.
    panel.view.selectionModel().select(panel.model.index_of(sky.uid),
                                       panel.view.selectionModel().SelectionFlag.ClearAndSelect)
    panel.view.selectionModel().select(panel.model.index_of(document.layers[0].uid),
                                       panel.view.selectionModel().SelectionFlag.Select)
    panel.delete_layer()
    assert _tree(window) == [(0, "Paint")]
    assert (paint.pixels[4:14, 24:34] == RED).all()
