"""A premultiplied RGBA image with half-size copies, each wrapped by a QImage and updated per dirty rect."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from glide_desktop.document.geometry import Rect

# Stop halving once the image is this small: smaller levels never save meaningful work.
MIN_LEVEL_SIDE = 256


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
    """2x2 box average of an H, W, 4 uint8 block; an odd last row/column is repeated."""
    h, w = src.shape[:2]
    if h % 2 or w % 2:
        src = np.pad(src, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
    s = src.astype(np.uint16)
    total = s[0::2, 0::2] + s[1::2, 0::2] + s[0::2, 1::2] + s[1::2, 1::2]  # H/2, W/2, 4
    return ((total + 2) >> 2).astype(np.uint8)


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
    """Level 0 is full size; level k is 1/2**k, so zoomed-out views sample a small, pre-filtered image."""

    def __init__(self, width: int, height: int) -> None:
        if width <= 0 or height <= 0:
            raise ValueError(f"image size must be positive, got {width}x{height}")
        self.levels = [_Level(width, height)]
        while max(self.levels[-1].width, self.levels[-1].height) > MIN_LEVEL_SIDE:
            last = self.levels[-1]
            self.levels.append(_Level((last.width + 1) // 2, (last.height + 1) // 2))

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
        """The QImage of one level (it shares memory with the pyramid: do not keep it across resizes)."""
        return self.levels[level].image

    def write(self, rect: Rect, premultiplied: np.ndarray) -> None:
        """Store premultiplied pixels for `rect` at full size and refresh the smaller levels under it."""
        rect = rect.clip(self.width, self.height)
        if rect.is_empty():
            return
        rows, cols = rect.slices()
        self.levels[0].pixels[rows, cols] = premultiplied[: rect.h, : rect.w]
        self._propagate(rect)

    def fill(self, rect: Rect, rgba_premultiplied: tuple[int, int, int, int]) -> None:
        """Set every pixel of `rect` to one premultiplied colour."""
        rect = rect.clip(self.width, self.height)
        if rect.is_empty():
            return
        rows, cols = rect.slices()
        self.levels[0].pixels[rows, cols] = np.asarray(rgba_premultiplied, np.uint8)
        self._propagate(rect)

    def _propagate(self, rect: Rect) -> None:
        for k in range(1, len(self.levels)):
            upper, lower = self.levels[k - 1], self.levels[k]
            # The lower-level pixels whose 2x2 sources touch the changed rectangle.
            rect = Rect.from_edges(rect.x // 2, rect.y // 2, (rect.right + 1) // 2, (rect.bottom + 1) // 2)
            rect = rect.clip(lower.width, lower.height)
            src = upper.pixels[2 * rect.y : 2 * rect.bottom, 2 * rect.x : 2 * rect.right]
            rows, cols = rect.slices()
            lower.pixels[rows, cols] = _halve(src)[: rect.h, : rect.w]
