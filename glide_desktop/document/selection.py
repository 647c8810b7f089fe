"""The selection as soft coverage in [0, 1] (1 = selected) and antialiased shape rasterisers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from PIL import Image, ImageDraw

from glide_desktop.document import labels, morphology
from glide_desktop.document.geometry import Rect

_SUPERSAMPLE = 4


class SelectionOp(StrEnum):
    """How a new shape combines with the current selection."""

    REPLACE = "replace"
    ADD = "add"
    SUBTRACT = "subtract"
    INTERSECT = "intersect"


@dataclass(frozen=True)
class Component:
    """One connected selected region: its bounding rect and a boolean mask cropped to it."""

    bbox: Rect
    mask: np.ndarray


class Selection:
    """Soft selection coverage, H, W float32 in [0, 1]; operations mutate in place and return self."""

    def __init__(self, width: int, height: int, coverage: np.ndarray | None = None):
        self.width, self.height = width, height
        if coverage is None:
            self.coverage = np.zeros((height, width), np.float32)
        else:
            coverage = np.asarray(coverage, np.float32)
            if coverage.shape != (height, width):
                raise ValueError(f"coverage shape {coverage.shape} does not match {(height, width)}")
            self.coverage = np.clip(coverage, 0.0, 1.0)

    def copy(self) -> Selection:
        """An independent copy."""
        return Selection(self.width, self.height, self.coverage.copy())

    def combine(self, op: SelectionOp, coverage: np.ndarray) -> Selection:
        """Merge a shape's coverage in: replace, add (max), subtract (min with 1 - c), intersect (min)."""
        shape = np.clip(np.asarray(coverage, np.float32), 0.0, 1.0)
        op = SelectionOp(op)
        if op is SelectionOp.REPLACE:
            self.coverage[...] = shape
        elif op is SelectionOp.ADD:
            np.maximum(self.coverage, shape, out=self.coverage)
        elif op is SelectionOp.SUBTRACT:
            np.minimum(self.coverage, 1.0 - shape, out=self.coverage)
        else:
            np.minimum(self.coverage, shape, out=self.coverage)
        return self

    def invert(self) -> Selection:
        """Select what was not selected."""
        np.subtract(1.0, self.coverage, out=self.coverage)
        return self

    def select_all(self) -> Selection:
        """Select the whole document."""
        self.coverage.fill(1.0)
        return self

    def clear(self) -> Selection:
        """Select nothing."""
        self.coverage.fill(0.0)
        return self

    def is_empty(self) -> bool:
        """True when no pixel is even partly selected."""
        return not bool(self.coverage.any())

    def bbox(self) -> Rect | None:
        """Bounding rect of partly selected pixels, None when nothing is selected."""
        rows = np.flatnonzero(self.coverage.any(axis=1))
        if rows.size == 0:
            return None
        cols = np.flatnonzero(self.coverage[rows[0] : rows[-1] + 1].any(axis=0))
        return Rect.from_edges(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)

    def _work_area(self, margin: int) -> Rect | None:
        box = self.bbox()
        return None if box is None else box.expand(margin).clip(self.width, self.height)

    def grow(self, px: int) -> Selection:
        """Expand the selection by px pixels (grey dilation with a disc)."""
        area = self._work_area(int(px))
        if area is not None and px > 0:
            view = self.coverage[area.slices()]
            view[...] = morphology.dilate_disc(view, int(px), outside=0.0)
        return self

    def shrink(self, px: int) -> Selection:
        """Contract the selection by px pixels; the document edge counts as selected."""
        area = self._work_area(int(px))
        if area is not None and px > 0:
            view = self.coverage[area.slices()]
            view[...] = morphology.erode_disc(view, int(px), outside=1.0)
        return self

    def feather(self, radius: float) -> Selection:
        """Soften the edges: a Gaussian-like blur whose reach is about radius pixels."""
        if radius <= 0:
            return self
        area = self._work_area(int(np.ceil(radius * 2)) + 2)
        if area is not None:
            view = self.coverage[area.slices()]
            view[...] = np.clip(morphology.gaussian_blur(view, radius / 2.0), 0.0, 1.0)
        return self

    def components(self, threshold: float = 0.0) -> list[Component]:
        """Connected regions (4-connected) of pixels with coverage above threshold."""
        area = self.bbox()
        if area is None:
            return []
        found = labels.components(self.coverage[area.slices()] > threshold)
        return [Component(box.translate(area.x, area.y), mask) for box, mask in found]


