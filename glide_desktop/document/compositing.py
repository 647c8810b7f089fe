"""Layer compositing (reference maths, fast chunked path) and a tile cache that recomposites dirty areas."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

from glide_desktop.document import group_compositing as groups
from glide_desktop.document.blend_modes import blend_planes
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.document.planar import chunks, composite_chunk

T = TypeVar("T")
R = TypeVar("R")
TILE = 256
_PARALLEL_PIXELS = 1 << 17  # below this, handing work to threads costs more than it saves
_WORKERS = os.cpu_count() or 1
_pool: ThreadPoolExecutor | None = None
_in_pool = threading.local()
_INV255 = np.float32(1.0 / 255.0)


def to_premultiplied(pixels: np.ndarray, opacity: float = 1.0) -> np.ndarray:
    """Straight uint8 RGBA (..., 4) to premultiplied float32 in [0, 1], alpha scaled by opacity."""
    out = pixels.astype(np.float32)
    out *= _INV255
    alpha = out[..., 3:4]
    if opacity != 1.0:
        alpha *= np.float32(opacity)
    out[..., :3] *= alpha
    return out


def to_straight_uint8(premul: np.ndarray) -> np.ndarray:
    """Premultiplied float32 RGBA (..., 4) in [0, 1] to straight-alpha uint8 (rounded)."""
    alpha = premul[..., 3:4]
    colour = np.divide(premul[..., :3], alpha, out=np.zeros_like(premul[..., :3]), where=alpha > 0)
    out = np.empty(premul.shape, np.float32)
    out[..., :3] = colour
    out[..., 3:4] = alpha
    np.clip(out, 0.0, 1.0, out=out)
    out *= 255.0
    out += 0.5
    return out.astype(np.uint8)


def blend_into(backdrop: np.ndarray, source: np.ndarray, mode: BlendMode) -> None:
    """Composite premultiplied source over premultiplied backdrop in place (both H, W, 4 float32)."""
    cb, ab = backdrop[..., :3], backdrop[..., 3:4]
    cs, a_s = source[..., :3], source[..., 3:4]
    if mode is BlendMode.NORMAL:
        colour = cs + cb * (1.0 - a_s)
    elif mode is BlendMode.MULTIPLY:
        colour = cs * (1.0 - ab) + cb * (1.0 - a_s) + cs * cb
    elif mode is BlendMode.SCREEN:
        colour = cs + cb - cs * cb
    elif mode is BlendMode.DARKEN:
        colour = cs + cb - np.maximum(a_s * cb, ab * cs)
    elif mode is BlendMode.LIGHTEN:
        colour = cs + cb - np.minimum(a_s * cb, ab * cs)
    elif mode is BlendMode.OVERLAY:
        # Overlay is hard-light with the layers swapped: the backdrop decides multiply or screen.
        low = 2.0 * cs * cb
        high = a_s * ab - 2.0 * (ab - cb) * (a_s - cs)
        colour = cs * (1.0 - ab) + cb * (1.0 - a_s) + np.where(2.0 * cb <= ab, low, high)
    else:  # the other W3C modes and Porter-Duff operators, shared with the planar path
        planes_b, planes_s = backdrop.transpose(2, 0, 1), source.transpose(2, 0, 1)
        colour, alpha = blend_planes(planes_b[:3], planes_b[3], planes_s[:3], planes_s[3], mode)
        planes_b[3] = alpha
        planes_b[:3] = colour
        return
    backdrop[..., 3:4] = a_s + ab * (1.0 - a_s)
    backdrop[..., :3] = colour


def _contributing(layers: Sequence[Layer], rect: Rect) -> list[tuple[Layer, Rect]]:
    found = []
    for layer in layers:
        if not layer.visible or layer.opacity <= 0.0:
            continue
        part = layer.bounds.intersect(rect)
        if not part.is_empty() or layer.blend.clears_outside:
            found.append((layer, part))
    return found


def composite_reference(layers: Sequence[Layer], rect: Rect) -> np.ndarray:
    """The plain, slow composite of rect that the fast path must match bit for bit (for tests).

    layers may hold groups (group.py): they composite as group_compositing.py describes.
    """
    if groups.has_groups(layers):
        return groups.render(groups.plan(layers), rect, _reference_flat)
    return _reference_flat(layers, rect)


def _reference_flat(layers: Sequence[Layer], rect: Rect) -> np.ndarray:
    parts = _contributing(layers, rect)
    if not parts:
        return np.zeros((rect.h, rect.w, 4), np.uint8)
    first, first_part = parts[0]
    if len(parts) == 1 and first.opacity == 1.0 and first_part == rect and first.blend.shows_alone:
        # One layer over a transparent background shows its own pixels in every mode that shows alone.
        return first.shown_pixels(rect.slices(*first.offset)).copy()
    acc = np.zeros((rect.h, rect.w, 4), np.float32)
    for layer, part in parts:
        if layer.blend.clears_outside:  # where this layer has no pixels, nothing below remains
            inside = acc[part.slices(rect.x, rect.y)].copy() if not part.is_empty() else None
            acc.fill(0.0)
            if inside is None:
                continue
            acc[part.slices(rect.x, rect.y)] = inside
        source = to_premultiplied(layer.shown_pixels(part.slices(*layer.offset)), layer.opacity)
        blend_into(acc[part.slices(rect.x, rect.y)], source, layer.blend)
    return to_straight_uint8(acc)


def parallel_map(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """work(item) for every item, on a pool of os.cpu_count() threads (numpy drops the GIL in loops)."""
    if len(items) < 2 or _WORKERS < 2 or getattr(_in_pool, "active", False):
        return [work(item) for item in items]  # inside a pool thread: never wait on the same pool
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(_WORKERS, thread_name_prefix="composite")

    def run(item: T) -> R:
        _in_pool.active = True
        return work(item)

    return list(_pool.map(run, items))


def _chunk_flat(layers: Sequence[Layer], rect: Rect) -> np.ndarray:
    out = np.empty((rect.h, rect.w, 4), np.uint8)
    composite_chunk(layers, rect, out)
    return out


def _composite_into(layers: Sequence[Layer], rect: Rect, out: np.ndarray) -> None:
    work = composite_chunk
    if groups.has_groups(layers):
        tree = groups.plan(layers)
        if groups.is_flat(tree):  # only full-opacity pass-through groups: their layers in their place
            layers = tree
        else:
            def work(_layers: Sequence[Layer], piece: Rect, target: np.ndarray) -> None:
                target[...] = groups.render(tree, piece, _chunk_flat)
    pieces = chunks(rect)
    if rect.area < _PARALLEL_PIXELS:
        for piece in pieces:
            work(layers, piece, out[piece.slices(rect.x, rect.y)])
        return
    rows: dict[int, list[Rect]] = {}
    for piece in pieces:
        rows.setdefault(piece.y, []).append(piece)

    def strip(row: list[Rect]) -> None:
        for piece in row:
            work(layers, piece, out[piece.slices(rect.x, rect.y)])

    parallel_map(strip, list(rows.values()))


def composite_rect(layers: Sequence[Layer], rect: Rect) -> np.ndarray:
    """Composite layers over exactly rect (no clipping to a document): rect.h, rect.w, 4 uint8."""
    out = np.empty((rect.h, rect.w, 4), np.uint8)
    if not rect.is_empty():
        _composite_into(layers, rect, out)
    return out


def composite(layers: Sequence[Layer], width: int, height: int, rect: Rect | None = None) -> np.ndarray:
    """Composite layers (bottom to top) over transparency: rect.h, rect.w, 4 straight-alpha uint8."""
    rect = rect or Rect(0, 0, width, height)
    out = np.zeros((max(rect.h, 0), max(rect.w, 0), 4), np.uint8)
    inside = rect.clip(width, height)
    if not inside.is_empty():
        _composite_into(layers, inside, out[inside.slices(rect.x, rect.y)])
    return out


class TileCache:
    """Composited pixels kept in square tiles; invalidate(rect) marks only that part for recompositing."""

    def __init__(self, render: Callable[[Rect], np.ndarray], width: int, height: int, tile: int = TILE):
        self._render = render
        self.width, self.height, self.tile = width, height, tile
        self._tiles: dict[tuple[int, int], np.ndarray] = {}
        self._dirty: dict[tuple[int, int], Rect] = {}

    def resize(self, width: int, height: int) -> None:
        """Forget everything and adopt a new document size."""
        self.width, self.height = width, height
        self.invalidate()

    def _tile_rect(self, key: tuple[int, int]) -> Rect:
        t = self.tile
        return Rect(key[0] * t, key[1] * t, t, t).clip(self.width, self.height)

    def _keys(self, rect: Rect) -> list[tuple[int, int]]:
        t = self.tile
        return [(tx, ty)
                for ty in range(rect.y // t, (rect.bottom - 1) // t + 1)
                for tx in range(rect.x // t, (rect.right - 1) // t + 1)]

    def invalidate(self, rect: Rect | None = None) -> None:
        """Mark rect (everything when None) as needing recompositing."""
        if rect is None:
            self._tiles.clear()
            self._dirty.clear()
            return
        rect = rect.clip(self.width, self.height)
        if rect.is_empty():
            return
        for key in self._keys(rect):
            if key in self._tiles:
                part = rect.intersect(self._tile_rect(key))
                self._dirty[key] = part.union(self._dirty.get(key))

    def _refresh(self, keys: list[tuple[int, int]]) -> None:
        """Render the missing tiles and dirty parts among keys, in parallel when there is much to do."""
        jobs = []  # (key, rect to render, whether it is the whole tile)
        for key in keys:
            if key not in self._tiles:
                jobs.append((key, self._tile_rect(key), True))
            elif key in self._dirty:
                jobs.append((key, self._dirty.pop(key), False))
        if sum(rect.area for _, rect, _ in jobs) >= _PARALLEL_PIXELS:
            results = parallel_map(lambda job: self._render(job[1]), jobs)
        else:
            results = [self._render(rect) for _, rect, _ in jobs]
        for (key, rect, whole), pixels in zip(jobs, results, strict=True):
            if whole:
                self._tiles[key] = pixels
            else:
                origin = self._tile_rect(key)
                self._tiles[key][rect.slices(origin.x, origin.y)] = pixels

    def get(self, rect: Rect) -> np.ndarray:
        """Composited pixels of rect (transparent outside the document): rect.h, rect.w, 4 uint8."""
        out = np.zeros((max(rect.h, 0), max(rect.w, 0), 4), np.uint8)
        inside = rect.clip(self.width, self.height)
        if inside.is_empty():
            return out
        keys = self._keys(inside)
        self._refresh(keys)
        for key in keys:
            origin = self._tile_rect(key)
            part = inside.intersect(origin)
            out[part.slices(rect.x, rect.y)] = self._tiles[key][part.slices(origin.x, origin.y)]
        return out

    @property
    def nbytes(self) -> int:
        """Memory held by cached tiles."""
        return sum(t.nbytes for t in self._tiles.values())
