"""Free Transform's box: the lifted piece's bounds scaled, turned and moved, and what dragging it does.

Pure geometry in document pixels (no Qt), so the handles' behaviour is tested without a window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

from glide_desktop.document.affine import Affine
from glide_desktop.document.geometry import Rect

SNAP_DEGREES = 15.0  # Shift while turning
MIN_SIDE = 1.0  # the box never shrinks below one pixel across (it would lose its piece)


class Part(StrEnum):
    """What lies under the pointer: one of the eight handles, the pivot (the point turns go about), the
    inside (move) or the outside (turn)."""

    TOP_LEFT = "top-left"
    TOP = "top"
    TOP_RIGHT = "top-right"
    RIGHT = "right"
    BOTTOM_RIGHT = "bottom-right"
    BOTTOM = "bottom"
    BOTTOM_LEFT = "bottom-left"
    LEFT = "left"
    PIVOT = "pivot"
    INSIDE = "inside"
    OUTSIDE = "outside"

    @property
    def signs(self) -> tuple[int, int]:
        """The handle's place on the box: -1 left/top, 0 middle, 1 right/bottom."""
        return _SIGNS[self]

    @property
    def is_handle(self) -> bool:
        return self in _SIGNS

    @property
    def is_corner(self) -> bool:
        return self.is_handle and 0 not in self.signs


_SIGNS = {Part.TOP_LEFT: (-1, -1), Part.TOP: (0, -1), Part.TOP_RIGHT: (1, -1), Part.RIGHT: (1, 0),
          Part.BOTTOM_RIGHT: (1, 1), Part.BOTTOM: (0, 1), Part.BOTTOM_LEFT: (-1, 1), Part.LEFT: (-1, 0)}
HANDLES = tuple(_SIGNS)


@dataclass(frozen=True)
class TransformBox:
    """source (the piece's bounds) scaled by (sx, sy) about its centre, turned clockwise by angle degrees,
    its centre put at (cx, cy); turns (and Alt-scaling) go about the pivot, kept in box units (u, v) so it
    stays at its place on the box as the box scales, turns and moves."""

    source: Rect
    cx: float
    cy: float
    sx: float = 1.0
    sy: float = 1.0
    angle: float = 0.0
    pivot: tuple[float, float] = (0.0, 0.0)  # (u, v) as in point(): the centre by default

    @classmethod
    def around(cls, rect: Rect) -> TransformBox:
        """The untransformed box of rect."""
        return cls(rect, rect.x + rect.w / 2, rect.y + rect.h / 2)

    def affine(self) -> Affine:
        """The map from the piece's place to where the box shows it."""
        centre = (self.source.x + self.source.w / 2, self.source.y + self.source.h / 2)
        return (Affine.translation(-centre[0], -centre[1]).then(Affine.scaling(self.sx, self.sy))
                .then(Affine.rotation(self.angle)).then(Affine.translation(self.cx, self.cy)))

    @property
    def width(self) -> float:
        """The box's signed width along its own x axis (negative when flipped)."""
        return self.source.w * self.sx

    @property
    def height(self) -> float:
        return self.source.h * self.sy

    def point(self, u: float, v: float) -> tuple[float, float]:
        """The document point at (u, v) on the box: -1 left/top edge, 0 centre, 1 right/bottom edge."""
        dx, dy = _turn(u * self.width / 2, v * self.height / 2, self.angle)
        return self.cx + dx, self.cy + dy

    def handles(self) -> dict[Part, tuple[float, float]]:
        """The eight handles' document points."""
        return {part: self.point(*part.signs) for part in HANDLES}

    def corners(self) -> list[tuple[float, float]]:
        """The four corners clockwise from the top-left."""
        return [self.point(u, v) for u, v in ((-1, -1), (1, -1), (1, 1), (-1, 1))]

    @property
    def pivot_point(self) -> tuple[float, float]:
        """Where the pivot is, document pixels."""
        return self.point(*self.pivot)

    def part_at(self, x: float, y: float, reach: float) -> Part:
        """A handle, or the pivot once moved off the centre, within reach (document pixels) of (x, y), else
        inside or outside the box (at the centre the pivot never hides a move: Alt-press places it)."""
        near = [(math.dist((x, y), p), part) for part, p in self.handles().items()]
        distance, part = min(near, key=lambda item: (item[0], not item[1].is_corner))
        to_pivot = math.dist((x, y), self.pivot_point)
        if self.pivot != (0.0, 0.0) and to_pivot <= reach and to_pivot <= distance:
            return Part.PIVOT
        if distance <= reach:
            return part
        lx, ly = _turn(x - self.cx, y - self.cy, -self.angle)
        inside = abs(lx) <= abs(self.width) / 2 and abs(ly) <= abs(self.height) / 2
        return Part.INSIDE if inside else Part.OUTSIDE

    def with_pivot_at(self, x: float, y: float, reach: float = 0.0) -> TransformBox:
        """The box with its pivot at (x, y), snapped to the centre or a handle within reach."""
        spots = [((0, 0), self.point(0, 0))] + [(part.signs, p) for part, p in self.handles().items()]
        distance, (signs, _) = min((math.dist((x, y), p), (signs, p)) for signs, p in spots)
        if distance <= reach:
            return replace(self, pivot=(float(signs[0]), float(signs[1])))
        lx, ly = _turn(x - self.cx, y - self.cy, -self.angle)
        return replace(self, pivot=(lx * 2 / self.width, ly * 2 / self.height))

    def moved(self, dx: float, dy: float) -> TransformBox:
        """The box moved by (dx, dy)."""
        return replace(self, cx=self.cx + dx, cy=self.cy + dy)

    def turned(self, start: tuple[float, float], now: tuple[float, float], snap: bool) -> TransformBox:
        """The box turned about its pivot by the angle the pointer swept from start to now."""
        px, py = self.pivot_point
        before = math.atan2(start[1] - py, start[0] - px)
        after = math.atan2(now[1] - py, now[0] - px)
        angle = self.angle + math.degrees(after - before)
        if snap:
            angle = round(angle / SNAP_DEGREES) * SNAP_DEGREES
        angle = (angle + 180.0) % 360.0 - 180.0
        dx, dy = _turn(self.cx - px, self.cy - py, angle - self.angle)  # the centre goes round the pivot
        return replace(self, angle=angle, cx=px + dx, cy=py + dy)

    def dragged(self, part: Part, x: float, y: float, keep_aspect: bool, from_centre: bool) -> TransformBox:
        """The box with handle `part` at (x, y): the opposite handle (or, from_centre, the pivot) stays."""
        hu, hv = part.signs
        au, av = self.pivot if from_centre else (-hu, -hv)
        anchor = self.point(au, av)
        lx, ly = _turn(x - anchor[0], y - anchor[1], -self.angle)
        # A handle level with the anchor (the pivot on its edge) cannot scale that way: that side stays.
        sx = lx * 2 / ((hu - au) * self.source.w) if abs(hu - au) > 1e-6 else self.sx
        sy = ly * 2 / ((hv - av) * self.source.h) if abs(hv - av) > 1e-6 else self.sy
        if keep_aspect:
            sx, sy = _keep_aspect(self, part, sx, sy)
        sx = _at_least(sx, MIN_SIDE / self.source.w)
        sy = _at_least(sy, MIN_SIDE / self.source.h)
        box = replace(self, sx=sx, sy=sy)
        ox, oy = _turn(au * box.width / 2, av * box.height / 2, self.angle)  # anchor from the new centre
        return replace(box, cx=anchor[0] - ox, cy=anchor[1] - oy)


