"""One custom request timed end to end (bench with --steps, --sampler, ... or --mode text2im)."""

from __future__ import annotations

import time
from pathlib import Path

from glide_desktop.engine.types import STAGE_BASE, GenerationRequest, Progress


def run_bench(request: GenerationRequest, folder: Path | None) -> str:
    """Run one warm request and return a small timing report."""
    from glide_desktop.bench.stores import RandomWeightsStore
    from glide_desktop.engine.device import compute_dtype, resolve_device
    from glide_desktop.engine.models import ModelStore
    from glide_desktop.engine.pipelines import generate
    from glide_desktop.engine.pipelines.base import base_model_name
    from glide_desktop.engine.pipelines.model_cache import ModelCache
    from glide_desktop.engine.pipelines.upsample import upsample_model_name

    device = resolve_device(request.device)
    dtype = compute_dtype(device, request.precision)
    store = ModelCache(RandomWeightsStore() if folder is None else ModelStore(folder))
    names = [base_model_name(request.mode)]
    if request.upsample:
        names.append(upsample_model_name(request.mode))
    weights = "random full-size weights" if folder is None else str(folder)
    lines = [f"device {device} ({str(dtype).replace('torch.', '')}), mode {request.mode.value}, "
             f"{request.candidates} candidate(s), {weights}"]
    for name in names:
        start = time.perf_counter()
        store.load_unet(name, device, dtype)
        lines.append(f"load {name:<20} {time.perf_counter() - start:8.2f} s")
    if request.clip_guidance > 0:
        start = time.perf_counter()
        store.load_clip(device)
        lines.append(f"load {'CLIP encoders':<20} {time.perf_counter() - start:8.2f} s")
    stage_time: dict[str, float] = {}
    stage_steps: dict[str, int] = {}
    last = time.perf_counter()
    for event in generate(request, store):
        now = time.perf_counter()
        if isinstance(event, Progress):
            stage_time[event.stage] = stage_time.get(event.stage, 0.0) + now - last
            stage_steps[event.stage] = stage_steps.get(event.stage, 0) + 1
        last = now
    for stage, seconds in stage_time.items():
        steps = stage_steps[stage]
        rows = _base_rows(request) if stage == STAGE_BASE else "1 row per candidate"
        lines.append(f"{stage:<8} {steps:4d} steps {seconds:8.2f} s {seconds / steps:8.4f} s/step ({rows})")
    return "\n".join(lines)


def _base_rows(request: GenerationRequest) -> str:
    """How the base stage's batch is made up, for the report."""
    if request.clip_guidance > 0:
        return f"{request.candidates} rows, CLIP-guided"
    return f"{2 * request.candidates} rows, guided"

