"""Free Transform on a big layer, as the window runs it: the box shows at once while the preview's
pictures are made on a worker thread, and Enter resamples there while the window stays responsive and
the canvas takes no input; the result lands as one undo step. Real keys and mouse drags on the canvas;
the worker is held back with an event so that "while it works" is a moment the test controls."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressBar

from glide_desktop.document.commands import SetLayerProperty
from glide_desktop.document.free_transform import FreeTransform
from glide_desktop.ui import free_transform as controller_module
from glide_desktop.ui import transform_jobs
from tests.ui.test_canvas_support import at, drag
from tests.ui.test_free_transform import (
    RED,
    _grab,
    _key,
    _start,
    doc,  # noqa: F401 - the fixture: a red block on white, at 400 %
)

WAIT_MS = 20_000


@pytest.fixture
def held(monkeypatch):
    """Every piece of work counts as big, and the worker waits for `held.set()` before resampling."""
    monkeypatch.setattr(transform_jobs, "BACKGROUND_PIXELS", 0)
    gate = threading.Event()
    prepare = FreeTransform.prepare

    def slow_prepare(self, document, lifted=None):
        if self._new is None:  # the resampling (redo finds it done)
            assert threading.current_thread() is not threading.main_thread()
            gate.wait(WAIT_MS / 1000)
        prepare(self, document, lifted)

    monkeypatch.setattr(FreeTransform, "prepare", slow_prepare)
    yield gate
    gate.set()


def _ticks(window) -> list[int]:
    """A 5 ms timer on the GUI thread: how often it fired shows the event loop kept turning."""
    count = [0]
    timer = QTimer(window)
    timer.setInterval(5)
    timer.timeout.connect(lambda: count.__setitem__(0, count[0] + 1))
    timer.start()
    return count


def test_enter_resamples_off_the_gui_thread_and_lands_one_step(qtbot, window, doc, held):  # noqa: F811
    steps = window.undo.stack.count()
    _start(qtbot, window)
    qtbot.waitUntil(lambda: window.free_transform.tool.preview.ready, timeout=WAIT_MS)
    drag(qtbot, window.canvas, [(40, 30), (50, 35), (60, 40)])  # the corner: 2x
    box = window.free_transform.tool.box
    _key(qtbot, window, Qt.Key.Key_Return)
    controller = window.free_transform
    assert controller.applying and controller.session is not None  # resampling on the worker
    bars = [bar for bar in window.statusBar().findChildren(QProgressBar) if bar.isVisible()]
    assert bars and bars[0].maximum() == 0  # a busy bar in the status bar
    assert window.canvas.cursor().shape() == Qt.CursorShape.BusyCursor
    ticks = _ticks(window)
    qtbot.wait(100)
    assert ticks[0] >= 3  # the window stays responsive meanwhile
    drag(qtbot, window.canvas, [(30, 25), (20, 15), (10, 5)])  # the canvas takes no input meanwhile
    _key(qtbot, window, Qt.Key.Key_Escape)
    assert controller.tool.box == box and controller.applying
    assert window.undo.stack.count() == steps and doc.active_layer.pixels[22, 25, 3] == 255
    held.set()
    qtbot.waitUntil(lambda: controller.session is None, timeout=WAIT_MS)
    assert window.undo.stack.count() == steps + 1 and window.undo.stack.undoText() == "Free Transform"
    pixels = doc.active_layer.pixels
    assert (pixels[24:36, 24:56] == RED).all()  # 2x: (20, 20) to (60, 40), as the synchronous apply
    assert not [bar for bar in window.statusBar().findChildren(QProgressBar) if bar.isVisible()]
    window.undo.stack.undo()
    assert (doc.active_layer.pixels[20:30, 20:40] == RED).all() and pixels is not doc.active_layer.pixels


def test_an_edit_while_it_resamples_drops_the_result(qtbot, window, doc, held):  # noqa: F811
    steps = window.undo.stack.count()
    _start(qtbot, window)
    qtbot.waitUntil(lambda: window.free_transform.tool.preview.ready, timeout=WAIT_MS)
    drag(qtbot, window.canvas, [(30, 25), (30, 35), (30, 45)])
    _key(qtbot, window, Qt.Key.Key_Return)
    window.push(SetLayerProperty(doc.layers[0].uid, "opacity", 1.0, 0.5))  # from the Layers panel, say
    held.set()
    qtbot.waitUntil(lambda: window.free_transform.session is None, timeout=WAIT_MS)
    assert "cancelled" in window.statusBar().currentMessage()
    assert window.undo.stack.count() == steps + 1  # only the opacity step
    assert doc.active_layer.pixels[22, 25, 3] == 255  # the block never moved


def test_the_box_shows_before_the_preview_pictures_arrive(qtbot, window, doc, monkeypatch):  # noqa: F811
    monkeypatch.setattr(transform_jobs, "BACKGROUND_PIXELS", 0)
    gate = threading.Event()
    made = controller_module.lifted_picture

    def slow_picture(*args):
        gate.wait(WAIT_MS / 1000)
        return made(*args)

    monkeypatch.setattr(controller_module, "lifted_picture", slow_picture)
    try:
        _start(qtbot, window)
        preview = window.free_transform.tool.preview
        assert not preview.ready
        window.canvas.repaint()
        screen = _grab(window.canvas)
        handle = at(window.canvas, 40, 30)  # the bottom-right handle: white with a black edge
        assert tuple(screen[handle.y(), handle.x(), :3]) == (255, 255, 255)
        block = at(window.canvas, 30, 25)
        assert tuple(screen[block.y(), block.x(), :3]) == RED[:3]  # the canvas's own picture meanwhile
    finally:
        gate.set()
    qtbot.waitUntil(lambda: preview.ready, timeout=WAIT_MS)
    drag(qtbot, window.canvas, [(30, 25), (30, 40), (30, 45)])
    screen = _grab(window.canvas)
    moved, old = at(window.canvas, 30, 45), at(window.canvas, 30, 22)
    assert tuple(screen[moved.y(), moved.x(), :3]) == RED[:3]
    assert tuple(screen[old.y(), old.x(), :3]) == (255, 255, 255)
    assert np.array_equal(doc.active_layer.pixels[20:30, 20:40], np.full((10, 20, 4), RED, np.uint8))
