"""A detail pass's plan: tile inputs, rounds, and the result landing only inside the selection."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from glide_desktop.document.detail_plan import DetailPlan, apply_detail, plan_region
from glide_desktop.document.detail_tiles import SEAM, TILE, seam_weight
from glide_desktop.document.geometry import Rect

BOX = Rect(300, 200, 500, 400)


def _document(width: int = 1200, height: int = 900, box: Rect = BOX):
    rng = np.random.default_rng(0)
    original = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    coverage = np.zeros((height, width), np.float32)
    coverage[box.slices()] = 1.0
    current = original.copy()
    current[box.slices()] = (40, 90, 160)  # the generated result, flat
    return original, current, coverage


def _paint_tiles(plan: DetailPlan, colour: tuple[int, int, int]) -> tuple[np.ndarray, list]:
    """Run every round with a stand-in painter that returns one flat colour per tile."""
    working, seen = plan.start(), []
    for index in range(plan.rounds):
        tiles = []
        for group in range(len(plan.groups(index))):
            inputs = plan.tiles(index, working, group)
            tiles.extend(inputs)
            working = plan.paint(index, working, group,
                                 [np.full((TILE, TILE, 3), colour, np.uint8) for _ in inputs])
        seen.append(tiles)
        working = plan.next_round(index, working)
    return working, seen


def test_tile_inputs_are_low_res_current_known_original_and_the_selection() -> None:
    original, current, coverage = _document()
    plan = DetailPlan.from_document(original, current, coverage, upscale=2.0)
    assert plan.rounds == 1 and plan.region == Rect(300, 200, 500, 400)
    tiles = plan.tiles(0, plan.start(), 0)  # the first group: nothing painted before it
    # 3 x 2 tiles over 500 x 400, each overlapping all the others: one at a time.
    assert plan.total_tiles == 6 and plan.groups(0) == [[0], [1], [2], [3], [4], [5]]
    first = tiles[0]
    assert first.low_res.shape == (64, 64, 3) and first.low_res.dtype == np.uint8
    np.testing.assert_array_equal(first.low_res[20, 20], (40, 90, 160))  # the current result, reduced
    x, y, w, h = first.rect
    assert (w, h) == (TILE, TILE)
    np.testing.assert_array_equal(first.known, original[y:y + h, x:x + w])  # original pixels of the tile
    np.testing.assert_array_equal(first.selection, coverage[y:y + h, x:x + w])


def test_a_later_tile_keeps_what_an_earlier_one_painted_and_blends_a_narrow_seam() -> None:
    original, current, coverage = _document(800, 400, Rect(100, 100, 400, 256))
    plan = DetailPlan.from_document(original, current, coverage, upscale=2.0)
    assert plan.groups(0) == [[0], [1]]  # two tiles 144 px apart, sharing 112 columns
    rng = np.random.default_rng(2)
    first_paint = rng.integers(0, 256, (TILE, TILE, 3), dtype=np.uint8)  # texture to continue
    working = plan.paint(0, plan.start(), 0, [first_paint])
    second = plan.tiles(0, working, 1)[0]
    kept = slice(0, 112 - SEAM)  # the second tile's columns
    np.testing.assert_array_equal(second.known[:, kept], first_paint[:, 144: 256 - SEAM])
    assert np.all(second.selection[:, kept] == 0)  # the mask keeps them
    assert np.all(second.selection[:, kept.stop:] == 1)  # the seam band and its own part: regenerated
    np.testing.assert_array_equal(second.known[:, 112:], original[100:356, 356:500])
    np.testing.assert_array_equal(second.low_res, np.asarray(
        Image.fromarray(working[:, 144:400]).resize((64, 64), Image.Resampling.LANCZOS)))
    white = np.full((TILE, TILE, 3), 255, np.uint8)
    output = plan.finish(plan.next_round(0, plan.paint(0, working, 1, [white])))
    np.testing.assert_array_equal(output.rgb[:, : 256 - SEAM], first_paint[:, : 256 - SEAM])
    assert np.all(output.rgb[:, 256:] == 255)
    weight = seam_weight(np.arange(SEAM, 0, -1, dtype=np.uint8))[None, :, None]  # the new tile's share
    expected = np.rint(weight * 255 + (1 - weight) * first_paint[:, 256 - SEAM:]).astype(np.uint8)
    np.testing.assert_array_equal(output.rgb[:, 256 - SEAM: 256], expected)  # a linear ramp, 16 px wide
    assert 0 < weight.min() and weight.max() < 1


def test_outside_the_selection_nothing_changes() -> None:
    original, current, coverage = _document()
    coverage[200:210, 300:310] = 0.0  # a hole in the selection stays as it was too
    plan = DetailPlan.from_document(original, current, coverage, upscale=3.0)
    working, _ = _paint_tiles(plan, (250, 10, 10))
    output = plan.finish(working)
    layer = np.zeros((900, 1200, 4), np.uint8)
    layer[..., :3] = current
    layer[..., 3] = np.rint(coverage * 255)
    rect, after = apply_detail(layer, (0, 0), output)
    new = layer.copy()
    new[rect.slices()] = after
    selected = coverage > 0
    np.testing.assert_array_equal(new[~selected], layer[~selected])  # bit-identical outside
    np.testing.assert_array_equal(new[..., 3], layer[..., 3])  # alpha untouched
    assert np.all(new[selected][:, :3] == (250, 10, 10))  # every selected pixel was painted


def test_a_tile_with_no_selection_is_skipped() -> None:
    original, current, coverage = np.zeros((900, 1200, 3), np.uint8), np.zeros((900, 1200, 3), np.uint8), \
        np.zeros((900, 1200), np.float32)
    coverage[100:120, 100:120] = 1.0  # a thin L shape: the box is 600 x 600, most tiles see nothing
    coverage[100:700, 100:120] = 1.0
    coverage[680:700, 100:700] = 1.0
    plan = DetailPlan.from_document(original, current, coverage, upscale=2.0)
    assert plan.region == Rect(100, 100, 600, 600)
    assert plan.total_tiles == 5  # of a 3 x 3 grid, the middle column and row's inner tiles are empty
    for tile in _paint_tiles(plan, (9, 9, 9))[1][0]:
        assert np.any(tile.selection > 0)


def test_a_tile_whose_selection_earlier_tiles_painted_deep_inside_is_skipped() -> None:
    coverage = np.zeros((900, 1200), np.float32)
    coverage[100:110, 100:500] = 1.0  # the top edge and the left edge of a 400 x 400 box ...
    coverage[100:500, 100:110] = 1.0
    coverage[290:310, 290:310] = 1.0  # ... and a blob the top left tile paints, far from any seam
    image = np.zeros((900, 1200, 3), np.uint8)
    plan = DetailPlan.from_document(image, image, coverage, upscale=2.0)
    assert plan.region == Rect(100, 100, 400, 400)  # 2 x 2 tiles, 144 px apart
    working, seen = _paint_tiles(plan, (7, 7, 7))
    assert plan.total_tiles == 3  # the bottom right tile would only repaint what is kept
    assert [tile.rect[:2] for tile in seen[0]] == [(100, 100), (244, 100), (100, 244)]
    assert np.all(plan.finish(working).rgb[190:210, 190:210] == 7)  # painted all the same


def test_a_large_gap_is_closed_in_rounds() -> None:
    original, current, coverage = _document(2400, 1800, Rect(400, 300, 1200, 1000))
    plan = DetailPlan.from_document(original, current, coverage, upscale=6.0)
    assert plan.rounds == 2
    assert plan.sizes[-1] == (plan.region.w, plan.region.h)
    assert plan.sizes[0][0] < plan.region.w / 2  # the first round works at about 1/2.45 of native
    working, seen = _paint_tiles(plan, (0, 255, 0))
    assert [len(tiles) for tiles in seen] == plan.tile_counts
    first_round_rect = seen[0][0].rect
    assert first_round_rect[2] > TILE * 2  # a first-round tile spans ~2.45 tiles of document pixels
    output = plan.finish(working)
    assert np.all(output.rgb[output.selected] == (0, 255, 0))


def test_a_region_past_the_document_edge_is_cut_back_to_it() -> None:
    original, current, coverage = _document(200, 900, Rect(20, 100, 100, 300))
    plan = DetailPlan.from_document(original, current, coverage, upscale=2.0)
    assert plan.region.w == TILE and plan.region.x < 0
    output = plan.finish(_paint_tiles(plan, (1, 2, 3))[0])
    assert output.rect == Rect(0, 100, 200, 300) and output.rgb.shape == (300, 200, 3)


def test_nothing_to_detail_is_refused() -> None:
    original, current, coverage = _document()
    with pytest.raises(ValueError, match="already at the document's resolution"):
        DetailPlan.from_document(original, current, coverage, upscale=1.0)
    with pytest.raises(ValueError, match="empty"):
        DetailPlan.from_document(original, current, np.zeros_like(coverage), upscale=2.0)


def test_the_region_leaves_room_for_the_first_round() -> None:
    region = plan_region(Rect(0, 0, 300, 300), 5000, 5000, upscale=8.0)  # rounds at 1/2.83 and 1
    assert region.w >= TILE * 8 ** 0.5
