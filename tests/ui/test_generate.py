"""Generate in the real main window: a scripted engine on the job thread, the result as one undo step."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from glide_desktop.document.commands import PixelEdit, SetSelection
from glide_desktop.document.geometry import Rect
from glide_desktop.document.selection import SelectionOp, rect_coverage
from glide_desktop.engine.locations import INPAINT_FILES, TEXT2IM_FILES
from glide_desktop.engine.types import Candidates, Mode, Progress, Result, SamplerName
from glide_desktop.jobs.queue import GenerationJobs
from glide_desktop.ui.main_window import MainWindow

SIZE = (96, 80)
SELECTED = Rect(30, 20, 36, 30)
# The selection's context square: 36 px padded to 54, raised to the 128 px minimum, capped at the
# document's longer side (96); centred on the document along y, which is only 80 px tall.
CROP = [0, -8, 96, 96]
RED, BLUE = (200, 30, 20), (20, 40, 220)


def _two_colour_result() -> np.ndarray:
    image = np.empty((256, 256, 3), np.uint8)
    image[:, :128] = RED
    image[:, 128:] = BLUE
    return image


class ScriptedRunner:
    """A fake engine: one step, then (optionally) waits for the gate, fails, or finishes with a result."""

    def __init__(self, image: np.ndarray | None = None, steps: int = 3, fail: str | None = None,
                 gate: threading.Event | None = None):
        self.image = _two_colour_result() if image is None else image
        self.steps, self.fail, self.gate = steps, fail, gate
        self.requests = []

    def __call__(self, request, cancel):
        self.requests.append(request)
        for step in range(1, self.steps + 1):
            yield Progress("base", step, self.steps, np.zeros((1, 64, 64, 3), np.uint8))
            while self.gate is not None and not self.gate.is_set() and not cancel.is_set():
                self.gate.wait(0.01)
            if cancel.is_set():
                return
            if self.fail:
                raise RuntimeError(self.fail)
        yield Candidates(np.zeros((1, 64, 64, 3), np.uint8))
        yield Result(self.image)


def _forget_changes(win) -> None:
    if win.undo is not None:
        win.undo.mark_saved()


@pytest.fixture
def make_window(qtbot, settings, tmp_path):
    """A main window whose Generate runs the given runner on a real job thread."""
    models = tmp_path / "models"
    models.mkdir()
    for name in INPAINT_FILES + TEXT2IM_FILES:
        (models / name).write_bytes(b"only checked for presence")

    def make(runner, models_dir=models) -> MainWindow:
        jobs = GenerationJobs(runner)
        win = MainWindow(settings=settings, jobs=jobs, models_dir=models_dir)
        jobs.setParent(win)
        qtbot.addWidget(win, before_close_func=_forget_changes)
        win.new_document(*SIZE)
        win.show()
        qtbot.waitExposed(win)
        return win

    return make


def _select(win, rect: Rect = SELECTED) -> None:
    doc = win.document
    cover = rect_coverage(doc.size, rect)
    win.push(SetSelection.from_change(doc, lambda s: s.combine(SelectionOp.REPLACE, cover)))


def _generate(win, qtbot, prompt: str = "a red ball", seed: int = 7) -> None:
    panel = win.generate_panel
    panel.prompt_edit.setText(prompt)
    panel.negative_edit.setText("blurry")
    panel.seed_spin.setValue(seed)
    qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)


def _state(win) -> tuple:
    return tuple(layer.state() for layer in win.document.layers), win.undo.stack.count()


def test_generate_inpaints_the_selection_as_one_new_layer(make_window, qtbot):
    runner = ScriptedRunner()
    win = make_window(runner)
    _select(win)
    layers_before, steps_before = _state(win)
    with qtbot.waitSignal(win.generation.jobs.finished, timeout=10_000) as done:
        _generate(win, qtbot)
    assert done.args == [False]

    request = runner.requests[0]
    assert request.mode is Mode.INPAINT and request.prompt == "a red ball"
    assert request.negative_prompt == "blurry" and request.seed == 7 and request.candidates == 1
    assert request.sampler is SamplerName.ANCESTRAL
    assert request.source256.shape == (256, 256, 3) and request.selection64.max() == 1.0
    assert len(win.document.layers) == len(layers_before) + 1
    assert win.undo.stack.count() == steps_before + 1
    layer = win.document.layers[-1]
    assert layer.name == "GLIDE: a red ball" and layer.pixels.shape == (SIZE[1], SIZE[0], 4)
    meta = layer.metadata
    assert (meta["prompt"], meta["negative_prompt"], meta["seed"], meta["mode"]) == (
        "a red ball", "blurry", 7, "inpaint")
    assert (meta["sampler"], meta["steps"], meta["guidance"]) == ("ancestral", 100, 5.0)
    assert meta["crop"] == CROP

    alpha = layer.pixels[..., 3]
    outside = np.ones(alpha.shape, bool)
    outside[SELECTED.slices()] = False
    assert alpha[outside].max() == 0, "pixels outside the selection must stay transparent"
    inner = SELECTED.expand(-5)
    assert (alpha[inner.slices()] == 255).all()
    # The result's left half covers document x < 48 (the crop is 96 px wide from x = 0).
    assert (layer.pixels[inner.y:inner.bottom, inner.x:44, :3] == RED).all()
    assert (layer.pixels[inner.y:inner.bottom, 52:inner.right, :3] == BLUE).all()

    win.undo.undo()
    assert _state(win) == (layers_before, steps_before + 1)
    assert win.document.selection.coverage[SELECTED.slices()].min() == 1.0


def test_without_a_selection_the_result_is_centred_as_a_new_layer(make_window, qtbot):
    runner = ScriptedRunner(image=np.full((256, 256, 3), 90, np.uint8))
    win = make_window(runner)
    with qtbot.waitSignal(win.generation.jobs.finished, timeout=10_000):
        _generate(win, qtbot, prompt="a lighthouse")
    request = runner.requests[0]
    assert request.mode is Mode.TEXT2IM and request.source256 is None and request.selection64 is None
    layer = win.document.layers[-1]
    assert layer.metadata["mode"] == "text2im"
    # A square of the document's shorter side (80 px), centred.
    assert (layer.pixels[:, 8:88, 3] == 255).all() and (layer.pixels[:, 8:88, :3] == 90).all()
    assert layer.pixels[:, :8, 3].max() == 0 and layer.pixels[:, 88:, 3].max() == 0


def test_busy_state_disables_generate_and_shows_progress(make_window, qtbot):
    gate = threading.Event()
    win = make_window(ScriptedRunner(gate=gate))
    panel = win.generate_panel
    assert not panel.progress_bar.isVisible() and not panel.cancel_button.isEnabled()
    _select(win)
    _generate(win, qtbot)
    qtbot.waitUntil(lambda: panel.progress_bar.maximum() == 3, timeout=5000)
    assert not panel.generate_button.isEnabled() and panel.cancel_button.isEnabled()
    assert panel.progress_bar.isVisible() and panel.progress_bar.value() == 1
    assert panel.progress_bar.text() == "Sampling 64 px: step 1 of 3"
    assert "Inpainting the selection (seed 7)" in panel.status_label.text()
    panel.generate()  # Return in the prompt box while busy starts nothing
    with qtbot.waitSignal(win.generation.jobs.finished, timeout=10_000):
        gate.set()
    assert panel.generate_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert not panel.progress_bar.isVisible()
    assert "seed 7" in panel.status_label.text()


def test_cancel_leaves_the_document_unchanged(make_window, qtbot):
    gate = threading.Event()
    runner = ScriptedRunner(gate=gate)
    win = make_window(runner)
    _select(win)
    before = _state(win)
    _generate(win, qtbot)
    qtbot.waitUntil(lambda: win.generate_panel.progress_bar.maximum() == 3, timeout=5000)
    with qtbot.waitSignal(win.generation.jobs.finished, timeout=10_000) as done:
        qtbot.mouseClick(win.generate_panel.cancel_button, Qt.MouseButton.LeftButton)
    assert done.args == [True]
    assert _state(win) == before
    assert win.generate_panel.generate_button.isEnabled()
    assert "Cancelled" in win.generate_panel.status_label.text()


def test_a_failure_is_shown_in_a_message_box(make_window, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    win = make_window(ScriptedRunner(fail="the model file base_inpaint.pt is damaged"))
    _select(win)
    before = _state(win)
    with qtbot.waitSignal(win.generation.jobs.finished, timeout=10_000):
        _generate(win, qtbot)
    assert shown == ["the model file base_inpaint.pt is damaged"]
    assert _state(win) == before
    assert win.generate_panel.generate_button.isEnabled()
    assert "failed" in win.generate_panel.status_label.text()


def test_edits_during_the_job_do_not_move_where_the_result_lands(make_window, qtbot):
    gate = threading.Event()
    win = make_window(ScriptedRunner(gate=gate))
    _select(win)
    _generate(win, qtbot)
    qtbot.waitUntil(lambda: win.generate_panel.progress_bar.maximum() == 3, timeout=5000)
    win.deselect()
    _select(win, Rect(0, 0, 10, 10))
    layer = win.document.active_layer
    before = layer.pixels[:4, :4].copy()
    win.push(PixelEdit(layer.uid, Rect(0, 0, 4, 4), before, np.zeros_like(before)))
    with qtbot.waitSignal(win.generation.jobs.finished, timeout=10_000):
        gate.set()
    alpha = win.document.layers[-1].pixels[..., 3]
    assert alpha[SELECTED.expand(-5).slices()].min() == 255
    assert alpha[:10, :10].max() == 0
    assert win.document.layers[-1].metadata["crop"] == CROP


def test_a_result_for_a_closed_document_is_dropped(make_window, qtbot):
    gate = threading.Event()
    win = make_window(ScriptedRunner(gate=gate))
    _select(win)
    _generate(win, qtbot)
    qtbot.waitUntil(lambda: win.generate_panel.progress_bar.maximum() == 3, timeout=5000)
    _forget_changes(win)  # no "save changes?" prompt
    assert win.new_document(40, 30)
    fresh = _state(win)
    with qtbot.waitSignal(win.generation.jobs.finished, timeout=10_000):
        gate.set()
    assert _state(win) == fresh
    assert "no longer open" in win.statusBar().currentMessage()


def test_closing_the_window_mid_job_stops_the_thread(make_window, qtbot):
    gate = threading.Event()
    win = make_window(ScriptedRunner(gate=gate))
    _generate(win, qtbot)
    qtbot.waitUntil(lambda: win.generate_panel.progress_bar.maximum() == 3, timeout=5000)
    thread = win.generation.jobs._thread
    assert win.close()
    assert thread.isFinished()


@pytest.mark.slow
def test_the_real_engine_inpaints_through_the_window(make_window, qtbot, tmp_path, monkeypatch):
    from glide_desktop.engine.tiny_models import write_tiny_models
    from glide_desktop.jobs.engine_runner import EngineRunner

    failures = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: failures.append(text))
    models = write_tiny_models(tmp_path / "tiny", ("base_inpaint.pt", "upsample_inpaint.pt"))
    win = make_window(EngineRunner(models), models_dir=models)
    win.generate_panel.steps_spin.setValue(3)
    win.generation.upsample_steps = 2
    _select(win)
    layers_before = len(win.document.layers)
    with qtbot.waitSignal(win.generation.jobs.finished, timeout=120_000) as done:
        _generate(win, qtbot, prompt="a red ball")
    assert failures == [] and done.args == [False]
    assert len(win.document.layers) == layers_before + 1
    layer = win.document.layers[-1]
    assert layer.metadata["steps"] == 3 and layer.metadata["mode"] == "inpaint"
    alpha = layer.pixels[..., 3]
    assert (alpha[SELECTED.expand(-5).slices()] == 255).all()
    assert alpha.sum() <= 255 * SELECTED.area
