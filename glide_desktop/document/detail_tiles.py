"""The detail pass's geometry: rounds of scale, overlapping 256 px tiles, their order and their seams.

A generated result is GLIDE's 256 px image stretched over its crop, so on a large photo it is
blurry. The upsample-inpaint model paints 4x detail into a 256 px tile given a 64 px version of
it; covering the selection with such tiles at the document's resolution (in rounds of at most 4x
when the gap is larger) brings the result up to the photo's own resolution. Tiles are painted in
order: a later tile keeps what earlier ones painted in its overlap (as known pixels, so the model
continues their texture) and only a narrow seam is painted again and blended. Pure numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from glide_desktop.document.geometry import Rect

TILE = 256  # the upsampler's image size
LOW_RES = 64  # its low-resolution input
OVERLAP = 64  # working pixels shared by neighbouring tiles (at least)
# Working pixels at the inner edge of what earlier tiles painted that a later tile paints again and
# blends in with a linear ramp; deeper in, the later tile keeps the earlier pixels (GLIDE continues them).
SEAM = 16
MAX_ROUND_GAIN = 4.0  # the upsampler paints 4x detail: a larger gap is closed in several rounds
SELECTED = 1.0 / 255.0  # coverage under one 8-bit step is not selected (the engine's threshold too)


def effective_upscale(crop_side: int, generated_side: int = TILE) -> float:
    """How far a generated image is stretched: document pixels per generated pixel."""
    if crop_side <= 0 or generated_side <= 0:
        raise ValueError(f"sizes must be positive, got crop {crop_side} and generated {generated_side}")
    return crop_side / generated_side


def round_scales(upscale: float, max_gain: float = MAX_ROUND_GAIN) -> list[float]:
    """Working scales (working px per document px) of each round, equal gains, the last one native (1).

    An upscale of 4 or less is one round at the document's resolution; 6x is two rounds of about
    2.45x each: the first at 1/2.45 of the document's resolution, the second at 1.
    """
    if upscale <= 1.0:
        return []
    rounds = max(1, math.ceil(math.log(upscale) / math.log(max_gain) - 1e-9))
    return [upscale ** (k / rounds - 1.0) for k in range(1, rounds)] + [1.0]


def tile_starts(length: int, tile: int = TILE, overlap: int = OVERLAP) -> list[int]:
    """Where tiles start along an axis of `length` (>= tile): evenly spread, overlapping >= overlap."""
    if length < tile:
        raise ValueError(f"an axis of {length} px is shorter than one {tile} px tile")
    if length == tile:
        return [0]
    count = math.ceil((length - overlap) / (tile - overlap))
    return [round(i * (length - tile) / (count - 1)) for i in range(count)]


def tile_grid(width: int, height: int, tile: int = TILE, overlap: int = OVERLAP) -> list[Rect]:
    """Overlapping tile x tile rects covering a width x height working image, row by row."""
    return [Rect(x, y, tile, tile) for y in tile_starts(height, tile, overlap)
            for x in tile_starts(width, tile, overlap)]


def touched_tiles(tiles: Sequence[Rect], coverage: np.ndarray) -> list[Rect]:
    """The tiles holding at least one selected pixel; the others would change nothing and are skipped."""
    return [rect for rect in tiles if bool(np.any(coverage[rect.slices()] >= SELECTED))]


def grown_span(start: int, length: int, need: int, extent: int) -> tuple[int, int]:
    """A span of at least `need` around [start, start + length), inside [0, extent) when it fits."""
    if length >= need:
        return start, length
    if need >= extent:
        return (extent - need) // 2, need  # centred: the document is smaller than one tile here
    grown = start + (length - need) // 2
    return min(max(grown, 0), extent - need), need


def detail_region(bbox: Rect, width: int, height: int, min_side: int) -> Rect:
    """The selection's bounding box grown to at least min_side per axis (the smallest round's tile)."""
    if bbox.is_empty():
        raise ValueError("the selection is empty: nothing to detail")
    x, w = grown_span(bbox.x, bbox.w, min_side, width)
    y, h = grown_span(bbox.y, bbox.h, min_side, height)
    return Rect(x, y, w, h)


def paint_groups(tiles: Sequence[Rect], gap: int = SEAM) -> list[list[int]]:
    """The tiles' indices in painting order, in groups whose tiles lie at least `gap` px apart.

    Greedy colouring in the tiles' order: where neighbours are far enough apart that is four groups,
    a checkerboard of rows and columns; on a dense grid, more. A group's tiles can be painted at once
    (one batch); a later group's tiles keep what the earlier groups painted in their overlaps. The
    gap leaves unpainted pixels between a group's tiles, so no two of them meet without a later tile
    painting over their seam.
    """
    groups: list[list[int]] = []
    for index, rect in enumerate(tiles):
        near = rect.expand(gap)
        free = next((group for group in groups
                     if not any(not near.intersect(tiles[other]).is_empty() for other in group)), None)
        if free is None:
            groups.append([index])
        else:
            free.append(index)
    return groups


def painted_depth(rect: Rect, earlier: Sequence[Rect], seam: int = SEAM) -> np.ndarray:
    """How deep each pixel of rect lies inside the area earlier tiles painted, rect.h x rect.w uint8.

    0 where no earlier tile reaches, else the chessboard distance (1, 2, ...) to the nearest pixel
    of rect they did not paint, capped at seam + 1: the band from 1 to seam is painted again and
    blended (seam_weight), deeper pixels are kept as painted (kept_by_earlier). The rect's own
    border does not count as an edge.
    """
    painted = np.zeros((rect.h, rect.w), bool)
    for other in earlier:
        shared = rect.intersect(other)
        if not shared.is_empty():
            painted[shared.translate(-rect.x, -rect.y).slices()] = True
    depth = np.zeros((rect.h, rect.w), np.uint8)
    for _ in range(seam + 1):
        if not painted.any():
            break
        depth += painted
        padded = np.pad(painted, 1, constant_values=True)  # beyond the rect counts as painted
        painted = np.logical_and.reduce([padded[dy: dy + rect.h, dx: dx + rect.w]
                                         for dy in range(3) for dx in range(3)])
    return depth


def kept_by_earlier(depth: np.ndarray, seam: int = SEAM) -> np.ndarray:
    """Where a tile keeps what earlier tiles painted: deeper inside it than the seam band."""
    return depth > seam


def seam_weight(depth: np.ndarray, seam: int = SEAM) -> np.ndarray:
    """The new tile's share of each pixel: 1 where nothing was painted, falling linearly across the
    seam band to 0 where the earlier pixels are kept."""
    return 1.0 - np.minimum(depth, seam + 1).astype(np.float32) / (seam + 1)
