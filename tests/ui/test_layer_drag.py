"""Dragging a layer with the Move tool and real mouse events: a preview while it moves, exact pixels after."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage

from glide_desktop.document.document import Document
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.ui.canvas import CanvasView
from glide_desktop.ui.canvas.drag_scene import scene_for
from glide_desktop.ui.canvas.preview import LayerPreview, pieces
from glide_desktop.ui.tools import ToolBox
from glide_desktop.ui.undo import DocumentUndo
from tests.ui.test_canvas_support import at, send_move

LEFT = Qt.MouseButton.LeftButton
DOC_W, DOC_H = 900, 600  # at fit in a 400x300 canvas the view draws pyramid level 1
WAIT_MS = 30_000  # slices finish in well under a second; a shared, busy machine may need far longer


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
# Normal draws straight onto the widget; the others blend in a buffer; src-in also erases around the layer.
@pytest.mark.parametrize("blend", [BlendMode.NORMAL, BlendMode.MULTIPLY, BlendMode.DIFFERENCE,
                                   BlendMode.SRC_IN])
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
    # Below and above are composited once, in slices.
    qtbot.waitUntil(lambda: view.layer_drags.ready, timeout=WAIT_MS)
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
    qtbot.waitUntil(lambda: not view.layer_drags.busy, timeout=WAIT_MS)  # the catch-up finishes
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
    qtbot.waitUntil(lambda: not view.layer_drags.busy, timeout=WAIT_MS)
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
    qtbot.waitUntil(lambda: not view.layer_drags.busy, timeout=WAIT_MS)
    level0 = view.composite_image.pyramid.levels[0].pixels
    assert np.array_equal(level0, _premultiplied(doc.composite_uncached()))


def test_the_next_drag_of_the_same_layer_reuses_the_preview(qtbot):
    doc = _document(BlendMode.NORMAL)
    view = _canvas(qtbot, doc)
    tools = ToolBox(view)
    tools.set_tool("move")  # starts preparing for the active layer at once
    qtbot.waitUntil(lambda: view.layer_drags.ready and not view.layer_drags.busy, timeout=WAIT_MS)
    first = view.layer_drags.preview
    for step in (QPoint(30, 0), QPoint(0, 20)):
        start = at(view, 380, 260)
        qtbot.mousePress(view, LEFT, Qt.KeyboardModifier.NoModifier, start)
        assert view.layer_drags.ready and view.layer_drags.preview is first  # nothing to prepare
        send_move(view, start + step, LEFT)
        qtbot.mouseRelease(view, LEFT, Qt.KeyboardModifier.NoModifier, start + step)
        qtbot.waitUntil(lambda: not view.layer_drags.busy, timeout=WAIT_MS)
    moved = doc.active_layer.offset
    assert moved[0] > 0 and moved[1] > 0 and view.undo.stack.count() == 2
    level0 = view.composite_image.pyramid.levels[0].pixels
    assert np.array_equal(level0, _premultiplied(doc.composite_uncached()))
    view.undo.undo()  # a document change: the prepared planes no longer hold
    assert view.layer_drags.preview is None


def test_with_the_move_tool_chosen_the_preview_follows_the_active_layer(qtbot):
    doc = _document(BlendMode.NORMAL)
    view = _canvas(qtbot, doc)
    tools = ToolBox(view)
    tools.set_tool("move")
    qtbot.waitUntil(lambda: view.layer_drags.ready, timeout=WAIT_MS)
    assert view.layer_drags.preview.uid == doc.active_uid
    shade = doc.layers[3]
    doc.set_active(shade.uid)  # e.g. a click in the Layers panel
    qtbot.waitUntil(lambda: view.layer_drags.ready and view.layer_drags.preview.uid == shade.uid,
                    timeout=WAIT_MS)
    tools.set_tool("brush")  # another tool: the prepared planes are freed
    assert view.layer_drags.preview is None


def test_preparing_a_preview_never_keeps_the_screen_stale(qtbot):
    doc = _document(BlendMode.NORMAL)
    view = _canvas(qtbot, doc)
    view.actual_size()  # 400x300 of the 900x600 document on screen: changes elsewhere wait
    top = doc.layers[-1]
    pixels = top.pixels.copy()
    pixels[500:560, 20:120] = (10, 250, 10, 255)  # off screen for now
    doc.write_pixels(top.uid, top.bounds, pixels)
    assert view.composite_image.pending_under(None)
    ToolBox(view).set_tool("move")  # a preview for the active layer starts preparing in slices
    corner = view.map_from_document(QPointF(70, 530))
    view.pan_by(200 - corner.x(), 150 - corner.y())  # the changed part comes into view
    view.repaint()
    assert not view.layer_drags.ready  # still preparing, yet the screen shows the change
    green = _screen(view)[150, 200]
    assert tuple(green[:3]) == (10, 250, 10)


def test_for_the_top_layer_the_canvas_composite_serves_where_the_layer_is_clear(qtbot):
    doc = _document(BlendMode.NORMAL)
    small = Layer.blank(DOC_W, DOC_H, name="Generated patch")
    small.pixels[100:228, 600:728] = (250, 120, 20, 255)  # a 128 px square on an otherwise clear layer
    doc.insert_layer(small)  # on top, active
    view = _canvas(qtbot, doc)
    ToolBox(view).set_tool("move")
    qtbot.waitUntil(lambda: view.layer_drags.ready, timeout=WAIT_MS)
    preview = view.layer_drags.preview
    total = len(pieces(preview.below.area))
    assert preview.composited < total / 2  # only the pieces under the square were composited
    # The same plane composited from the layers everywhere:
    scratch = LayerPreview(scene_for(doc, small.uid), view.viewport, view.size(), preview.page,
                           preview.below.area, preview.below.level)
    while not scratch.step(time.perf_counter() + 1.0):
        pass
    assert scratch.composited >= total
    assert np.array_equal(preview.below.pixels, scratch.below.pixels)
