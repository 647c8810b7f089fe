"""Layer mask commands: add (white, black, from the selection), invert, disable, apply, delete, paint;
on layers and on isolated groups (a group's mask covers the canvas; it cannot be applied).

Each is one undo step that restores the layer's mask, its switch and (for Apply) its pixels exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glide_desktop.document.commands import _STRUCT_BYTES, Command, PixelEdit
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.group import Node
from glide_desktop.document.group_masks import PASS_THROUGH_REFUSAL

_EVERYTHING = (slice(None), slice(None))


def selection_mask(doc: Document, layer: Node) -> np.ndarray:
    """The selection's coverage over the layer's area as a mask (0 where the layer lies off the canvas; a
    group's mask covers the canvas)."""
    if layer.is_group:
        return np.rint(doc.selection.coverage * 255.0).astype(np.uint8)
    mask = np.zeros(layer.pixels.shape[:2], np.uint8)
    inside = layer.bounds.clip(doc.width, doc.height)
    if not inside.is_empty():
        coverage = doc.selection.coverage[inside.slices()]
        mask[inside.slices(*layer.offset)] = np.rint(coverage * 255.0).astype(np.uint8)
    return mask


def alpha_as_mask(pixels: np.ndarray, rect: Rect) -> tuple[np.ndarray, np.ndarray]:
    """Pixels opaque within rect (layer coordinates) and a mask holding their former alpha there.

    The layer composites exactly as before (255 x m / 255 = m), but the artist can now widen or soften
    the blend by painting the mask: the generated colour under the mask's black is still there.
    """
    mask = pixels[..., 3].copy()
    opaque = pixels.copy()
    inside = rect.clip(pixels.shape[1], pixels.shape[0])
    if not inside.is_empty():
        opaque[inside.slices()][..., 3] = 255
    return opaque, mask


class ChangeMask(Command):
    """Set a layer's mask and its switch (and, when given, its pixels) as one step."""

    def __init__(self, uid: int, mask: np.ndarray | None, enabled: bool, text: str,
                 pixels: np.ndarray | None = None):
        super().__init__()
        self.uid, self.text = uid, text
        self.new: tuple[np.ndarray | None, bool, np.ndarray | None] = (mask, enabled, pixels)
        self.old: tuple[np.ndarray | None, bool, np.ndarray | None] | None = None

    def _put(self, doc: Document, state: tuple[np.ndarray | None, bool, np.ndarray | None]) -> None:
        mask, enabled, pixels = state
        if pixels is not None:
            doc.replace_layer_pixels(self.uid, pixels.copy(), doc.layer_by_uid(self.uid).offset)
        doc.set_mask(self.uid, None if mask is None else mask.copy(), enabled)

    def redo(self, doc: Document) -> None:
        layer = doc.layer_by_uid(self.uid)
        if self.old is None:  # copies: later paint strokes write into the live mask in place
            old_mask = None if layer.mask is None else layer.mask.copy()
            old_pixels = None if self.new[2] is None else layer.pixels.copy()
            self.old = (old_mask, layer.mask_enabled, old_pixels)
        self._put(doc, self.new)

    def undo(self, doc: Document) -> None:
        if self.old is not None:
            self._put(doc, self.old)

    @property
    def nbytes(self) -> int:
        arrays = [*self.new, *(self.old or ())]
        return _STRUCT_BYTES + sum(a.nbytes for a in arrays if isinstance(a, np.ndarray))


def add_mask(doc: Document, uid: int, fill: str) -> ChangeMask:
    """A step giving the layer a new mask: fill is "white", "black" or "selection"."""
    layer = doc.layer_by_uid(uid)
    if layer.is_group and layer.pass_through:
        raise ValueError(PASS_THROUGH_REFUSAL)
    if fill == "selection":
        return ChangeMask(uid, selection_mask(doc, layer), True, "Add mask from selection")
    values = {"white": 255, "black": 0}[fill]
    shape = (doc.height, doc.width) if layer.is_group else layer.pixels.shape[:2]
    return ChangeMask(uid, np.full(shape, values, np.uint8), True, f"Add {fill} mask")


def _existing(doc: Document, uid: int) -> tuple[Node, np.ndarray]:
    layer = doc.layer_by_uid(uid)
    if layer.mask is None:
        raise ValueError(f"layer {layer.name!r} has no mask")
    return layer, layer.mask


def invert_mask(doc: Document, uid: int) -> ChangeMask:
    """A step replacing the mask by 255 - mask."""
    layer, mask = _existing(doc, uid)
    return ChangeMask(uid, 255 - mask, layer.mask_enabled, "Invert mask")


def toggle_mask(doc: Document, uid: int) -> ChangeMask:
    """A step switching the mask off (or back on); the mask itself is kept."""
    layer, mask = _existing(doc, uid)
    return ChangeMask(uid, mask.copy(), not layer.mask_enabled,
                      "Enable mask" if not layer.mask_enabled else "Disable mask")


def apply_mask_step(doc: Document, uid: int) -> ChangeMask:
    """A step baking the mask into the layer's alpha and removing it (a disabled mask is just removed)."""
    layer, _ = _existing(doc, uid)
    if layer.is_group:  # a group has no pixels to bake it into; Merge Group does (the mask applied)
        raise ValueError("A group's mask cannot be applied: Merge Group makes one layer with it applied")
    pixels = layer.shown_pixels(_EVERYTHING).copy() if layer.masked else layer.pixels.copy()
    return ChangeMask(uid, None, True, "Apply mask", pixels)


def delete_mask(doc: Document, uid: int) -> ChangeMask:
    """A step removing the mask without applying it."""
    _existing(doc, uid)
    return ChangeMask(uid, None, True, "Delete mask")


class MaskEdit(PixelEdit):
    """Before/after mask values of rectangles of one layer (layer coordinates); strokes merge by key."""

    VALUE_SHAPE = ()  # one grey level per pixel
    KIND = "mask"

    def __init__(self, layer_uid: int, rect: Rect, before: np.ndarray, after: np.ndarray,
                 text: str = "Paint mask", merge_key: Any = None):
        super().__init__(layer_uid, rect, before, after, text, merge_key)

    def _write(self, doc: Document, rect: Rect, values: np.ndarray) -> None:
        doc.write_mask(self.layer_uid, rect, values)
