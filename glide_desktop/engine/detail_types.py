"""Plain data of the detail pass that crosses the seam (no torch, no Qt).

The editor describes a pass with a plan object (document.detail_plan.DetailPlan) that the engine
drives through the DetailPlanLike protocol without knowing any geometry: the engine only paints
256 px tiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from glide_desktop.engine.types import GenerationRequest, Precision, Progress, SamplerName

STAGE_DETAIL = "detail"  # the stage name of a detail pass's Progress events
DETAIL_MODEL = "upsample_inpaint.pt"  # the network that paints the tiles


class DetailTile(Protocol):
    """One tile's model inputs."""

    low_res: np.ndarray  # 64 x 64 x 3 uint8
    known: np.ndarray  # 256 x 256 x 3 uint8: the pixels to keep where selection is 0
    selection: np.ndarray  # 256 x 256 float32 coverage, 1 = regenerate
    rect: tuple[int, int, int, int]  # where it lands in the document (for previews)


class DetailPlanLike(Protocol):
    """The rounds of a pass: working images in, tiles out in groups, painted tiles put back in order.

    The tiles of one group never overlap one another (one batch may hold several); a later group's
    inputs are read after the earlier groups are painted in, and keep what those painted.
    """

    @property
    def rounds(self) -> int: ...

    @property
    def total_tiles(self) -> int: ...

    def start(self) -> Any: ...

    def groups(self, index: int) -> Sequence[Sequence[int]]: ...

    def tiles(self, index: int, working: Any, group: int) -> Sequence[DetailTile]: ...

    def paint(self, index: int, working: Any, group: int, painted: list[np.ndarray]) -> Any: ...

    def next_round(self, index: int, working: Any) -> Any: ...

    def finish(self, working: Any) -> Any: ...


@dataclass(frozen=True)
class DetailRequest:
    """A detail pass: the plan, the prompt, and the upsampler stage's sampler and steps."""

    prompt: str
    plan: DetailPlanLike = field(repr=False, compare=False)
    seed: int = 0
    upsample_sampler: SamplerName | None = None  # None: ancestral, the notebooks' choice with known pixels
    upsample_steps: int = 27
    batch: int = 0  # tiles per model call; 0 = as many as memory allows (1 on the CPU)
    device: str = "auto"
    precision: Precision = Precision.AUTO  # as the generation's: bf16 where the CPU has it natively

    @classmethod
    def following(cls, request: GenerationRequest, plan: DetailPlanLike, batch: int = 0) -> DetailRequest:
        """A pass with the prompt, seed, device and upsampler settings of the generation it details."""
        return cls(prompt=request.prompt, plan=plan, seed=request.seed,
                   upsample_sampler=request.upsample_sampler, upsample_steps=request.upsample_steps,
                   batch=batch, device=request.device, precision=request.precision)


@dataclass(frozen=True)
class DetailProgress(Progress):
    """One sampler step of a batch of tiles; step and total count tile-steps over the whole pass."""

    tile: int = 0  # tiles finished before this batch
    tiles: int = 0  # tiles in the whole pass
    rects: tuple[tuple[int, int, int, int], ...] = ()  # where each preview row lands in the document


@dataclass(frozen=True)
class DetailResult:
    """The finished pass: whatever the plan's finish() made (document.detail_plan.DetailOutput)."""

    output: Any = field(repr=False, compare=False)
    tiles: int = 0


def estimate_seconds(tiles: int, steps: int, seconds_per_step: float) -> float:
    """How long a pass takes at a measured time per tile-step (one 256 px upsampler step)."""
    return tiles * steps * seconds_per_step
