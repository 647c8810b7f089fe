"""One layer of the document: straight-alpha RGBA8 pixels, an optional mask, name, visibility, opacity,
blend, offset."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

import numpy as np

from glide_desktop.document.geometry import Rect

_uids = itertools.count(1)


class BlendMode(StrEnum):
    """How a layer mixes with what lies below it: every OpenRaster composite-op (W3C formulas)."""

    NORMAL = "normal"
    MULTIPLY = "multiply"
    SCREEN = "screen"
    OVERLAY = "overlay"
    DARKEN = "darken"
    LIGHTEN = "lighten"
    COLOR_DODGE = "color-dodge"
    COLOR_BURN = "color-burn"
    HARD_LIGHT = "hard-light"
    SOFT_LIGHT = "soft-light"
    DIFFERENCE = "difference"
    EXCLUSION = "exclusion"
    HUE = "hue"
    SATURATION = "saturation"
    COLOR = "color"
    LUMINOSITY = "luminosity"
    PLUS = "plus"
    DST_OVER = "dst-over"
    SRC_IN = "src-in"
    DST_IN = "dst-in"
    SRC_OUT = "src-out"
    DST_OUT = "dst-out"
    SRC_ATOP = "src-atop"
    DST_ATOP = "dst-atop"
    XOR = "xor"

    @property
    def label(self) -> str:
        """The name shown to the user."""
        return _LABELS.get(self.value) or self.value.replace("-", " ").capitalize()

    @property
    def clears_outside(self) -> bool:
        """True when, where the layer has no pixels, nothing of what lies below remains (src-in & co)."""
        return self.value in ("src-in", "dst-in", "src-out", "dst-atop")

    @property
    def shows_alone(self) -> bool:
        """True when the layer over transparency shows its own pixels (false for dst-in & co)."""
        return self.value not in ("src-in", "dst-in", "dst-out", "src-atop")


_LABELS = {
    "plus": "Add (plus)", "dst-over": "Behind (destination over)", "src-in": "Source in",
    "dst-in": "Mask (destination in)", "src-out": "Source out", "dst-out": "Erase (destination out)",
    "src-atop": "Clip to below (source atop)", "dst-atop": "Destination atop", "xor": "Xor",
}
_EVERYWHERE = 1 << 40


def _next_uid() -> int:
    return next(_uids)


@dataclass(eq=False)
class Layer:
    """A raster layer: pixels is H, W, 4 uint8 with straight (not premultiplied) alpha."""

    pixels: np.ndarray
    name: str = "Layer"
    visible: bool = True
    opacity: float = 1.0
    blend: BlendMode = BlendMode.NORMAL
    offset: tuple[int, int] = (0, 0)
    metadata: dict[str, Any] = field(default_factory=dict)
    uid: int = field(default_factory=_next_uid)
    # An OpenRaster composite-op we cannot draw: shown as NORMAL, written back verbatim while NORMAL.
    foreign_op: str = ""
    # A greyscale layer mask (H, W uint8, the pixels' size): the layer shows with alpha x mask / 255.
    mask: np.ndarray | None = None
    mask_enabled: bool = True
    # The uid of the group holding the layer (None at the top level); see group.py.
    parent: int | None = None
    is_group: ClassVar[bool] = False

    def __post_init__(self) -> None:
        pixels = np.asarray(self.pixels)
        if pixels.ndim != 3 or pixels.shape[2] != 4 or pixels.dtype != np.uint8:
            raise ValueError(f"layer pixels must be H, W, 4 uint8, got {pixels.shape} {pixels.dtype}")
        self.pixels = np.ascontiguousarray(pixels)
        self.blend = BlendMode(self.blend)
        self.opacity = float(min(1.0, max(0.0, self.opacity)))
        self.offset = (int(self.offset[0]), int(self.offset[1]))
        if self.mask is not None:
            mask = np.asarray(self.mask)
            if mask.shape != self.pixels.shape[:2] or mask.dtype != np.uint8:
                raise ValueError(f"layer mask must be {self.pixels.shape[:2]} uint8, got {mask.shape} "
                                 f"{mask.dtype}")
            self.mask = np.ascontiguousarray(mask)

    @classmethod
    def blank(cls, width: int, height: int, name: str = "Layer", **props: Any) -> Layer:
        """A fully transparent layer of the given size."""
        return cls(np.zeros((height, width, 4), np.uint8), name=name, **props)

    @classmethod
    def filled(cls, width: int, height: int, rgba: tuple[int, int, int, int], name: str = "Layer",
               **props: Any) -> Layer:
        """A layer filled with one RGBA colour."""
        pixels = np.empty((height, width, 4), np.uint8)
        pixels[:] = np.asarray(rgba, np.uint8)
        return cls(pixels, name=name, **props)

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def bounds(self) -> Rect:
        """Where the layer's pixels lie in document coordinates."""
        return Rect(self.offset[0], self.offset[1], self.width, self.height)

    @property
    def reach(self) -> Rect:
        """Where the layer can change the composite: its bounds, or everywhere for src-in and the like."""
        if self.visible and self.blend.clears_outside:
            return Rect(-_EVERYWHERE, -_EVERYWHERE, 2 * _EVERYWHERE, 2 * _EVERYWHERE)
        return self.bounds

    def content_bounds(self) -> Rect:
        """The smallest rect (layer coordinates) holding every pixel shown with non-zero alpha (the mask
        applied); empty if none."""
        alpha = self.shown_pixels((slice(None), slice(None)))[..., 3]
        rows = np.flatnonzero(alpha.max(axis=1))
        if rows.size == 0:
            return Rect(0, 0, 0, 0)
        cols = np.flatnonzero(alpha[rows[0]: rows[-1] + 1].max(axis=0))
        return Rect.from_edges(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)

    def copy(self, keep_uid: bool = False) -> Layer:
        """A deep copy (a fresh uid unless keep_uid)."""
        return Layer(
            self.pixels.copy(), self.name, self.visible, self.opacity, self.blend, self.offset,
            _copy_metadata(self.metadata), self.uid if keep_uid else _next_uid(), self.foreign_op,
            None if self.mask is None else self.mask.copy(), self.mask_enabled, self.parent,
        )

    def state(self) -> tuple:
        """Everything that defines the layer, for equality checks in tests and undo."""
        return (self.uid, self.name, self.visible, self.opacity, self.blend, self.offset,
                repr(self.metadata), self.pixels.shape, self.pixels.tobytes(), self.foreign_op,
                None if self.mask is None else self.mask.tobytes(), self.mask_enabled, self.parent)

    @property
    def masked(self) -> bool:
        """True when a mask exists and is switched on (so compositing must apply it)."""
        return self.mask is not None and self.mask_enabled

    def shown_pixels(self, slices: tuple[slice, slice]) -> np.ndarray:
        """The pixels at slices (layer coordinates) as they composite: alpha x mask / 255 when masked.

        A view when no mask applies; a new array otherwise (rounded to uint8 so that every compositing
        path sees the very same pixels, and colour cleared where the result is transparent).
        """
        pixels = self.pixels[slices]
        if not self.masked:
            return pixels
        return apply_mask(pixels, self.mask[slices])


def apply_mask(pixels: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Straight RGBA8 pixels with alpha multiplied by mask / 255 (rounded); clear pixels lose their colour."""
    out = pixels.copy()
    alpha = pixels[..., 3].astype(np.uint16) * mask
    alpha += 127
    alpha //= 255
    out[..., 3] = alpha
    out[alpha == 0] = 0
    return out


def _copy_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    import copy

    return copy.deepcopy(metadata)
