"""Layer ▸ Detail pass in the real main window: a scripted engine on the job thread."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from glide_desktop.document.commands import AddLayer
from glide_desktop.document.detail_layer import DETAIL_KEY
from glide_desktop.document.detail_tiles import TILE
from glide_desktop.document.geometry import Rect
from glide_desktop.document.inpaint_crop import Placement, place_result
from glide_desktop.document.layer import Layer
from glide_desktop.engine.detail_types import STAGE_DETAIL, DetailProgress, DetailRequest, DetailResult
from glide_desktop.engine.types import STAGE_UPSAMPLE
from glide_desktop.jobs.queue import GenerationJobs
from glide_desktop.ui.detail_pass import DetailClock
from glide_desktop.ui.main_window import MainWindow
from glide_desktop.ui.timing import StepTimes, format_duration

SIZE = (900, 700)
CROP = Rect(150, 100, 600, 600)  # a 256 px result stretched 2.3x
PAINT = (250, 250, 20)


class PaintingRunner:
    """A fake engine that paints every tile one flat colour, one Progress per tile-step."""

    def __init__(self, steps_per_tile: int = 2, gate: threading.Event | None = None):
        self.gate, self.requests = gate, []
        self.steps_per_tile = steps_per_tile

    def __call__(self, request: DetailRequest, cancel, previews=None):
        self.requests.append(request)
        plan, done = request.plan, 0
        total = plan.total_tiles * self.steps_per_tile
        working = plan.start()
        for index in range(plan.rounds):
            for group in range(len(plan.groups(index))):
                tiles = plan.tiles(index, working, group)
                for tile in tiles:
                    for step in range(self.steps_per_tile):
                        preview = np.full((1, TILE, TILE, 3), PAINT, np.uint8)
                        yield DetailProgress(STAGE_DETAIL, done * self.steps_per_tile + step + 1, total,
                                             preview, tile=done, tiles=plan.total_tiles, rects=(tile.rect,))
                        while self.gate is not None and not self.gate.is_set() and not cancel.is_set():
                            self.gate.wait(0.01)
                        if cancel.is_set():
                            return
                    done += 1
                painted = [np.full((TILE, TILE, 3), PAINT, np.uint8) for _ in tiles]
                working = plan.paint(index, working, group, painted)
            working = plan.next_round(index, working)
        yield DetailResult(plan.finish(working), plan.total_tiles)


def _forget_changes(win) -> None:
    if win.undo is not None:
        win.undo.mark_saved()


@pytest.fixture
def make_window(qtbot, settings):
    def make(runner) -> MainWindow:
        jobs = GenerationJobs(runner)
        win = MainWindow(settings=settings, jobs=jobs)
        jobs.setParent(win)
        qtbot.addWidget(win, before_close_func=_forget_changes)
        win.new_document(*SIZE)
        win.show()
        qtbot.waitExposed(win)
        return win

    return make


def add_generated_layer(win: MainWindow) -> Layer:
    """A generated layer as Generate makes it: a disc of a 256 px result stretched over CROP."""
    yy, xx = np.mgrid[0:CROP.h, 0:CROP.w]
    alpha = (((xx - 300) ** 2 + (yy - 300) ** 2) <= 200 ** 2).astype(np.float32)
    result = np.zeros((256, 256, 3), np.uint8)
    result[:, :, 1] = np.linspace(0, 255, 256, dtype=np.uint8)[None, :]
    pixels = place_result(result, Placement(CROP, alpha), *SIZE)
    layer = Layer(pixels, name="GLIDE: a pond", metadata={
        "generator": "GLIDE", "prompt": "a pond", "seed": 11, "upsample_steps": 2,
        "upsample_sampler": "dpm++2m", "crop": [CROP.x, CROP.y, CROP.w, CROP.h]})
    win.push(AddLayer(layer))
    return win.document.layers[-1]


def _state(win) -> tuple:
    return tuple(layer.state() for layer in win.document.layers), win.undo.stack.count()


def test_the_pass_is_staged_then_applied_as_one_undo_step(make_window, qtbot):
    runner = PaintingRunner()
    win = make_window(runner)
    layer = add_generated_layer(win)
    old = layer.pixels.copy()
    asked = []
    win.detail_pass.confirm = lambda text: asked.append(text) or True
    win.detail_pass.refresh()
    assert win.detail_pass.action.isEnabled()
    layers_before, steps_before = _state(win)
    with qtbot.waitSignal(win.jobs.finished, timeout=10_000) as done:
        assert win.detail_pass.start()
    assert done.args[1] is False
    request = runner.requests[0]
    assert (request.prompt, request.seed, request.upsample_steps, request.upsample_sampler.value) == (
        "a pond", 11, 2, "dpm++2m")
    assert f"{request.plan.total_tiles} tiles of 256 px" in asked[0] and "first guess" in asked[0]
    # Staged like any result: on the canvas, not in the document.
    assert _state(win) == (layers_before, steps_before)
    staging = win.generation.staging
    assert len(staging) == 1
    assert staging.current.describe() == f"detail pass, {request.plan.total_tiles} tiles"
    assert win.generate_panel.staging.isVisibleTo(win.generate_panel)
    assert win.generation.overlay.image is not None and not win.detail_pass.preview.tiles
    assert win.generation.apply()
    assert win.undo.stack.count() == steps_before + 1
    new = win.document.layer_by_uid(layer.uid)
    visible = old[..., 3] > 0
    assert np.all(new.pixels[visible][:, :3] == PAINT)
    np.testing.assert_array_equal(new.pixels[~visible], old[~visible])
    assert new.metadata[DETAIL_KEY][0]["tiles"] == request.plan.total_tiles
    win.undo.undo()
    assert _state(win) == (layers_before, steps_before + 1)


def test_discarding_the_staged_pass_changes_nothing(make_window, qtbot):
    win = make_window(PaintingRunner())
    add_generated_layer(win)
    win.detail_pass.confirm = lambda text: True
    before = _state(win)
    with qtbot.waitSignal(win.jobs.finished, timeout=10_000):
        win.detail_pass.start()
    win.generation.discard()
    assert _state(win) == before and len(win.generation.staging) == 0


def test_cancel_leaves_the_document_untouched_and_the_preview_gone(make_window, qtbot, tmp_path: Path):
    gate = threading.Event()
    win = make_window(PaintingRunner(gate=gate))
    add_generated_layer(win)
    win.detail_pass.confirm = lambda text: True
    before = _state(win)
    assert win.detail_pass.start()
    preview = win.detail_pass.preview
    qtbot.waitUntil(lambda: len(preview.tiles) == 1, timeout=5000)
    win.canvas.grab().save(str(tmp_path / "preview.png"))  # the live preview over the canvas
    assert win.detail_pass.progress is not None and "tile 1 of" in win.detail_pass.progress.labelText()
    with qtbot.waitSignal(win.jobs.finished, timeout=10_000) as done:
        button = win.detail_pass.progress.findChild(QPushButton)
        assert button.text() == "Cancel"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert done.args[1] is True
    assert _state(win) == before and len(win.generation.staging) == 0
    assert not preview.tiles and win.detail_pass.progress is None


def test_the_action_needs_a_generated_layer_stretched_above_one(make_window):
    win = make_window(PaintingRunner())
    win.detail_pass.refresh()
    assert not win.detail_pass.action.isEnabled()  # the background layer was not generated
    layer = add_generated_layer(win)
    win.detail_pass.refresh()
    assert win.detail_pass.action.isEnabled()
    win.document.set_layer_property(layer.uid, "metadata", {"crop": [0, 0, 200, 200]})  # shrunk: 0.8x
    win.detail_pass.refresh()
    assert not win.detail_pass.action.isEnabled()
    layer_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Layer")
    assert "Detail pass…" in [a.text() for a in layer_menu.actions()]


def test_the_estimate_follows_the_measured_step_time(make_window, settings):
    win = make_window(PaintingRunner())
    times = StepTimes(settings)
    clock = DetailClock(times)
    clock.step(2, 20.0)
    clock.step(6, 22.8)  # a batch of 4 tiles: 0.7 s per tile-step
    assert times.measured(STAGE_UPSAMPLE) and times.per_step(STAGE_UPSAMPLE) == pytest.approx(0.7)
    add_generated_layer(win)
    from glide_desktop.document.detail_layer import plan_for_layer

    plan = plan_for_layer(win.document, win.document.layers[-1].uid)
    text = win.detail_pass.estimate_text(plan, 12)
    assert win.detail_pass.last_estimate == pytest.approx(plan.total_tiles * 12 * 0.7)
    assert format_duration(win.detail_pass.last_estimate) in text and "measured" in text
