"""The detail pass's engine side on tiny random-weight models: events, batches, seeds and cancel."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from glide_desktop.document.detail_plan import DetailOutput, DetailPlan
from glide_desktop.engine.detail_types import (
    STAGE_DETAIL,
    DetailProgress,
    DetailRequest,
    DetailResult,
    estimate_seconds,
)
from glide_desktop.engine.models import ModelStore
from glide_desktop.engine.pipelines.detail import detail, detail_batch_size, tile_seed
from glide_desktop.engine.pipelines.images import selection_to_keep_mask
from glide_desktop.engine.pipelines.model_cache import ModelCache
from glide_desktop.engine.tiny_models import write_tiny_models
from glide_desktop.engine.types import GenerationRequest, InvalidRequest, Mode, SamplerName

STEPS = 2


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ModelCache:
    torch.set_num_threads(1)
    folder = write_tiny_models(tmp_path_factory.mktemp("models"), ("upsample_inpaint.pt",))
    return ModelCache(ModelStore(folder), capacity=1)


def plan(box: tuple[int, int, int, int] = (100, 80, 400, 200), upscale: float = 2.0) -> DetailPlan:
    """A 600 x 400 photo with a flat generated result in box (x, y, w, h)."""
    rng = np.random.default_rng(5)
    original = rng.integers(0, 256, (400, 600, 3), dtype=np.uint8)
    coverage = np.zeros((400, 600), np.float32)
    x, y, w, h = box
    coverage[y:y + h, x:x + w] = 1.0
    current = original.copy()
    current[y:y + h, x:x + w] = (200, 60, 60)
    return DetailPlan.from_document(original, current, coverage, upscale)


def detail_request(the_plan: DetailPlan, **changes: object) -> DetailRequest:
    values: dict[str, object] = dict(prompt="a red fox", plan=the_plan, seed=4, upsample_steps=STEPS,
                                     upsample_sampler=SamplerName.DPMPP_2M, device="cpu")
    values.update(changes)
    return DetailRequest(**values)


def test_events_count_tile_steps_and_end_with_the_result(store: ModelCache) -> None:
    the_plan = plan()
    assert the_plan.total_tiles == 2  # 400 x 256 px: two overlapping tiles
    events = list(detail(detail_request(the_plan), store))
    progress = [e for e in events if isinstance(e, DetailProgress)]
    assert [e.step for e in progress] == [1, 2, 3, 4] and {e.total for e in progress} == {4}
    assert {e.stage for e in progress} == {STAGE_DETAIL} and [e.tile for e in progress] == [0, 0, 1, 1]
    assert progress[0].preview.shape == (1, 256, 256, 3)
    first_tile = the_plan.tiles(0, the_plan.start())[0]
    kept = first_tile.selection < 1 / 255
    np.testing.assert_array_equal(progress[0].preview[0][kept], first_tile.known[kept])  # shown as it will be
    assert progress[0].rects == (the_plan.tiles(0, the_plan.start())[0].rect,)
    assert isinstance(events[-1], DetailResult) and events[-1].tiles == 2
    output = events[-1].output
    assert isinstance(output, DetailOutput) and output.rgb.shape == (256, 400, 3)
    assert not np.all(output.rgb[output.selected] == (200, 60, 60))  # the model painted something


def test_batches_paint_several_tiles_per_step(store: ModelCache) -> None:
    events = list(detail(detail_request(plan(), batch=2), store))
    progress = [e for e in events if isinstance(e, DetailProgress)]
    assert [e.step for e in progress] == [2, 4] and progress[0].preview.shape == (2, 256, 256, 3)
    assert len(progress[0].rects) == 2 and isinstance(events[-1], DetailResult)


def test_same_seed_same_pixels_other_seed_other_pixels(store: ModelCache) -> None:
    def pixels(seed: int) -> np.ndarray:
        return list(detail(detail_request(plan((100, 80, 200, 200)), seed=seed), store))[-1].output.rgb

    first = pixels(1)  # one tile each
    np.testing.assert_array_equal(first, pixels(1))
    assert not np.array_equal(first, pixels(2))


def test_two_rounds_above_four_times(store: ModelCache) -> None:
    the_plan = plan((150, 100, 300, 200), upscale=5.0)
    assert the_plan.rounds == 2
    events = list(detail(detail_request(the_plan), store))
    last = [e for e in events if isinstance(e, DetailProgress)][-1]
    assert last.step == last.total == the_plan.total_tiles * STEPS
    assert isinstance(events[-1], DetailResult)


@pytest.mark.parametrize("after", [1, 3])
def test_cancel_stops_with_no_more_events(store: ModelCache, after: int) -> None:
    cancel = threading.Event()
    seen = []
    for event in detail(detail_request(plan()), store, cancel=cancel):
        seen.append(event)
        if len(seen) == after:
            cancel.set()
    assert len(seen) == after and not any(isinstance(e, DetailResult) for e in seen)


def test_bad_requests_are_refused(store: ModelCache) -> None:
    with pytest.raises(InvalidRequest, match="upsample steps"):
        list(detail(detail_request(plan(), upsample_steps=1), store))
    with pytest.raises(InvalidRequest, match="batch"):
        list(detail(detail_request(plan(), batch=-1), store))


def test_the_request_follows_the_generation() -> None:
    generation = GenerationRequest(mode=Mode.INPAINT, prompt="a boat", seed=9, upsample_steps=12,
                                   upsample_sampler=SamplerName.DPMPP_2M, device="cpu")
    request = DetailRequest.following(generation, plan())
    assert (request.prompt, request.seed, request.upsample_steps) == ("a boat", 9, 12)
    assert (request.upsample_sampler, request.device) == (SamplerName.DPMPP_2M, "cpu")


def test_helpers() -> None:
    assert detail_batch_size(0, torch.device("cpu")) == 1 and detail_batch_size(3, torch.device("cpu")) == 3
    assert tile_seed(1, 0, 0) != tile_seed(1, 0, 1) != tile_seed(1, 1, 0)
    assert estimate_seconds(10, 12, 0.5) == 60.0
    coverage = np.zeros((256, 256), np.float32)
    coverage[0, 0] = 1.0
    keep = selection_to_keep_mask(coverage, 256)
    assert keep.shape == (256, 256) and keep[0, 0] == 0 and keep[1, 1] == 1


def test_the_bench_table_counts_tiles_per_selection_size() -> None:
    from glide_desktop.detail_bench import report, square_plan

    assert (square_plan(512).rounds, square_plan(512).total_tiles) == (1, 9)  # 3.0x: one round
    assert square_plan(1024).rounds == 2  # 6x: two rounds
    table = report([512], per_step=2.0, steps=12).splitlines()
    assert table[-1] == "| 512 px | 3.0× | 1 | 9 | 108 | 216 |"


def test_the_detail_bench_measures_a_step_with_tiny_models(tmp_path, capsys) -> None:
    from glide_desktop.detail_bench import main

    models = write_tiny_models(tmp_path / "models", ("upsample_inpaint.pt",))
    assert main(["--models", str(models), "--device", "cpu", "--preset", "draft", "--sizes", "512"]) == 0
    printed = capsys.readouterr().out
    assert "s per 256 px upsample-inpaint step" in printed and "| 512 px |" in printed
