"""Undo steps for image geometry: transform the whole image, or flip a single layer.

Quarter turns and flips are undone by their exact inverse (no pixels kept); crop, canvas size and
image size keep the old pixel arrays (the new ones are fresh arrays, so the old ones stay intact).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from glide_desktop.document.commands import Command
from glide_desktop.document.compositing import parallel_map
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.group_masks import refit
from glide_desktop.document.layer import Layer
from glide_desktop.document.transform_ops import Axis, Flip, ImageOp, flip_pixels, map_metadata

_STRUCT_BYTES = 256


@dataclass
class _Snapshot:
    """The image before a lossy transform: size, selection, and per layer its pixels, offset, metadata."""

    size: tuple[int, int]
    coverage: np.ndarray
    layers: list[tuple[Layer, np.ndarray, tuple[int, int], dict[str, Any], np.ndarray | None]]
    group_masks: list[tuple[Any, np.ndarray]]  # (group, its canvas-wide mask)

    @classmethod
    def take(cls, doc: Document) -> _Snapshot:
        layers = [(layer, layer.pixels, layer.offset, dict(layer.metadata), layer.mask)
                  for layer in doc.raster_layers()]
        masks = [(node, node.mask) for node in doc.layers if node.is_group and node.mask is not None]
        return cls(doc.size, doc.selection.coverage.copy(), layers, masks)

    def restore(self, doc: Document) -> None:
        for layer, pixels, offset, metadata, mask in self.layers:
            layer.pixels, layer.offset, layer.metadata, layer.mask = pixels, offset, dict(metadata), mask
        for group, mask in self.group_masks:
            group.mask = mask
        doc.set_canvas(*self.size, self.coverage.copy())

    @property
    def nbytes(self) -> int:
        return (self.coverage.nbytes + sum(layer[1].nbytes for layer in self.layers)
                + sum(mask.nbytes for _, mask in self.group_masks))


def _map_mask(op: ImageOp, layer: Layer, width: int, height: int) -> np.ndarray | None:
    """The layer's mask through op, carried as opaque grey pixels so every op (Lanczos too) applies."""
    if layer.mask is None:
        return None
    return _map_grey(op, layer.mask, layer.bounds, width, height)[0]


def _map_grey(op: ImageOp, mask: np.ndarray, bounds: Rect, width: int,
              height: int) -> tuple[np.ndarray, Rect]:
    grey = np.empty((*mask.shape, 4), np.uint8)
    grey[..., :3] = mask[..., None]
    grey[..., 3] = 255
    pixels, mapped = op.map_layer(grey, bounds, width, height)
    return np.ascontiguousarray(pixels[..., 0]), mapped


def _map_group_masks(doc: Document, op: ImageOp) -> None:
    """Every group's canvas-wide mask through op, refitted to the new canvas (its edges carried outward)."""
    width, height = doc.size
    new_width, new_height = op.new_size(width, height)
    for group in doc.layers:
        if group.is_group and group.mask is not None:
            values, bounds = _map_grey(op, group.mask, Rect(0, 0, width, height), width, height)
            group.mask = refit(values, bounds, new_width, new_height)


def apply_image_op(doc: Document, op: ImageOp) -> None:
    """Transform every layer, the selection and the metadata boxes, then adopt the new size."""
    width, height = doc.size

    def mapping(rect: Rect) -> Rect:
        return op.map_rect(rect, width, height)

    # Layers are independent: map them on the compositor's threads (numpy and Pillow drop the GIL).
    layers = doc.raster_layers()  # groups hold no pixels: their layers carry the transform
    mapped = parallel_map(lambda layer: op.map_layer(layer.pixels, layer.bounds, width, height), layers)
    masks = [_map_mask(op, layer, width, height) for layer in layers]
    for layer, (pixels, bounds), mask in zip(layers, mapped, masks, strict=True):
        layer.pixels, layer.offset, layer.mask = pixels, (bounds.x, bounds.y), mask
        layer.metadata = map_metadata(layer.metadata, mapping)
    _map_group_masks(doc, op)
    doc.set_canvas(*op.new_size(width, height), op.map_coverage(doc.selection.coverage))


class TransformImage(Command):
    """One image operation (crop, canvas size, image size, rotate, flip) as one undo step."""

    def __init__(self, op: ImageOp, text: str):
        super().__init__()
        self.op, self.text = op, text
        self._applied = False
        self._before: _Snapshot | None = None

    def redo(self, doc: Document) -> None:
        if self._applied:
            return
        if self.op.inverse() is None:
            self._before = _Snapshot.take(doc)
        apply_image_op(doc, self.op)
        self._applied = True

    def undo(self, doc: Document) -> None:
        if not self._applied:
            return
        inverse = self.op.inverse()
        if inverse is not None:
            apply_image_op(doc, inverse)
        else:
            self._before.restore(doc)
            self._before = None  # redo takes it afresh from the same (restored) state
        self._applied = False

    @property
    def nbytes(self) -> int:
        return _STRUCT_BYTES + (self._before.nbytes if self._before is not None else 0)


class FlipLayer(Command):
    """Mirror one layer's pixels where they are (its bounds stay; its metadata boxes mirror inside them)."""

    def __init__(self, uid: int, axis: Axis, text: str | None = None):
        super().__init__()
        self.uid, self.axis = uid, Axis(axis)
        self.text = text or f"Flip layer {self.axis.value}"
        self._flips = 0  # redo and undo alternate; the count keeps repeats harmless

    def _flip(self, doc: Document) -> None:
        layer = doc.layer_by_uid(self.uid)
        bounds = layer.bounds
        flip = Flip(self.axis)

        def mirror(rect: Rect) -> Rect:  # mirror about the layer's own centre line
            moved = flip.map_rect(rect.translate(-bounds.x, -bounds.y), bounds.w, bounds.h)
            return moved.translate(bounds.x, bounds.y)

        layer.metadata = map_metadata(layer.metadata, mirror)
        if layer.mask is not None:
            layer.mask = np.ascontiguousarray(flip_pixels(layer.mask, self.axis))
        doc.replace_layer_pixels(self.uid, flip_pixels(layer.pixels, self.axis), layer.offset)

    def redo(self, doc: Document) -> None:
        if self._flips == 0:
            self._flip(doc)
            self._flips = 1

    def undo(self, doc: Document) -> None:
        if self._flips == 1:
            self._flip(doc)
            self._flips = 0
