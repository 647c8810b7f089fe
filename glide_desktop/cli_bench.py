"""`python -m glide_desktop bench`: the full speed and memory bench (glide_desktop.bench), or one request."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from glide_desktop.engine.types import GenerationRequest, Mode, Precision, SamplerName

LEGACY = ("sampler", "steps", "upsample_steps", "candidates", "no_upsample", "clip_guidance")


def add_bench_parser(commands: argparse._SubParsersAction) -> None:
    """Register the bench subcommand."""
    bench = commands.add_parser(
        "bench", help="measure speed and memory on this machine (one table; --json for the figures)",
        description="Per-step time and GFLOP/s of both inpaint networks at each precision, the matmul rate, "
        "model-load and text-encoding time, each preset end to end, peak RSS, first preview, cancel latency "
        "and GUI lateness. Any of --sampler/--steps/--upsample-steps/--candidates/--no-upsample/"
        "--clip-guidance (or --mode text2im) times one such request instead.")
    bench.add_argument("--mode", choices=[Mode.TEXT2IM.value, Mode.INPAINT.value], default=None,
                       help="inpaint for the full bench; a custom request defaults to text2im")
    bench.add_argument("--models", type=Path, default=None, help="folder with the GLIDE .pt files")
    bench.add_argument("--random-weights", action="store_true",
                       help="full-size official networks with random weights: timing without the model files")
    bench.add_argument("--quick", action="store_true",
                       help="a short run: one timed step per network, presets estimated from step times")
    bench.add_argument("--notebook", action="store_true", help="run Notebook end to end too (slow)")
    bench.add_argument("--json", type=Path, default=None, metavar="PATH", help="write figures as JSON")
    bench.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    bench.add_argument("--device", default="auto", help="auto, cpu or cuda (custom request only)")
    bench.add_argument("--precision", default=Precision.AUTO.value, choices=[p.value for p in Precision],
                       help="custom request only; the full bench measures every precision the CPU has")
    bench.add_argument("--sampler", default=None, choices=[s.value for s in SamplerName])
    bench.add_argument("--steps", type=int, default=None, help="base-stage steps of a custom request (100)")
    bench.add_argument("--upsample-steps", type=int, default=None, help="custom request: upsampler steps")
    bench.add_argument("--candidates", type=int, default=None, help="batch size of a custom request (4)")
    bench.add_argument("--no-upsample", action="store_true", default=None, help="custom: no upsampling")
    bench.add_argument("--clip-guidance", type=float, default=None, metavar="SCALE",
                       help="time CLIP-guided text2im at this scale (a custom request)")


def is_custom(args: argparse.Namespace) -> bool:
    """Whether the arguments ask for one custom request's timing rather than the full bench."""
    return args.mode == Mode.TEXT2IM.value or any(getattr(args, name) is not None for name in LEGACY)


def bench_request(args: argparse.Namespace) -> GenerationRequest:
    """A custom request on synthetic input: a gray source with the middle selected, for inpainting."""
    mode = Mode(args.mode or (Mode.TEXT2IM if is_custom(args) else Mode.INPAINT))
    source, selection = None, None
    if mode is Mode.INPAINT:
        source = np.full((256, 256, 3), 128, np.uint8)
        selection = np.zeros((64, 64), np.float32)
        selection[16:48, 16:48] = 1.0
    return GenerationRequest(mode=mode, prompt="a corgi wearing a red hat",
                             sampler=SamplerName(args.sampler or SamplerName.ANCESTRAL.value),
                             steps=args.steps or 100, upsample_steps=args.upsample_steps or 27,
                             candidates=args.candidates or 4, upsample=not args.no_upsample, source256=source,
                             selection64=selection, device=args.device,
                             clip_guidance=args.clip_guidance or 0.0, precision=Precision(args.precision))


def run(args: argparse.Namespace, folder: Path | None) -> str:
    """The custom request's timing, or the full bench (progress on stderr; --json written); the table."""
    if is_custom(args):
        from glide_desktop.bench.custom import run_bench

        return run_bench(bench_request(args), folder)
    from glide_desktop.bench.report import format_table
    from glide_desktop.bench.run import BenchOptions, run_bench

    options = BenchOptions(models=folder, quick=args.quick, notebook=args.notebook, threads=args.threads)
    report = run_bench(options, say=lambda line: print(f"bench: {line}", file=sys.stderr, flush=True))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    return format_table(report)
