"""`python -m glide_desktop bench`: times model loading and each sampling stage on synthetic input."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from glide_desktop.engine.types import STAGE_BASE, GenerationRequest, Mode, Progress, SamplerName


def add_bench_parser(commands: argparse._SubParsersAction) -> None:
    """Register the bench subcommand."""
    bench = commands.add_parser("bench", help="time loading and sampling on this machine",
                                description="Time model loading and each sampling stage (synthetic input).")
    bench.add_argument("--mode", choices=[Mode.TEXT2IM.value, Mode.INPAINT.value], default=Mode.TEXT2IM.value)
    bench.add_argument("--models", type=Path, default=None, help="folder with the GLIDE .pt files")
    bench.add_argument("--device", default="auto", help="auto, cpu or cuda (default auto)")
    bench.add_argument("--sampler", default=SamplerName.ANCESTRAL.value,
                       choices=[s.value for s in SamplerName])
    bench.add_argument("--steps", type=int, default=100, help="base-stage steps (default 100)")
    bench.add_argument("--upsample-steps", type=int, default=27, help="upsampler steps (default 27)")
    bench.add_argument("--candidates", type=int, default=4, help="batch size (default 4)")
    bench.add_argument("--no-upsample", action="store_true", help="time the base stage only")
    bench.add_argument("--clip-guidance", type=float, default=0.0, metavar="SCALE",
                       help="time CLIP-guided text2im at this scale (default 0 = classifier-free)")
    bench.add_argument("--random-weights", action="store_true",
                       help="full-size official networks with random weights: timing without the model files")


class RandomWeightsStore:
    """Full-size official networks with random weights, so speed can be measured without the files."""

    folder = Path("(random weights)")

    def load_unet(self, name: str, device, dtype):  # noqa: ANN001, ANN201 - torch types imported lazily
        """The official preset for `name`, randomly initialised on device in dtype."""
        from glide_desktop.engine.config import OFFICIAL_PRESETS
        from glide_desktop.engine.nn import build_unet

        return build_unet(OFFICIAL_PRESETS[Path(name).stem], device=device, dtype=dtype)

    def load_clip(self, device):  # noqa: ANN001, ANN201
        """Both official CLIP encoders, randomly initialised, fp32."""
        import torch

        from glide_desktop.engine.clip import ClipImageEncoder, ClipTextEncoder
        from glide_desktop.engine.clip.config import OFFICIAL
        from glide_desktop.engine.models import ClipEncoders

        with torch.device(device):
            return ClipEncoders(ClipImageEncoder(OFFICIAL).eval(), ClipTextEncoder(OFFICIAL).eval())


def bench_request(args: argparse.Namespace) -> GenerationRequest:
    """A request on synthetic input: a gray source with the middle selected, for inpainting."""
    mode = Mode(args.mode)
    source, selection = None, None
    if mode is Mode.INPAINT:
        source = np.full((256, 256, 3), 128, np.uint8)
        selection = np.zeros((64, 64), np.float32)
        selection[16:48, 16:48] = 1.0
    return GenerationRequest(mode=mode, prompt="a corgi wearing a red hat", sampler=SamplerName(args.sampler),
                             steps=args.steps, upsample_steps=args.upsample_steps, candidates=args.candidates,
                             upsample=not args.no_upsample, source256=source, selection64=selection,
                             device=args.device, clip_guidance=args.clip_guidance)


def run_bench(request: GenerationRequest, folder: Path | None) -> str:
    """Run one warm request and return a small timing report."""
    from glide_desktop.engine.device import model_dtype, resolve_device
    from glide_desktop.engine.models import ModelStore
    from glide_desktop.engine.pipelines import generate
    from glide_desktop.engine.pipelines.base import base_model_name
    from glide_desktop.engine.pipelines.model_cache import ModelCache
    from glide_desktop.engine.pipelines.upsample import upsample_model_name

    device = resolve_device(request.device)
    dtype = model_dtype(device)
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