def _keep_aspect(box: TransformBox, part: Part, sx: float, sy: float) -> tuple[float, float]:
    """Both factors changed alike: the larger change at a corner, the dragged side's at an edge."""
    fx, fy = sx / box.sx, sy / box.sy
    if part.is_corner:
        factor = fx if abs(fx) >= abs(fy) else fy
        return box.sx * factor, box.sy * factor
    if part.signs[0]:
        return sx, box.sy * abs(fx)
    return box.sx * abs(fy), sy


def _at_least(scale: float, smallest: float) -> float:
    return math.copysign(max(abs(scale), smallest), scale)


def _turn(x: float, y: float, degrees: float) -> tuple[float, float]:
    """(x, y) turned clockwise on screen by degrees."""
    radians = math.radians(degrees)
    cos, sin = math.cos(radians), math.sin(radians)
    return cos * x - sin * y, sin * x + cos * y


class BoxSteps:
    """The box after each finished gesture of one Free Transform: Ctrl+Z and redo step through them
    (as in Photoshop) without touching the document's history."""

    def __init__(self, box: TransformBox) -> None:
        self._done, self._undone = [box], []

    def record(self, box: TransformBox) -> None:
        """A gesture ended at box (nothing when it changed nothing); what was undone is forgotten."""
        if box != self._done[-1]:
            self._done.append(box)
            self._undone.clear()

    def undo(self) -> TransformBox | None:
        """The box before the last gesture (None when there is none)."""
        if len(self._done) < 2:
            return None
        self._undone.append(self._done.pop())
        return self._done[-1]

    def redo(self) -> TransformBox | None:
        """The box the last undo left (None when nothing was undone)."""
        if not self._undone:
            return None
        self._done.append(self._undone.pop())
        return self._done[-1]
