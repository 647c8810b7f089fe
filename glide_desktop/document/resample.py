"""High-quality resampling of pixels through an affine map (Free Transform's apply).

Whole-pixel maps (90° turns, flips, integer moves) reindex the array exactly. Scaling without a turn
runs Pillow's resize (Lanczos; bicubic when it only enlarges, which rings less at hard edges); anything
with a turn runs Pillow's bicubic affine transform, after a Lanczos reduction when it shrinks (bicubic
alone would alias). Colour is resampled premultiplied by alpha in float32, so transparent neighbours
never darken an edge; output is computed in blocks on the compositor's threads (Pillow drops the GIL),
each block reading only the source it needs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from glide_desktop.document.affine import Affine
from glide_desktop.document.compositing import parallel_map
from glide_desktop.document.geometry import Rect

BLOCK = 256  # output pixels across a block computed in one go
BICUBIC_MARGIN = 3  # the bicubic kernel reaches 2 px; one more for rounding
REDUCE_BELOW = 0.75  # a turn that shrinks more than this along an axis is Lanczos-reduced first
_LANCZOS, _BICUBIC = Image.Resampling.LANCZOS, Image.Resampling.BICUBIC


@dataclass(frozen=True)
class Kind:
    """How an array is resampled: RGBA (premultiplied), a grey mask (edges replicated) or coverage."""

    name: str

    def to_planes(self, array: np.ndarray) -> np.ndarray:
        """H, W[, 4] -> C, H, W float32 in [0, 1] (colour premultiplied)."""
        if self.name == "rgba":
            planes = np.moveaxis(array, 2, 0).astype(np.float32) * np.float32(1 / 255)
            planes[:3] *= planes[3]
            return planes
        if self.name == "grey":
            return (array.astype(np.float32) * np.float32(1 / 255))[None]
        return array.astype(np.float32, copy=False)[None]

    def from_planes(self, planes: np.ndarray) -> np.ndarray:
        """The inverse of to_planes, clipped and rounded (bicubic and Lanczos overshoot a little)."""
        if self.name == "rgba":
            alpha = np.clip(planes[3], 0.0, 1.0)
            colour = np.minimum(np.maximum(planes[:3], 0.0), alpha)
            np.divide(colour, alpha, out=colour, where=alpha > 0)
            out = np.empty((*alpha.shape, 4), np.uint8)
            out[..., :3] = np.rint(np.moveaxis(colour, 0, 2) * 255)
            out[..., 3] = np.rint(alpha * 255)
            out[out[..., 3] == 0] = 0  # no colour where nothing shows
            return out
        if self.name == "grey":
            return np.rint(np.clip(planes[0], 0.0, 1.0) * 255).astype(np.uint8)
        return np.clip(planes[0], 0.0, 1.0)

    @property
    def fill(self) -> float:
        """What lies past the source: nothing, except a mask, which shows the layer there (white)."""
        return 1.0 if self.name == "grey" else 0.0

    @property
    def pad_mode(self) -> str:
        # A mask keeps its edge value past the piece; colour and coverage fade into nothing.
        return "edge" if self.name == "grey" else "constant"


RGBA, GREY, COVERAGE = Kind("rgba"), Kind("grey"), Kind("coverage")


def warp(array: np.ndarray, kind: Kind, to_doc: Affine, out_rect: Rect) -> np.ndarray:
    """array (its pixel (0, 0) at the origin) mapped by to_doc, read over out_rect (document pixels)."""
    if to_doc.quarter_turn():
        return _reindex(array, kind, to_doc, out_rect)
    if to_doc.axis_aligned:
        return _scaled(array, kind, to_doc, out_rect)
    return _turned(array, kind, to_doc, out_rect)


def _blank(kind: Kind, rect: Rect) -> np.ndarray:
    shape = (rect.h, rect.w, 4) if kind is RGBA else (rect.h, rect.w)
    if kind is GREY:
        return np.full(shape, 255, np.uint8)
    return np.zeros(shape, np.float32 if kind is COVERAGE else np.uint8)


def _reindex(array: np.ndarray, kind: Kind, to_doc: Affine, out_rect: Rect) -> np.ndarray:
    """Exact: 90° steps and flips reorder pixels, integer moves place them."""
    moved = array.swapaxes(0, 1) if abs(to_doc.b) > 0.5 else array
    if to_doc.a + to_doc.b < 0:
        moved = moved[:, ::-1]
    if to_doc.d + to_doc.e < 0:
        moved = moved[::-1]
    placed = to_doc.bounds(Rect(0, 0, array.shape[1], array.shape[0]))
    out = _blank(kind, out_rect)
    part = placed.intersect(out_rect)
    if not part.is_empty():
        out[part.slices(out_rect.x, out_rect.y)] = moved[part.slices(placed.x, placed.y)]
    return out


def _padded(array: np.ndarray, kind: Kind, mx: int, my: int) -> np.ndarray:
    pad = ((my, my), (mx, mx)) + (((0, 0),) if array.ndim == 3 else ())
    return np.pad(array, pad, mode=kind.pad_mode)


def _in_blocks(out_rect: Rect, kind: Kind, block: Callable[[Rect], np.ndarray]) -> np.ndarray:
    """Fill out_rect block by block (document coordinates), the blocks on the compositor's threads."""
    out = _blank(kind, out_rect)
    blocks = [Rect.from_edges(x, y, min(out_rect.right, x + BLOCK), min(out_rect.bottom, y + BLOCK))
              for y in range(out_rect.y, out_rect.bottom, BLOCK)
              for x in range(out_rect.x, out_rect.right, BLOCK)]

    def fill(rect: Rect) -> None:
        out[rect.slices(out_rect.x, out_rect.y)] = block(rect)

    parallel_map(fill, blocks)
    return out


