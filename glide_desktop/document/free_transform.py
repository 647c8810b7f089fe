"""Free Transform in the document: lift the selected pixels (or the whole layer's content), map them by an
affine with high-quality resampling, put them back into a layer grown to hold them; one undo step.

The piece is the active layer's pixels with alpha x the selection's coverage; what stays behind keeps
the rest of the alpha, so a soft selection lifts softly. With no selection the whole layer moves, and its
mask with it. The selection moves with the piece (as in Photoshop and Krita).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from glide_desktop.document import floating, group_compositing
from glide_desktop.document.affine import Affine
from glide_desktop.document.commands import Command
from glide_desktop.document.compositing import composite_rect
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import Layer
from glide_desktop.document.resample import COVERAGE, GREY, RGBA, warp
from glide_desktop.document.transform_ops import map_metadata

MAX_LAYER_PIXELS = 100_000_000  # the ceiling on opening a file, for a grown layer too
_STRUCT_BYTES = 256


@dataclass
class Lift:
    """What a Free Transform moves: the piece (straight RGBA8) at rect (document pixels) and what stays."""

    rect: Rect
    piece: np.ndarray
    remainder: np.ndarray | None  # the whole layer's pixels without the piece; None: nothing stays
    mask: np.ndarray | None  # the mask values under the piece (a masked layer's mask travels along)
    selection: bool
    amount: np.ndarray | None = None  # the selection's coverage under the piece (its mask blends by it)


def alpha_bounds(alpha: np.ndarray) -> Rect:
    """The smallest rect holding every non-zero value of a 2-D array (empty when none)."""
    rows = np.flatnonzero(alpha.any(axis=1))
    if rows.size == 0:
        return Rect(0, 0, 0, 0)
    cols = np.flatnonzero(alpha[rows[0]: rows[-1] + 1].any(axis=0))
    return Rect.from_edges(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)


def lift(layer: Layer, coverage: np.ndarray | None) -> Lift:
    """The piece a Free Transform takes from layer: under coverage (document-sized, [0, 1]) as the Move
    tool lifts it (alpha x coverage; the rest stays), or all of it."""
    if coverage is None:
        content = alpha_bounds(layer.pixels[..., 3])
        mask = None if layer.mask is None else layer.mask[content.slices()]
        return Lift(content.translate(*layer.offset), layer.pixels[content.slices()], None, mask, False)
    lifted = floating.lift(layer, coverage, floating.Target.PIXELS)
    if lifted is None:
        return Lift(Rect(0, 0, 0, 0), np.zeros((0, 0, 4), np.uint8), None, None, True)
    remainder = layer.pixels.copy()
    remainder[lifted.rect.slices(*layer.offset)] = lifted.hole
    content = alpha_bounds(lifted.piece[..., 3])  # only the pixels that really move
    inside = content.slices()
    mask = None if lifted.mask is None else lifted.mask[inside]
    return Lift(content.translate(lifted.rect.x, lifted.rect.y), lifted.piece[inside], remainder, mask, True,
                lifted.coverage[inside])


@dataclass
class Transformed:
    """A layer's new pixels, offset and mask, and the new selection coverage (None: unchanged)."""

    pixels: np.ndarray
    offset: tuple[int, int]
    mask: np.ndarray | None
    coverage: np.ndarray | None


def placed_rect(lifted: Lift, affine: Affine) -> Rect:
    """Where the transformed piece lands (document pixels)."""
    return affine.bounds(lifted.rect)


def apply_free_transform(layer: Layer, lifted: Lift, affine: Affine,
                         coverage: np.ndarray | None = None) -> Transformed:
    """The layer after moving lifted's piece by affine (document coordinates); coverage moves along."""
    to_doc = Affine.translation(lifted.rect.x, lifted.rect.y).then(affine)  # piece pixel -> document
    target = placed_rect(lifted, affine)
    piece = warp(lifted.piece, RGBA, to_doc, target) if not target.is_empty() else None
    bounds = layer.bounds.union(target)
    if bounds.area > MAX_LAYER_PIXELS:
        raise ValueError(f"the layer would grow to {bounds.w} × {bounds.h} px, more than "
                         f"{MAX_LAYER_PIXELS // 1_000_000} megapixels")
    pixels = np.zeros((bounds.h, bounds.w, 4), np.uint8)
    if lifted.remainder is not None:
        pixels[layer.bounds.slices(bounds.x, bounds.y)] = lifted.remainder
    if piece is not None:
        where = pixels[target.slices(bounds.x, bounds.y)]
        # Over what stayed, with the compositor's own "normal" (as the Move tool lands); a whole layer
        # lands on nothing, exactly as it is.
        where[...] = piece if lifted.remainder is None else floating.over(piece, where)
    return Transformed(pixels, (bounds.x, bounds.y), _moved_mask(layer, lifted, to_doc, target, bounds),
                       None if coverage is None else warp_coverage(coverage, affine))


def _moved_mask(layer: Layer, lifted: Lift, to_doc: Affine, target: Rect, bounds: Rect) -> np.ndarray | None:
    """The mask in the new bounds (white where it grew). A whole layer's mask moves with it; under a
    selection it stays, and the piece's mask values blend in where the piece lands (as the Move tool's)."""
    if layer.mask is None:
        return None
    mask = np.full((bounds.h, bounds.w), floating.MASK_GROWN, np.uint8)
    if lifted.selection:
        mask[layer.bounds.slices(bounds.x, bounds.y)] = layer.mask
    if lifted.mask is None or target.is_empty():
        return mask
    moved = warp(lifted.mask, GREY, to_doc, target)
    at = mask[target.slices(bounds.x, bounds.y)]
    if lifted.amount is None:
        at[...] = moved
    else:
        amount = warp(lifted.amount, COVERAGE, to_doc, target)
        at[...] = np.rint(at + (moved.astype(np.float32) - at) * amount)
    return mask


