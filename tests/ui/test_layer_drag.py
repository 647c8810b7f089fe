"""Dragging a layer with the Move tool and real mouse events: a preview while it moves, exact pixels after."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage

from glide_desktop.document.document import Document
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.ui.canvas import CanvasView
from glide_desktop.ui.tools import ToolBox
from glide_desktop.ui.undo import DocumentUndo
from tests.ui.test_canvas_support import at, send_move

LEFT = Qt.MouseButton.LeftButton
DOC_W, DOC_H = 900, 600  # at fit in a 400x300 canvas the view draws pyramid level 1


def _ramps(width: int, height: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pixels = np.empty((height, width, 4), np.uint8)
    for c in range(3):
        cols = (np.arange(width) * (c + 2) // 7 + rng.integers(0, 24, width)).astype(np.uint8)
        rows = (np.arange(height) * (3 - c) // 5 + rng.integers(0, 24, height)).astype(np.uint8)
        np.add(rows[:, None], cols[None, :], out=pixels[..., c])
    pixels[..., 3] = 255
    return pixels


def _document(moving_blend: BlendMode) -> Document:
    """A photo-like background, a half-clear layer, the layer to move (a red block on clear),
    then a multiply and a normal layer above it, so every kind of plane takes part."""
    doc = Document(DOC_W, DOC_H)
    doc.insert_layer(Layer(_ramps(DOC_W, DOC_H, 0), name="Background"))
    band = _ramps(DOC_W, DOC_H, 1)
    band[: DOC_H // 2, :, 3] = 0
    band[DOC_H // 2:, :, 3] = 150
    doc.insert_layer(Layer(band, name="Band", opacity=0.7, blend=BlendMode.SCREEN))
    above = _ramps(DOC_W, DOC_H, 2)
    above[:, : DOC_W // 3, 3] = 0
    above[:, DOC_W // 3:, 3] = 120
    moving = Layer.blank(DOC_W, DOC_H, name="Moving", blend=moving_blend, opacity=0.9)
    moving.pixels[200:320, 300:480] = (220, 30, 40, 255)
    moving.pixels[320:340, 300:480] = (30, 220, 40, 128)  # a translucent edge
    doc.insert_layer(moving)
    doc.insert_layer(Layer(above, name="Shade", blend=BlendMode.MULTIPLY))
    top = Layer.blank(DOC_W, DOC_H, name="Top")
    top.pixels[50:90, 50:850] = (240, 240, 60, 200)
    doc.insert_layer(top)
    doc.set_active(moving.uid)
    return doc


def _canvas(qtbot, doc: Document) -> CanvasView:
    view = CanvasView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    view.set_document(doc, DocumentUndo(doc))
    return view


def _screen(view: CanvasView) -> np.ndarray:
    """The widget as drawn, H, W, 4 uint8."""
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4).copy()


def _premultiplied(straight: np.ndarray) -> np.ndarray:
    composite = straight.astype(np.int32)
    alpha = composite[..., 3:4]
    return np.concatenate([(composite[..., :3] * alpha + 127) // 255, alpha], axis=2).astype(np.uint8)


@pytest.mark.parametrize("zoom", ["fit", "100 %"])
@pytest.mark.parametrize("blend", [BlendMode.NORMAL, BlendMode.MULTIPLY])
def test_drag_moves_by_the_mouse_delta_and_ends_exact(qtbot, zoom, blend, tmp_path):
    doc = _document(blend)
    view = _canvas(qtbot, doc)
    if zoom == "100 %":
        view.actual_size()
        block = view.map_from_document(QPointF(380, 260))
        view.pan_by(200 - block.x(), 150 - block.y())  # the red block in the middle of the widget
    tools = ToolBox(view)
    tools.set_tool("move")
    moving = doc.active_layer
    changes = []
    doc.subscribe(changes.append)

    start = at(view, 380, 260)
    qtbot.mousePress(view, LEFT, Qt.KeyboardModifier.NoModifier, start)
    qtbot.waitUntil(lambda: view.layer_drags.ready)  # below/above composited once, in slices
    path = [start + QPoint(7 * i, 4 * i) for i in range(1, 9)]
    for pos in path:
        send_move(view, pos, LEFT)
    end = path[-1]
    delta = view.map_to_document(QPointF(end)) - view.map_to_document(QPointF(start))
    expected = (round(delta.x()), round(delta.y()))
    assert expected != (0, 0)
    view.repaint()
    during = _screen(view)
    view.grab().save(str(tmp_path / f"mid-drag-{zoom[:3]}-{blend}.png"))
    assert moving.offset == (0, 0) and not changes  # mouse moves never touched the document

    qtbot.mouseRelease(view, LEFT, Qt.KeyboardModifier.NoModifier, end)
    assert moving.offset == expected  # the layer moved by the mouse delta
    assert view.undo.stack.count() == 1
    qtbot.waitUntil(lambda: not view.layer_drags.busy)  # the catch-up finishes
    assert not view.composite_image.pending_under(None)
    view.repaint()
    after = _screen(view)
    view.grab().save(str(tmp_path / f"after-{zoom[:3]}-{blend}.png"))

    level0 = view.composite_image.pyramid.levels[0].pixels
    assert np.array_equal(level0, _premultiplied(doc.composite_uncached()))  # exactly a full recomposite
    fresh = _canvas(qtbot, doc)  # a canvas opened on the moved document shows the very same pixels
    fresh.viewport.zoom, fresh.viewport.origin = view.viewport.zoom, QPointF(view.viewport.origin)
    fresh.repaint()
    assert np.array_equal(_screen(fresh), after)
    # The preview at the final offset looked like the result (it blends in 8 bits, at whole screen pixels).
    differs = np.abs(during.astype(np.int16) - after.astype(np.int16)).max(axis=2) > 24
    assert differs.mean() < 0.02
    red = view.map_from_document(QPointF(390 + expected[0], 260 + expected[1])).toPoint()
    assert np.abs(during[red.y(), red.x()].astype(int) - after[red.y(), red.x()]).max() <= 24

    view.undo.undo()  # one step undoes the whole drag
    assert moving.offset == (0, 0)


def test_a_click_without_moving_records_nothing(qtbot):
    doc = _document(BlendMode.NORMAL)
    view = _canvas(qtbot, doc)
    tools = ToolBox(view)
    tools.set_tool("move")
    qtbot.mouseClick(view, LEFT, Qt.KeyboardModifier.NoModifier, at(view, 380, 260))
    qtbot.waitUntil(lambda: not view.layer_drags.busy)
    assert doc.active_layer.offset == (0, 0) and view.undo.stack.count() == 0
    assert not view.layer_drags.showing


def test_release_before_the_preview_is_ready_still_ends_exact(qtbot):
    doc = _document(BlendMode.NORMAL)
    view = _canvas(qtbot, doc)
    tools = ToolBox(view)
    tools.set_tool("move")
    start = at(view, 380, 260)
    qtbot.mousePress(view, LEFT, Qt.KeyboardModifier.NoModifier, start)
    send_move(view, start + QPoint(20, 10), LEFT)  # no event loop turn: nothing prepared yet
    assert not view.layer_drags.ready
    qtbot.mouseRelease(view, LEFT, Qt.KeyboardModifier.NoModifier, start + QPoint(20, 10))
    assert doc.active_layer.offset != (0, 0)
    qtbot.waitUntil(lambda: not view.layer_drags.busy)
    level0 = view.composite_image.pyramid.levels[0].pixels
    assert np.array_equal(level0, _premultiplied(doc.composite_uncached()))
