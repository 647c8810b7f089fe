"""Moving the selection's contents (no Qt): lift them off a layer into a floating piece, land it elsewhere.

The piece holds the layer's pixels with alpha x coverage; the hole left behind keeps alpha x (1 - coverage),
so soft selections lift soft pieces. Landing composites the piece over the layer at its new place, with the
compositor's own "normal" maths; the layer grows to hold a piece moved past its edges (pixels off the canvas
are kept, as layers with offsets keep them anywhere). A masked layer's mask travels with its pixels (what
the artist sees moves as seen); with the mask chosen for editing, the mask's values move instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from glide_desktop.document.compositing import blend_into, to_premultiplied, to_straight_uint8
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode, Layer

MASK_GROWN = 255  # mask value where a masked layer grows: its new (clear) pixels show once painted


class Target(StrEnum):
    """What a selection move takes along: the layer's pixels (and mask with them) or only its mask."""

    PIXELS = "pixels"
    MASK = "mask"


@dataclass(frozen=True, eq=False)
class Lifted:
    """A lift's result: the piece at rect (document coordinates, inside the layer) and the hole it left.

    piece: h, w, 4 RGBA with alpha x coverage (PIXELS) or h, w mask values (MASK); mask: the mask values
    travelling with a masked layer's pixels; hole: what stays at rect; original: rect's values before.
    """

    target: Target
    rect: Rect
    piece: np.ndarray
    coverage: np.ndarray
    mask: np.ndarray | None
    hole: np.ndarray
    original: np.ndarray

    @property
    def nbytes(self) -> int:
        arrays = (self.piece, self.coverage, self.mask, self.hole, self.original)
        return sum(a.nbytes for a in arrays if a is not None)


