"""A premultiplied RGBA image with half-size copies, each wrapped by a QImage and refreshed when asked for."""

from __future__ import annotations

import sys

import numpy as np
from PySide6.QtGui import QImage

from glide_desktop.document.geometry import Rect

# Stop halving once the image is this small: smaller levels never save meaningful work.
MIN_LEVEL_SIDE = 256
HALVE_BAND_ROWS = 128  # output rows per halving pass, so temporaries stay a few megabytes
_LANE_ROUNDING = np.uint64(0x0002_0002_0002_0002)  # +2 in each 16-bit lane: round to nearest
_LOW_BYTE = 0 if sys.byteorder == "little" else 1  # where a uint16 lane keeps its low 8 bits
_CLEAN = Rect(0, 0, 0, 0)


def premultiply(rgba: np.ndarray) -> np.ndarray:
    """Straight-alpha H, W, 4 uint8 -> premultiplied H, W, 4 uint8 (rounded)."""
    alpha = rgba[..., 3]
    if alpha.min() == 255:
        return rgba  # opaque (most photos): premultiplying changes nothing
    product = rgba[..., :3].astype(np.uint16)  # H, W, 3
    product *= alpha[..., None]
    # round(x / 255) for x <= 255*255 without a division: (x + 128 + ((x + 128) >> 8)) >> 8.
    product += 128
    product += product >> 8
    product >>= 8
    out = np.empty_like(rgba)
    out[..., :3] = product
    out[..., 3] = alpha
    return out


def _halve(src: np.ndarray) -> np.ndarray:
    """2x2 box average ((sum + 2) >> 2) of an H, W, 4 uint8 block; an odd last row/column is repeated."""
    h, w = src.shape[:2]
    if h % 2 or w % 2:
        src = np.pad(src, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        h, w = src.shape[:2]
    pairs = src[0::2].astype(np.uint16)  # H/2, W, 4: sums of vertical pixel pairs
    pairs += src[1::2]
    # Read each pixel's four 16-bit channel sums as one uint64, so one add sums all four channels
    # (every lane stays below 1024: no carry crosses into the next channel).
    packed = pairs.view(np.uint64)[..., 0]  # H/2, W
    total = packed[:, 0::2] + packed[:, 1::2]  # H/2, W/2
    total += _LANE_ROUNDING
    # Bits shifted down from the next lane land in bits 14-15, above the 8-bit result we keep.
    total >>= np.uint64(2)
    return total.view(np.uint8).reshape(h // 2, w // 2, 8)[..., _LOW_BYTE::2]  # H/2, W/2, 4


def downsample(premultiplied: np.ndarray, level: int) -> np.ndarray:
    """An H, W, 4 premultiplied block at 1/2**level, by the same box filter as the pyramid's levels."""
    for _ in range(level):
        premultiplied = _halve(premultiplied)
    return premultiplied


def _half_rect(rect: Rect) -> Rect:
    """The next level's pixels whose 2x2 sources touch `rect`."""
    return Rect.from_edges(rect.x // 2, rect.y // 2, (rect.right + 1) // 2, (rect.bottom + 1) // 2)


class _Level:
    """One level's pixels and the QImage sharing its memory (never copied)."""

    def __init__(self, width: int, height: int) -> None:
        self.pixels = np.zeros((height, width, 4), np.uint8)
        fmt = QImage.Format.Format_RGBA8888_Premultiplied
        self.image = QImage(self.pixels.data, width, height, width * 4, fmt)

    @property
    def width(self) -> int:
        return self.pixels.shape[1]

    @property
    def height(self) -> int:
        return self.pixels.shape[0]


class ImagePyramid:
    """Level 0 is full size; level k is 1/2**k, so zoomed-out views sample a small, pre-filtered image.

    Writes go to level 0; a smaller level is brought up to date only when it is asked for (image(),
    pixels()), so a drag that rewrites the whole image pays only for the level on screen.
    """

    def __init__(self, width: int, height: int) -> None:
        if width <= 0 or height <= 0:
            raise ValueError(f"image size must be positive, got {width}x{height}")
        self.levels = [_Level(width, height)]
        while max(self.levels[-1].width, self.levels[-1].height) > MIN_LEVEL_SIDE:
            last = self.levels[-1]
            self.levels.append(_Level((last.width + 1) // 2, (last.height + 1) // 2))
        self._stale = [_CLEAN] * len(self.levels)  # per level, in its own pixels: not yet refreshed

    @property
    def width(self) -> int:
        return self.levels[0].width

    @property
    def height(self) -> int:
        return self.levels[0].height

    @property
    def max_level(self) -> int:
        return len(self.levels) - 1

    def image(self, level: int = 0) -> QImage:
        """The up-to-date QImage of one level (it shares memory with the pyramid: do not keep it)."""
        self.update_level(level)
        return self.levels[level].image

    def pixels(self, level: int = 0) -> np.ndarray:
        """The up-to-date H, W, 4 premultiplied pixels of one level (shared, not a copy)."""
        self.update_level(level)
        return self.levels[level].pixels

    def stale_rect(self, level: int) -> Rect:
        """The part of `level` (its own pixels) still waiting for a refresh from level 0."""
        return self._stale[level]

    def write(self, rect: Rect, premultiplied: np.ndarray) -> None:
        """Store premultiplied pixels for `rect` at full size; the smaller levels under it go stale."""
        rect = rect.clip(self.width, self.height)
        if rect.is_empty():
            return
        rows, cols = rect.slices()
        self.levels[0].pixels[rows, cols] = premultiplied[: rect.h, : rect.w]
        self._mark_stale(rect)

    def fill(self, rect: Rect, rgba_premultiplied: tuple[int, int, int, int]) -> None:
        """Set every pixel of `rect` to one premultiplied colour."""
        rect = rect.clip(self.width, self.height)
        if rect.is_empty():
            return
        rows, cols = rect.slices()
        self.levels[0].pixels[rows, cols] = np.asarray(rgba_premultiplied, np.uint8)
        self._mark_stale(rect)

    def update_level(self, level: int) -> None:
        """Recompute the stale parts of levels 1..level from the level above each."""
        for k in range(1, level + 1):
            rect, self._stale[k] = self._stale[k], _CLEAN
            upper, lower = self.levels[k - 1], self.levels[k]
            for top in range(rect.y, rect.bottom, HALVE_BAND_ROWS):
                band = Rect.from_edges(rect.x, top, rect.right, min(rect.bottom, top + HALVE_BAND_ROWS))
                src = upper.pixels[2 * band.y : 2 * band.bottom, 2 * band.x : 2 * band.right]
                rows, cols = band.slices()
                lower.pixels[rows, cols] = _halve(src)[: band.h, : band.w]

    def _mark_stale(self, rect: Rect) -> None:
        for k in range(1, len(self.levels)):
            rect = _half_rect(rect).clip(self.levels[k].width, self.levels[k].height)
            self._stale[k] = rect.union(self._stale[k])
