"""Free Transform of a group: every raster layer inside it (hidden ones too) moves whole, its mask with
it, through the same affine, and so do the group's own mask and its inner groups' masks: one undo step.
The selection stays where it is (a group has no pixels of its own to lift). The preview's piece is the
group's layers composited alone, over their bounds, with the group's mask applied."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from glide_desktop.document.affine import Affine
from glide_desktop.document.commands import Command
from glide_desktop.document.compositing import composite_rect
from glide_desktop.document.document import Document
from glide_desktop.document.free_transform import FreeTransform, Lift, LiftedPicture, alpha_bounds
from glide_desktop.document.geometry import Rect
from glide_desktop.document.group_masks import mask_over, transformed_mask
from glide_desktop.document.layer import apply_mask


def group_layers(doc: Document, uid: int) -> list:
    """The raster layers inside group uid that have any pixels (a clear layer has nothing to move)."""
    return [node for node in doc.descendants(uid) if not node.is_group and node.pixels[..., 3].any()]


def group_rect(doc: Document, uid: int) -> Rect:
    """Where the group's layers have pixels (document pixels; empty when nowhere)."""
    rect = Rect(0, 0, 0, 0)
    for layer in group_layers(doc, uid):
        here = alpha_bounds(layer.pixels[..., 3]).translate(*layer.offset)
        rect = here if rect.is_empty() else rect.union(here)
    return rect


def group_lift(doc: Document, uid: int, with_piece: bool = True) -> Lift:
    """The group as one piece: its layers composited alone over group_rect (what the preview moves;
    apply transforms each layer itself). Without the piece: only its rect (the piece's pixels left
    empty, to be composited later, perhaps on another thread, by group_piece)."""
    rect = group_rect(doc, uid)
    if with_piece and not rect.is_empty():
        return Lift(rect, group_piece(doc, uid, rect), None, None, False)
    return Lift(rect, np.zeros((0, 0, 4), np.uint8), None, None, False)


def group_piece(doc: Document, uid: int, rect: Rect) -> np.ndarray:
    """The group's layers composited alone over rect (straight RGBA8), its own mask applied."""
    piece = composite_rect(doc.descendants(uid), rect)
    group = doc.layer_by_uid(uid)
    return apply_mask(piece, mask_over(group.mask, rect)) if group.masked else piece


def group_picture(doc: Document, uid: int, lifted: Lift) -> LiftedPicture:
    """The picture without the group: split at the group when what holds it composites in place (the
    nodes above it drawn over the moving piece), else all of it under the piece."""
    stack = [replace(node, visible=False) if node.uid == uid else node for node in doc.layers]
    start, end = doc.block(uid)
    in_place = all(group.pass_through and group.opacity == 1.0 for group in doc.ancestors(uid))
    above = [node for node in stack[end:] if node.visible]
    if not in_place or not any(not node.is_group for node in above):
        area = lifted.rect.clip(doc.width, doc.height)
        return LiftedPicture(area, composite_rect(stack, area), None)
    below = stack[:start]
    return LiftedPicture(doc.bounds, composite_rect(below, doc.bounds) if below else None,
                         composite_rect(stack[end:], doc.bounds))


class FreeTransformGroup(Command):
    """One Free Transform of a group: each of its layers' FreeTransform, as one step."""

    text = "Free Transform"

    def __init__(self, uid: int, affine: Affine):
        super().__init__()
        self.uid, self.affine = uid, affine
        self._steps: list[FreeTransform] | None = None
        self._masks: list[tuple[int, np.ndarray, np.ndarray]] = []  # (group, before, after)

    def prepare(self, doc: Document, lifted: Lift | None = None) -> None:
        """Resample every layer now (lifted: the group's piece, unused: each layer lifts itself)."""
        if self._steps is not None:
            return
        steps = [FreeTransform(layer.uid, self.affine, use_selection=False)
                 for layer in group_layers(doc, self.uid)]
        for step in steps:
            step.prepare(doc)
        groups = [doc.layer_by_uid(self.uid), *(n for n in doc.descendants(self.uid) if n.is_group)]
        self._masks = [(group.uid, group.mask, transformed_mask(group.mask, self.affine))
                       for group in groups if group.mask is not None]
        self._steps = steps

    def redo(self, doc: Document) -> None:
        self.prepare(doc)
        for step in self._steps or ():
            step.redo(doc)
        for uid, _, after in self._masks:
            doc.set_mask(uid, after, doc.layer_by_uid(uid).mask_enabled)

    def undo(self, doc: Document) -> None:
        for step in reversed(self._steps or ()):
            step.undo(doc)
        for uid, before, _ in self._masks:
            doc.set_mask(uid, before, doc.layer_by_uid(uid).mask_enabled)

    @property
    def nbytes(self) -> int:
        masks = sum(before.nbytes + after.nbytes for _, before, after in self._masks)
        return sum(step.nbytes for step in self._steps or ()) + masks or super().nbytes
