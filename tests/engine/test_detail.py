"""The detail pass's engine side on tiny random-weight models: events, batches, seeds and cancel."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from glide_desktop.document.detail_plan import DetailOutput, DetailPlan, apply_detail
from glide_desktop.document.detail_tiles import SEAM, TILE
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


def photo(box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 600 x 400 photo, it with a flat generated result in box (x, y, w, h), and the box's coverage."""
    rng = np.random.default_rng(5)
    original = rng.integers(0, 256, (400, 600, 3), dtype=np.uint8)
    coverage = np.zeros((400, 600), np.float32)
    x, y, w, h = box
    coverage[y:y + h, x:x + w] = 1.0
    current = original.copy()
    current[y:y + h, x:x + w] = (200, 60, 60)
    return original, current, coverage


def plan(box: tuple[int, int, int, int] = (100, 80, 400, 200), upscale: float = 2.0) -> DetailPlan:
    """The plan for photo(box)'s result."""
    return DetailPlan.from_document(*photo(box), upscale)


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
    first_tile = the_plan.tiles(0, the_plan.start(), 0)[0]
    kept = first_tile.selection < 1 / 255
    np.testing.assert_array_equal(progress[0].preview[0][kept], first_tile.known[kept])  # shown as it will be
    assert progress[0].rects == (first_tile.rect,)
    assert isinstance(events[-1], DetailResult) and events[-1].tiles == 2
    output = events[-1].output
    assert isinstance(output, DetailOutput) and output.rgb.shape == (256, 400, 3)
    assert not np.all(output.rgb[output.selected] == (200, 60, 60))  # the model painted something


def test_batches_paint_several_tiles_that_do_not_overlap_per_step(store: ModelCache) -> None:
    the_plan = plan((0, 80, 600, 200))  # 3 tiles in a row, 172 px apart: the outer two do not meet
    assert the_plan.groups(0) == [[0, 1], [2]]  # numbered in painting order: the left, the right, the middle
    assert [tile.rect[0] for tile in the_plan.tiles(0, the_plan.start(), 0)] == [0, 344]
    events = list(detail(detail_request(the_plan, batch=2), store))
    progress = [e for e in events if isinstance(e, DetailProgress)]
    assert [e.step for e in progress] == [2, 4, 5, 6] and [len(e.rects) for e in progress] == [2, 2, 1, 1]
    assert progress[0].preview.shape == (2, 256, 256, 3) and isinstance(events[-1], DetailResult)


def test_a_later_tile_keeps_the_earlier_tiles_pixels_in_their_overlap(store: ModelCache) -> None:
    box = (100, 80, 400, 200)
    original, current, coverage = photo(box)
    the_plan = DetailPlan.from_document(original, current, coverage, 2.0)
    inputs, painted = [], []
    tiles, paint = the_plan.tiles, the_plan.paint

    def recorded_tiles(index, working, group):
        inputs.append(tiles(index, working, group))
        return inputs[-1]

    def recorded_paint(index, working, group, images):
        painted.append([image.copy() for image in images])
        return paint(index, working, group, images)

    the_plan.tiles, the_plan.paint = recorded_tiles, recorded_paint
    output = list(detail(detail_request(the_plan), store))[-1].output
    first, second = inputs[0][0], inputs[1][0]
    shift = second.rect[0] - first.rect[0]  # 144 px: the tiles share 112 columns
    deep = slice(0, TILE - shift - SEAM)  # the second tile's columns kept from the first
    seam = slice(TILE - shift - SEAM, TILE - shift)  # painted again and blended
    selected = first.selection[:, shift: TILE - SEAM] >= 1 / 255  # rows of the box, in the kept columns
    assert selected.any() and not selected.all()
    first_output = painted[0][0][:, shift: TILE - SEAM]
    np.testing.assert_array_equal(second.known[:, deep][selected], first_output[selected])
    assert np.all(selection_to_keep_mask(second.selection, TILE)[:, deep] == 1)  # kept: the first's pixels
    assert np.all(second.selection[:, seam][first.selection[:, TILE - SEAM:] >= 1 / 255] == 1)
    # In the document: the kept columns are the first tile's pixels exactly, the rest is the second's.
    left = first.rect[0] - output.rect.x
    kept_out = output.rgb[:, left + shift: left + TILE - SEAM]
    np.testing.assert_array_equal(kept_out[selected], first_output[selected])
    fresh = output.rgb[:, left + TILE: left + shift + TILE]
    second_own = painted[1][0][:, TILE - shift:][second.selection[:, TILE - shift:] >= 1 / 255]
    np.testing.assert_array_equal(fresh[output.selected[:, left + TILE: left + shift + TILE]], second_own)
    # Outside the selection the layer stays bit-identical, and the same seed paints the same pixels.
    layer = np.dstack([current, np.rint(coverage * 255).astype(np.uint8)])
    rect, after = apply_detail(layer, (0, 0), output)
    new = layer.copy()
    new[rect.slices()] = after
    np.testing.assert_array_equal(new[coverage == 0], layer[coverage == 0])
    again = list(detail(detail_request(plan(box)), store))[-1].output
    np.testing.assert_array_equal(again.rgb, output.rgb)


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


def test_previews_off_paint_the_same_pixels_without_preview_images(store: ModelCache) -> None:
    wanted = threading.Event()  # clear: the artist switched Live preview off
    quiet = list(detail(detail_request(plan()), store, previews=wanted))
    assert all(e.preview is None for e in quiet if isinstance(e, DetailProgress))
    shown = list(detail(detail_request(plan()), store))
    np.testing.assert_array_equal(quiet[-1].output.rgb, shown[-1].output.rgb)
