"""Plain data that crosses the seam between the editor and the engine (no torch, no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

# GLIDE's fixed sizes: the base stage makes IMAGE_SIZE_BASE px images (its inpainting mask has that
# size too) and the upsampler turns them into IMAGE_SIZE px; a request's source is IMAGE_SIZE px.
IMAGE_SIZE = 256
IMAGE_SIZE_BASE = 64
# Coverage below one 8-bit step is invisible once the editor composites with the selection as
# alpha, so it counts as "not selected" (it only absorbs float noise from resampling).
SELECTION_THRESHOLD = 1.0 / 255.0


class Mode(StrEnum):
    """What a generation does with its inputs."""

    TEXT2IM = "text2im"
    INPAINT = "inpaint"
    VARIATION = "variation"  # SDEdit from the source image
    SKETCH = "sketch"  # SDEdit from a rough painting


class SamplerName(StrEnum):
    """The samplers the engine offers."""

    ANCESTRAL = "ancestral"  # the reference's p_sample
    DDIM = "ddim"
    DPMPP_2M = "dpm++2m"


class Precision(StrEnum):
    """The number format the diffusion networks compute in."""

    AUTO = "auto"  # bf16 on a CPU that computes it natively (and faster), fp16 on CUDA, else fp32
    FP32 = "fp32"
    BF16 = "bf16"


@dataclass(frozen=True)
class GenerationRequest:
    """Everything one generation needs, as plain arrays and values.

    source256: H=W=256 RGB uint8 context crop (inpaint, variation, sketch).
    selection64: 64x64 float32 coverage in [0, 1] in the document's convention:
    1 = selected = regenerate. The pipeline converts it to GLIDE's keep-mask.
    clip_guidance > 0 follows the official clip_guided notebook in the base stage (text2im,
    variation, sketch; not inpaint): the noised CLIP's gradient at that scale steers the sampler,
    and classifier-free guidance is off, so `guidance` is unused and a negative prompt is refused.
    """

    mode: Mode
    prompt: str
    negative_prompt: str = ""
    seed: int = 0
    sampler: SamplerName = SamplerName.ANCESTRAL
    steps: int = 100
    upsample_steps: int = 27
    upsample_sampler: SamplerName | None = None  # None: the notebooks' choice for the mode
    guidance: float = 5.0
    clip_guidance: float = 0.0  # 0 = off; > 0 = CLIP guidance scale (the notebook uses 3.0)
    candidates: int = 4
    strength: float = 0.6  # SDEdit: how far the source is noised, 0..1
    upsample: bool = True
    source256: np.ndarray | None = field(default=None, repr=False, compare=False)
    selection64: np.ndarray | None = field(default=None, repr=False, compare=False)
    device: str = "auto"  # auto | cpu | cuda
    precision: Precision = Precision.AUTO
    # Whether Progress events carry preview images; off skips making them (the progress still counts).
    previews: bool = True


class InvalidRequest(ValueError):
    """A request or an input file the engine cannot use; the message is written for the user."""


STAGE_BASE = "base"  # the 64 px stage that makes the candidates
STAGE_UPSAMPLE = "upsample"  # the 256 px super-resolution stage


@dataclass(frozen=True)
class Progress:
    """One sampler step done; preview is the predicted clean image, N x h x w x 3 uint8 (None when
    previews are off)."""

    stage: str  # "base" or "upsample"
    step: int
    total: int
    preview: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Candidates:
    """The base stage's results: N x 64 x 64 x 3 uint8."""

    images64: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True)
class Result:
    """One upsampled result: 256 x 256 x 3 uint8, with the candidate it came from."""

    image256: np.ndarray = field(repr=False, compare=False)
    candidate: int = 0


Event = Progress | Candidates | Result