def _through_pillow(kind: Kind, source: np.ndarray, run: Callable[[Image.Image], Image.Image],
                    rect: Rect, planar: bool = False) -> np.ndarray:
    """run (a resize or transform to rect's size) over a cut-out of the source, as kind's output.

    Opaque RGBA cut-outs (most of a photo) go through Pillow's 8-bit RGB in one call, which is exact
    for them; clear ones give nothing; the rest, premultiplied float32 plane by plane (planar: the
    source is such planes already).
    """
    if planar:
        planes = source
    elif kind is RGBA:
        alpha = source[..., 3]
        if not alpha.any():
            return _blank(kind, rect)
        if alpha.min() == 255:
            out = np.empty((rect.h, rect.w, 4), np.uint8)
            out[..., :3] = np.asarray(run(Image.fromarray(np.ascontiguousarray(source[..., :3]), "RGB")))
            out[..., 3] = 255
            return out
        planes = kind.to_planes(source)
    else:
        planes = kind.to_planes(source)
    return kind.from_planes(np.stack([np.asarray(run(Image.fromarray(np.ascontiguousarray(plane))))
                                      for plane in planes]))


def _scaled(array: np.ndarray, kind: Kind, to_doc: Affine, out_rect: Rect) -> np.ndarray:
    """Scale (and flip, and move by any fraction) through Pillow's resize box: Lanczos, bicubic to enlarge."""
    h, w = array.shape[:2]
    if to_doc.a < 0:  # resize cannot mirror: flip first, then scale by the positive factor
        array, to_doc = array[:, ::-1], Affine.scaling(-1, 1, w / 2, 0).then(to_doc)
    if to_doc.e < 0:
        array, to_doc = array[::-1], Affine.scaling(1, -1, 0, h / 2).then(to_doc)
    # Lanczos keeps a reduction sharp; enlarging, it rings at hard edges: bicubic rings far less.
    kernel, support = (_BICUBIC, 2) if min(to_doc.a, to_doc.e) >= 1.0 else (_LANCZOS, 3)
    # What an output pixel's filter reads, in source pixels (a reduction widens the filter).
    reach_x = math.ceil(support / min(1.0, to_doc.a)) + 2
    reach_y = math.ceil(support / min(1.0, to_doc.e)) + 2
    # The resize box must stay inside the image: pad by what the output's edge pixels reach back to.
    mx, my = math.ceil(1 / to_doc.a) + reach_x, math.ceil(1 / to_doc.e) + reach_y
    padded = _padded(array, kind, mx, my)
    back = to_doc.inverse().then(Affine.translation(mx, my))  # document -> padded source

    def block(rect: Rect) -> np.ndarray:
        x0, y0 = back.map(rect.x, rect.y)
        x1, y1 = back.map(rect.right, rect.bottom)
        need = Rect.from_edges(math.floor(x0) - reach_x, math.floor(y0) - reach_y, math.ceil(x1) + reach_x,
                               math.ceil(y1) + reach_y).clip(padded.shape[1], padded.shape[0])
        box = (x0 - need.x, y0 - need.y, x1 - need.x, y1 - need.y)
        return _through_pillow(kind, padded[need.slices()],
                               lambda image: image.resize((rect.w, rect.h), kernel, box=box), rect)

    return _in_blocks(out_rect, kind, block)


