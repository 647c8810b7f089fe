"""Integer rectangles in pixel coordinates: intersect, union, clip, translate."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned pixel rectangle: left x, top y, width w, height h (empty when w or h <= 0)."""

    x: int
    y: int
    w: int
    h: int

    @classmethod
    def from_edges(cls, left: int, top: int, right: int, bottom: int) -> Rect:
        """The rectangle spanning [left, right) x [top, bottom)."""
        return cls(left, top, max(0, right - left), max(0, bottom - top))

    @classmethod
    def around(cls, cx: float, cy: float, radius: float) -> Rect:
        """The smallest pixel rectangle covering a disc of radius around (cx, cy)."""
        left, top = math.floor(cx - radius), math.floor(cy - radius)
        return cls.from_edges(left, top, math.ceil(cx + radius) + 1, math.ceil(cy + radius) + 1)

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    @property
    def area(self) -> int:
        return 0 if self.is_empty() else self.w * self.h

    def is_empty(self) -> bool:
        """True when the rectangle holds no pixel."""
        return self.w <= 0 or self.h <= 0

    def intersect(self, other: Rect) -> Rect:
        """The overlap of both rectangles (possibly empty)."""
        return Rect.from_edges(
            max(self.x, other.x), max(self.y, other.y),
            min(self.right, other.right), min(self.bottom, other.bottom),
        )

    def union(self, other: Rect | None) -> Rect:
        """The bounding rectangle of both; an empty or missing side is ignored."""
        if other is None or other.is_empty():
            return self
        if self.is_empty():
            return other
        return Rect.from_edges(
            min(self.x, other.x), min(self.y, other.y),
            max(self.right, other.right), max(self.bottom, other.bottom),
        )

    def clip(self, width: int, height: int) -> Rect:
        """This rectangle restricted to an image of the given size."""
        return self.intersect(Rect(0, 0, width, height))

    def translate(self, dx: int, dy: int) -> Rect:
        """The same rectangle moved by (dx, dy)."""
        return Rect(self.x + dx, self.y + dy, self.w, self.h)

    def expand(self, margin: int) -> Rect:
        """The rectangle grown by margin pixels on every side."""
        return Rect(self.x - margin, self.y - margin, self.w + 2 * margin, self.h + 2 * margin)

    def contains(self, other: Rect) -> bool:
        """True when other lies fully inside this rectangle (an empty other always does)."""
        if other.is_empty():
            return True
        return (self.x <= other.x and self.y <= other.y
                and other.right <= self.right and other.bottom <= self.bottom)

    def slices(self, origin_x: int = 0, origin_y: int = 0) -> tuple[slice, slice]:
        """Numpy (rows, cols) slices of this rectangle in an array whose top-left is at origin."""
        top, left = self.y - origin_y, self.x - origin_x
        return slice(top, top + self.h), slice(left, left + self.w)
