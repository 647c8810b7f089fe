"""The canvas view: zoom and pan by keyboard, wheel and mouse; screen image follows document changes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor

from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import Layer
from glide_desktop.document.selection import SelectionOp, rect_coverage
from glide_desktop.ui.canvas import CanvasView
from glide_desktop.ui.canvas.render import CHECKER_DARK, CHECKER_LIGHT
from tests.ui.test_canvas_support import DOC_H, DOC_W, ZOOM, at, canvas, doc, send_move  # noqa: F401

CTRL = Qt.KeyboardModifier.ControlModifier


def test_ctrl_plus_minus_zoom_in_and_out(qtbot, canvas):  # noqa: F811
    with qtbot.waitSignal(canvas.zoomChanged) as signal:
        qtbot.keyClick(canvas, Qt.Key.Key_Plus, CTRL)
    assert canvas.zoom > ZOOM and signal.args == [canvas.zoom]
    qtbot.keyClick(canvas, Qt.Key.Key_Minus, CTRL)
    qtbot.keyClick(canvas, Qt.Key.Key_Minus, CTRL)
    assert canvas.zoom < ZOOM


def test_fit_shows_the_whole_document_and_100_percent_is_one_to_one(qtbot, canvas):  # noqa: F811
    qtbot.keyClick(canvas, Qt.Key.Key_1, CTRL)
    assert canvas.zoom == 1.0
    canvas.set_zoom(8.0)
    qtbot.keyClick(canvas, Qt.Key.Key_0, CTRL)
    top_left = canvas.map_from_document(QPointF(0, 0))
    bottom_right = canvas.map_from_document(QPointF(DOC_W, DOC_H))
    assert 0 <= top_left.x() and bottom_right.x() <= canvas.width()
    assert 0 <= top_left.y() and bottom_right.y() <= canvas.height()
    assert canvas.zoom == 1.0  # a small document is never blown up by fit


def test_fit_shrinks_a_large_document(qtbot, canvas):  # noqa: F811
    from tests.ui.test_canvas_support import make_document

    big = make_document(1600, 900)
    canvas.set_document(big, None)
    assert canvas.zoom < 0.25
    assert canvas.map_from_document(QPointF(1600, 900)).x() <= canvas.width()


def test_wheel_zooms_about_the_pointer(qtbot, canvas):  # noqa: F811
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    pos = at(canvas, 20, 15)
    event = QWheelEvent(QPointF(pos), QPointF(canvas.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    assert event.type() == QEvent.Type.Wheel
    QApplication.sendEvent(canvas, event)
    assert canvas.zoom > ZOOM
    under = canvas.map_to_document(QPointF(pos))
    assert abs(under.x() - 20) < 0.5 and abs(under.y() - 15) < 0.5


def test_space_drag_pans(qtbot, canvas):  # noqa: F811
    before = canvas.map_from_document(QPointF(0, 0))
    qtbot.keyPress(canvas, Qt.Key.Key_Space)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    send_move(canvas, QPoint(130, 90), Qt.MouseButton.LeftButton)
    send_move(canvas, QPoint(160, 80), Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(160, 80))
    qtbot.keyRelease(canvas, Qt.Key.Key_Space)
    after = canvas.map_from_document(QPointF(0, 0))
    assert (after - before).toPoint() == QPoint(60, -20)
    assert not canvas.document.layers[1].pixels.any()  # the drag did not paint


def test_middle_button_pans(qtbot, canvas):  # noqa: F811
    before = canvas.map_from_document(QPointF(0, 0))
    qtbot.mousePress(canvas, Qt.MouseButton.MiddleButton, pos=QPoint(100, 100))
    send_move(canvas, QPoint(90, 125), Qt.MouseButton.MiddleButton)
    qtbot.mouseRelease(canvas, Qt.MouseButton.MiddleButton, pos=QPoint(90, 125))
    assert (canvas.map_from_document(QPointF(0, 0)) - before).toPoint() == QPoint(-10, 25)


def test_cursor_moved_reports_document_pixels(qtbot, canvas):  # noqa: F811
    with qtbot.waitSignal(canvas.cursorMoved) as signal:
        send_move(canvas, at(canvas, 12.5, 7.5), Qt.MouseButton.NoButton)
    assert signal.args == [12, 7]


def test_screen_image_follows_pixel_writes_in_the_dirty_rect(qtbot, canvas, doc):  # noqa: F811
    paint = doc.layers[1]
    patch = np.zeros((5, 6, 4), np.uint8)
    patch[:] = (255, 0, 0, 128)
    doc.write_pixels(paint.uid, Rect(30, 20, 6, 5), patch)
    level0 = canvas.composite_image.pyramid.levels[0].pixels
    composite = doc.composite(Rect(30, 20, 6, 5)).astype(np.int32)
    alpha = composite[..., 3:4]
    expected = np.concatenate([(composite[..., :3] * alpha + 127) // 255, alpha], axis=2)
    assert np.array_equal(level0[20:25, 30:36].astype(np.int32), expected)
    screen = canvas.grab().toImage()
    r, g, b, _ = screen.pixelColor(at(canvas, 32, 22)).getRgb()
    assert r == 255 and 120 <= g <= 135 and 120 <= b <= 135  # half red over white


def test_transparent_areas_show_the_checkerboard(qtbot, canvas, doc):  # noqa: F811
    doc.set_layer_property(doc.layers[0].uid, "visible", False)
    screen = canvas.grab().toImage()
    colours = {screen.pixelColor(at(canvas, x, 20)).getRgb()[:3] for x in range(10, 40)}
    assert colours == {CHECKER_LIGHT.getRgb()[:3], CHECKER_DARK.getRgb()[:3]}


def test_selection_outline_is_drawn_on_its_boundary(qtbot, canvas, doc):  # noqa: F811
    doc.selection.combine(SelectionOp.REPLACE, rect_coverage((DOC_W, DOC_H), (20, 10, 30, 20)))
    doc.notify(Rect(0, 0, DOC_W, DOC_H), repaint=False)
    qtbot.waitUntil(lambda: canvas.ants.segment_count == 4)  # a rectangle: four merged edges
    screen = canvas.grab().toImage()
    row = at(canvas, 0, 10).y()
    edge = [screen.pixelColor(x, y) for x in range(at(canvas, 22, 0).x(), at(canvas, 48, 0).x())
            for y in (row - 1, row)]
    assert any(c == QColor(0, 0, 0) for c in edge) and any(c == QColor(255, 255, 255) for c in edge)
    inside = screen.pixelColor(at(canvas, 35, 20))
    assert inside == QColor(255, 255, 255)


@pytest.mark.parametrize("layers", [1, 3])
def test_set_document_replaces_what_is_shown(qtbot, layers):
    view = CanvasView()
    qtbot.addWidget(view)
    view.resize(200, 150)
    from glide_desktop.document.document import Document

    shown = Document(40, 30)
    for i in range(layers):
        shown.insert_layer(Layer.filled(40, 30, (0, 80 * i, 0, 255)))
    view.set_document(shown, None)
    top = shown.layers[-1].pixels[0, 0]
    assert tuple(view.composite_image.pyramid.levels[0].pixels[5, 5]) == tuple(top)
    view.set_document(None, None)
    assert view.composite_image is None
    view.grab()  # paints the empty state without errors


def test_selection_edits_leave_the_composite_alone_and_pixel_edits_the_outline(
        qtbot, canvas, doc, monkeypatch):  # noqa: F811
    composited, outlined = [], []
    monkeypatch.setattr(canvas.composite_image, "refresh", lambda rect, visible=None: composited.append(rect))
    monkeypatch.setattr(canvas.ants, "invalidate", outlined.append)
    doc.write_selection(Rect(2, 3, 4, 5), np.ones((5, 4), np.float32))
    assert composited == [] and outlined == [Rect(2, 3, 4, 5)]
    doc.write_pixels(doc.layers[0].uid, Rect(1, 1, 2, 2), np.zeros((2, 2, 4), np.uint8))
    assert composited == [Rect(1, 1, 2, 2)] and outlined == [Rect(2, 3, 4, 5)]
    doc.set_active(doc.layers[0].uid)
    doc.set_layer_property(doc.layers[0].uid, "name", "renamed")
    assert composited == [Rect(1, 1, 2, 2)]


def test_zoomed_out_screen_follows_edits_and_zoom_changes(qtbot, canvas):  # noqa: F811
    from tests.ui.test_canvas_support import make_document

    big = make_document(1200, 800)  # white, with pyramid levels down to 300x200
    canvas.set_document(big, None)
    pyramid = canvas.composite_image.pyramid
    patch = np.zeros((400, 400, 4), np.uint8)
    patch[:] = (0, 0, 255, 255)
    big.write_pixels(big.layers[1].uid, Rect(400, 200, 400, 400), patch)
    canvas.set_zoom(0.3)  # draws from level 1
    centre = canvas.grab().toImage().pixelColor(at(canvas, 600, 400))
    assert centre == QColor(0, 0, 255) and pyramid.stale_rect(1).is_empty()
    assert not pyramid.stale_rect(2).is_empty()  # the level not on screen waits
    canvas.set_zoom(0.2)  # now level 2: brought up to date when it is drawn
    screen = canvas.grab().toImage()
    assert screen.pixelColor(at(canvas, 600, 400)) == QColor(0, 0, 255)
    assert screen.pixelColor(at(canvas, 200, 400)) == QColor(255, 255, 255)
    assert pyramid.stale_rect(2).is_empty()


def test_changes_off_screen_are_read_when_they_come_into_view(qtbot, canvas, doc):  # noqa: F811
    canvas.set_zoom(8.0)
    corner = canvas.map_from_document(QPointF(0, 0))
    canvas.pan_by(-corner.x(), -corner.y())  # only the top-left corner of the document is on screen
    image = canvas.composite_image
    red = np.zeros((60, 80, 4), np.uint8)
    red[:] = (255, 0, 0, 255)
    doc.write_pixels(doc.layers[1].uid, Rect(0, 0, 80, 60), red)
    level0 = image.pyramid.levels[0].pixels
    assert tuple(level0[2, 2]) == (255, 0, 0, 255)  # on screen: read at once
    assert tuple(level0[55, 75]) == (255, 255, 255, 255) and image.pending  # off screen: waits
    far = canvas.map_from_document(QPointF(70.5, 50.5))
    canvas.pan_by(canvas.width() / 2 - far.x(), canvas.height() / 2 - far.y())  # bring (70, 50) into view
    assert canvas.grab().toImage().pixelColor(at(canvas, 70.5, 50.5)) == QColor(255, 0, 0)
    assert tuple(level0[50, 70]) == (255, 0, 0, 255)
    composite = doc.composite_uncached()  # nothing is lost: the rest reads in on request
    assert np.array_equal(image.pixels(), composite) and not image.pending
