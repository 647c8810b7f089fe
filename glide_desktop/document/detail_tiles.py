"""The detail pass's geometry: rounds of scale, overlapping 256 px tiles and feathered blending.

A generated result is GLIDE's 256 px image stretched over its crop, so on a large photo it is
blurry. The upsample-inpaint model paints 4x detail into a 256 px tile given a 64 px version of
it; covering the selection with such tiles at the document's resolution (in rounds of at most 4x
when the gap is larger) brings the result up to the photo's own resolution. Pure numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from glide_desktop.document.geometry import Rect

TILE = 256  # the upsampler's image size
LOW_RES = 64  # its low-resolution input
OVERLAP = 64  # working pixels shared by neighbouring tiles, blended with a linear ramp
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


def feather_ramp(start: int, length: int, extent: int, overlap: int = OVERLAP) -> np.ndarray:
    """One axis of a tile's blend weight: rising over `overlap` px from inner edges, flat at the image's."""
    position = np.arange(length, dtype=np.float64) + 0.5
    ramp = np.ones(length, np.float64)
    if start > 0:
        ramp = np.minimum(ramp, position / overlap)
    if start + length < extent:
        ramp = np.minimum(ramp, (length - position) / overlap)
    return ramp  # > 0 everywhere, so every pixel of a tile counts a little


def tile_weight(rect: Rect, width: int, height: int, overlap: int = OVERLAP) -> np.ndarray:
    """A tile's feathered blend weight, rect.h x rect.w float64 (before normalising)."""
    rows = feather_ramp(rect.y, rect.h, height, overlap)
    return np.outer(rows, feather_ramp(rect.x, rect.w, width, overlap))


def weight_total(tiles: Sequence[Rect], width: int, height: int) -> np.ndarray:
    """The sum of every tile's weight per pixel: > 0 exactly where some tile covers it."""
    total = np.zeros((height, width), np.float64)
    for rect in tiles:
        total[rect.slices()] += tile_weight(rect, width, height)
    return total


def blend_tiles(tiles: Sequence[Rect], images: Sequence[np.ndarray], base: np.ndarray) -> np.ndarray:
    """The tiles' images (tile x tile x 3 uint8) blended with normalised feathered weights over base.

    Each pixel becomes sum(w_i * image_i) / sum(w_i) over the tiles covering it, so the weights sum
    to one there and identical tiles give back exactly their pixels; pixels no tile covers keep base.
    """
    if len(tiles) != len(images):
        raise ValueError(f"{len(tiles)} tiles but {len(images)} images")
    height, width = base.shape[:2]
    accumulated = np.zeros((height, width, 3), np.float64)
    for rect, image in zip(tiles, images):
        if image.shape != (rect.h, rect.w, 3):
            raise ValueError(f"a tile image is {image.shape}, its tile is {rect}")
        accumulated[rect.slices()] += tile_weight(rect, width, height)[..., None] * image
    total = weight_total(tiles, width, height)
    covered = total > 0
    out = base.copy()
    out[covered] = np.clip(np.rint(accumulated[covered] / total[covered][:, None]), 0, 255).astype(np.uint8)
    return out
