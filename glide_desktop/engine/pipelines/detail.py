"""The detail pass on the engine's side: the upsample-inpaint model paints each tile of a plan.

Each tile is sampled like the 256 px upsample stage (same respacing, sampler choice and x_T
temperature): the low-resolution input is the working image reduced to 64 px, the known image the
original document pixels (and, in its overlap with tiles painted before, their pixels: the plan's
mask keeps them so the model continues their texture), the mask the selection. The plan gives the
tiles in groups that never overlap: a group runs in batches, and the next group sees it painted
in. Cancel stops between steps with no further events.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch

from glide_desktop.engine.cancel import PreviewFlag, flag_is_set
from glide_desktop.engine.detail_types import (
    DETAIL_MODEL,
    STAGE_DETAIL,
    DetailProgress,
    DetailRequest,
    DetailResult,
    DetailTile,
)
from glide_desktop.engine.device import compute_dtype, resolve_device
from glide_desktop.engine.diffusion import respaced_diffusion
from glide_desktop.engine.noise import NoiseSource, TorchNoise
from glide_desktop.engine.pipelines.conditioning import KnownImage, bind_model, encode_prompt
from glide_desktop.engine.pipelines.images import (
    selection_to_keep_mask,
    to_model_image,
    to_uint8,
)
from glide_desktop.engine.pipelines.requests import MAX_STEPS, MIN_STEPS
from glide_desktop.engine.pipelines.stages import (
    UPSAMPLE_TEMPERATURE,
    StagePlan,
    StageRun,
    run_stage,
    upsample_respacing,
)
from glide_desktop.engine.pipelines.upsample import UPSAMPLE_SIZE, upsample_sampler
from glide_desktop.engine.samplers import CancelFlag, is_cancelled
from glide_desktop.engine.types import SELECTION_THRESHOLD, Event, InvalidRequest

MAX_BATCH = 8  # tiles per model call on a GPU
TILE_BYTES_FP16 = 2 << 30  # rough peak memory per tile of the full upsampler in fp16 (not measured here)
_DETAIL_STREAM = 0xDE7A  # a random stream apart from the base and upsample stages'


def detail_batch_size(requested: int, device: torch.device) -> int:
    """Tiles per model call: as asked, else 1 on the CPU (no gain) and what free memory holds on CUDA."""
    if requested > 0:
        return requested
    if device.type != "cuda":
        return 1
    free, _ = torch.cuda.mem_get_info(device)
    return max(1, min(MAX_BATCH, int(free * 0.8) // TILE_BYTES_FP16))


def validate_detail(request: DetailRequest) -> None:
    """Raise InvalidRequest with a user-facing message when the pass cannot run."""
    if not MIN_STEPS <= request.upsample_steps <= MAX_STEPS:
        raise InvalidRequest(f"upsample steps must be between {MIN_STEPS} and {MAX_STEPS}, "
                             f"got {request.upsample_steps}")
    if request.batch < 0:
        raise InvalidRequest(f"the batch must be 0 (automatic) or more tiles, got {request.batch}")
    if request.seed < 0 or request.seed >= 2**63:
        raise InvalidRequest(f"seed must be in [0, 2^63), got {request.seed}")
    if request.plan.total_tiles == 0:
        raise InvalidRequest("the selection touches no tile: nothing to detail")


def tile_seed(seed: int, round_index: int, first_tile: int) -> int:
    """The noise seed of the batch starting at tile first_tile (in painting order) of a round."""
    sequence = np.random.SeedSequence([seed, _DETAIL_STREAM, round_index, first_tile])
    state = sequence.generate_state(2, np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1  # < 2**63, as torch's manual_seed accepts


class _Painter:
    """The loaded model, its encoded prompt per batch size, and the stage plan of one batch."""

    def __init__(self, request: DetailRequest, model: torch.nn.Module, device: torch.device) -> None:
        self.request, self.model, self.device = request, model, device
        self.respacing = upsample_respacing(request.upsample_steps)
        self.diffusion = respaced_diffusion(model.config.noise_schedule, model.config.diffusion_steps,
                                            self.respacing)
        self._text: dict[int, Any] = {}

    @property
    def steps(self) -> int:
        """Sampler steps per tile."""
        return self.diffusion.num_timesteps

    def _encoded(self, rows: int) -> Any:
        if rows not in self._text:
            self._text[rows] = encode_prompt(self.model, self.request.prompt, rows, self.device)
        return self._text[rows]

    def plan(self, tiles: Sequence[DetailTile], noise: NoiseSource) -> StagePlan:
        """The stage plan for one batch: low_res, known image and keep-mask per row."""
        rows = len(tiles)
        low_res = to_model_image(np.stack([tile.low_res for tile in tiles]), self.device)  # B, 3, 64, 64
        image = to_model_image(np.stack([tile.known for tile in tiles]), self.device)  # B, 3, 256, 256
        keep = np.stack([selection_to_keep_mask(tile.selection, UPSAMPLE_SIZE) for tile in tiles])  # B, S, S
        known = KnownImage(image=image, keep=torch.from_numpy(keep)[:, None].to(self.device))  # B, 1, S, S
        shape = (rows, 3, UPSAMPLE_SIZE, UPSAMPLE_SIZE)
        x_T = noise.randn(shape, like=torch.empty(0, device=self.device)) * UPSAMPLE_TEMPERATURE
        return StagePlan(
            name=STAGE_DETAIL, diffusion=self.diffusion,
            model_fn=bind_model(self.model, text=self._encoded(rows), low_res=low_res,
                                **known.model_inputs(rows)),
            shape=shape, sampler=upsample_sampler(known, self.request.upsample_sampler), rows=rows,
            denoised_fn=known.denoised_fn(), x_T=x_T,
        )


def kept_preview(preview: np.ndarray | None, tiles: Sequence[DetailTile]) -> np.ndarray | None:
    """The predicted tiles with the known pixels where nothing is regenerated, as the result will be."""
    if preview is None:
        return None
    known = np.stack([tile.known for tile in tiles])  # B, S, S, 3
    selected = np.stack([tile.selection for tile in tiles]) >= SELECTION_THRESHOLD  # B, S, S
    return np.where(selected[..., None], preview, known)


def _as_detail(run: StageRun, done: int, chunk: Sequence[DetailTile], steps: int, tiles: int) -> StageRun:
    """A batch's Progress events counted in tile-steps of the whole pass, with where each row lands."""
    rects = tuple(tile.rect for tile in chunk)
    try:
        while True:
            try:
                event = next(run)
            except StopIteration as stop:
                return stop.value
            yield DetailProgress(STAGE_DETAIL, done * steps + event.step * len(chunk), tiles * steps,
                                 kept_preview(event.preview, chunk), tile=done, tiles=tiles, rects=rects)
    finally:
        run.close()


