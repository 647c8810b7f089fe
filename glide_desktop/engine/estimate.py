"""How long a request will take, per stage, from measured seconds per step (no torch, no Qt).

The base stage samples every candidate in one batch; its cost grows with the number of rows, so a
step costs about `candidates` times the step of one candidate (with classifier-free guidance one
candidate is two rows: prompt and empty prompt). On a CPU the batch gains little from its size, so
the estimate is linear, and a little pessimistic for large batches. The upsampler runs the chosen
candidates one after another, one row each. SDEdit (variation, sketch) starts part-way down the
schedule, so it runs only the steps below its strength.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from glide_desktop.engine.types import GenerationRequest, Mode

# Seconds per step measured on the project's 2-core Xeon (fp32, 2 threads, full-size networks, random
# weights; issue 8): a base-inpaint step for one candidate (its two guidance rows), an upsample-inpaint
# step for one candidate. Starting values until the app has measured the machine it runs on.
CPU_BASE_STEP_S = 3.7
CPU_UPSAMPLE_STEP_S = 9.4


@dataclass(frozen=True)
class StageTimes:
    """Estimated seconds of each stage of one request."""

    base: float
    upsample: float

    @property
    def total(self) -> float:
        """Both stages together."""
        return self.base + self.upsample


def sdedit_start(strength: float, steps: int) -> int:
    """The respaced index SDEdit starts from: strength 1 is pure noise, small strengths stay close."""
    return min(steps - 1, max(0, math.ceil(strength * steps) - 1))


def base_steps(request: GenerationRequest) -> int:
    """How many sampler steps the base stage runs for the request."""
    if request.mode in (Mode.VARIATION, Mode.SKETCH):
        return sdedit_start(request.strength, request.steps) + 1
    return request.steps


def upsample_steps(request: GenerationRequest) -> int:
    """How many sampler steps the upsampler runs per candidate (fast27 has 27, as its name says)."""
    return request.upsample_steps


def estimate_seconds(request: GenerationRequest, base_step_s: float, upsample_step_s: float,
                     upsampled: int | None = None) -> StageTimes:
    """Seconds of each stage: base_step_s and upsample_step_s are one candidate's seconds per step.

    upsampled: how many candidates are upsampled (default: all of them when request.upsample is on).
    """
    if base_step_s < 0 or upsample_step_s < 0:
        raise ValueError("seconds per step cannot be negative")
    count = (request.candidates if request.upsample else 0) if upsampled is None else upsampled
    base = base_steps(request) * request.candidates * base_step_s
    return StageTimes(base=base, upsample=upsample_steps(request) * max(0, count) * upsample_step_s)


def remaining_seconds(total_steps: int, done_steps: int, elapsed_s: float, estimate_s: float) -> float:
    """Seconds left in a stage: from the measured pace once a step is done, else from the estimate."""
    if done_steps <= 0:
        return max(0.0, estimate_s - elapsed_s)
    return max(0.0, elapsed_s / done_steps * (total_steps - done_steps))
