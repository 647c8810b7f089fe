"""The detail pass's tiling: coverage, overlap, painting order, seams, rounds."""

from __future__ import annotations

import numpy as np
import pytest

from glide_desktop.document.detail_tiles import (
    OVERLAP,
    SEAM,
    TILE,
    detail_region,
    effective_upscale,
    kept_by_earlier,
    paint_groups,
    painted_depth,
    round_scales,
    seam_weight,
    tile_grid,
    tile_starts,
    touched_tiles,
)
from glide_desktop.document.geometry import Rect


@pytest.mark.parametrize("length", [256, 257, 300, 448, 449, 1000, 1024, 2048, 6000])
def test_tiles_cover_the_axis_with_at_least_the_overlap(length: int) -> None:
    starts = tile_starts(length)
    assert starts[0] == 0 and starts[-1] + TILE == length
    gaps = np.diff(starts)
    assert np.all(gaps > 0) or len(starts) == 1
    assert np.all(TILE - gaps >= OVERLAP)  # neighbours share at least the blend ramp


def test_a_short_axis_is_refused() -> None:
    with pytest.raises(ValueError, match="shorter"):
        tile_starts(200)


@pytest.mark.parametrize(("width", "height"), [(256, 256), (1000, 700), (513, 2048)])
def test_the_grid_covers_every_pixel(width: int, height: int) -> None:
    covered = np.zeros((height, width), bool)
    for rect in tile_grid(width, height):
        assert Rect(0, 0, width, height).contains(rect) and (rect.w, rect.h) == (TILE, TILE)
        covered[rect.slices()] = True
    assert covered.all()


@pytest.mark.parametrize(("width", "height", "groups"), [(2000, 1400, 4), (500, 400, 6), (256, 256, 1)])
def test_painting_groups_hold_tiles_apart_and_cover_each_tile_once(width: int, height: int,
                                                                    groups: int) -> None:
    tiles = tile_grid(width, height)
    found = paint_groups(tiles)
    assert len(found) == groups and sorted(i for group in found for i in group) == list(range(len(tiles)))
    for group in found:
        for a in group:
            for b in group:
                assert a == b or tiles[a].expand(SEAM).intersect(tiles[b]).is_empty()


def test_the_depth_counts_into_what_earlier_tiles_painted_from_its_inner_edge() -> None:
    rect = Rect(144, 0, TILE, TILE)
    depth = painted_depth(rect, [Rect(0, 0, TILE, TILE), Rect(600, 0, TILE, TILE)])  # the second is far
    assert depth.shape == (TILE, TILE) and depth.dtype == np.uint8
    row = depth[TILE // 2]
    assert row[112:].max() == 0  # not painted before
    assert list(row[112 - SEAM - 1: 112]) == [SEAM + 1] + list(range(SEAM, 0, -1))  # the seam band
    assert np.all(row[: 112 - SEAM] == SEAM + 1)
    np.testing.assert_array_equal(depth[0], row)  # the tile's own border is no edge
    assert not painted_depth(rect, []).any()


def test_seam_weights_ramp_from_the_new_tile_to_the_kept_pixels() -> None:
    depth = np.arange(SEAM + 2, dtype=np.uint8)
    weight = seam_weight(depth)
    assert weight[0] == 1.0 and weight[-1] == 0.0 and np.all(np.diff(weight) < 0)
    np.testing.assert_array_equal(kept_by_earlier(depth), depth == SEAM + 1)


def test_untouched_tiles_are_skipped() -> None:
    coverage = np.zeros((700, 1000), np.float32)
    coverage[10:20, 10:20] = 1.0  # only the top-left tile
    tiles = tile_grid(1000, 700)
    assert touched_tiles(tiles, coverage) == [tiles[0]]
    coverage[:] = 0.5 / 255  # invisible coverage selects nothing
    assert touched_tiles(tiles, coverage) == []


@pytest.mark.parametrize(("upscale", "rounds"),
                         [(1.5, 1), (4.0, 1), (4.1, 2), (6.0, 2), (16.0, 2), (23.4, 3)])
def test_rounds_never_gain_more_than_four_times(upscale: float, rounds: int) -> None:
    scales = round_scales(upscale)
    assert len(scales) == rounds and scales[-1] == 1.0
    gains = np.diff(np.log([1.0 / upscale, *scales]))
    assert np.all(gains <= np.log(4.0) + 1e-9)
    np.testing.assert_allclose(gains, gains[0])  # equal steps


def test_no_rounds_at_native_resolution() -> None:
    assert round_scales(1.0) == [] and round_scales(0.5) == []
    assert effective_upscale(1536) == 6.0


def test_the_region_grows_to_one_tile_and_stays_in_the_document() -> None:
    assert detail_region(Rect(10, 500, 40, 1000), 2000, 2000, TILE) == Rect(0, 500, TILE, 1000)
    assert detail_region(Rect(1990, 0, 10, 300), 2000, 2000, TILE) == Rect(2000 - TILE, 0, TILE, 300)
    # A document narrower than a tile: the region is centred and reaches past both edges.
    assert detail_region(Rect(0, 0, 100, 300), 100, 2000, TILE) == Rect(-78, 0, TILE, 300)
    with pytest.raises(ValueError, match="empty"):
        detail_region(Rect(0, 0, 0, 0), 100, 100, TILE)
