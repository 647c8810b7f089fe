"""Drags that involve groups, with real mouse events: a whole group moves as one block through the
prepared preview (the document changes once, on release), and a layer inside a group with its own pass
(isolated, or pass-through under 100 %) has a live preview that looks like where it lands."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from glide_desktop.document.document import Document
from glide_desktop.document.group_commands import GroupLayers
from glide_desktop.document.layer import BlendMode
from glide_desktop.ui.canvas import CanvasView
from glide_desktop.ui.tools import ToolBox
from tests.ui.test_canvas_support import at, send_move
from tests.ui.test_layer_drag import WAIT_MS, _canvas, _document, _premultiplied, _screen

LEFT = Qt.MouseButton.LeftButton
# (pass-through, opacity, blend): pass-through at 100 % dissolves; the others need their own pass.
MODES = {"pass-through": (True, 1.0, BlendMode.NORMAL), "pass-through 60 %": (True, 0.6, BlendMode.NORMAL),
         "isolated multiply 80 %": (False, 0.8, BlendMode.MULTIPLY),
         "isolated normal": (False, 1.0, BlendMode.NORMAL)}


def _grouped(mode: str, shade: BlendMode = BlendMode.MULTIPLY) -> tuple[Document, int, int]:
    """_document's "Moving" and "Shade" layers in a group with `mode`; returns (doc, group, moving)."""
    doc = _document(BlendMode.NORMAL)
    moving, shade_layer = doc.layers[2], doc.layers[3]
    shade_layer.blend = shade
    command = GroupLayers([moving.uid, shade_layer.uid])
    command.redo(doc)
    group = command.group
    pass_through, opacity, blend = MODES[mode]
    doc.set_layer_property(group.uid, "pass_through", pass_through)
    doc.set_layer_property(group.uid, "opacity", opacity)
    doc.set_layer_property(group.uid, "blend", blend)
    return doc, group.uid, moving.uid


def _drag_and_look(qtbot, view: CanvasView, doc: Document, tmp_path, name: str):
    """Press on the red block, wait for the preview, move in 8 steps; returns (screen mid-drag, the
    document delta, the document changes seen during the moves, end point)."""
    changes: list = []
    doc.subscribe(changes.append)
    start = at(view, 380, 260)
    qtbot.mousePress(view, LEFT, Qt.KeyboardModifier.NoModifier, start)
    qtbot.waitUntil(lambda: view.layer_drags.ready, timeout=WAIT_MS)
    path = [start + QPoint(7 * i, 4 * i) for i in range(1, 9)]
    for pos in path:
        send_move(view, pos, LEFT)
    assert view.layer_drags.showing  # the prepared preview, not the old composite
    view.repaint()
    during = _screen(view)
    view.grab().save(str(tmp_path / f"mid-drag-{name}.png"))
    delta = view.map_to_document(QPointF(path[-1])) - view.map_to_document(QPointF(start))
    return during, (round(delta.x()), round(delta.y())), list(changes), path[-1]


def _release_exact(qtbot, view: CanvasView, doc: Document, end: QPoint, tmp_path, name: str) -> np.ndarray:
    qtbot.mouseRelease(view, LEFT, Qt.KeyboardModifier.NoModifier, end)
    qtbot.waitUntil(lambda: not view.layer_drags.busy, timeout=WAIT_MS)
    view.repaint()
    after = _screen(view)
    view.grab().save(str(tmp_path / f"after-{name}.png"))
    level0 = view.composite_image.pyramid.levels[0].pixels
    assert np.array_equal(level0, _premultiplied(doc.composite_uncached()))  # exactly a full recomposite
    return after


def _looks_alike(during: np.ndarray, after: np.ndarray) -> None:
    # The preview blends in 8 bits at the view's resolution: close, never a different picture.
    differs = np.abs(during.astype(np.int16) - after.astype(np.int16)).max(axis=2) > 24
    assert differs.mean() < 0.02


