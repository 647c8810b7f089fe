"""Quality presets: each fixes the sampler and step count of both stages (no torch, no Qt).

The app and the command line offer the same three by name; Balanced is the default of both.
Notebook is the official notebooks' recipe exactly: 100 ancestral base steps, then the
upsampler's "fast27" respacing with the notebooks' sampler for the mode, computed in fp32.
Draft and Balanced keep the request's precision (Auto: bf16 where the CPU has it natively) and use
DPM-Solver++(2M), which reaches guided sampling's quality in 15-20 steps (Lu et al. 2022); the
evidence and the time targets they meet are in docs/PRESETS.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from glide_desktop.engine.types import GenerationRequest, Precision, SamplerName


class Preset(StrEnum):
    """The quality presets, fastest first."""

    DRAFT = "draft"
    BALANCED = "balanced"
    NOTEBOOK = "notebook"


@dataclass(frozen=True)
class PresetSettings:
    """The sampler and steps a preset fixes for the base (64 px) and upsample (256 px) stages."""

    sampler: SamplerName
    steps: int
    upsample_sampler: SamplerName | None  # None: the notebooks' choice for the mode
    upsample_steps: int
    precision: Precision | None = None  # None: the request's own (the Precision setting)


PRESETS: dict[Preset, PresetSettings] = {
    Preset.DRAFT: PresetSettings(SamplerName.DPMPP_2M, 10, SamplerName.DPMPP_2M, 6),
    Preset.BALANCED: PresetSettings(SamplerName.DPMPP_2M, 20, SamplerName.DPMPP_2M, 8),
    Preset.NOTEBOOK: PresetSettings(SamplerName.ANCESTRAL, 100, None, 27, Precision.FP32),
}
DEFAULT_PRESET = Preset.BALANCED


def apply_preset(request: GenerationRequest, preset: Preset) -> GenerationRequest:
    """The request with the preset's sampler and steps for both stages (and Notebook's fp32)."""
    settings = PRESETS[preset]
    precision = request.precision if settings.precision is None else settings.precision
    return replace(request, sampler=settings.sampler, steps=settings.steps, precision=precision,
                   upsample_sampler=settings.upsample_sampler, upsample_steps=settings.upsample_steps)