def detail(request: DetailRequest, store: Any, *, cancel: CancelFlag | None = None,
           noise: NoiseSource | None = None, previews: PreviewFlag | None = None) -> Iterator[Event]:
    """Run a detail pass: DetailProgress per step of each batch of tiles, then one DetailResult.

    store loads the upsample-inpaint model (ModelStore.load_unet); noise replaces the seeded noise;
    previews (read at every step; None: always) says whether the events carry the tiles' previews.
    """
    wanted = None if previews is None else (lambda: flag_is_set(previews))
    validate_detail(request)
    device = resolve_device(request.device)
    model = store.load_unet(DETAIL_MODEL, device, compute_dtype(device, request.precision))
    painter = _Painter(request, model, device)
    plan, batch = request.plan, detail_batch_size(request.batch, device)
    total, done = plan.total_tiles, 0
    working = plan.start()
    for index in range(plan.rounds):
        position = 0  # the round's tiles painted so far: names each batch's noise
        for group in range(len(plan.groups(index))):
            tiles = list(plan.tiles(index, working, group))  # they see the groups before painted in
            painted: list[np.ndarray] = []
            for first in range(0, len(tiles), batch):
                if is_cancelled(cancel):
                    return
                chunk = tiles[first: first + batch]
                source = noise or TorchNoise(tile_seed(request.seed, index, position), device)
                run = run_stage(painter.plan(chunk, source), source, device, cancel, previews=wanted)
                images = yield from _as_detail(run, done, chunk, painter.steps, total)
                if images is None:
                    return
                painted.extend(to_uint8(images))  # B, 256, 256, 3
                done += len(chunk)
                position += len(chunk)
            working = plan.paint(index, working, group, painted)
        working = plan.next_round(index, working)
    yield DetailResult(output=plan.finish(working), tiles=total)