def coverage_box(coverage: np.ndarray) -> Rect | None:
    """The bounding rect of coverage above zero, None when nothing is selected."""
    rows = np.flatnonzero(coverage.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(coverage[rows[0]: rows[-1] + 1].any(axis=0))
    return Rect.from_edges(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)


def _scaled(values: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """uint8 values x factor (float32 in [0, 1]), rounded."""
    out = values.astype(np.float32)
    out *= factor
    out += 0.5
    return out.astype(np.uint8)


def lift(layer: Layer, coverage: np.ndarray, target: Target, copy: bool = False) -> Lifted | None:
    """Take what the selection `coverage` (document-sized, in [0, 1]) holds of the layer; copy leaves no
    hole. None when the selection misses the layer (or MASK is asked of a layer without a mask)."""
    box = coverage_box(coverage)
    rect = Rect(0, 0, 0, 0) if box is None else box.intersect(layer.bounds)
    if rect.is_empty() or (target is Target.MASK and layer.mask is None):
        return None
    local = rect.slices(*layer.offset)
    amount = coverage[rect.slices()].astype(np.float32)
    if target is Target.MASK:
        values = layer.mask[local]
        hole = values.copy() if copy else _scaled(values, 1.0 - amount)
        return Lifted(target, rect, values.copy(), amount, None, hole, values.copy())
    source = layer.pixels[local]
    piece = source.copy()
    piece[..., 3] = _scaled(source[..., 3], amount)
    hole = source.copy()
    if not copy:
        hole[..., 3] = _scaled(source[..., 3], 1.0 - amount)
    mask = None if layer.mask is None else layer.mask[local].copy()
    return Lifted(target, rect, piece, amount, mask, hole, source.copy())


def floating_layer(layer: Layer, lifted: Lifted, delta: tuple[int, int]) -> Layer:
    """The piece as a layer shown right above its own (GIMP's floating selection), moved by delta."""
    # Blends like "source in" would erase everything around a piece composited alone: show it as normal.
    blend = BlendMode.NORMAL if layer.blend.clears_outside else layer.blend
    return Layer(lifted.piece.copy(), name="Floating selection", visible=layer.visible, opacity=layer.opacity,
                 blend=blend, offset=(lifted.rect.x + delta[0], lifted.rect.y + delta[1]),
                 mask=None if lifted.mask is None else lifted.mask.copy(), mask_enabled=layer.mask_enabled)


def _read(values: np.ndarray, bounds: Rect, area: Rect, fill: int) -> np.ndarray:
    """values (lying at document rect bounds) under area; fill where area leaves bounds."""
    out = np.full((area.h, area.w, *values.shape[2:]), fill, values.dtype)
    part = area.intersect(bounds)
    if not part.is_empty():
        out[part.slices(area.x, area.y)] = values[part.slices(bounds.x, bounds.y)]
    return out


def over(piece: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """Straight RGBA8 piece over backdrop (same shape), as the compositor draws a normal layer."""
    alpha = piece[..., 3]
    solid = alpha == 255
    out = backdrop.copy()
    np.copyto(out, piece, where=solid[..., None])  # what over gives there, without the float round trip
    soft = (alpha > 0) & ~solid  # a feathered piece's rim: the only pixels that really mix
    if soft.any():
        mixed = to_premultiplied(backdrop[soft])  # N, 4
        blend_into(mixed, to_premultiplied(piece[soft]), BlendMode.NORMAL)
        out[soft] = to_straight_uint8(mixed)
    return out


def _blend_mask(backdrop: np.ndarray, piece: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Mask values moving in: piece where fully selected, a mix by coverage on soft edges."""
    out = backdrop.astype(np.float32)
    out += (piece.astype(np.float32) - out) * amount
    out += 0.5
    return out.astype(np.uint8)


@dataclass(frozen=True, eq=False)
class LayerEdit:
    """A landing's change to one layer: its bounds before and after (document coordinates) and a region's
    pixels and mask before and after (None where they do not change)."""

    uid: int
    old_bounds: Rect
    new_bounds: Rect
    region: Rect
    pixels: tuple[np.ndarray, np.ndarray] | None
    mask: tuple[np.ndarray, np.ndarray] | None

    def apply(self, doc: Document, forward: bool = True) -> None:
        """Put the after state (forward) or the before state on the layer; safe to repeat."""
        side = 1 if forward else 0
        bounds = self.new_bounds if forward else self.old_bounds
        layer = doc.layer_by_uid(self.uid)
        part = self.region.intersect(bounds)
        inside = part.slices(self.region.x, self.region.y)
        if layer.bounds == bounds:
            local = part.translate(-bounds.x, -bounds.y)
            if self.pixels is not None:
                doc.write_pixels(self.uid, local, self.pixels[side][inside])
            if self.mask is not None:
                doc.write_mask(self.uid, local, self.mask[side][inside])
            return
        pixels = _read(layer.pixels, layer.bounds, bounds, 0)
        if self.pixels is not None:
            pixels[part.slices(bounds.x, bounds.y)] = self.pixels[side][inside]
        if layer.mask is not None:
            mask = _read(layer.mask, layer.bounds, bounds, MASK_GROWN)
            if self.mask is not None:
                mask[part.slices(bounds.x, bounds.y)] = self.mask[side][inside]
            layer.mask = mask  # set with the pixels, before anyone is told: the sizes always agree
        doc.replace_layer_pixels(self.uid, pixels, (bounds.x, bounds.y))

    @property
    def nbytes(self) -> int:
        pairs = [pair for pair in (self.pixels, self.mask) if pair is not None]
        return sum(a.nbytes + b.nbytes for a, b in pairs)


def land(layer: Layer, lifted: Lifted, delta: tuple[int, int]) -> LayerEdit | None:
    """The change that leaves the hole and puts the piece down moved by delta (None when it did not move).

    `layer` is as it was before the lift.
    """
    if delta == (0, 0):
        return None
    source, dest = lifted.rect, lifted.rect.translate(*delta)
    if lifted.target is Target.MASK:
        return _land_mask(layer, lifted, dest)
    bounds = layer.bounds.union(dest)  # the layer grows to hold the piece
    region = source.union(dest)
    before = _read(layer.pixels, layer.bounds, region, 0)
    after = before.copy()
    after[source.slices(region.x, region.y)] = lifted.hole
    at = dest.slices(region.x, region.y)
    after[at] = over(lifted.piece, after[at])
    masks = None
    if layer.mask is not None and lifted.mask is not None:
        mask_before = _read(layer.mask, layer.bounds, region, MASK_GROWN)
        mask_after = mask_before.copy()
        mask_after[at] = _blend_mask(mask_after[at], lifted.mask, lifted.coverage)
        masks = (mask_before, mask_after)
    return LayerEdit(layer.uid, layer.bounds, bounds, region, (before, after), masks)


def _land_mask(layer: Layer, lifted: Lifted, dest: Rect) -> LayerEdit:
    """Mask values moved inside the layer (a mask is the layer's size: what leaves it is dropped)."""
    bounds = layer.bounds
    region = lifted.rect.union(dest).intersect(bounds)
    before = layer.mask[region.slices(bounds.x, bounds.y)].copy()
    after = before.copy()
    after[lifted.rect.slices(region.x, region.y)] = lifted.hole
    kept = dest.intersect(bounds)
    if not kept.is_empty():
        at, piece_part = kept.slices(region.x, region.y), kept.slices(dest.x, dest.y)
        after[at] = _blend_mask(after[at], lifted.piece[piece_part], lifted.coverage[piece_part])
    return LayerEdit(layer.uid, bounds, bounds, region, None, (before, after))


def shift_selection(doc: Document, box: Rect, values: np.ndarray, old: tuple[int, int],
                    new: tuple[int, int]) -> None:
    """Move the selection's values (at box when unmoved) from offset old to new, clipped to the canvas."""
    if old == new:
        return
    was, now = box.translate(*old), box.translate(*new)
    area = was.union(now).clip(doc.width, doc.height)
    if area.is_empty():
        return
    coverage = np.zeros((area.h, area.w), np.float32)
    part = now.intersect(area)
    if not part.is_empty():
        coverage[part.slices(area.x, area.y)] = values[part.slices(now.x, now.y)]
    doc.write_selection(area, coverage)
