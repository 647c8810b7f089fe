"""The detail pass's tiling and blending: coverage, overlap, weights, rounds."""

from __future__ import annotations

import numpy as np
import pytest

from glide_desktop.document.detail_tiles import (
    OVERLAP,
    TILE,
    blend_tiles,
    detail_region,
    effective_upscale,
    round_scales,
    tile_grid,
    tile_starts,
    tile_weight,
    touched_tiles,
    weight_total,
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


def test_weights_sum_to_one_over_the_covered_area() -> None:
    width, height = 1000, 700
    tiles = tile_grid(width, height)
    total = weight_total(tiles, width, height)
    assert np.all(total > 0)
    normalised = np.zeros((height, width))
    for rect in tiles:
        normalised[rect.slices()] += tile_weight(rect, width, height) / total[rect.slices()]
    np.testing.assert_allclose(normalised, 1.0, rtol=1e-12)


def test_a_tile_weight_ramps_only_towards_its_neighbours() -> None:
    corner = tile_weight(Rect(0, 0, TILE, TILE), 1000, 1000)
    assert corner[0, 0] == 1.0  # the image's edge: no neighbour to blend with
    assert corner[-1, -1] < 0.01 and corner[-1, -1] > 0  # inner corner fades out, never to zero
    inner = tile_weight(Rect(300, 300, TILE, TILE), 1000, 1000)
    assert inner[0, TILE // 2] < 0.01 and inner[TILE // 2, TILE // 2] == 1.0


def test_blending_identical_tiles_reproduces_the_image_exactly() -> None:
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (700, 1000, 3), dtype=np.uint8)
    tiles = tile_grid(1000, 700)
    painted = [image[rect.slices()].copy() for rect in tiles]
    base = np.zeros_like(image)
    np.testing.assert_array_equal(blend_tiles(tiles, painted, base), image)


def test_blending_is_smooth_across_a_seam() -> None:
    """Two flat tiles of different colour meet in a ramp, not a step."""
    tiles = tile_grid(448, 256)  # two tiles, overlapping by 64 px
    assert len(tiles) == 2
    painted = [np.full((TILE, TILE, 3), 0, np.uint8), np.full((TILE, TILE, 3), 200, np.uint8)]
    row = blend_tiles(tiles, painted, np.zeros((256, 448, 3), np.uint8))[128, :, 0].astype(int)
    assert row[0] == 0 and row[-1] == 200
    assert np.all(np.diff(row) >= 0) and np.max(np.diff(row)) <= 200 // OVERLAP + 2


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
