"""2-D affine maps in document pixels (continuous coordinates: pixel (i, j) spans [i, i + 1) x [j, j + 1))."""

from __future__ import annotations

import math
from dataclasses import dataclass

from glide_desktop.document.geometry import Rect

_EPS = 1e-9


@dataclass(frozen=True)
class Affine:
    """x' = a x + b y + c, y' = d x + e y + f."""

    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 0.0
    e: float = 1.0
    f: float = 0.0

    @classmethod
    def translation(cls, dx: float, dy: float) -> Affine:
        """Move by (dx, dy)."""
        return cls(1.0, 0.0, dx, 0.0, 1.0, dy)

    @classmethod
    def scaling(cls, sx: float, sy: float, cx: float = 0.0, cy: float = 0.0) -> Affine:
        """Scale by (sx, sy) about the point (cx, cy)."""
        return cls(sx, 0.0, cx - sx * cx, 0.0, sy, cy - sy * cy)

    @classmethod
    def rotation(cls, degrees: float, cx: float = 0.0, cy: float = 0.0) -> Affine:
        """Turn clockwise on screen (y points down) by degrees about (cx, cy)."""
        radians = math.radians(degrees)
        cos, sin = _clean(math.cos(radians)), _clean(math.sin(radians))
        return cls(cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy)

    def then(self, other: Affine) -> Affine:
        """This map followed by other (other ∘ self)."""
        o, s = other, self
        return Affine(o.a * s.a + o.b * s.d, o.a * s.b + o.b * s.e, o.a * s.c + o.b * s.f + o.c,
                      o.d * s.a + o.e * s.d, o.d * s.b + o.e * s.e, o.d * s.c + o.e * s.f + o.f)

    @property
    def determinant(self) -> float:
        return self.a * self.e - self.b * self.d

    def inverse(self) -> Affine:
        """The map undoing this one; ValueError when it collapses the plane (zero width or height)."""
        det = self.determinant
        if abs(det) < _EPS:
            raise ValueError("the transform has no area (zero width or height)")
        a, b, d, e = self.e / det, -self.b / det, -self.d / det, self.a / det
        return Affine(a, b, -(a * self.c + b * self.f), d, e, -(d * self.c + e * self.f))

    def map(self, x: float, y: float) -> tuple[float, float]:
        """Where the point (x, y) goes."""
        return self.a * x + self.b * y + self.c, self.d * x + self.e * y + self.f

    def map_corners(self, rect: Rect) -> list[tuple[float, float]]:
        """The rectangle's four corners mapped (top-left, top-right, bottom-right, bottom-left)."""
        return [self.map(x, y) for x, y in ((rect.x, rect.y), (rect.right, rect.y),
                                            (rect.right, rect.bottom), (rect.x, rect.bottom))]

    def bounds(self, rect: Rect) -> Rect:
        """The pixel rectangle holding every pixel the mapped rectangle touches."""
        corners = self.map_corners(rect)
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        # Rounding noise (1e-12 past an edge) must not add a row of empty pixels.
        return Rect.from_edges(math.floor(min(xs) + 1e-6), math.floor(min(ys) + 1e-6),
                               math.ceil(max(xs) - 1e-6), math.ceil(max(ys) - 1e-6))

    def axis_scales(self) -> tuple[float, float]:
        """How much a step along x and along y grows (the lengths of the mapped unit vectors)."""
        return math.hypot(self.a, self.d), math.hypot(self.b, self.e)

    @property
    def axis_aligned(self) -> bool:
        """True for scaling, flipping and moving only (no turn or shear)."""
        return abs(self.b) < _EPS and abs(self.d) < _EPS

    def quarter_turn(self) -> bool:
        """True when whole pixels land on whole pixels: 90° turns, flips, integer moves."""
        entries = (self.a, self.b, self.d, self.e)
        if not all(abs(v) < _EPS or abs(abs(v) - 1.0) < _EPS for v in entries):
            return False
        if abs(abs(self.determinant) - 1.0) > _EPS:
            return False
        return all(abs(v - round(v)) < 1e-6 for v in (self.c, self.f))

    def is_identity(self) -> bool:
        """True when nothing moves."""
        pairs = zip(self.coefficients(), Affine().coefficients(), strict=True)
        return all(math.isclose(v, w, abs_tol=1e-9) for v, w in pairs)

    def coefficients(self) -> tuple[float, float, float, float, float, float]:
        """(a, b, c, d, e, f), the order Pillow's AFFINE data takes (for the inverse map)."""
        return self.a, self.b, self.c, self.d, self.e, self.f


def _clean(value: float) -> float:
    """cos(90°) is 6e-17, not 0: snap such noise so quarter turns stay exact."""
    nearest = round(value)
    return float(nearest) if abs(value - nearest) < 1e-12 else value
