"""Painting a layer (or group) mask: the brush paints its colour's grey, the eraser paints black (hides)."""

from __future__ import annotations

import numpy as np

from glide_desktop.document.brush import BrushSettings, Stroke
from glide_desktop.document.commands import Command
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.mask_commands import MaskEdit

_LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # Rec. 601 weights, as Krita and GIMP grey a colour


class _CanvasSheet:
    """A group's mask as the stroke sees a layer: canvas-sized, at the canvas's origin."""

    def __init__(self, name: str, mask: np.ndarray):
        self.name, self.mask, self.offset = name, mask, (0, 0)
        self.height, self.width = mask.shape


class MaskStroke(Stroke):
    """A brush or eraser stroke on the layer's (or an isolated group's) mask; pixels stay untouched."""

    def __init__(self, document: Document, layer_uid: int, settings: BrushSettings):
        super().__init__(document, layer_uid, settings)
        if self.layer.is_group:  # a group has no geometry of its own: its mask covers the canvas
            self.layer = _CanvasSheet(self.layer.name, self._canvas)

    def _target(self) -> np.ndarray:
        if self.layer.mask is None:
            raise ValueError(f"layer {self.layer.name!r} has no mask to paint")
        return self.layer.mask

    def _write(self, rect: Rect, values: np.ndarray) -> None:
        self.doc.write_mask(self.layer_uid, rect, values)

    def _step(self, rect: Rect, before: np.ndarray, after: np.ndarray, text: str) -> Command:
        return MaskEdit(self.layer_uid, rect, before, after, text=f"{text} (mask)")

    def _apply(self, orig: np.ndarray, amount: np.ndarray) -> np.ndarray:
        grey = 0.0 if self.settings.eraser else float(np.dot(self.settings.color, _LUMA))
        mixed = orig.astype(np.float32) * (1.0 - amount) + np.float32(grey) * amount
        return np.rint(np.clip(mixed, 0.0, 255.0)).astype(np.uint8)
