"""`python -m glide_desktop.engine.preset_study`: how far each sampler and step count is from converging.

The evidence behind the Draft and Balanced presets (docs/PRESETS.md). On a golden vector set (small
random-weight networks in GLIDE's exact structure, ../shared/glide-golden) it inpaints a synthetic
picture with each base-stage sampler and step count and measures, in 8-bit levels inside the
selection, how far the final 64 px image lies from the converged solution of the same sampling
ODE (DPM-Solver++(2M) at 50 steps, same x_T; DDIM converges to the same point, at first order) and,
with --notebook, from the Notebook recipe (100 ancestral steps, same seed). --upsampler measures
the 256 px stage the same way. Random weights say nothing about beauty; they do show where each
solver stops changing its answer, which is what a step count buys. A study, not a test: it prints
Markdown tables (minutes on a busy 2-core machine; the timing column is wall time there).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from glide_desktop.engine.config import UNetConfig
from glide_desktop.engine.nn.unet import GlideUNet, build_unet
from glide_desktop.engine.pipelines import generate, upsample
from glide_desktop.engine.types import Candidates, GenerationRequest, Mode, Precision, Result, SamplerName

DEFAULT_GOLDEN = Path("../shared/glide-golden")
PROMPTS = ("a red barn in a green field", "an oil painting of a corgi")
BASE_RUNS: tuple[tuple[SamplerName, int], ...] = (
    *((SamplerName.DDIM, n) for n in (10, 20)),
    *((SamplerName.DPMPP_2M, n) for n in (6, 10, 15, 20)),
)
UPSAMPLE_RUNS: tuple[tuple[SamplerName, int], ...] = (
    (SamplerName.DDIM, 8),
    *((SamplerName.DPMPP_2M, n) for n in (4, 8)),
)
# Both deterministic samplers solve the same probability-flow ODE; second-order DPM-Solver++ at
# many steps stands in for its exact solution (DDIM would need ~1000 steps for the same error).
CONVERGED_BASE = (SamplerName.DPMPP_2M, 50)
CONVERGED_UPSAMPLE = (SamplerName.DPMPP_2M, 25)
NOTEBOOK_BASE = (SamplerName.ANCESTRAL, 100)
NOTEBOOK_UPSAMPLE = (SamplerName.ANCESTRAL, 27)  # inpainting: ancestral over fast27


class GoldenStore:
    """The golden set's networks built from options.json and filled strictly from models.pt."""

    def __init__(self, golden: Path) -> None:
        self.options = json.loads((golden / "options.json").read_text(encoding="utf-8"))["diffusion_models"]
        self.weights = torch.load(golden / "models.pt", weights_only=True)
        self._built: dict[str, GlideUNet] = {}

    def load_unet(self, name: str, device: torch.device | str, dtype: torch.dtype) -> GlideUNet:
        """The network for an official file name ("base_inpaint.pt" ...), built once."""
        stem = Path(name).stem
        if stem not in self._built:
            model = build_unet(UNetConfig.from_options(self.options[stem]), device="cpu", dtype=torch.float32)
            model.load_state_dict(self.weights[stem], strict=True)
            self._built[stem] = model.eval()
        return self._built[stem].to(device=device, dtype=dtype)

    def load_clip(self, device: torch.device | str) -> object:
        """The study never uses CLIP guidance."""
        raise NotImplementedError("the preset study does not use CLIP")


def study_inputs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic 256 px picture (gradients and shapes) and a centred selection at 64 px."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:256, 0:256].astype(np.float32) / 255.0
    image = np.stack([xx, yy, 1.0 - xx * yy], axis=-1) * 200.0 + 30.0
    image[40:120, 150:230] = (220, 60, 40)
    image += rng.normal(0.0, 6.0, image.shape)
    selection = np.zeros((64, 64), np.float32)
    selection[16:48, 12:52] = 1.0
    return np.clip(image, 0, 255).astype(np.uint8), selection


@dataclass(frozen=True)
class Row:
    """One sampler setting's distances (mean over prompts and candidates) and its run time."""

    sampler: SamplerName
    steps: int
    to_converged: float  # mean |difference| in 8-bit levels inside the selection
    to_notebook: float
    seconds: float


def _inside(images: np.ndarray, selection: np.ndarray) -> np.ndarray:
    """The selected pixels of N x S x S x 3 images, as float (selection scaled to S)."""
    scale = images.shape[1] // selection.shape[0]
    mask = np.kron(selection >= 0.5, np.ones((scale, scale), bool))
    return images[:, mask].astype(np.float64)


def _distance(a: np.ndarray, b: np.ndarray, selection: np.ndarray) -> float:
    return float(np.mean(np.abs(_inside(a, selection) - _inside(b, selection))))


def _base_images(store: GoldenStore, request: GenerationRequest, sampler: SamplerName,
                 steps: int) -> np.ndarray:
    run = replace(request, sampler=sampler, steps=steps, upsample=False)
    return next(e.images64 for e in generate(run, store) if isinstance(e, Candidates))


