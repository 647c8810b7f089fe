"""Whole-image geometry: crop, canvas size, image size (Lanczos), quarter turns and flips.

Each operation maps the document's size, every layer's pixels and offset, the selection coverage and
the rectangles kept in layer metadata (a generated layer's "crop" box) in one consistent way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from PIL import Image

from glide_desktop.document.geometry import Rect

BOX_KEYS = ("crop",)  # metadata entries holding an [x, y, w, h] box in document coordinates
ANCHORS = {  # where the old image sits in a resized canvas: fraction of the added width/height
    "top-left": (0.0, 0.0), "top": (0.5, 0.0), "top-right": (1.0, 0.0),
    "left": (0.0, 0.5), "center": (0.5, 0.5), "right": (1.0, 0.5),
    "bottom-left": (0.0, 1.0), "bottom": (0.5, 1.0), "bottom-right": (1.0, 1.0),
}


class Axis(StrEnum):
    """Which way a flip mirrors: horizontal swaps left and right, vertical swaps top and bottom."""

    HORIZONTAL = "horizontal"
    VERTICAL = "vertical"


class ImageOp:
    """A geometric change of the whole image; subclasses say where rects, pixels and coverage go."""

    def new_size(self, width: int, height: int) -> tuple[int, int]:
        raise NotImplementedError

    def map_rect(self, rect: Rect, width: int, height: int) -> Rect:
        """Where a document rect of the old image lies in the new one (may fall outside it)."""
        raise NotImplementedError

    def map_layer(self, pixels: np.ndarray, bounds: Rect, width: int, height: int) -> tuple[np.ndarray, Rect]:
        """New pixels and document bounds of a layer."""
        raise NotImplementedError

    def map_coverage(self, coverage: np.ndarray) -> np.ndarray:
        """The selection coverage (H, W float32) in the new image."""
        raise NotImplementedError

    def inverse(self) -> ImageOp | None:
        """The op that undoes this one exactly, or None when pixels are lost (undo keeps the old ones)."""
        return None


@dataclass(frozen=True)
class Crop(ImageOp):
    """Keep rect of the image (it may reach beyond the image: the canvas grows with transparency)."""

    rect: Rect

    def new_size(self, width: int, height: int) -> tuple[int, int]:
        return self.rect.w, self.rect.h

    def map_rect(self, rect: Rect, width: int, height: int) -> Rect:
        return rect.translate(-self.rect.x, -self.rect.y)

    def map_layer(self, pixels: np.ndarray, bounds: Rect, width: int, height: int) -> tuple[np.ndarray, Rect]:
        keep = bounds.intersect(self.rect)
        if keep.is_empty():  # nothing of the layer stays: keep it as one transparent pixel
            return np.zeros((1, 1, 4), np.uint8), Rect(0, 0, 1, 1)
        return pixels[keep.slices(bounds.x, bounds.y)].copy(), self.map_rect(keep, width, height)

    def map_coverage(self, coverage: np.ndarray) -> np.ndarray:
        height, width = coverage.shape
        out = np.zeros((self.rect.h, self.rect.w), np.float32)
        keep = self.rect.clip(width, height)
        out[keep.slices(self.rect.x, self.rect.y)] = coverage[keep.slices()]
        return out


def canvas_crop(width: int, height: int, new_width: int, new_height: int, anchor: str = "center") -> Crop:
    """The crop that gives a canvas of new_width × new_height with the old image at anchor."""
    ax, ay = ANCHORS[anchor]
    dx, dy = round((new_width - width) * ax), round((new_height - height) * ay)
    return Crop(Rect(-dx, -dy, int(new_width), int(new_height)))


@dataclass(frozen=True)
class Resize(ImageOp):
    """Scale the image to width × height (Lanczos on premultiplied colour; bilinear for the selection)."""

    width: int
    height: int

    def new_size(self, width: int, height: int) -> tuple[int, int]:
        return self.width, self.height

    def map_rect(self, rect: Rect, width: int, height: int) -> Rect:
        sx, sy = self.width / width, self.height / height
        return Rect.from_edges(round(rect.x * sx), round(rect.y * sy), round(rect.right * sx),
                               round(rect.bottom * sy))

    def map_layer(self, pixels: np.ndarray, bounds: Rect, width: int, height: int) -> tuple[np.ndarray, Rect]:
        target = self.map_rect(bounds, width, height)
        target = Rect(target.x, target.y, max(1, target.w), max(1, target.h))
        # Pillow resamples RGBA premultiplied, so transparent pixels' colour cannot bleed into edges.
        image = Image.fromarray(pixels, "RGBA").resize((target.w, target.h), Image.Resampling.LANCZOS)
        return np.asarray(image, dtype=np.uint8).copy(), target

    def map_coverage(self, coverage: np.ndarray) -> np.ndarray:
        if not coverage.any():
            return np.zeros((self.height, self.width), np.float32)
        image = Image.fromarray(coverage.astype(np.float32), "F")
        scaled = np.asarray(image.resize((self.width, self.height), Image.Resampling.BILINEAR), np.float32)
        return np.clip(scaled, 0.0, 1.0)


@dataclass(frozen=True)
class Rotate(ImageOp):
    """Quarter turns clockwise: 1 = 90° right, 2 = 180°, 3 = 90° left."""

    turns: int

    @property
    def k(self) -> int:
        return self.turns % 4

    def new_size(self, width: int, height: int) -> tuple[int, int]:
        return (height, width) if self.k % 2 else (width, height)

    def map_rect(self, rect: Rect, width: int, height: int) -> Rect:
        if self.k == 1:  # (x, y) -> (H - y, x)
            return Rect(height - rect.bottom, rect.x, rect.h, rect.w)
        if self.k == 2:
            return Rect(width - rect.right, height - rect.bottom, rect.w, rect.h)
        if self.k == 3:  # (x, y) -> (y, W - x)
            return Rect(rect.y, width - rect.right, rect.h, rect.w)
        return rect

    def map_layer(self, pixels: np.ndarray, bounds: Rect, width: int, height: int) -> tuple[np.ndarray, Rect]:
        turned = np.ascontiguousarray(np.rot90(_as_words(pixels), -self.k))
        return _as_rgba(turned), self.map_rect(bounds, width, height)

    def map_coverage(self, coverage: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.rot90(coverage, -self.k))

    def inverse(self) -> ImageOp:
        return Rotate(-self.turns)


@dataclass(frozen=True)
class Flip(ImageOp):
    """Mirror the whole image."""

    axis: Axis

    def new_size(self, width: int, height: int) -> tuple[int, int]:
        return width, height

    def map_rect(self, rect: Rect, width: int, height: int) -> Rect:
        if self.axis is Axis.HORIZONTAL:
            return Rect(width - rect.right, rect.y, rect.w, rect.h)
        return Rect(rect.x, height - rect.bottom, rect.w, rect.h)

    def map_layer(self, pixels: np.ndarray, bounds: Rect, width: int, height: int) -> tuple[np.ndarray, Rect]:
        return flip_pixels(pixels, self.axis), self.map_rect(bounds, width, height)

    def map_coverage(self, coverage: np.ndarray) -> np.ndarray:
        return flip_pixels(coverage, self.axis)

    def inverse(self) -> ImageOp:
        return self


def flip_pixels(pixels: np.ndarray, axis: Axis) -> np.ndarray:
    """A mirrored contiguous copy (columns reversed for horizontal, rows for vertical)."""
    rgba = pixels.ndim == 3 and pixels.shape[2] == 4 and pixels.dtype == np.uint8
    source = _as_words(pixels) if rgba else pixels
    view = source[:, ::-1] if Axis(axis) is Axis.HORIZONTAL else source[::-1]
    out = np.ascontiguousarray(view)
    return _as_rgba(out) if rgba else out


def _as_words(pixels: np.ndarray) -> np.ndarray:
    """H, W, 4 uint8 seen as H, W uint32: moving one word per pixel is several times faster."""
    return np.ascontiguousarray(pixels).view(np.uint32)[..., 0]


def _as_rgba(words: np.ndarray) -> np.ndarray:
    """H, W uint32 back to H, W, 4 uint8 (same bytes)."""
    return words[..., None].view(np.uint8)


def map_metadata(metadata: dict, mapping) -> dict:
    """metadata with each known box ([x, y, w, h]) passed through mapping(Rect) -> Rect."""
    out = dict(metadata)
    for key in BOX_KEYS:
        box = out.get(key)
        if isinstance(box, list | tuple) and len(box) == 4 and all(isinstance(v, int | float) for v in box):
            moved = mapping(Rect(*(int(v) for v in box)))
            out[key] = [moved.x, moved.y, moved.w, moved.h]
    return out