@pytest.mark.parametrize("mode", list(MODES))
def test_a_group_drag_previews_the_block_and_changes_the_document_once(qtbot, mode, tmp_path):
    doc, group, moving = _grouped(mode)  # "Shade" multiplies: a pass-through group moves as its parts
    doc.set_active(group)
    view = _canvas(qtbot, doc)
    ToolBox(view).set_tool("move")
    offsets = [layer.offset for layer in doc.raster_layers()]
    during, delta, changes, end = _drag_and_look(qtbot, view, doc, tmp_path, f"group-{mode}")
    assert delta != (0, 0)
    assert not changes and [layer.offset for layer in doc.raster_layers()] == offsets  # moves: no edits
    after = _release_exact(qtbot, view, doc, end, tmp_path, f"group-{mode}")
    moved = [layer.offset for layer in doc.raster_layers()]
    assert moved == [offsets[0], offsets[1], delta, delta, offsets[4]]  # the group's two layers moved
    assert view.undo.stack.count() == 1 and view.undo.stack.undoText() == "Move group"
    _looks_alike(during, after)
    view.undo.undo()
    assert [layer.offset for layer in doc.raster_layers()] == offsets


@pytest.mark.parametrize("mode", ["pass-through 60 %", "isolated multiply 80 %"])
def test_a_layer_inside_a_group_with_its_own_pass_has_a_live_preview(qtbot, mode, tmp_path):
    doc, _, moving = _grouped(mode)
    doc.set_active(moving)
    view = _canvas(qtbot, doc)
    ToolBox(view).set_tool("move")
    before = _screen(view)
    during, delta, changes, end = _drag_and_look(qtbot, view, doc, tmp_path, f"inside-{mode}")
    assert not changes and doc.find_layer(moving).offset == (0, 0)
    after = _release_exact(qtbot, view, doc, end, tmp_path, f"inside-{mode}")
    assert doc.find_layer(moving).offset == delta and view.undo.stack.count() == 1
    _looks_alike(during, after)
    red = view.map_from_document(QPointF(390 + delta[0], 230 + delta[1])).toPoint()
    assert np.abs(during[red.y(), red.x()].astype(int) - before[red.y(), red.x()]).max() > 24  # it moved


def test_a_layer_under_two_nested_groups_with_their_own_pass_lands_on_release(qtbot, tmp_path):
    doc, group, moving = _grouped("isolated multiply 80 %")
    outer = GroupLayers([group])
    outer.redo(doc)
    doc.set_layer_property(outer.group.uid, "pass_through", False)
    doc.set_active(moving)
    view = _canvas(qtbot, doc)
    ToolBox(view).set_tool("move")
    start = at(view, 380, 260)
    qtbot.mousePress(view, LEFT, Qt.KeyboardModifier.NoModifier, start)
    send_move(view, start + QPoint(20, 10), LEFT)
    assert view.layer_drags.preview is None  # no prepared picture can show it
    _release_exact(qtbot, view, doc, start + QPoint(20, 10), tmp_path, "nested")
    assert doc.find_layer(moving).offset != (0, 0)


@pytest.mark.parametrize("case", ["hidden", "empty"])
def test_a_hidden_or_empty_group_drags_without_a_preview_and_moves_on_release(qtbot, case, tmp_path):
    doc, group, moving = _grouped("isolated normal")
    if case == "hidden":
        doc.set_layer_property(group, "visible", False)
    else:
        for layer in doc.descendants(group):
            layer.pixels[...] = 0
    doc.set_active(group)
    view = _canvas(qtbot, doc)
    ToolBox(view).set_tool("move")
    start = at(view, 380, 260)
    qtbot.mousePress(view, LEFT, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 5):
        send_move(view, start + QPoint(5 * i, 3 * i), LEFT)
    assert doc.find_layer(moving).offset == (0, 0)
    _release_exact(qtbot, view, doc, start + QPoint(20, 12), tmp_path, case)
    assert doc.find_layer(moving).offset != (0, 0) and view.undo.stack.undoText() == "Move group"