def _upsampled(store: GoldenStore, request: GenerationRequest, candidates64: np.ndarray,
               sampler: SamplerName, steps: int) -> np.ndarray:
    run = replace(request, upsample_sampler=sampler, upsample_steps=steps)
    found = [e.image256 for e in upsample(run, store, candidates64, range(len(candidates64)))
             if isinstance(e, Result)]
    return np.stack(found)


def _measure(requests: list[GenerationRequest], runs: tuple[tuple[SamplerName, int], ...],
             make: Callable[[GenerationRequest, SamplerName, int], np.ndarray],
             converged: tuple[SamplerName, int], notebook: tuple[SamplerName, int] | None,
             selection: np.ndarray) -> list[Row]:
    """Each run's distance to the converged (and the notebook) images, averaged over the requests."""
    references = [make(r, *converged) for r in requests]
    notebooks = [make(r, *notebook) for r in requests] if notebook else []
    rows = []
    for sampler, steps in (*runs, *([notebook] if notebook else [])):
        start = time.perf_counter()
        images = notebooks if (sampler, steps) == notebook else [make(r, sampler, steps) for r in requests]
        seconds = (time.perf_counter() - start) / len(requests)
        print(f"{sampler.value} {steps}: {seconds:.1f} s", file=sys.stderr, flush=True)
        to_converged = np.mean([_distance(i, ref, selection) for i, ref in zip(images, references)])
        to_notebook = (np.mean([_distance(i, ref, selection) for i, ref in zip(images, notebooks)])
                       if notebook else float("nan"))
        rows.append(Row(sampler, steps, float(to_converged), float(to_notebook), seconds))
    return rows


def format_table(title: str, rows: list[Row]) -> str:
    """A Markdown table of the rows."""
    lines = [f"### {title}", "", "| sampler | steps | Δ to converged | Δ to Notebook | s per run |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for row in rows:
        notebook = "–" if np.isnan(row.to_notebook) else f"{row.to_notebook:.2f}"
        lines.append(f"| {row.sampler.value} | {row.steps} | {row.to_converged:.2f} | {notebook} "
                     f"| {row.seconds:.2f} |")
    return "\n".join(lines)


def run_study(golden: Path, candidates: int = 1, prompts: int = 1, notebook: bool = False,
              upsampler: bool = False, base: bool = True) -> str:
    """Both stages' tables as Markdown."""
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    store = GoldenStore(golden)
    source, selection = study_inputs()
    requests = [GenerationRequest(mode=Mode.INPAINT, prompt=p, seed=seed, candidates=candidates,
                                  source256=source, selection64=selection, device="cpu",
                                  precision=Precision.FP32)  # as the golden reference ran
                for seed, p in enumerate(PROMPTS[:prompts])]
    name = "{} {} steps".format
    tables = []
    if base:
        rows = _measure(requests, BASE_RUNS, lambda r, s, n: _base_images(store, r, s, n),
                        CONVERGED_BASE, NOTEBOOK_BASE if notebook else None, selection)
        tables.append(format_table(f"Base stage, 64 px (converged: {name(*CONVERGED_BASE)})", rows))
    if upsampler:
        # The upsampler is judged on one fixed input per request: the converged run's first candidate.
        lows = {id(r): _base_images(store, r, *CONVERGED_BASE)[:1] for r in requests}
        up = _measure(requests, UPSAMPLE_RUNS, lambda r, s, n: _upsampled(store, r, lows[id(r)], s, n),
                      CONVERGED_UPSAMPLE, NOTEBOOK_UPSAMPLE if notebook else None, selection)
        tables.append(format_table(f"Upsample stage, 256 px (converged: {name(*CONVERGED_UPSAMPLE)})", up))
    return "\n\n".join(tables)


def main(argv: list[str] | None = None) -> int:
    """Print the study's tables."""
    parser = argparse.ArgumentParser(prog="python -m glide_desktop.engine.preset_study", description=__doc__)
    parser.add_argument("--golden", type=Path, default=DEFAULT_GOLDEN, help="golden vector folder")
    parser.add_argument("--candidates", type=int, default=1, help="images per prompt (default 1)")
    parser.add_argument("--prompts", type=int, default=1, choices=range(1, len(PROMPTS) + 1),
                        help=f"how many of the {len(PROMPTS)} prompts (default 1)")
    parser.add_argument("--notebook", action="store_true",
                        help="also measure the distance to the Notebook recipe (100 ancestral steps)")
    parser.add_argument("--upsampler", action="store_true", help="also study the 256 px upsampler stage")
    parser.add_argument("--no-base", action="store_true", help="skip the base stage's table")
    args = parser.parse_args(argv)
    print(run_study(args.golden, args.candidates, args.prompts, args.notebook, args.upsampler,
                    base=not args.no_base))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
