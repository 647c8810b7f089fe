"""The 64 px base stage for every mode: text2im, inpaint and SDEdit (variation, sketch)."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator

import torch

from glide_desktop.engine.clip import ClipGuidance
from glide_desktop.engine.diffusion import CondFn, ModelFn, respaced_diffusion
from glide_desktop.engine.estimate import sdedit_start
from glide_desktop.engine.guidance import classifier_free_model_fn
from glide_desktop.engine.models import ClipEncoders
from glide_desktop.engine.noise import NoiseSource
from glide_desktop.engine.pipelines.conditioning import KnownImage, bind_model, encode_prompt, inpaint_inputs
from glide_desktop.engine.pipelines.images import resize_image, to_model_image
from glide_desktop.engine.pipelines.session import Session
from glide_desktop.engine.pipelines.stages import StagePlan, base_respacing, run_stage
from glide_desktop.engine.tokenizers import clip_tokenizer
from glide_desktop.engine.types import IMAGE_SIZE_BASE, STAGE_BASE, Mode, Progress

BASE_SIZE = IMAGE_SIZE_BASE


def base_model_name(mode: Mode) -> str:
    """Inpainting uses the inpaint-trained base; SDEdit and text2im use the plain one."""
    return "base_inpaint.pt" if mode is Mode.INPAINT else "base.pt"


def uses_clip(session: Session) -> bool:
    """Whether the request asks for the CLIP-guided recipe (no classifier-free guidance)."""
    return session.request.clip_guidance > 0


def _guided_model(session: Session, model: torch.nn.Module, known: KnownImage | None) -> ModelFn:
    """The model call with the prompt's text encoded once for all steps.

    Classifier-free guidance runs N prompt rows and N unconditional rows. CLIP guidance, like the
    official clip_guided notebook, runs only the N prompt rows and leaves the steering to cond_fn.
    """
    request, rows = session.request, session.request.candidates
    negative = None if uses_clip(session) else request.negative_prompt
    text = encode_prompt(model, request.prompt, rows, session.device, negative_prompt=negative)  # N or 2N
    inputs = inpaint_inputs(known, model, text.batch_size)
    model_call = bind_model(model, text=text, cancel=session.cancel, **inputs)
    if uses_clip(session):
        return model_call
    return classifier_free_model_fn(model_call, request.guidance)


def _clip_cond_fn(session: Session, encoders: ClipEncoders | None) -> CondFn | None:
    """The CLIP guidance gradient for the prompt at the request's scale (None when it is off).

    The encoders stay fp32 even when the UNet runs in fp16: ClipGuidance evaluates x in fp32
    and hands the gradient back in x's dtype.
    """
    if encoders is None:
        return None
    image, text = encoders
    guidance = ClipGuidance(image, text, clip_tokenizer(), logit_scale=image.cfg.logit_scale)
    return guidance.cond_fn([session.request.prompt], session.request.clip_guidance)


def _sdedit_start(session: Session, plan: StagePlan, noise: NoiseSource) -> StagePlan:
    """Noise the source to the strength's step with q_sample (Meng et al. 2021, SDEdit)."""
    request = session.request
    start = sdedit_start(request.strength, plan.diffusion.num_timesteps)
    source = resize_image(to_model_image(request.source256, session.device), BASE_SIZE)  # 1, 3, 64, 64
    x_start = source.expand(plan.shape[0], -1, -1, -1)  # 2N, 3, 64, 64
    t = torch.full((plan.shape[0],), start, dtype=torch.int64, device=session.device)  # 2N
    x_t = plan.diffusion.q_sample(x_start, t, noise.randn(plan.shape, like=x_start))  # 2N, 3, 64, 64
    return dataclasses.replace(plan, x_T=x_t, start_index=start)


def run_base(session: Session) -> Generator[Progress, None, torch.Tensor | None]:
    """Sample the N candidates at 64 px; returns N, 3, 64, 64 in [-1, 1] or None when cancelled."""
    request = session.request
    # CLIP's files are checked and read first, so a missing one fails before the big UNet loads.
    encoders = session.load_clip() if uses_clip(session) else None
    model = session.load(base_model_name(request.mode))
    known = session.known_image(BASE_SIZE)
    rows = request.candidates
    respacing = base_respacing(request.sampler, request.steps, model.config.diffusion_steps)
    plan = StagePlan(
        name=STAGE_BASE,
        diffusion=respaced_diffusion(model.config.noise_schedule, model.config.diffusion_steps, respacing),
        model_fn=_guided_model(session, model, known),
        shape=(rows if uses_clip(session) else 2 * rows, 3, BASE_SIZE, BASE_SIZE),
        sampler=request.sampler.value,
        rows=rows,
        denoised_fn=None if known is None else known.denoised_fn(),
        cond_fn=_clip_cond_fn(session, encoders),
    )
    noise = session.base_noise()
    if request.mode in (Mode.VARIATION, Mode.SKETCH):
        if session.cancelled:
            return None
        plan = _sdedit_start(session, plan, noise)
    return (yield from run_stage(plan, noise, session.device, session.cancel,
                                 previews=session.previews_wanted))
