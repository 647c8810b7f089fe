"""The quality presets: Notebook is the official recipe, and each preset reaches the stages."""

from __future__ import annotations

import pytest

from glide_desktop.engine.pipelines.stages import base_respacing, upsample_respacing
from glide_desktop.engine.pipelines.upsample import upsample_sampler
from glide_desktop.engine.presets import DEFAULT_PRESET, PRESETS, Preset, apply_preset
from glide_desktop.engine.types import GenerationRequest, Mode, SamplerName


def test_notebook_is_the_official_recipe() -> None:
    request = apply_preset(GenerationRequest(mode=Mode.INPAINT, prompt="x"), Preset.NOTEBOOK)
    assert (request.sampler, request.steps) == (SamplerName.ANCESTRAL, 100)
    assert base_respacing(request.sampler, request.steps) == "100"
    assert upsample_respacing(request.upsample_steps) == "fast27"
    # the notebooks upsample inpainting ancestrally (known pixels forced) and plain images with DDIM
    assert upsample_sampler(known=object(), chosen=request.upsample_sampler) == "ancestral"
    assert upsample_sampler(known=None, chosen=request.upsample_sampler) == "ddim"


@pytest.mark.parametrize("preset", list(Preset))
def test_a_preset_sets_both_stages(preset: Preset) -> None:
    plain = GenerationRequest(mode=Mode.TEXT2IM, prompt="x", steps=3, upsample_steps=3)
    request = apply_preset(plain, preset)
    settings = PRESETS[preset]
    assert (request.sampler, request.steps) == (settings.sampler, settings.steps)
    assert (request.upsample_sampler, request.upsample_steps) == (settings.upsample_sampler,
                                                                  settings.upsample_steps)


def test_presets_get_faster_and_balanced_is_the_default() -> None:
    order = (Preset.DRAFT, Preset.BALANCED, Preset.NOTEBOOK)
    steps = [PRESETS[p].steps + PRESETS[p].upsample_steps for p in order]
    assert steps == sorted(steps) and len(set(steps)) == 3
    assert DEFAULT_PRESET is Preset.BALANCED
