"""Round brush and eraser: dabs interpolated along the pointer path, one undo step per stroke."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from glide_desktop.document.commands import Command, PixelEdit
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect

_MARGIN = 64  # grow the stroke's scratch buffers in steps, not per dab


@dataclass(frozen=True)
class BrushSettings:
    """Diameter in pixels, hardness and opacity in [0, 1], colour as 8-bit RGB, spacing as a size fraction."""

    size: float = 20.0
    hardness: float = 0.8
    opacity: float = 1.0
    color: tuple[int, int, int] = (0, 0, 0)
    eraser: bool = False
    spacing: float = 0.15


def _dab_alpha(xs: np.ndarray, ys: np.ndarray, cx: float, cy: float, radius: float,
               hardness: float) -> np.ndarray:
    """Dab opacity at pixel centres xs (W,) and ys (H,): flat core, smooth falloff, antialiased rim."""
    dist = np.sqrt((xs[None, :] + 0.5 - cx) ** 2 + (ys[:, None] + 0.5 - cy) ** 2)  # H, W
    norm = dist / radius
    hard = min(max(hardness, 0.0), 1.0)
    if hard < 1.0:
        t = np.clip((norm - hard) / (1.0 - hard), 0.0, 1.0)
        falloff = 1.0 - t * t * (3.0 - 2.0 * t)  # smoothstep from the core out to the rim
    else:
        falloff = np.ones_like(norm)
    rim = np.clip(radius - dist + 0.5, 0.0, 1.0)  # one-pixel antialiasing at the edge
    return (falloff * rim).astype(np.float32)


def dab_mask(size: float, hardness: float) -> np.ndarray:
    """The opacity of one dab of diameter size centred in a square array: S, S float32."""
    side = int(math.ceil(size)) + 2
    coords = np.arange(side, dtype=np.float32)
    return _dab_alpha(coords, coords, side / 2.0, side / 2.0, max(size / 2.0, 0.5), hardness)


class Stroke:
    """A live brush stroke on one layer; finish() returns the undo step for exactly the touched pixels."""

    def __init__(self, document: Document, layer_uid: int, settings: BrushSettings):
        self.doc, self.layer_uid, self.settings = document, layer_uid, settings
        self.layer = document.layer_by_uid(layer_uid)
        self._canvas = self._target()  # what the stroke paints: the layer's pixels (or its mask)
        coverage = document.selection.coverage
        self._selection = coverage if coverage.any() else None  # empty selection = paint anywhere
        self._area: Rect | None = None  # scratch buffers' extent, layer coordinates
        self._orig = np.zeros((0, 0, *self._canvas.shape[2:]), np.uint8)
        self._cover = np.zeros((0, 0), np.float32)
        self._touched: Rect | None = None
        self._last: tuple[float, float, float] | None = None
        self._carry = 0.0  # distance travelled since the last dab

    def dab(self, x: float, y: float, pressure: float = 1.0) -> Rect:
        """Paint towards (x, y) in document coordinates; returns the document rect that changed."""
        pressure = min(max(pressure, 0.0), 1.0)
        if self._last is None:
            self._last = (x, y, pressure)
            return self._paint(x, y, pressure)
        x0, y0, p0 = self._last
        self._last = (x, y, pressure)
        length = math.hypot(x - x0, y - y0)
        step = max(1.0, self.settings.size * self.settings.spacing)
        dirty = Rect(0, 0, 0, 0)
        travelled = step - self._carry
        while travelled <= length:
            t = travelled / length
            p = p0 + (pressure - p0) * t
            dirty = dirty.union(self._paint(x0 + (x - x0) * t, y0 + (y - y0) * t, p))
            travelled += step
        self._carry = length - (travelled - step)
        return dirty

    def _ensure_buffers(self, rect: Rect) -> None:
        if self._area is not None and self._area.contains(rect):
            return
        area = rect.union(self._area).expand(_MARGIN).clip(self.layer.width, self.layer.height)
        orig = self._canvas[area.slices()].copy()
        cover = np.zeros((area.h, area.w), np.float32)
        if self._area is not None:
            orig[self._area.slices(area.x, area.y)] = self._orig
            cover[self._area.slices(area.x, area.y)] = self._cover
        self._area, self._orig, self._cover = area, orig, cover

    def _paint(self, cx: float, cy: float, pressure: float) -> Rect:
        s = self.settings
        radius = max(0.5, s.size / 2.0 * pressure)
        ox, oy = self.layer.offset
        rect = Rect.around(cx - ox, cy - oy, radius).clip(self.layer.width, self.layer.height)
        if rect.is_empty() or pressure <= 0.0:
            return Rect(0, 0, 0, 0)
        self._ensure_buffers(rect)
        xs = np.arange(rect.x, rect.right, dtype=np.float32)
        ys = np.arange(rect.y, rect.bottom, dtype=np.float32)
        alpha = _dab_alpha(xs, ys, cx - ox, cy - oy, radius, s.hardness)  # H, W
        if self._selection is not None:
            doc_rect = rect.translate(ox, oy)
            inside = doc_rect.clip(self.doc.width, self.doc.height)
            mask = np.zeros(alpha.shape, np.float32)  # outside the document nothing is selected
            mask[inside.slices(doc_rect.x, doc_rect.y)] = self._selection[inside.slices()]
            alpha *= mask
        cover = self._cover[rect.slices(self._area.x, self._area.y)]
        np.maximum(cover, alpha, out=cover)  # wash: overlapping dabs never exceed the stroke opacity
        orig = self._orig[rect.slices(self._area.x, self._area.y)]
        self._write(rect, self._apply(orig, cover * np.float32(s.opacity)))
        self._touched = rect.union(self._touched)
        return rect.translate(ox, oy)

    def _target(self) -> np.ndarray:
        return self.layer.pixels

    def _write(self, rect: Rect, values: np.ndarray) -> None:
        self.doc.write_pixels(self.layer_uid, rect, values)

    def _step(self, rect: Rect, before: np.ndarray, after: np.ndarray, text: str) -> Command:
        return PixelEdit(self.layer_uid, rect, before, after, text=text)

    def _apply(self, orig: np.ndarray, amount: np.ndarray) -> np.ndarray:
        """The original pixels with paint (or erasure) of strength amount (H, W) applied."""
        a = amount[..., None]  # H, W, 1
        base_a = orig[..., 3:4].astype(np.float32) / 255.0
        if self.settings.eraser:
            out = orig.copy()
            out[..., 3:4] = np.rint(base_a * (1.0 - a) * 255.0).astype(np.uint8)
            return out
        colour = np.asarray(self.settings.color, np.float32) / 255.0
        out_a = a + base_a * (1.0 - a)
        base_c = orig[..., :3].astype(np.float32) / 255.0
        mixed = colour * a + base_c * base_a * (1.0 - a)
        out_c = np.divide(mixed, out_a, out=np.zeros_like(mixed), where=out_a > 0)
        result = np.empty(orig.shape, np.uint8)
        result[..., :3] = np.rint(np.clip(out_c, 0.0, 1.0) * 255.0)
        result[..., 3:4] = np.rint(out_a * 255.0)
        return result

    def finish(self) -> Command | None:
        """End the stroke: the command holding only the touched rectangle's before/after pixels."""
        if self._touched is None:
            return None
        rect = self._touched
        before = self._orig[rect.slices(self._area.x, self._area.y)].copy()
        after = self._canvas[rect.slices()].copy()
        self._touched, self._area, self._last = None, None, None
        if np.array_equal(before, after):
            return None  # all outside the selection (or erasing nothing): no empty undo step
        text = "Erase" if self.settings.eraser else "Brush stroke"
        return self._step(rect, before, after, text)
