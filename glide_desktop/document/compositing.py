"""Layer compositing on float32 premultiplied tiles, and a tile cache that recomposites only dirty areas."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode, Layer

TILE = 256
_BAND_PIXELS = 1 << 20  # composite at most about a megapixel at once to bound float32 temporaries
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
    else:  # pragma: no cover - BlendMode is closed
        raise ValueError(f"unknown blend mode {mode}")
    backdrop[..., 3:4] = a_s + ab * (1.0 - a_s)
    backdrop[..., :3] = colour


def _contributing(layers: Sequence[Layer], rect: Rect) -> list[tuple[Layer, Rect]]:
    found = []
    for layer in layers:
        if not layer.visible or layer.opacity <= 0.0:
            continue
        part = layer.bounds.intersect(rect)
        if not part.is_empty():
            found.append((layer, part))
    return found


def composite_rect(layers: Sequence[Layer], rect: Rect) -> np.ndarray:
    """Composite layers over exactly rect (no clipping to a document): rect.h, rect.w, 4 uint8."""
    parts = _contributing(layers, rect)
    if not parts:
        return np.zeros((rect.h, rect.w, 4), np.uint8)
    first, first_part = parts[0]
    if len(parts) == 1 and first.opacity == 1.0 and first_part == rect:
        # One opaque-mode layer over a transparent background shows its own pixels in every mode.
        return first.pixels[rect.slices(*first.offset)].copy()
    acc = np.zeros((rect.h, rect.w, 4), np.float32)
    for layer, part in parts:
        source = to_premultiplied(layer.pixels[part.slices(*layer.offset)], layer.opacity)
        blend_into(acc[part.slices(rect.x, rect.y)], source, layer.blend)
    return to_straight_uint8(acc)


def composite(layers: Sequence[Layer], width: int, height: int, rect: Rect | None = None) -> np.ndarray:
    """Composite layers (bottom to top) over transparency: rect.h, rect.w, 4 straight-alpha uint8."""
    rect = rect or Rect(0, 0, width, height)
    out = np.zeros((max(rect.h, 0), max(rect.w, 0), 4), np.uint8)
    inside = rect.clip(width, height)
    if inside.is_empty():
        return out
    rows = max(1, _BAND_PIXELS // inside.w)
    for top in range(inside.y, inside.bottom, rows):
        band = Rect.from_edges(inside.x, top, inside.right, min(inside.bottom, top + rows))
        out[band.slices(rect.x, rect.y)] = composite_rect(layers, band)
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

    def _fresh(self, key: tuple[int, int]) -> np.ndarray:
        tile = self._tiles.get(key)
        if tile is None:
            tile = self._render(self._tile_rect(key))
            self._tiles[key] = tile
        elif key in self._dirty:
            part = self._dirty.pop(key)
            origin = self._tile_rect(key)
            tile[part.slices(origin.x, origin.y)] = self._render(part)
        return tile

    def get(self, rect: Rect) -> np.ndarray:
        """Composited pixels of rect (transparent outside the document): rect.h, rect.w, 4 uint8."""
        out = np.zeros((max(rect.h, 0), max(rect.w, 0), 4), np.uint8)
        inside = rect.clip(self.width, self.height)
        if inside.is_empty():
            return out
        for key in self._keys(inside):
            origin = self._tile_rect(key)
            part = inside.intersect(origin)
            out[part.slices(rect.x, rect.y)] = self._fresh(key)[part.slices(origin.x, origin.y)]
        return out

    @property
    def nbytes(self) -> int:
        """Memory held by cached tiles."""
        return sum(t.nbytes for t in self._tiles.values())
