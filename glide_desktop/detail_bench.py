"""`python -m glide_desktop.detail_bench`: tiles and seconds of a detail pass for a few selection sizes.

The time of one 256 px upsample-inpaint step is measured once through the real detail pipeline
(one tile, a few steps, the first left out as warm-up); each size's seconds are that time times
its tile-steps. A selection of side S is generated from the app's context square (1.5 S), so it
is stretched 1.5 S / 256 times.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from glide_desktop.document.detail_plan import DetailPlan
from glide_desktop.document.inpaint_crop import CONTEXT_PADDING
from glide_desktop.engine.detail_types import DetailProgress, DetailRequest
from glide_desktop.engine.presets import DEFAULT_PRESET, PRESETS, Preset

MEASURED_STEPS = 3  # one warm-up step, then the mean of the rest


def square_plan(side: int) -> DetailPlan:
    """The plan for a fully selected side x side square in the middle of a photo three times as large."""
    size = 3 * side
    coverage = np.zeros((size, size), np.float32)
    coverage[side:2 * side, side:2 * side] = 1.0
    pixels = np.zeros((size, size, 3), np.uint8)
    crop = round(side * (1 + 2 * CONTEXT_PADDING))
    return DetailPlan.from_document(pixels, pixels, coverage, crop / 256)


def seconds_per_step(store: object, device: str, steps: int = MEASURED_STEPS) -> float:
    """One tile sampled for `steps` steps: the mean time of the steps after the first."""
    from glide_desktop.engine.pipelines.detail import detail

    request = DetailRequest(prompt="a corgi wearing a red hat", plan=square_plan(200), upsample_steps=steps,
                            upsample_sampler=PRESETS[DEFAULT_PRESET].upsample_sampler, batch=1, device=device)
    stamps = []
    for event in detail(request, store):
        if isinstance(event, DetailProgress):
            stamps.append(time.perf_counter())
            if len(stamps) == steps:
                break  # one tile is enough
    return float(np.mean(np.diff(stamps)))


def report(sizes: Sequence[int], per_step: float, steps: int) -> str:
    """The table: selection side, upscale, rounds, tiles and the computed seconds."""
    lines = ["| selection | upscale | rounds | tiles | tile-steps | seconds (computed) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for side in sizes:
        plan = square_plan(side)
        tile_steps = plan.total_tiles * steps
        lines.append(f"| {side} px | {plan.upscale:.1f}× | {plan.rounds} | {plan.total_tiles} | {tile_steps} "
                     f"| {tile_steps * per_step:,.0f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(prog="python -m glide_desktop.detail_bench", description=__doc__)
    parser.add_argument("--models", type=Path, default=None, help="folder with upsample_inpaint.pt "
                        "(default: full-size random weights)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--preset", default=DEFAULT_PRESET.value, choices=[p.value for p in Preset])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--per-step", type=float, default=None,
                        help="seconds per step to use instead of measuring (to recompute the table)")
    args = parser.parse_args(argv)
    steps = PRESETS[Preset(args.preset)].upsample_steps
    per_step = args.per_step
    if per_step is None:
        from glide_desktop.bench.stores import RandomWeightsStore
        from glide_desktop.engine.models import ModelStore

        store = RandomWeightsStore() if args.models is None else ModelStore(args.models)
        per_step = seconds_per_step(store, args.device)
    from glide_desktop.engine.device import compute_dtype, resolve_device
    from glide_desktop.engine.types import Precision

    dtype = str(compute_dtype(resolve_device(args.device), Precision.AUTO)).removeprefix("torch.")
    print(f"{per_step:.2f} s per 256 px upsample-inpaint step ({dtype}; {args.preset}: "
          f"{steps} steps per tile)")
    print(report(args.sizes, per_step, steps))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
