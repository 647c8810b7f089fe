"""The per-stage time estimate the Generate panel shows before a run."""

from __future__ import annotations

import pytest

from glide_desktop.engine.estimate import StageTimes, estimate_seconds, remaining_seconds
from glide_desktop.engine.presets import PRESETS, Preset, apply_preset
from glide_desktop.engine.types import GenerationRequest, Mode


def _request(**changes: object) -> GenerationRequest:
    return GenerationRequest(mode=Mode.INPAINT, prompt="a cat", **changes)


def test_the_base_stage_scales_with_steps_and_candidates_and_the_upsampler_per_candidate():
    times = estimate_seconds(_request(steps=20, upsample_steps=10, candidates=3), 2.0, 5.0)
    assert times == StageTimes(base=20 * 3 * 2.0, upsample=10 * 3 * 5.0)
    assert times.total == pytest.approx(120 + 150)


def test_only_the_chosen_candidates_are_upsampled_and_none_without_upsampling():
    request = _request(steps=10, upsample_steps=8, candidates=4)
    assert estimate_seconds(request, 1.0, 3.0, upsampled=1).upsample == 8 * 3.0
    assert estimate_seconds(_request(upsample=False, candidates=4), 1.0, 3.0).upsample == 0.0


def test_sdedit_runs_only_the_steps_below_its_strength():
    full = estimate_seconds(GenerationRequest(mode=Mode.VARIATION, prompt="x", steps=20, strength=1.0,
                                              candidates=1), 1.0, 0.0)
    half = estimate_seconds(GenerationRequest(mode=Mode.VARIATION, prompt="x", steps=20, strength=0.5,
                                              candidates=1), 1.0, 0.0)
    assert (full.base, half.base) == (20.0, 10.0)


def test_presets_are_ordered_by_their_estimate_and_balanced_is_under_a_quarter_of_notebook():
    times = {p: estimate_seconds(apply_preset(_request(candidates=1), p), 3.7, 9.4).total for p in Preset}
    assert times[Preset.DRAFT] < times[Preset.BALANCED] < times[Preset.NOTEBOOK]
    assert times[Preset.BALANCED] <= 0.25 * times[Preset.NOTEBOOK]
    draft = apply_preset(_request(candidates=1), Preset.DRAFT)
    assert estimate_seconds(draft, 3.7, 9.4).base <= 60.0  # the first 64 px candidate within a minute
    assert PRESETS[Preset.NOTEBOOK].steps == 100 and PRESETS[Preset.NOTEBOOK].upsample_steps == 27


def test_remaining_time_follows_the_measured_pace_once_a_step_is_done():
    assert remaining_seconds(10, 0, 1.0, 30.0) == 29.0
    assert remaining_seconds(10, 4, 8.0, 30.0) == pytest.approx(12.0)
    with pytest.raises(ValueError):
        estimate_seconds(_request(), -1.0, 1.0)