def warp_coverage(coverage: np.ndarray, affine: Affine) -> np.ndarray:
    """A selection coverage (document-sized) moved by affine, resampled the same way as the pixels."""
    height, width = coverage.shape
    area = alpha_bounds(coverage > 0)
    out = np.zeros_like(coverage)
    if area.is_empty():
        return out
    target = affine.bounds(area).clip(width, height)
    if not target.is_empty():
        to_doc = Affine.translation(area.x, area.y).then(affine)
        out[target.slices()] = warp(coverage[area.slices()], COVERAGE, to_doc, target)
    return out


class FreeTransform(Command):
    """One Free Transform of a layer (and the selection when it moved the selected pixels): one undo step.

    The layer's arrays are replaced, never written into, so the step keeps the old ones by reference.
    """

    text = "Free Transform"

    def __init__(self, uid: int, affine: Affine, use_selection: bool):
        super().__init__()
        self.uid, self.affine, self.use_selection = uid, affine, use_selection
        self._old: tuple[np.ndarray, tuple[int, int], np.ndarray | None, dict] | None = None
        self._new: tuple[Transformed, dict] | None = None
        self._coverage: tuple[Rect, np.ndarray, np.ndarray] | None = None  # changed rect, before, after
        self._applied = False

    def prepare(self, doc: Document, lifted: Lift | None = None) -> None:
        """Compute the result now (the caller may time it or report an error before pushing the step)."""
        if self._new is not None:
            return
        layer = doc.layer_by_uid(self.uid)
        coverage = doc.selection.coverage if self.use_selection else None
        lifted = lifted or lift(layer, coverage)
        result = apply_free_transform(layer, lifted, self.affine, coverage)
        metadata = layer.metadata if self.use_selection else map_metadata(layer.metadata, self.affine.bounds)
        self._old = (layer.pixels, layer.offset, layer.mask, dict(layer.metadata))
        self._new = (result, metadata)
        if result.coverage is not None:
            self._coverage = _changed(coverage, result.coverage)

    def redo(self, doc: Document) -> None:
        if self._applied:
            return
        self.prepare(doc)
        result, metadata = self._new
        self._put(doc, result.pixels, result.offset, result.mask, metadata, after=True)
        self._applied = True

    def undo(self, doc: Document) -> None:
        if not self._applied:
            return
        pixels, offset, mask, metadata = self._old
        self._put(doc, pixels, offset, mask, metadata, after=False)
        self._applied = False

    def _put(self, doc: Document, pixels: np.ndarray, offset: tuple[int, int], mask: np.ndarray | None,
             metadata: dict, after: bool) -> None:
        layer = doc.layer_by_uid(self.uid)
        # Mask and pixels change together (the mask fits the new size): one notification for both.
        layer.mask, layer.metadata = mask, dict(metadata)
        doc.replace_layer_pixels(self.uid, pixels, offset)
        if self._coverage is not None:
            rect, before, later = self._coverage
            doc.write_selection(rect, later if after else before)

    @property
    def nbytes(self) -> int:
        total = _STRUCT_BYTES
        if self._old is not None:
            total += self._old[0].nbytes + self._new[0].pixels.nbytes
        if self._coverage is not None:
            total += self._coverage[1].nbytes * 2
        return total


def _changed(before: np.ndarray, after: np.ndarray) -> tuple[Rect, np.ndarray, np.ndarray] | None:
    """The rectangle where two coverages differ, with both sides' values there (None when equal)."""
    rect = alpha_bounds(before != after)
    if rect.is_empty():
        return None
    return rect, before[rect.slices()].copy(), after[rect.slices()].copy()


@dataclass
class LiftedPicture:
    """What a Free Transform's preview draws around the piece: below (the picture with the piece taken
    out, at rect) and, when layers lie above the transformed one, those layers alone over the document
    (drawn over the moving piece); None when nothing lies above."""

    rect: Rect
    below: np.ndarray | None  # None: nothing shows there (the transformed layer is the lowest shown)
    above: np.ndarray | None


def lifted_picture(doc: Document, uid: int, lifted: Lift) -> LiftedPicture:
    """The picture without the piece: over the piece's place when nothing lies above its layer (the
    canvas shows the rest), else split at its layer over the whole document.

    A group that needs a pass of its own (isolated, or pass-through under 100 %) cannot be split: then
    the piece shows over everything while it moves (the result after Enter is exact)."""
    if lifted.remainder is None:
        stack = [node if node.uid != uid else replace(node, visible=False) for node in doc.layers]
    else:
        stack = [replace(node, pixels=lifted.remainder) if node.uid == uid else node for node in doc.layers]
    flat = group_compositing.flattened(stack)
    index = next((i for i, node in enumerate(flat or ()) if node.uid == uid), None)
    above = [] if index is None else [layer for layer in flat[index + 1:] if layer.visible]
    if not above:
        area = lifted.rect.clip(doc.width, doc.height)
        return LiftedPicture(area, composite_rect(stack, area), None)
    below = [layer for layer in flat[:index + 1] if layer.visible]
    return LiftedPicture(doc.bounds, composite_rect(below, doc.bounds) if below else None,
                         composite_rect(above, doc.bounds))
