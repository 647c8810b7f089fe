"""The whole artist's path with the real engine and tiny official-format models, on a photo-like JPEG."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from glide_desktop.document.geometry import Rect
from glide_desktop.engine.tiny_models import write_tiny_models
from glide_desktop.jobs.engine_runner import EngineRunner
from glide_desktop.jobs.job import UpsampleJob
from tests.ui.generation_helpers import click, type_prompt
from tests.ui.test_canvas_support import drag

pytestmark = pytest.mark.slow
SELECTED = Rect(140, 90, 70, 60)
TIMEOUT = 180_000  # ms: tiny models on two shared cores


def photo(width: int = 320, height: int = 240) -> np.ndarray:
    """Sky, a hill, a sun and sensor noise: enough structure that any changed pixel shows."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    sky = np.stack([120 + 60 * y / height, 160 + 40 * y / height, 230 - 30 * y / height], -1)
    ground = np.stack([70 + 30 * np.sin(x / 13), 120 + 20 * np.cos(y / 10), 50 + 0 * x], -1)
    image = np.where((y > height * 0.55 + 8 * np.sin(x / 30))[..., None], ground, sky)
    image[((x - 230) ** 2 + (y - 50) ** 2) < 20**2] = (250, 230, 150)
    image += np.random.default_rng(1).normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


