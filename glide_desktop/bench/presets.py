"""Each quality preset end to end: measured with models loaded, or estimated from per-step times."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from glide_desktop.engine.presets import PRESETS, Preset, apply_preset
from glide_desktop.engine.types import Candidates, GenerationRequest, Mode, Precision, Progress, Result


@dataclass
class PresetRun:
    """One preset's wall time; `how` says whether it was measured or estimated from step times."""

    preset: str
    precision: str
    how: str  # "measured" or "estimate"
    total_s: float
    first_preview_s: float
    first_candidate_s: float
    image64: np.ndarray | None = field(default=None, repr=False)
    image256: np.ndarray | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON report (no images)."""
        values = asdict(self)
        values.pop("image64")
        values.pop("image256")
        return values


def bench_inpaint_request(precision: Precision, seed: int = 1) -> GenerationRequest:
    """A one-candidate inpaint request on a smooth synthetic source with the middle selected."""
    ramp = np.linspace(0, 255, 256, dtype=np.float32)
    source = np.stack([np.add.outer(ramp, ramp) / 2, np.tile(ramp, (256, 1)), np.full((256, 256), 96.0)], -1)
    selection = np.zeros((64, 64), np.float32)
    selection[16:48, 16:48] = 1.0
    return GenerationRequest(mode=Mode.INPAINT, prompt="a corgi wearing a red hat", seed=seed, candidates=1,
                             source256=source.astype(np.uint8), selection64=selection, device="cpu",
                             precision=precision)


def run_preset(store: Any, preset: Preset, precision: Precision) -> PresetRun:
    """Run the preset end to end on a store whose networks are already loaded."""
    from glide_desktop.engine.pipelines import generate

    request = apply_preset(bench_inpaint_request(precision), preset)
    start = time.perf_counter()
    first_preview = first_candidate = float("nan")
    image64 = image256 = None
    for event in generate(request, store):
        now = time.perf_counter() - start
        if isinstance(event, Progress) and first_preview != first_preview:
            first_preview = now
        elif isinstance(event, Candidates):
            first_candidate, image64 = now, event.images64[0]
        elif isinstance(event, Result):
            image256 = event.image256
    total = time.perf_counter() - start
    return PresetRun(preset.value, request.precision.value, "measured", total, first_preview, first_candidate,
                     image64, image256)


def estimate_preset(preset: Preset, precision: Precision, base_step_s: float, upsample_step_s: float,
                    text_s: float) -> PresetRun:
    """The preset's wall time from per-step times: both stages' steps plus both text encodings."""
    settings = PRESETS[preset]
    if settings.precision is not None:
        precision = settings.precision
    base = text_s + settings.steps * base_step_s
    total = base + text_s + settings.upsample_steps * upsample_step_s
    return PresetRun(preset.value, precision.value, "estimate", total, text_s + base_step_s, base)
