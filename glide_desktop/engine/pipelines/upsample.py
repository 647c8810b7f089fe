"""The 256 px upsample stage: one candidate at a time, each with its own seeded noise."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch

from glide_desktop.engine.diffusion import respaced_diffusion
from glide_desktop.engine.pipelines.conditioning import KnownImage, bind_model, encode_prompt, inpaint_inputs
from glide_desktop.engine.pipelines.images import to_model_image, to_uint8
from glide_desktop.engine.pipelines.session import Session
from glide_desktop.engine.pipelines.stages import (
    UPSAMPLE_TEMPERATURE,
    StagePlan,
    run_stage,
    upsample_respacing,
)
from glide_desktop.engine.types import (
    IMAGE_SIZE,
    STAGE_UPSAMPLE,
    Event,
    InvalidRequest,
    Mode,
    Result,
    SamplerName,
)

UPSAMPLE_SIZE = IMAGE_SIZE


def upsample_model_name(mode: Mode) -> str:
    """Inpainting upsamples with the inpaint-trained upsampler; the other modes with the plain one."""
    return "upsample_inpaint.pt" if mode is Mode.INPAINT else "upsample.pt"


def upsample_sampler(known: KnownImage | None, chosen: SamplerName | None = None) -> str:
    """The chosen sampler, else the notebooks': DDIM for plain upsampling, ancestral with known pixels."""
    if chosen is not None:
        return chosen.value
    return SamplerName.ANCESTRAL.value if known is not None else SamplerName.DDIM.value


def _check_candidates(candidates64: np.ndarray, indices: Sequence[int]) -> None:
    array = np.asarray(candidates64)
    if array.dtype != np.uint8 or array.ndim != 4 or array.shape[1:] != (64, 64, 3):
        raise InvalidRequest(f"candidates must be N x 64 x 64 x 3 uint8, got {array.shape} {array.dtype}")
    bad = [i for i in indices if not 0 <= i < array.shape[0]]
    if bad:
        raise InvalidRequest(f"candidate indices {bad} are out of range 0..{array.shape[0] - 1}")


def _plan(session: Session, model: torch.nn.Module, candidate64: np.ndarray, known: KnownImage | None,
          text: object, x_T: torch.Tensor) -> StagePlan:
    """The stage plan for one candidate: low_res is its 8-bit image, as the notebooks quantise it."""
    low_res = to_model_image(candidate64, session.device)  # 1, 3, 64, 64 (8-bit levels already)
    respacing = upsample_respacing(session.request.upsample_steps)
    return StagePlan(
        name=STAGE_UPSAMPLE,
        diffusion=respaced_diffusion(model.config.noise_schedule, model.config.diffusion_steps, respacing),
        model_fn=bind_model(model, text=text, low_res=low_res, cancel=session.cancel,
                            **inpaint_inputs(known, model, 1)),
        shape=tuple(x_T.shape),
        sampler=upsample_sampler(known, session.request.upsample_sampler),
        rows=1,
        denoised_fn=None if known is None else known.denoised_fn(),
        x_T=x_T,
    )


def run_upsample(session: Session, candidates64: np.ndarray, indices: Sequence[int]) -> Iterator[Event]:
    """Upsample the chosen candidates to 256 px, yielding Progress and one Result per candidate."""
    _check_candidates(candidates64, indices)
    if not indices or session.cancelled:
        return
    request = session.request
    model = session.load(upsample_model_name(request.mode))
    known = session.known_image(UPSAMPLE_SIZE)
    text = encode_prompt(model, request.prompt, 1, session.device)  # 1 row
    for position, index in enumerate(indices):
        if session.cancelled:
            return
        noise = session.upsample_noise(index)
        shape = (1, 3, UPSAMPLE_SIZE, UPSAMPLE_SIZE)
        x_T = noise.randn(shape, like=torch.empty(0, device=session.device)) * UPSAMPLE_TEMPERATURE
        plan = _plan(session, model, candidates64[index], known, text, x_T)
        per_candidate = plan.steps
        image = yield from run_stage(plan, noise, session.device, session.cancel,
                                     step_offset=position * per_candidate, total=len(indices) * per_candidate,
                                     previews=session.previews_wanted)
        if image is None:
            return
        yield Result(image256=to_uint8(image)[0], candidate=index)
