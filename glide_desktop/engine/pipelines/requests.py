"""Checks a GenerationRequest before any model loads, so bad input fails fast with a clear message."""

from __future__ import annotations

import numpy as np

from glide_desktop.engine.types import (
    IMAGE_SIZE,
    IMAGE_SIZE_BASE,
    SELECTION_THRESHOLD,
    GenerationRequest,
    InvalidRequest,
    Mode,
    Precision,
    SamplerName,
)

MAX_CANDIDATES = 16
MIN_STEPS = 2  # a respaced diffusion needs at least two kept steps
MAX_STEPS = 1000
# CLIP guidance steers the plain base model (base.pt), as in the official clip_guided notebook;
# inpainting keeps its classifier-free recipe. Every sampler accepts the gradient.
CLIP_GUIDED_MODES = (Mode.TEXT2IM, Mode.VARIATION, Mode.SKETCH)


def _check_source(request: GenerationRequest) -> None:
    source = request.source256
    if source is None:
        raise InvalidRequest(f"{request.mode.value} needs a source image (source256)")
    array = np.asarray(source)
    if array.dtype != np.uint8 or array.shape != (IMAGE_SIZE, IMAGE_SIZE, 3):
        size = IMAGE_SIZE
        got = f"{array.shape} {array.dtype}"
        raise InvalidRequest(f"the source image must be {size}x{size}x3 uint8 RGB, got {got}")


def _check_selection(request: GenerationRequest, required: bool) -> None:
    selection = request.selection64
    if selection is None:
        if required:
            raise InvalidRequest("inpaint needs a selection (selection64): nothing would be regenerated")
        return
    array = np.asarray(selection)
    if array.shape != (IMAGE_SIZE_BASE, IMAGE_SIZE_BASE):
        size = IMAGE_SIZE_BASE
        raise InvalidRequest(f"the selection must be {size}x{size} coverage, got shape {array.shape}")
    if required and not np.any(array >= SELECTION_THRESHOLD):
        raise InvalidRequest("the selection is empty: select the area to regenerate")


def _check_numbers(request: GenerationRequest) -> None:
    if not 1 <= request.candidates <= MAX_CANDIDATES:
        raise InvalidRequest(f"candidates must be between 1 and {MAX_CANDIDATES}, got {request.candidates}")
    if not MIN_STEPS <= request.steps <= MAX_STEPS:
        raise InvalidRequest(f"steps must be between {MIN_STEPS} and {MAX_STEPS}, got {request.steps}")
    if not MIN_STEPS <= request.upsample_steps <= MAX_STEPS:
        raise InvalidRequest(
            f"upsample steps must be between {MIN_STEPS} and {MAX_STEPS}, got {request.upsample_steps}"
        )
    if not np.isfinite(request.guidance) or request.guidance < 0:
        raise InvalidRequest(f"guidance must be a number >= 0, got {request.guidance}")
    if request.mode in (Mode.VARIATION, Mode.SKETCH) and not 0.0 < request.strength <= 1.0:
        raise InvalidRequest(f"strength must be in (0, 1], got {request.strength}")
    if request.seed < 0 or request.seed >= 2**63:
        raise InvalidRequest(f"seed must be in [0, 2^63), got {request.seed}")
    if request.device not in ("auto", "cpu", "cuda") and not request.device.startswith("cuda:"):
        raise InvalidRequest(f"device must be auto, cpu or cuda, got {request.device!r}")


def _check_clip_guidance(request: GenerationRequest) -> None:
    scale = request.clip_guidance
    if not np.isfinite(scale) or scale < 0:
        raise InvalidRequest(f"CLIP guidance must be a number >= 0 (0 = off), got {scale}")
    if scale == 0:
        return
    if request.mode not in CLIP_GUIDED_MODES:
        modes = ", ".join(mode.value for mode in CLIP_GUIDED_MODES)
        raise InvalidRequest(
            f"CLIP guidance works with {modes}, not {request.mode.value}: set it to 0 to use "
            "classifier-free guidance"
        )
    if request.negative_prompt.strip():
        raise InvalidRequest(
            "a negative prompt needs classifier-free guidance, which CLIP guidance turns off: "
            "clear the negative prompt or set CLIP guidance to 0"
        )


def validate(request: GenerationRequest) -> None:
    """Raise InvalidRequest with a user-facing message when the request cannot be run."""
    if not isinstance(request.mode, Mode):
        raise InvalidRequest(f"unknown mode {request.mode!r}")
    if not isinstance(request.sampler, SamplerName):
        raise InvalidRequest(f"unknown sampler {request.sampler!r}")
    if request.upsample_sampler is not None and not isinstance(request.upsample_sampler, SamplerName):
        raise InvalidRequest(f"unknown upsampler sampler {request.upsample_sampler!r}")
    if not isinstance(request.precision, Precision):
        choices = ", ".join(p.value for p in Precision)
        raise InvalidRequest(f"unknown precision {request.precision!r}: choose {choices}")
    _check_numbers(request)
    _check_clip_guidance(request)
    if request.mode is Mode.TEXT2IM:
        return
    _check_source(request)
    _check_selection(request, required=request.mode is Mode.INPAINT)
