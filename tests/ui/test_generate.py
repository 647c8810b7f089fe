"""Generate in the real main window: a scripted engine on the job thread, candidates, staging, apply."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from glide_desktop.document.commands import PixelEdit
from glide_desktop.document.geometry import Rect
from glide_desktop.engine import locations
from glide_desktop.engine.presets import PRESETS, Preset
from glide_desktop.engine.types import Mode
from glide_desktop.jobs.job import RankJob, UpsampleJob
from tests.ui.generation_helpers import COLOURS, ScriptedRunner, click, document_state, select, type_prompt

SIZE = (96, 80)
SELECTED = Rect(30, 20, 36, 30)
# The selection's context square: 36 px padded to 54, raised to the 128 px minimum, capped at the
# document's longer side (96); centred on the document along y, which is only 80 px tall.
CROP = [0, -8, 96, 96]


def _generate(win, qtbot, prompt: str = "a red ball", seed: int = 7, candidates: int = 4) -> None:
    panel = win.generate_panel
    type_prompt(qtbot, panel, prompt, seed)
    panel.negative_edit.setText("blurry")
    panel.candidates_spin.setValue(candidates)
    click(qtbot, panel.generate_button)


def _wait_idle(win, qtbot, timeout: int = 10_000) -> None:
    qtbot.waitUntil(lambda: not win.generation.busy, timeout=timeout)


def test_candidates_are_picked_upsampled_staged_and_applied_as_one_step(make_window, qtbot):
    runner = ScriptedRunner()
    win = make_window(runner)
    select(win, SELECTED)
    before = document_state(win)
    composite_before = win.document.composite().copy()
    panel = win.generate_panel
    _generate(win, qtbot)
    _wait_idle(win, qtbot)

    request = runner.requests[0]
    assert request.mode is Mode.INPAINT and request.prompt == "a red ball" and request.candidates == 4
    assert request.negative_prompt == "blurry" and request.seed == 7 and not request.upsample
    balanced = PRESETS[Preset.BALANCED]  # the default
    assert (request.sampler, request.steps) == (balanced.sampler, balanced.steps)
    assert len(panel.strip.buttons) == 4 and panel.strip.isVisible()
    assert document_state(win) == before, "the base stage must not touch the document"

    click(qtbot, panel.strip.buttons[1])
    click(qtbot, panel.strip.buttons[3])
    assert panel.strip.upsample_button.text() == "Upsample chosen (2)"
    click(qtbot, panel.strip.upsample_button)
    _wait_idle(win, qtbot)
    upsample = runner.jobs[-1]
    assert isinstance(upsample, UpsampleJob) and upsample.indices == (1, 3)
    assert upsample.request is request and upsample.candidates64.shape == (4, 64, 64, 3)
    assert document_state(win) == before, "staged results must not touch the document"
    assert panel.staging.isVisible() and "2 of 2" in panel.staging.position_label.text()
    overlay = win.generation.overlay
    assert overlay.image is not None and overlay.image_rect == Rect(*CROP)

    click(qtbot, panel.staging.previous_button)
    assert "1 of 2: candidate #2" in panel.staging.position_label.text()
    click(qtbot, panel.staging.apply_button)

    assert win.undo.stack.count() == before[1] + 1
    layer = win.document.layers[-1]
    meta = layer.metadata
    assert layer.name == "GLIDE: a red ball"
    assert (meta["prompt"], meta["negative_prompt"], meta["seed"], meta["mode"], meta["candidate"]) == (
        "a red ball", "blurry", 7, "inpaint", 1)
    assert (meta["preset"], meta["sampler"], meta["steps"], meta["guidance"]) == (
        "balanced", "dpm++2m", PRESETS[Preset.BALANCED].steps, 5.0)
    assert meta["crop"] == CROP and meta["model_files"] == ["base_inpaint.pt", "upsample_inpaint.pt"]
    inner = SELECTED.expand(-5)
    assert (layer.pixels[inner.slices()][..., :3] == COLOURS[1]).all()
    after = win.document.composite()
    outside = np.ones(SIZE[::-1], bool)
    outside[SELECTED.slices()] = False
    assert np.array_equal(after[outside], composite_before[outside]), "outside pixels must be bit-identical"
    assert layer.mask is not None and layer.mask[inner.slices()].min() == 255  # the blend, repaintable
    assert layer.mask[outside].max() == 0 and layer.pixels[inner.slices()][..., 3].min() == 255
    assert not panel.staging.isVisible() and overlay.image is None

    win.undo.undo()
    assert document_state(win)[0] == before[0]
    assert np.array_equal(win.document.composite(), composite_before)
    win.undo.redo()
    assert win.document.layers[-1].metadata["candidate"] == 1


def test_one_candidate_goes_straight_to_the_upsampler(make_window, qtbot):
    runner = ScriptedRunner()
    win = make_window(runner)
    select(win, SELECTED)
    _generate(win, qtbot, candidates=1)
    qtbot.waitUntil(lambda: len(win.generation.staging) == 1, timeout=10_000)
    assert isinstance(runner.jobs[-1], UpsampleJob) and runner.jobs[-1].indices == (0,)
    click(qtbot, win.generate_panel.staging.apply_button)
    assert win.document.layers[-1].metadata["candidate"] == 0


def test_discard_drops_the_staged_results(make_window, qtbot):
    win = make_window(ScriptedRunner())
    select(win, SELECTED)
    before = document_state(win)
    _generate(win, qtbot, candidates=1)
    qtbot.waitUntil(lambda: len(win.generation.staging) == 1, timeout=10_000)
    click(qtbot, win.generate_panel.staging.discard_button)
    assert document_state(win) == before and win.generation.overlay.image is None
    assert "unchanged" in win.generate_panel.status_label.text()


def test_without_a_selection_a_new_picture_is_centred(make_window, qtbot):
    runner = ScriptedRunner()
    win = make_window(runner)
    _generate(win, qtbot, prompt="a lighthouse", candidates=1)
    qtbot.waitUntil(lambda: len(win.generation.staging) == 1, timeout=10_000)
    request = runner.requests[0]
    assert request.mode is Mode.TEXT2IM and request.source256 is None and request.selection64 is None
    click(qtbot, win.generate_panel.staging.apply_button)
    layer = win.document.layers[-1]
    assert layer.metadata["mode"] == "text2im" and layer.metadata["model_files"] == ["base.pt", "upsample.pt"]
    # A square of the document's shorter side (80 px), centred.
    assert (layer.pixels[:, 8:88, 3] == 255).all() and (layer.pixels[:, 8:88, :3] == COLOURS[0]).all()
    assert layer.pixels[:, :8, 3].max() == 0 and layer.pixels[:, 88:, 3].max() == 0


def test_progress_shows_the_stage_with_elapsed_and_remaining_time(make_window, qtbot):
    gate = threading.Event()
    win = make_window(ScriptedRunner(gate=gate))
    panel = win.generate_panel
    assert not panel.progress_bar.isVisible() and not panel.cancel_button.isEnabled()
    select(win, SELECTED)
    _generate(win, qtbot)
    qtbot.waitUntil(lambda: panel.progress_bar.maximum() == 3, timeout=5000)
    assert panel.cancel_button.isEnabled() and panel.progress_bar.isVisible()
    assert panel.progress_bar.text() == "Sampling 64 px: step 1 of 3"
    assert "so far, about" in panel.time_label.text() and "left" in panel.time_label.text()
    assert panel.generate_button.text() == "Add to queue"
    # The first previews are in the strip already (half-bright colours).
    icon = panel.strip.buttons[2].icon()
    assert not icon.isNull()
    gate.set()
    _wait_idle(win, qtbot)
    assert not panel.progress_bar.isVisible() and panel.generate_button.text() == "Generate"
    assert win.generation.times.measured("base"), "a run stores the per-step time it measured"


@pytest.mark.parametrize("stage", ["base", "upsample"])
def test_cancel_in_each_stage_leaves_the_document_unchanged(make_window, qtbot, stage):
    gate, upsample_gate = threading.Event(), threading.Event()
    if stage == "upsample":
        gate.set()
    win = make_window(ScriptedRunner(gate=gate, upsample_gate=upsample_gate))
    panel = win.generate_panel
    select(win, SELECTED)
    before = document_state(win)
    composite = win.document.composite().copy()
    _generate(win, qtbot, candidates=1)
    label = "Sampling 64 px" if stage == "base" else "Upscaling to 256 px"
    qtbot.waitUntil(lambda: panel.progress_bar.text().startswith(label), timeout=5000)
    with qtbot.waitSignal(win.generation.jobs.finished, timeout=10_000) as done:
        click(qtbot, panel.cancel_button)
    assert done.args[1] is True
    _wait_idle(win, qtbot)
    assert document_state(win) == before and np.array_equal(win.document.composite(), composite)
    assert len(win.generation.staging) == 0
    assert "Cancelled" in panel.status_label.text() and "unchanged" in panel.status_label.text()


def test_a_queued_request_runs_after_the_first_and_each_entry_can_be_cancelled(make_window, qtbot):
    gate = threading.Event()
    runner = ScriptedRunner(gate=gate)
    win = make_window(runner)
    panel = win.generate_panel
    select(win, SELECTED)
    _generate(win, qtbot, prompt="first", candidates=2)
    qtbot.waitUntil(lambda: panel.progress_bar.maximum() == 3, timeout=5000)
    _generate(win, qtbot, prompt="second", candidates=2)
    _generate(win, qtbot, prompt="third", candidates=2)
    jobs = win.generation.jobs
    assert len(jobs.waiting()) == 2 and panel.queue.isVisible()
    texts = [row.findChild(type(panel.status_label)).text() for row in panel.queue.rows.values()]
    assert "first" in texts[0] and "running" in texts[0] and "third" in texts[2] and "waiting" in texts[2]
    third = jobs.waiting()[1]
    click(qtbot, panel.queue.cancel_button(third))
    assert len(jobs.waiting()) == 1
    gate.set()
    _wait_idle(win, qtbot)
    assert [r.prompt for r in runner.requests] == ["first", "second"]
    assert "second" in panel.strip.title.text()


def test_a_failure_is_shown_in_a_message_box(make_window, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    win = make_window(ScriptedRunner(fail="the model file base_inpaint.pt is damaged"))
    select(win, SELECTED)
    before = document_state(win)
    _generate(win, qtbot)
    _wait_idle(win, qtbot)
    assert shown == ["the model file base_inpaint.pt is damaged"]
    assert document_state(win) == before
    assert "failed" in win.generate_panel.status_label.text()


def test_edits_during_the_job_do_not_move_where_the_result_lands(make_window, qtbot):
    gate = threading.Event()
    win = make_window(ScriptedRunner(gate=gate))
    select(win, SELECTED)
    _generate(win, qtbot, candidates=1)
    qtbot.waitUntil(lambda: win.generate_panel.progress_bar.maximum() == 3, timeout=5000)
    win.deselect()
    select(win, Rect(0, 0, 10, 10))
    layer = win.document.active_layer
    before = layer.pixels[:4, :4].copy()
    win.push(PixelEdit(layer.uid, Rect(0, 0, 4, 4), before, np.zeros_like(before)))
    gate.set()
    qtbot.waitUntil(lambda: len(win.generation.staging) == 1, timeout=10_000)
    click(qtbot, win.generate_panel.staging.apply_button)
    # What the layer shows: its mask (the feathered selection at submit time) applied.
    alpha = win.document.layers[-1].shown_pixels((slice(None), slice(None)))[..., 3]
    assert alpha[SELECTED.expand(-5).slices()].min() == 255
    assert alpha[:10, :10].max() == 0
    assert win.document.layers[-1].metadata["crop"] == CROP


def test_a_result_for_a_closed_document_is_dropped(make_window, qtbot):
    gate = threading.Event()
    win = make_window(ScriptedRunner(gate=gate))
    select(win, SELECTED)
    _generate(win, qtbot, candidates=1)
    qtbot.waitUntil(lambda: win.generate_panel.progress_bar.maximum() == 3, timeout=5000)
    win.undo.mark_saved()  # no "save changes?" prompt
    assert win.new_document(40, 30)
    fresh = document_state(win)
    gate.set()
    _wait_idle(win, qtbot)
    assert document_state(win) == fresh and len(win.generation.staging) == 0
    assert "no longer open" in win.statusBar().currentMessage()


def test_closing_the_window_mid_job_stops_the_thread(make_window, qtbot):
    gate = threading.Event()
    win = make_window(ScriptedRunner(gate=gate))
    _generate(win, qtbot)
    qtbot.waitUntil(lambda: win.generate_panel.progress_bar.maximum() == 3, timeout=5000)
    thread = win.generation.jobs._thread
    assert win.close()
    assert thread.isFinished()


def test_candidates_get_clip_scores_when_the_clip_files_are_there(make_window, qtbot, tmp_path):
    runner = ScriptedRunner()
    win = make_window(runner)
    select(win, SELECTED)
    _generate(win, qtbot, candidates=2)
    _wait_idle(win, qtbot)
    ranks = [job for job in runner.jobs if isinstance(job, RankJob)]
    assert len(ranks) == 1 and ranks[0].images.shape == (2, 64, 64, 3)
    # The scripted score is the mean red: candidate 1 is red (200), candidate 2 blue (20).
    labels = [button.text() for button in win.generate_panel.strip.buttons]
    assert labels == ["#1\nCLIP 0.78", "#2\nCLIP 0.08"]

    no_clip = tmp_path / "no-clip"
    no_clip.mkdir()
    for path in (tmp_path / "models").iterdir():
        if not path.name.startswith("clip_"):
            (no_clip / path.name).write_bytes(path.read_bytes())
    locations.save_models_dir(no_clip)  # as Model Files does: Generate asks the owner each time
    _generate(win, qtbot, candidates=2)
    _wait_idle(win, qtbot)
    assert len([job for job in runner.jobs if isinstance(job, RankJob)]) == 1, "no CLIP files, no ranking"
    assert [button.text() for button in win.generate_panel.strip.buttons] == ["#1", "#2"]


def test_live_preview_off_draws_nothing_while_sampling(make_window, qtbot):
    gate = threading.Event()
    runner = ScriptedRunner(gate=gate)
    win = make_window(runner)
    panel = win.generate_panel
    select(win, SELECTED)
    click(qtbot, panel.preview_check)
    assert not panel.preview_check.isChecked()
    _generate(win, qtbot)
    qtbot.waitUntil(lambda: panel.progress_bar.maximum() == 3, timeout=5000)
    assert win.generation.overlay.image is None
    assert all(button.icon().isNull() for button in panel.strip.buttons)
    assert runner.requests[0].previews is False and runner.previews == [False], "the engine made no preview"
    click(qtbot, panel.preview_check)  # on again while the run waits after its first step
    gate.set()
    qtbot.waitUntil(lambda: win.generation.overlay.image is not None or not win.generation.busy, timeout=5000)
    _wait_idle(win, qtbot)
    assert runner.previews == [False, True, True], "the running job makes previews from its next step"
    assert all(not button.icon().isNull() for button in panel.strip.buttons)


def test_opening_another_document_drops_what_was_staged_for_the_old_one(make_window, qtbot):
    win = make_window(ScriptedRunner())
    select(win, SELECTED)
    _generate(win, qtbot, candidates=1)
    qtbot.waitUntil(lambda: len(win.generation.staging) == 1 and not win.generation.busy, timeout=10_000)
    win.undo.mark_saved()
    assert win.new_document(50, 40)
    assert len(win.generation.staging) == 0 and win.generation.overlay.image is None
    assert not win.generate_panel.staging.isVisible() and not win.generate_panel.strip.isVisible()


def test_a_candidate_upsampled_before_is_staged_again_without_running_the_upsampler(make_window, qtbot):
    runner = ScriptedRunner()
    win = make_window(runner)
    panel = win.generate_panel
    select(win, SELECTED)
    _generate(win, qtbot)
    _wait_idle(win, qtbot)
    click(qtbot, panel.strip.buttons[1])
    click(qtbot, panel.strip.upsample_button)
    _wait_idle(win, qtbot)
    first = win.generation.staging.current.image256
    click(qtbot, panel.staging.discard_button)
    assert len(win.generation.staging) == 0
    jobs_before = len(runner.jobs)

    click(qtbot, panel.strip.buttons[1])
    click(qtbot, panel.strip.upsample_button)  # changed their mind: the same candidate again
    assert len(runner.jobs) == jobs_before and not win.generation.busy, "no job: staged at once"
    staged = win.generation.staging.current
    assert staged.candidate == 1 and staged.image256 is first and "Staged again" in panel.status_label.text()
    click(qtbot, panel.strip.buttons[1])
    click(qtbot, panel.strip.buttons[2])
    click(qtbot, panel.strip.upsample_button)  # one known, one new: only the new one is upsampled
    _wait_idle(win, qtbot)
    assert runner.jobs[-1].indices == (2,) and len(runner.jobs) == jobs_before + 1
    assert [r.candidate for r in win.generation.staging.results] == [1, 2], "no second copy of #2"