def _reduced(array: np.ndarray, kind: Kind, size: tuple[int, int]) -> tuple[np.ndarray, bool]:
    """array shrunk to size with Lanczos: opaque RGBA through 8-bit RGB (exact for it), the rest as
    premultiplied float planes; returns the result and whether it is planes."""
    if kind is RGBA and array[..., 3].min() == 255:
        rgb = Image.fromarray(np.ascontiguousarray(array[..., :3]), "RGB").resize(size, _LANCZOS)
        out = np.full((size[1], size[0], 4), 255, np.uint8)
        out[..., :3] = np.asarray(rgb)
        return out, False
    planes = [np.asarray(Image.fromarray(np.ascontiguousarray(plane)).resize(size, _LANCZOS))
              for plane in kind.to_planes(array)]
    return np.stack(planes), True


def _turned(array: np.ndarray, kind: Kind, to_doc: Affine, out_rect: Rect) -> np.ndarray:
    """Any turn: Lanczos-reduce when it shrinks, then Pillow's bicubic affine transform per block."""
    sx, sy = to_doc.axis_scales()
    fx, fy = min(1.0, sx), min(1.0, sy)
    source, planar = array, False
    if fx < REDUCE_BELOW or fy < REDUCE_BELOW:
        height, width = array.shape[:2]
        size = (max(1, round(width * fx)), max(1, round(height * fy)))
        source, planar = _reduced(array, kind, size)
        to_doc = Affine.scaling(width / size[0], height / size[1]).then(to_doc)
    m = BICUBIC_MARGIN
    if planar:
        source = np.pad(source, ((0, 0), (m, m), (m, m)), mode=kind.pad_mode)
        height, width = source.shape[1:]
    else:
        source = _padded(source, kind, m, m)
        height, width = source.shape[:2]
    to_doc = Affine.translation(-m, -m).then(to_doc)

    def cut(rect: Rect) -> np.ndarray:
        return source[(slice(None), *rect.slices())] if planar else source[rect.slices()]
    back = to_doc.inverse()

    def block(rect: Rect) -> np.ndarray:
        # A turned block reads a source square of about its size (hence blocks, not slanted bands).
        need = back.bounds(rect).expand(BICUBIC_MARGIN).clip(width, height)
        if need.is_empty():
            return _blank(kind, rect)
        # Output pixel (u, v) of the block -> source pixel of the cut-out `need`.
        data = Affine.translation(rect.x, rect.y).then(back).then(Affine.translation(-need.x, -need.y))

        def run(image: Image.Image) -> Image.Image:
            fill = kind.fill if image.mode == "F" else 0
            return image.transform((rect.w, rect.h), Image.Transform.AFFINE, data.coefficients(), _BICUBIC,
                                   fillcolor=fill)
        return _through_pillow(kind, cut(need), run, rect, planar)

    return _in_blocks(out_rect, kind, block)
