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

BAND_ROWS = 256  # output rows per block (and columns, for turns)
BICUBIC_MARGIN = 3  # the bicubic kernel reaches 2 px; one more for rounding
REDUCE_BELOW = 0.8  # a turn that shrinks more than this along an axis is Lanczos-reduced first
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


def _in_blocks(out_rect: Rect, kind: Kind, band: Callable[[Rect], np.ndarray], cols: int) -> np.ndarray:
    """Fill out_rect block by block (document coordinates), the blocks on the compositor's threads."""
    out = _blank(kind, out_rect)
    bands = [Rect.from_edges(x, y, min(out_rect.right, x + cols), min(out_rect.bottom, y + BAND_ROWS))
             for y in range(out_rect.y, out_rect.bottom, BAND_ROWS)
             for x in range(out_rect.x, out_rect.right, cols)]

    def fill(rect: Rect) -> None:
        out[rect.slices(out_rect.x, out_rect.y)] = kind.from_planes(band(rect))

    parallel_map(fill, bands)
    return out


def _scaled(array: np.ndarray, kind: Kind, to_doc: Affine, out_rect: Rect) -> np.ndarray:
    """Scale (and flip, and move by any fraction) through Pillow's resize box: Lanczos, bicubic to enlarge."""
    h, w = array.shape[:2]
    if to_doc.a < 0:  # resize cannot mirror: flip first, then scale by the positive factor
        array, to_doc = array[:, ::-1], Affine.scaling(-1, 1, w / 2, 0).then(to_doc)
    if to_doc.e < 0:
        array, to_doc = array[::-1], Affine.scaling(1, -1, 0, h / 2).then(to_doc)
    # The resize box must stay inside the image: pad by what the output's edge pixels reach back to.
    mx, my = math.ceil(1 / to_doc.a) + BICUBIC_MARGIN, math.ceil(1 / to_doc.e) + BICUBIC_MARGIN
    padded = _padded(array, kind, mx, my)
    back = to_doc.inverse().then(Affine.translation(mx, my))  # document -> padded source
    # Lanczos keeps a reduction sharp; enlarging, it rings at hard edges: bicubic rings far less.
    kernel = _BICUBIC if min(to_doc.a, to_doc.e) >= 1.0 else _LANCZOS

    def band(rect: Rect) -> np.ndarray:
        x0, y0 = back.map(rect.x, rect.y)
        x1, y1 = back.map(rect.right, rect.bottom)
        top, bottom = max(0, math.floor(y0) - 4), min(padded.shape[0], math.ceil(y1) + 4)
        rows = kind.to_planes(padded[top:bottom])  # only the rows this band's filter reads
        box = (x0, y0 - top, x1, y1 - top)
        return np.stack([np.asarray(Image.fromarray(plane).resize((rect.w, rect.h), kernel, box=box))
                         for plane in rows])

    return _in_blocks(out_rect, kind, band, max(1, out_rect.w))


def _turned(array: np.ndarray, kind: Kind, to_doc: Affine, out_rect: Rect) -> np.ndarray:
    """Any turn: Lanczos-reduce when it shrinks, then Pillow's bicubic affine transform per band."""
    padded = _padded(array, kind, BICUBIC_MARGIN, BICUBIC_MARGIN)
    to_doc = Affine.translation(-BICUBIC_MARGIN, -BICUBIC_MARGIN).then(to_doc)
    sx, sy = to_doc.axis_scales()
    fx, fy = min(1.0, sx), min(1.0, sy)
    if fx < REDUCE_BELOW or fy < REDUCE_BELOW:
        planes = kind.to_planes(padded)
        size = (max(1, round(padded.shape[1] * fx)), max(1, round(padded.shape[0] * fy)))
        planes = np.stack([np.asarray(Image.fromarray(np.ascontiguousarray(plane)).resize(size, _LANCZOS))
                           for plane in planes])
        to_doc = Affine.scaling(padded.shape[1] / size[0], padded.shape[0] / size[1]).then(to_doc)

        def source(rect: Rect) -> np.ndarray:
            return planes[(slice(None), *rect.slices())]
        height, width = planes.shape[1:]
    else:
        def source(rect: Rect) -> np.ndarray:
            return kind.to_planes(padded[rect.slices()])
        height, width = padded.shape[:2]
    back = to_doc.inverse()

    def band(rect: Rect) -> np.ndarray:
        need = back.bounds(rect).expand(BICUBIC_MARGIN).clip(width, height)
        if need.is_empty():
            return kind.to_planes(_blank(kind, rect))
        planes = source(need)
        # Output pixel (u, v) of the band -> source pixel of the cut-out `need`.
        data = Affine.translation(rect.x, rect.y).then(back).then(Affine.translation(-need.x, -need.y))
        return np.stack([np.asarray(Image.fromarray(np.ascontiguousarray(plane)).transform(
            (rect.w, rect.h), Image.Transform.AFFINE, data.coefficients(), _BICUBIC, fillcolor=kind.fill))
            for plane in planes])

    # Square blocks: a turned block reads a source square of about its size, not a whole slanted band.
    return _in_blocks(out_rect, kind, band, BAND_ROWS)