def rect_coverage(size: tuple[int, int], rect: Rect | Sequence[float]) -> np.ndarray:
    """Exact area coverage of an axis-aligned rectangle (x, y, w, h may be fractional): H, W float32."""
    width, height = size
    x, y, w, h = (rect.x, rect.y, rect.w, rect.h) if isinstance(rect, Rect) else rect
    x0, x1 = sorted((float(x), float(x) + float(w)))
    y0, y1 = sorted((float(y), float(y) + float(h)))
    px = np.arange(width, dtype=np.float32)
    py = np.arange(height, dtype=np.float32)
    cover_x = np.clip(np.minimum(px + 1, x1) - np.maximum(px, x0), 0.0, 1.0)
    cover_y = np.clip(np.minimum(py + 1, y1) - np.maximum(py, y0), 0.0, 1.0)
    return np.outer(cover_y, cover_x).astype(np.float32)


def _supersampled(size: tuple[int, int], box: Rect, draw) -> np.ndarray:
    """Rasterise draw(ImageDraw, scale, origin) at 4x inside box only and average back down."""
    width, height = size
    out = np.zeros((height, width), np.float32)
    area = box.clip(width, height)
    if area.is_empty():
        return out
    s = _SUPERSAMPLE
    canvas = Image.new("L", (area.w * s, area.h * s), 0)
    draw(ImageDraw.Draw(canvas), s, (area.x, area.y))
    fine = np.asarray(canvas, np.float32).reshape(area.h, s, area.w, s)
    out[area.slices()] = fine.mean(axis=(1, 3)) / 255.0
    return out


def ellipse_coverage(size: tuple[int, int], rect: Rect | Sequence[float]) -> np.ndarray:
    """Antialiased coverage of the ellipse inscribed in rect (x, y, w, h): H, W float32."""
    x, y, w, h = (rect.x, rect.y, rect.w, rect.h) if isinstance(rect, Rect) else rect
    x0, x1 = sorted((float(x), float(x) + float(w)))
    y0, y1 = sorted((float(y), float(y) + float(h)))
    box = Rect.from_edges(int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x1)), int(np.ceil(y1)))

    def draw(d: ImageDraw.ImageDraw, s: int, origin: tuple[int, int]) -> None:
        ox, oy = origin
        d.ellipse([(x0 - ox) * s, (y0 - oy) * s, (x1 - ox) * s - 1, (y1 - oy) * s - 1], fill=255)

    return _supersampled(size, box, draw)


def polygon_coverage(size: tuple[int, int], points: Sequence[tuple[float, float]]) -> np.ndarray:
    """Antialiased coverage of a closed polygon (lasso) through points: H, W float32."""
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    if len(pts) < 3:
        return np.zeros((size[1], size[0]), np.float32)
    box = Rect.from_edges(int(np.floor(pts[:, 0].min())), int(np.floor(pts[:, 1].min())),
                          int(np.ceil(pts[:, 0].max())) + 1, int(np.ceil(pts[:, 1].max())) + 1)

    def draw(d: ImageDraw.ImageDraw, s: int, origin: tuple[int, int]) -> None:
        fine = [((px - origin[0]) * s, (py - origin[1]) * s) for px, py in pts]
        d.polygon(fine, fill=255)

    return _supersampled(size, box, draw)


def magic_wand(image: np.ndarray, x: int, y: int, tolerance: int = 32, contiguous: bool = True) -> np.ndarray:
    """Coverage of pixels whose RGBA differs from the seed's by at most tolerance in every channel."""
    height, width = image.shape[:2]
    if not (0 <= x < width and 0 <= y < height):
        return np.zeros((height, width), np.float32)
    seed = image[y, x].astype(np.int16)
    diff = np.abs(image.astype(np.int16) - seed).max(axis=2)  # H, W
    match = diff <= int(tolerance)
    if contiguous:
        match = labels.component_at(match, x, y)
    return match.astype(np.float32)
