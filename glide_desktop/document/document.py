"""The document: size, layer stack (bottom to top), active layer, selection, cached composite, events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from glide_desktop.document.compositing import TileCache, composite
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.document.selection import Selection

LAYER_PROPERTIES = ("name", "visible", "opacity", "blend", "offset", "metadata")


@dataclass(frozen=True)
class Change:
    """What a mutation touched: document rect (None = everything); structure = the layer list changed.

    pixels: the composite may have changed under rect; selection: the selection coverage may have
    changed under rect. A False flag promises that part is untouched (the defaults assume both).
    """

    rect: Rect | None
    structure: bool = False
    pixels: bool = True
    selection: bool = True


class Document:
    """A layered raster image; mutate through commands (commands.py) so every change can be undone."""

    def __init__(self, width: int, height: int):
        if width <= 0 or height <= 0:
            raise ValueError(f"document size must be positive, got {width}x{height}")
        self.width, self.height = int(width), int(height)
        self.layers: list[Layer] = []
        self.active_uid: int | None = None
        self.editing_mask = False  # whether painting tools edit the active layer's mask, not its pixels
        self.selection = Selection(self.width, self.height)
        self._cache = TileCache(self._render, self.width, self.height)
        self._listeners: list[Callable[[Change], None]] = []

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def bounds(self) -> Rect:
        return Rect(0, 0, self.width, self.height)

    # --- queries ---------------------------------------------------------------------------------
    @property
    def active_layer(self) -> Layer | None:
        """The layer tools act on (None when the document has no layers)."""
        return None if self.active_uid is None else self.find_layer(self.active_uid)

    def find_layer(self, uid: int) -> Layer | None:
        """The layer with this uid, or None."""
        return next((layer for layer in self.layers if layer.uid == uid), None)

    def layer_by_uid(self, uid: int) -> Layer:
        """The layer with this uid; KeyError when there is none."""
        layer = self.find_layer(uid)
        if layer is None:
            raise KeyError(f"no layer with uid {uid}")
        return layer

    def index_of(self, uid: int) -> int:
        """Position of the layer in the stack (0 = bottom)."""
        return self.layers.index(self.layer_by_uid(uid))

    def composite(self, rect: Rect | None = None) -> np.ndarray:
        """Composited straight-alpha RGBA8 of rect (whole document when None), served from the tile cache."""
        return self._cache.get(rect or self.bounds)

    def composite_uncached(self, rect: Rect | None = None) -> np.ndarray:
        """Composite straight from the layers (reference path for tests and export)."""
        return composite(self.layers, self.width, self.height, rect)

    def _render(self, rect: Rect) -> np.ndarray:
        return composite(self.layers, self.width, self.height, rect)

    def set_active(self, uid: int | None) -> None:
        """Choose the active layer (a plain method, not an undo step)."""
        if uid is not None:
            self.layer_by_uid(uid)
        if uid != self.active_uid:
            self.active_uid, self.editing_mask = uid, False
            self.notify(None, structure=True, repaint=False, selection=False)

    @property
    def edits_mask(self) -> bool:
        """True when painting goes to the active layer's mask (it has one and the mask was chosen)."""
        layer = self.active_layer
        return self.editing_mask and layer is not None and layer.mask is not None

    def set_editing_mask(self, on: bool) -> None:
        """Choose the active layer's mask (True) or its pixels (False) as what painting edits."""
        if bool(on) != self.editing_mask:
            self.editing_mask = bool(on)
            self.notify(None, structure=True, repaint=False, selection=False)

    def new_layer(self, name: str = "Layer", **props: Any) -> Layer:
        """A transparent layer the size of the document (not yet in the stack)."""
        return Layer.blank(self.width, self.height, name, **props)

    # --- events ----------------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[Change], None]) -> Callable[[], None]:
        """Call callback(Change) after every mutation; returns a function that unsubscribes."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def notify(self, rect: Rect | None, structure: bool = False, repaint: bool = True,
               selection: bool = True) -> None:
        """Invalidate the cache for rect (when repaint: the pixels changed) and tell listeners."""
        if repaint:
            self._cache.invalidate(rect)
        change = Change(rect, structure, pixels=repaint, selection=selection)
        for callback in list(self._listeners):
            callback(change)

    # --- primitive mutations used by commands ------------------------------------------------------
    def insert_layer(self, layer: Layer, index: int | None = None) -> None:
        """Put layer into the stack at index (top when None) and make it active."""
        if self.find_layer(layer.uid) is not None:
            return  # already there: repeating a redo changes nothing
        index = len(self.layers) if index is None else max(0, min(index, len(self.layers)))
        self.layers.insert(index, layer)
        self.active_uid = layer.uid
        self.notify(layer.reach.clip(self.width, self.height), structure=True, selection=False)

    def remove_layer(self, uid: int) -> tuple[Layer, int] | None:
        """Take the layer out of the stack; returns (layer, former index) or None when absent."""
        layer = self.find_layer(uid)
        if layer is None:
            return None
        index = self.layers.index(layer)
        self.layers.pop(index)
        if self.active_uid == uid:
            below = self.layers[min(index, len(self.layers) - 1)] if self.layers else None
            self.active_uid = below.uid if below else None
        self.notify(layer.reach.clip(self.width, self.height), structure=True, selection=False)
        return layer, index

    def move_layer(self, uid: int, index: int) -> None:
        """Move the layer to stack position index."""
        layer = self.layer_by_uid(uid)
        index = max(0, min(index, len(self.layers) - 1))
        if self.layers.index(layer) == index:
            return
        self.layers.remove(layer)
        self.layers.insert(index, layer)
        self.notify(layer.reach.clip(self.width, self.height), structure=True, selection=False)

    def set_layer_property(self, uid: int, name: str, value: Any, content: Rect | None = None) -> None:
        """Set name, visible, opacity, blend, offset or metadata of a layer.

        content: for an offset, the layer's content_bounds() when the caller knows them (a drag keeps
        them from its start), so only where the visible pixels were and are is recomposited.
        """
        if name not in LAYER_PROPERTIES:
            raise ValueError(f"unknown layer property {name!r}")
        layer = self.layer_by_uid(uid)
        before, old_offset = layer.reach, layer.offset  # src-in and the like reach past their bounds
        if name == "blend":
            value = BlendMode(value)
        elif name == "opacity":
            value = float(min(1.0, max(0.0, value)))
        elif name == "offset":
            value = (int(value[0]), int(value[1]))
        elif name == "metadata":
            value = dict(value)
        setattr(layer, name, value)
        touched = None if name in ("name", "metadata") else before.union(layer.reach)
        if name == "offset" and content is not None:  # only the visible pixels moved
            touched = content.translate(*old_offset).union(content.translate(*layer.offset))
        if touched is None:
            self.notify(None, structure=True, repaint=False, selection=False)
        else:
            self.notify(touched.clip(self.width, self.height), structure=True, selection=False)

    def write_pixels(self, uid: int, rect: Rect, pixels: np.ndarray) -> None:
        """Overwrite rect (layer coordinates) of a layer's pixels."""
        layer = self.layer_by_uid(uid)
        layer.pixels[rect.slices()] = pixels
        self.notify(rect.translate(*layer.offset).clip(self.width, self.height), selection=False)

    def write_mask(self, uid: int, rect: Rect, values: np.ndarray) -> None:
        """Overwrite rect (layer coordinates) of a layer's mask (the layer must have one)."""
        layer = self.layer_by_uid(uid)
        if layer.mask is None:
            raise ValueError(f"layer {layer.name!r} has no mask")
        layer.mask[rect.slices()] = values
        self.notify(rect.translate(*layer.offset).clip(self.width, self.height), selection=False)

    def set_mask(self, uid: int, mask: np.ndarray | None, enabled: bool = True) -> None:
        """Give a layer a mask (H, W uint8 of its size), switch it on or off, or take it away (None)."""
        layer = self.layer_by_uid(uid)
        if mask is not None and mask.shape != layer.pixels.shape[:2]:
            raise ValueError(f"mask {mask.shape} does not fit layer {layer.pixels.shape[:2]}")
        layer.mask, layer.mask_enabled = mask, bool(enabled)
        self.notify(layer.reach.clip(self.width, self.height), structure=True, selection=False)

    def replace_layer_pixels(self, uid: int, pixels: np.ndarray, offset: tuple[int, int]) -> None:
        """Swap a layer's whole pixel array and offset (used by merge operations)."""
        layer = self.layer_by_uid(uid)
        before = layer.reach
        layer.pixels, layer.offset = pixels, offset
        self.notify(before.union(layer.reach).clip(self.width, self.height), structure=True,
                    selection=False)

    def set_layers(self, layers: list[Layer], active_uid: int | None) -> None:
        """Replace the whole stack (used by flatten and its undo)."""
        self.layers = list(layers)
        self.active_uid = active_uid
        self.notify(None, structure=True, selection=False)

    def set_canvas(self, width: int, height: int, coverage: np.ndarray) -> None:
        """New size and selection at once (image transforms; the caller sets the layers)."""
        self.width, self.height = int(width), int(height)
        self.selection = Selection(self.width, self.height, coverage)
        self._cache = TileCache(self._render, self.width, self.height)
        self.notify(None, structure=True)

    def write_selection(self, rect: Rect, coverage: np.ndarray) -> None:
        """Overwrite rect of the selection coverage."""
        self.selection.coverage[rect.slices()] = coverage
        self.notify(rect, repaint=False)
