"""Painting a layer mask: the brush paints its colour's grey level, the eraser paints black (hides)."""

from __future__ import annotations

import numpy as np

from glide_desktop.document.brush import Stroke
from glide_desktop.document.commands import Command
from glide_desktop.document.geometry import Rect
from glide_desktop.document.mask_commands import MaskEdit

_LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # Rec. 601 weights, as Krita and GIMP grey a colour


class MaskStroke(Stroke):
    """A brush or eraser stroke on the layer's mask; the layer's pixels stay untouched."""

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
