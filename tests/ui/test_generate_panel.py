"""The Generate panel: presets and Advanced, the time estimate, modes, the honest-resolution frame."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from glide_desktop.document.commands import SetSelection
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import Layer
from glide_desktop.document.selection import SelectionOp, rect_coverage
from glide_desktop.engine.presets import PRESETS, Preset
from glide_desktop.engine.types import Mode, SamplerName
from glide_desktop.ui.generate_options import CUSTOM
from glide_desktop.ui.timing import StageClock, StepTimes, format_duration
from tests.ui.generation_helpers import ScriptedRunner, click, select, type_prompt


def _choose(combo, data) -> None:
    """Pick a combo entry the way a click on it does (activated, not just currentIndexChanged)."""
    index = combo.findData(data)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_balanced_is_the_default_and_each_preset_fills_the_advanced_section(make_window, qtbot):
    win = make_window(ScriptedRunner())
    panel = win.generate_panel
    advanced = panel.advanced
    assert panel.preset.preset() == "balanced"
    assert not advanced.isVisible()
    click(qtbot, panel.preset.toggle)
    assert advanced.isVisible()
    for preset in Preset:
        _choose(panel.preset.combo, preset.value)
        values = PRESETS[preset]
        assert advanced.sampler_combo.currentData() == values.sampler.value
        assert (advanced.steps_spin.value(), advanced.upsample_steps_spin.value()) == (
            values.steps, values.upsample_steps)
        assert advanced.upsample_sampler() == values.upsample_sampler
    assert (advanced.steps_spin.value(), advanced.sampler_combo.currentData()) == (100, "ancestral")
    advanced.steps_spin.setValue(40)
    assert panel.preset.preset() == CUSTOM
    settings = panel.settings()
    assert (settings.preset, settings.steps, settings.sampler) == (CUSTOM, 40, SamplerName.ANCESTRAL)
    advanced.steps_spin.setValue(100)
    assert panel.preset.preset() == "notebook", "values equal to a preset's are that preset"


def test_the_estimate_uses_the_times_measured_on_this_machine(make_window, qtbot, settings):
    settings.setValue("timing/base_seconds_per_candidate_step", 0.5)
    settings.setValue("timing/upsample_seconds_per_step", 2.0)
    win = make_window(ScriptedRunner())
    panel = win.generate_panel
    # Balanced: 4 candidates x 20 steps x 0.5 s, then 8 upsampler steps x 2 s per chosen candidate.
    assert (PRESETS[Preset.BALANCED].steps, PRESETS[Preset.BALANCED].upsample_steps) == (20, 8)
    assert panel.estimate_label.text() == "About 40 s for 4 candidates, then 16 s per upsampled one"
    panel.candidates_spin.setValue(8)
    assert panel.estimate_label.text().startswith("About 1 min 20 s for 8 candidates")
    _choose(panel.preset.combo, "notebook")
    assert "then 54 s per upsampled one" in panel.estimate_label.text()


def test_step_times_are_refined_from_the_steps_and_remembered(tmp_path):
    settings = QSettings(str(tmp_path / "times.ini"), QSettings.Format.IniFormat)
    times = StepTimes(settings)
    assert not times.measured("base")
    clock = StageClock(times, rows=4)
    clock.step("base", 1, now=10.0)
    clock.step("base", 2, now=12.0)  # 2 s for a step of 4 candidates: 0.5 s per candidate-step
    assert times.per_step("base") == pytest.approx(0.5)
    assert clock.remaining(2, 10) == pytest.approx(8 * 2.0)
    assert clock.elapsed(now=13.0) == pytest.approx(3.0)
    clock.step("base", 3, now=13.0)  # 1 s: blended with the stored 2 s
    assert times.per_step("base") == pytest.approx(0.5 * 0.25 + 0.5 * 0.5)
    again = StepTimes(QSettings(str(tmp_path / "times.ini"), QSettings.Format.IniFormat))
    assert again.measured("base") and again.per_step("base") == pytest.approx(times.per_step("base"))
    assert [format_duration(s) for s in (4.4, 200, 3900)] == ["4 s", "3 min 20 s", "1 h 05 min"]


def test_variation_sends_the_selection_crop_and_strength(make_window, qtbot):
    runner = ScriptedRunner()
    win = make_window(runner)
    panel = win.generate_panel
    select(win, Rect(30, 20, 36, 30))
    _choose(panel.mode_combo, Mode.VARIATION.value)
    assert panel.strength_spin.isVisible() and panel.mode_label.text().startswith("Variation")
    panel.strength_spin.setValue(0.35)
    type_prompt(qtbot, panel, "a watercolour", 3)
    click(qtbot, panel.generate_button)
    qtbot.waitUntil(lambda: not win.generation.busy, timeout=10_000)
    request = runner.requests[0]
    assert request.mode is Mode.VARIATION and request.strength == pytest.approx(0.35)
    assert request.source256.shape == (256, 256, 3) and request.selection64.max() == 1.0


def test_sketch_reads_the_active_layer_alone_on_white(make_window, qtbot):
    runner = ScriptedRunner()
    win = make_window(runner)
    doc = win.document
    sketch = Layer.blank(doc.width, doc.height, name="sketch")
    sketch.pixels[:, :48] = (0, 0, 255, 255)  # blue on the left half, transparent on the right
    doc.insert_layer(sketch)
    panel = win.generate_panel
    _choose(panel.mode_combo, Mode.SKETCH.value)
    type_prompt(qtbot, panel, "a lake", 3)
    click(qtbot, panel.generate_button)
    qtbot.waitUntil(lambda: not win.generation.busy, timeout=10_000)
    source = runner.requests[0].source256
    assert runner.requests[0].mode is Mode.SKETCH
    assert (source[128, 20] == (0, 0, 255)).all() and (source[128, 230] == (255, 255, 255)).all()


def test_sketch_from_an_active_group_reads_everything_in_it(make_window, qtbot):
    from glide_desktop.document.group_commands import GroupLayers

    runner = ScriptedRunner()
    win = make_window(runner)
    doc = win.document
    doc.insert_layer(Layer.filled(doc.width, doc.height, (0, 255, 0, 255), "green below"))
    left, right = (Layer.blank(doc.width, doc.height, name=name) for name in ("left", "right"))
    left.pixels[:, :30] = (0, 0, 255, 255)
    right.pixels[:, 60:] = (255, 0, 0, 255)  # between them the group is clear: white, not green
    doc.insert_layer(left)
    doc.insert_layer(right)
    win.push(GroupLayers([left.uid, right.uid]))  # the sketch is the group, not one of its layers
    panel = win.generate_panel
    _choose(panel.mode_combo, Mode.SKETCH.value)
    type_prompt(qtbot, panel, "a lake", 3)
    click(qtbot, panel.generate_button)
    qtbot.waitUntil(lambda: not win.generation.busy, timeout=10_000)
    source = runner.requests[0].source256
    assert (source[128, 20] == (0, 0, 255)).all() and (source[128, 230] == (255, 0, 0)).all()
    assert (source[128, 128] == (255, 255, 255)).all()


def test_clip_guidance_is_off_for_inpainting_and_asks_for_the_clip_files(make_window, qtbot, tmp_path,
                                                                         monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: shown.append(text))
    plain = tmp_path / "plain"
    plain.mkdir()
    for name in ("base.pt", "upsample.pt"):
        (plain / name).write_bytes(b"x")
    win = make_window(ScriptedRunner(), models_dir=plain)
    panel = win.generate_panel
    select(win, Rect(30, 20, 36, 30))
    panel.refresh_mode()
    assert not panel.advanced.clip_spin.isEnabled()
    _choose(panel.mode_combo, Mode.TEXT2IM.value)
    assert panel.advanced.clip_spin.isEnabled()
    panel.advanced.clip_spin.setValue(3.0)
    type_prompt(qtbot, panel, "a fox", 1)
    click(qtbot, panel.generate_button)
    assert len(shown) == 1 and "clip_image_enc.pt" in shown[0] and "clip_text_enc.pt" in shown[0]


def test_the_canvas_frames_the_context_square_and_the_panel_warns_above_2x(make_window, qtbot):
    win = make_window(ScriptedRunner(), size=(1600, 1200))
    panel, overlay = win.generate_panel, win.generation.overlay
    select(win, Rect(100, 100, 200, 150))
    qtbot.waitUntil(lambda: overlay.frame is not None, timeout=2000)
    # 200 px padded by 25 % on each side: a 300 px square, 1.2x the model's 256 px.
    assert overlay.frame.w == 300 and overlay.frame_label == "300 px → 256 px: 1.2× upscale"
    assert not overlay.frame_warning and "smaller" not in panel.resolution_label.text()
    select(win, Rect(100, 100, 700, 500))
    qtbot.waitUntil(lambda: overlay.frame is not None and overlay.frame.w == 1050, timeout=2000)
    assert overlay.frame_label == "1050 px → 256 px: 4.1× upscale" and overlay.frame_warning
    assert "select a smaller area" in panel.resolution_label.text()
    panel.context_spin.setValue(0)
    assert overlay.frame.w == 700 and overlay.frame_label.startswith("700 px → 256 px: 2.7×")
    win.deselect()
    qtbot.waitUntil(lambda: overlay.frame is None, timeout=2000)


def test_separate_regions_can_be_generated_one_crop_each(make_window, qtbot):
    runner = ScriptedRunner()
    win = make_window(runner, size=(400, 200))
    doc = win.document
    select(win, Rect(10, 10, 40, 40))
    cover = rect_coverage(doc.size, Rect(300, 120, 40, 40))
    win.push(SetSelection.from_change(doc, lambda s: s.combine(SelectionOp.ADD, cover)))
    panel = win.generate_panel
    qtbot.waitUntil(panel.regions_check.isVisible, timeout=2000)  # shown once the selection makes it inpaint
    click(qtbot, panel.regions_check)
    assert panel.regions_check.isChecked()
    type_prompt(qtbot, panel, "two stones", 5)
    click(qtbot, panel.generate_button)
    qtbot.waitUntil(lambda: not win.generation.busy and len(runner.requests) == 2, timeout=10_000)
    masks = [r.selection64 for r in runner.requests]
    # Each crop is the 128 px minimum square around one 40 px region: 20 x 20 of the 64 mask cells.
    # (One crop around both would be 400 px wide and give each region about 6 x 6 cells.)
    assert [float(m.sum()) for m in masks] == pytest.approx([400.0, 400.0], rel=0.05)


def test_feather_and_colour_matching_shape_the_applied_layer(make_window, qtbot):
    runner = ScriptedRunner()
    win = make_window(runner, size=(200, 160))
    doc = win.document
    grey = np.full((160, 200, 4), (100, 100, 100, 255), np.uint8)  # the scripted result is red
    doc.write_pixels(doc.layers[0].uid, Rect(0, 0, 200, 160), grey)
    selected = Rect(60, 50, 80, 60)
    select(win, selected)
    panel = win.generate_panel
    qtbot.waitUntil(panel.match_check.isVisible, timeout=2000)
    click(qtbot, panel.match_check)
    panel.feather_spin.setValue(0)  # a hard edge: every selected pixel fully replaced
    type_prompt(qtbot, panel, "a stone", 4)
    panel.candidates_spin.setValue(1)
    click(qtbot, panel.generate_button)
    qtbot.waitUntil(lambda: len(win.generation.staging) == 1 and not win.generation.busy, timeout=10_000)
    click(qtbot, panel.staging.apply_button)
    layer = doc.layers[-1]
    shown = layer.shown_pixels((slice(None), slice(None)))  # as it composites: its mask applied
    inside = shown[selected.slices()]
    # The model's red differs from the grey around the selection by (-100, +70, +80): shifted back to grey.
    assert (inside[..., 3] == 255).all()
    assert np.abs(inside[..., :3].astype(int) - 100).max() <= 1
    assert layer.metadata["match_colour"] is True and layer.metadata["feather"] == 0.0
    outside = np.ones(shown.shape[:2], bool)
    outside[selected.slices()] = False
    assert shown[outside][..., 3].max() == 0


def test_without_colour_matching_the_result_keeps_its_own_colours(make_window, qtbot):
    win = make_window(ScriptedRunner(), size=(200, 160))
    grey = np.full((160, 200, 4), (100, 100, 100, 255), np.uint8)
    win.document.write_pixels(win.document.layers[0].uid, Rect(0, 0, 200, 160), grey)
    select(win, Rect(60, 50, 80, 60))
    panel = win.generate_panel
    type_prompt(qtbot, panel, "a stone", 4)
    panel.candidates_spin.setValue(1)
    click(qtbot, panel.generate_button)
    qtbot.waitUntil(lambda: len(win.generation.staging) == 1 and not win.generation.busy, timeout=10_000)
    click(qtbot, panel.staging.apply_button)
    inside = win.document.layers[-1].pixels[Rect(70, 60, 60, 40).slices()]
    assert (inside[..., :3] == (200, 30, 20)).all()
    assert win.document.layers[-1].metadata["feather"] is None
