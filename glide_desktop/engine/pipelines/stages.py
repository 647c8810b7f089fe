"""One sampling stage (base 64 px or upsample 256 px) turned into Progress events."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

import torch

from glide_desktop.engine.cancel import CancelFlag, Cancelled, is_cancelled
from glide_desktop.engine.config import UPSAMPLER_RESPACING
from glide_desktop.engine.diffusion import CondFn, DenoisedFn, GaussianDiffusion, ModelFn, space_timesteps
from glide_desktop.engine.noise import NoiseSource
from glide_desktop.engine.pipelines.images import to_uint8
from glide_desktop.engine.samplers import sample
from glide_desktop.engine.types import Progress, SamplerName

UPSAMPLE_TEMPERATURE = 0.997  # the notebooks scale the upsampler's x_T by this


def base_respacing(sampler: SamplerName, steps: int, diffusion_steps: int = 1000) -> str:
    """The base stage's respacing: "ddimN" for DDIM when N steps fit evenly, else N evenly spaced."""
    if sampler is SamplerName.DDIM:
        try:
            space_timesteps(diffusion_steps, f"ddim{steps}")
            return f"ddim{steps}"
        except ValueError:
            pass  # no integer stride gives exactly N steps; uniform spacing works for DDIM too
    return str(steps)


def upsample_respacing(steps: int) -> str:
    """The upsample stage's respacing: the notebooks' "fast27" for 27 steps, else N evenly spaced."""
    return UPSAMPLER_RESPACING if steps == 27 else str(steps)


@dataclass(frozen=True)
class StagePlan:
    """What one stage samples: the diffusion, the (guided) model and where it starts."""

    name: str  # STAGE_BASE or STAGE_UPSAMPLE
    diffusion: GaussianDiffusion
    model_fn: ModelFn
    shape: tuple[int, ...]  # R, 3, S, S (R = 2N with classifier-free guidance)
    sampler: str
    rows: int  # the first `rows` rows are the images; the rest are guidance rows
    denoised_fn: DenoisedFn | None = None
    x_T: torch.Tensor | None = None
    start_index: int | None = None
    cond_fn: CondFn | None = None  # CLIP guidance's gradient, given original timesteps

    @property
    def steps(self) -> int:
        """How many sampler steps the stage runs."""
        return (self.diffusion.num_timesteps if self.start_index is None else self.start_index + 1)


StageRun = Generator[Progress, None, torch.Tensor | None]


def run_stage(plan: StagePlan, noise: NoiseSource, device: torch.device, cancel: CancelFlag | None,
              step_offset: int = 0, total: int | None = None,
              previews: Callable[[], bool] | None = None) -> StageRun:
    """Yield Progress after each step; return the final images (rows x 3 x S x S) or None if cancelled.

    previews() is asked at every step (the artist may switch them on or off meanwhile); when it says
    no, the step's prediction is not turned into an image (on a GPU that saves a copy to the host)
    and the event's preview is None. None: every step has its preview.
    """
    total = plan.steps if total is None else total
    steps = sample(plan.diffusion, plan.model_fn, plan.shape, sampler=plan.sampler, noise=noise, x_T=plan.x_T,
                   denoised_fn=plan.denoised_fn, cond_fn=plan.cond_fn, cancel=cancel,
                   start_index=plan.start_index, device=device)
    final = None
    try:
        for step in steps:
            wanted = previews is None or previews()
            preview = to_uint8(step.pred_xstart[: plan.rows]) if wanted else None  # N, S, S, 3
            yield Progress(plan.name, step_offset + step.index + 1, total, preview)
            # The consumer may cancel while holding an event: stop before anything else is made.
            if is_cancelled(cancel):
                return None
            final = step.x_t[: plan.rows]  # N, 3, S, S
    except Cancelled:
        return None
    finally:
        steps.close()
    return final