class RecordingRunner(EngineRunner):
    """The real runner, remembering each job and how many step previews it produced."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.jobs, self.previews = [], 0

    def __call__(self, job, cancel, previews=None):
        self.jobs.append(job)
        for event in super().__call__(job, cancel, previews):
            self.previews += getattr(event, "preview", None) is not None
            yield event


@pytest.fixture
def photo_window(make_window, qtbot, tmp_path, monkeypatch):
    failures = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: failures.append(text))
    models = write_tiny_models(tmp_path / "tiny", ("base_inpaint.pt", "upsample_inpaint.pt"))
    runner = RecordingRunner(models, threads=1)
    win = make_window(runner, models_dir=models)
    Image.fromarray(photo()).save(tmp_path / "photo.jpg", quality=92)
    assert win.open_path(tmp_path / "photo.jpg")
    panel = win.generate_panel
    click(qtbot, panel.preset.toggle)
    panel.advanced.steps_spin.setValue(3)  # tiny models, few steps: seconds, not minutes
    panel.advanced.upsample_steps_spin.setValue(2)
    win.toolbox.set_tool("rect_select")
    drag(qtbot, win.canvas, [(SELECTED.x, SELECTED.y), (SELECTED.right, SELECTED.bottom)])
    assert win.document.selection.bbox() == SELECTED
    yield win, runner, failures
    assert failures == []


def _idle(win, qtbot) -> None:
    qtbot.waitUntil(lambda: not win.generation.busy, timeout=TIMEOUT)


def test_generate_pick_two_upsample_flip_apply_undo_redo_reroll_and_save(photo_window, qtbot, tmp_path):
    win, runner, _ = photo_window
    panel, doc = win.generate_panel, win.document
    original = doc.composite().copy()
    layers_before = [layer.state() for layer in doc.layers]
    steps_before = win.undo.stack.count()
    type_prompt(qtbot, panel, "a wooden cabin", 11)
    panel.candidates_spin.setValue(4)
    click(qtbot, panel.generate_button)
    _idle(win, qtbot)
    assert runner.previews >= 3 and len(panel.strip.buttons) == 4
    assert all(not button.icon().isNull() for button in panel.strip.buttons), "previews reach the strip"
    assert [layer.state() for layer in doc.layers] == layers_before

    click(qtbot, panel.strip.buttons[0])
    click(qtbot, panel.strip.buttons[2])
    click(qtbot, panel.strip.upsample_button)
    _idle(win, qtbot)
    assert isinstance(runner.jobs[-1], UpsampleJob) and runner.jobs[-1].indices == (0, 2)
    assert len(win.generation.staging) == 2 and [layer.state() for layer in doc.layers] == layers_before
    shown = [win.generation.staging.current.candidate]
    click(qtbot, panel.staging.next_button)
    shown.append(win.generation.staging.current.candidate)
    assert sorted(shown) == [0, 2]
    click(qtbot, panel.staging.apply_button)

    assert win.undo.stack.count() == steps_before + 1
    applied = doc.composite().copy()
    outside = doc.selection.coverage == 0
    assert np.array_equal(applied[outside], original[outside]), "outside the selection: bit-identical"
    assert not np.array_equal(applied[~outside], original[~outside]), "inside the selection: generated"
    win.undo.undo()
    assert np.array_equal(doc.composite(), original)
    assert [layer.state() for layer in doc.layers] == layers_before
    win.undo.redo()
    assert np.array_equal(doc.composite(), applied)
    layer = doc.layers[-1]
    assert layer.metadata["candidate"] == shown[1] and layer.metadata["prompt"] == "a wooden cabin"

    win.deselect()
    assert win.actions_by_name["reroll"].isEnabled()
    win.actions_by_name["reroll"].trigger()
    _idle(win, qtbot)
    click(qtbot, panel.strip.buttons[3])
    click(qtbot, panel.strip.upsample_button)
    _idle(win, qtbot)
    count = len(doc.layers)
    click(qtbot, panel.staging.apply_button)
    rerolled = doc.layers[-1]
    assert len(doc.layers) == count and rerolled is not layer and rerolled.metadata["candidate"] == 3
    assert rerolled.metadata["seed"] != 11 and rerolled.metadata["crop"] == layer.metadata["crop"]
    assert np.array_equal(doc.composite()[outside], original[outside])

    path = tmp_path / "cabin.ora"
    assert win.save_to(path) and win.open_path(path)
    assert win.document.layers[-1].metadata == rerolled.metadata


def test_live_preview_off_the_real_engine_makes_no_preview_and_still_counts_steps(photo_window, qtbot):
    win, runner, _ = photo_window
    panel = win.generate_panel
    click(qtbot, panel.preview_check)
    steps = []
    win.jobs.progress.connect(lambda ticket, event: steps.append((event.stage, event.step, event.preview)))
    type_prompt(qtbot, panel, "a boat", 5)
    panel.candidates_spin.setValue(1)  # one candidate goes straight on to the upsampler
    click(qtbot, panel.generate_button)
    qtbot.waitUntil(lambda: len(win.generation.staging) == 1 and not win.generation.busy, timeout=TIMEOUT)
    assert runner.previews == 0 and [(stage, step) for stage, step, _ in steps] == [
        ("base", 1), ("base", 2), ("base", 3), ("upsample", 1), ("upsample", 2)]
    assert all(preview is None for _, _, preview in steps)


@pytest.mark.parametrize("stage", ["base", "upsample"])
def test_cancel_in_each_stage_leaves_the_document_untouched(photo_window, qtbot, stage):
    win, runner, _ = photo_window
    panel, doc = win.generate_panel, win.document
    original = [layer.state() for layer in doc.layers], win.undo.stack.count()
    # The stage to cancel is long, the other short, so the cancel lands where it is meant to.
    panel.advanced.steps_spin.setValue(40 if stage == "base" else 3)
    panel.advanced.upsample_steps_spin.setValue(40)
    type_prompt(qtbot, panel, "a boat", 5)
    panel.candidates_spin.setValue(1 if stage == "upsample" else 2)
    click(qtbot, panel.generate_button)
    label = "Sampling 64 px" if stage == "base" else "Upscaling to 256 px"
    qtbot.waitUntil(lambda: panel.progress_bar.text().startswith(label), timeout=TIMEOUT)
    click(qtbot, panel.cancel_button)
    _idle(win, qtbot)
    assert ([layer.state() for layer in doc.layers], win.undo.stack.count()) == original
    assert len(win.generation.staging) == 0 and "Cancelled" in panel.status_label.text()


def test_a_queued_request_runs_after_the_first(photo_window, qtbot):
    win, runner, _ = photo_window
    panel = win.generate_panel
    panel.candidates_spin.setValue(2)
    type_prompt(qtbot, panel, "first", 1)
    click(qtbot, panel.generate_button)
    type_prompt(qtbot, panel, "second", 2)
    click(qtbot, panel.generate_button)
    assert len(win.generation.jobs.waiting()) == 1 and len(panel.queue.rows) == 2
    _idle(win, qtbot)
    assert [job.prompt for job in runner.jobs] == ["first", "second"]
    assert "second" in panel.strip.title.text() and len(panel.strip.buttons) == 2
