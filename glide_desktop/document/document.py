"""The document: size, layer stack (bottom to top, groups included), active node, selection, cached
composite, events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from glide_desktop.document import group as tree
from glide_desktop.document.compositing import TileCache, composite
from glide_desktop.document.geometry import Rect
from glide_desktop.document.group import LayerGroup, Node
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.document.selection import Selection

LAYER_PROPERTIES = ("name", "visible", "opacity", "blend", "offset", "metadata", "pass_through")
GROUP_ONLY = ("pass_through",)
LAYER_ONLY = ("offset",)
_EVERYWHERE = Rect(-(1 << 40), -(1 << 40), 1 << 41, 1 << 41)


def _reach(node: Node) -> Rect:
    """A layer's reach; a lone group node (its contents elsewhere) may touch anything."""
    return _EVERYWHERE if node.is_group else node.reach


@dataclass(frozen=True)
class Arrangement:
    """Which nodes the stack holds, in order, each with its group, and the active one (structural undo)."""

    nodes: tuple[tuple[Node, int | None], ...]
    active_uid: int | None


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
        self.layers: list[Node] = []  # bottom to top; a group sits directly above its descendants
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
    def active_node(self) -> Node | None:
        """The active layer or group (what the Layers panel shows as current)."""
        return None if self.active_uid is None else self.find_layer(self.active_uid)

    @property
    def active_layer(self) -> Layer | None:
        """The raster layer tools paint, adjust and generate into: None when none or a group is active."""
        node = self.active_node
        return None if node is None or node.is_group else node

    def find_layer(self, uid: int) -> Node | None:
        """The layer or group with this uid, or None."""
        return next((layer for layer in self.layers if layer.uid == uid), None)

    def layer_by_uid(self, uid: int) -> Node:
        """The layer or group with this uid; KeyError when there is none."""
        layer = self.find_layer(uid)
        if layer is None:
            raise KeyError(f"no layer with uid {uid}")
        return layer

    def index_of(self, uid: int) -> int:
        """Position of the node in the stack (0 = bottom)."""
        return self.layers.index(self.layer_by_uid(uid))

    # --- the group tree ----------------------------------------------------------------------------
    def raster_layers(self) -> list[Layer]:
        """Every raster layer (groups left out), bottom to top."""
        return [node for node in self.layers if not node.is_group]

    @property
    def has_groups(self) -> bool:
        return any(node.is_group for node in self.layers)

    def children(self, uid: int | None) -> list[Node]:
        """The direct children of group uid (the top level when None), bottom to top."""
        return tree.children(self.layers, uid)

    def block(self, uid: int) -> tuple[int, int]:
        """(start, end) stack indices of the node and its descendants: layers[start:end]."""
        index = self.index_of(uid)
        return tree.block_start(self.layers, index), index + 1

    def descendants(self, uid: int) -> list[Node]:
        """Everything inside group uid (empty for a raster layer), bottom to top."""
        start, end = self.block(uid)
        return self.layers[start: end - 1]

    def depth(self, uid: int) -> int:
        """How many groups hold the node (0 at the top level)."""
        return tree.depth(self.layers, uid)

    def ancestors(self, uid: int) -> list[LayerGroup]:
        """The groups holding the node, innermost first."""
        found, parent = [], self.layer_by_uid(uid).parent
        while parent is not None:
            group = self.find_layer(parent)
            if group is None:
                break
            found.append(group)
            parent = group.parent
        return found

    def is_shown(self, uid: int) -> bool:
        """True when the node and every group holding it are visible."""
        return self.layer_by_uid(uid).visible and all(group.visible for group in self.ancestors(uid))

    def node_reach(self, uid: int) -> Rect:
        """Where the node can change the composite: a group reaches where its descendants do."""
        node = self.layer_by_uid(uid)
        if not node.is_group:
            return node.reach
        if node.isolated and node.blend.clears_outside:
            return _EVERYWHERE
        out = Rect(0, 0, 0, 0)
        for inner in self.descendants(uid):
            if not inner.is_group:
                out = out.union(inner.reach) if not out.is_empty() else inner.reach
        return out

    def _reach_of(self, uids: set[int]) -> Rect | None:
        out: Rect | None = None
        for uid in uids:
            if self.find_layer(uid) is None:
                continue
            reach = self.node_reach(uid)
            if not reach.is_empty():
                out = reach if out is None else out.union(reach)
        return out

    def composite(self, rect: Rect | None = None) -> np.ndarray:
        """Composited straight-alpha RGBA8 of rect (whole document when None), served from the tile cache."""
        return self._cache.get(rect or self.bounds)

    def composite_uncached(self, rect: Rect | None = None) -> np.ndarray:
        """Composite straight from the layers (reference path for tests and export)."""
        return composite(self.layers, self.width, self.height, rect)

    def _render(self, rect: Rect) -> np.ndarray:
        return composite(self.layers, self.width, self.height, rect)

    def set_active(self, uid: int | None) -> None:
        """Choose the active layer or group (a plain method, not an undo step)."""
        if uid is not None:
            self.layer_by_uid(uid)
        if uid != self.active_uid:
            self.active_uid, self.editing_mask = uid, False
            self.notify(None, structure=True, repaint=False, selection=False)

    @property
    def edits_mask(self) -> bool:
        """True when painting goes to the active layer's (or group's) mask: it has one and it was chosen."""
        layer = self.active_node
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
        self._fit_parent(layer, index)
        self.active_uid = layer.uid
        self.notify(_reach(layer).clip(self.width, self.height), structure=True, selection=False)

    def _fit_parent(self, layer: Node, index: int) -> None:
        """Keep a raster layer's group when it fits where it was put; otherwise join the layer below
        (a new layer "above the active one" inside a group lands in that group), else the one above."""
        if layer.is_group or not self.has_groups:
            return
        choices = [layer.parent]
        if index > 0:
            choices.append(self.layers[index - 1].parent)
        if index + 1 < len(self.layers):
            above = self.layers[index + 1]
            choices += [above.uid if above.is_group else above.parent, above.parent]
        for parent in [*choices, None]:
            layer.parent = parent
            try:
                tree.check_structure(self.layers)
                return
            except ValueError:
                continue

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
        self.notify(_reach(layer).clip(self.width, self.height), structure=True, selection=False)
        return layer, index

    def move_layer(self, uid: int, index: int) -> None:
        """Move the node to stack position index (a flat move: groups move with group_commands.MoveNode)."""
        layer = self.layer_by_uid(uid)
        index = max(0, min(index, len(self.layers) - 1))
        if self.layers.index(layer) == index:
            return
        old = list(self.layers)
        self.layers.remove(layer)
        self.layers.insert(index, layer)
        if self.has_groups:
            try:
                tree.check_structure(self.layers)
            except ValueError:
                self.layers = old
                raise ValueError("a flat move cannot cross a group's edge: use MoveNode") from None
        self.notify(self.node_reach(uid).clip(self.width, self.height), structure=True, selection=False)

    def set_layer_property(self, uid: int, name: str, value: Any, content: Rect | None = None) -> None:
        """Set name, visible, opacity, blend, offset or metadata of a layer (pass_through of a group).

        content: for an offset, the layer's content_bounds() when the caller knows them (a drag keeps
        them from its start), so only where the visible pixels were and are is recomposited.
        """
        layer = self.layer_by_uid(uid)
        if name not in LAYER_PROPERTIES or name in (LAYER_ONLY if layer.is_group else GROUP_ONLY):
            raise ValueError(f"unknown {'group' if layer.is_group else 'layer'} property {name!r}")
        if layer.is_group:
            self._set_group_property(layer, name, value)
            return
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

    def _set_group_property(self, group: LayerGroup, name: str, value: Any) -> None:
        before = self.node_reach(group.uid)
        if name == "blend":
            value = BlendMode(value)
        elif name == "opacity":
            value = float(min(1.0, max(0.0, value)))
        elif name == "metadata":
            value = dict(value)
        elif name in ("visible", "pass_through"):
            value = bool(value)
        setattr(group, name, value)
        if name in ("name", "metadata"):
            self.notify(None, structure=True, repaint=False, selection=False)
        else:
            self.notify(before.union(self.node_reach(group.uid)).clip(self.width, self.height),
                        structure=True, selection=False)

    def set_collapsed(self, uid: int, collapsed: bool) -> None:
        """Fold or unfold a group in the Layers panel (a view state: no undo step, nothing repaints)."""
        group = self.layer_by_uid(uid)
        if group.is_group and group.collapsed != bool(collapsed):
            group.collapsed = bool(collapsed)
            self.notify(None, structure=True, repaint=False, selection=False)

    def arrangement(self) -> Arrangement:
        """The stack's structure now: nodes in order with their groups, and the active node."""
        return Arrangement(tuple((node, node.parent) for node in self.layers), self.active_uid)

    def set_arrangement(self, arrangement: Arrangement, touched: set[int]) -> None:
        """Adopt a structure (nodes, order, groups, active node): the primitive of every group command.

        touched: the uids whose place changed (added, removed, moved, regrouped); only where they reach,
        before and after, is recomposited.
        """
        before, old = self._reach_of(touched), self.arrangement()
        self.layers = [node for node, _ in arrangement.nodes]
        for node, parent in arrangement.nodes:
            node.parent = parent
        try:
            tree.check_structure(self.layers)
        except ValueError:
            self.layers = [node for node, _ in old.nodes]
            for node, parent in old.nodes:
                node.parent = parent
            raise
        active = arrangement.active_uid
        self.active_uid = active if active is not None and self.find_layer(active) is not None else None
        self.editing_mask = False
        after = self._reach_of(touched)
        rect = before if after is None else after if before is None else before.union(after)
        self.notify(Rect(0, 0, 0, 0) if rect is None else rect.clip(self.width, self.height),
                    structure=True, selection=False)

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
        offset = (0, 0) if layer.is_group else layer.offset  # a group's mask lies at the canvas's origin
        self.notify(rect.translate(*offset).clip(self.width, self.height), selection=False)

    def set_mask(self, uid: int, mask: np.ndarray | None, enabled: bool = True) -> None:
        """Give a layer a mask (H, W uint8 of its size; a group's: the canvas's), switch it on or off, or
        take it away (None)."""
        layer = self.layer_by_uid(uid)
        shape = (self.height, self.width) if layer.is_group else layer.pixels.shape[:2]
        if mask is not None and mask.shape != shape:
            raise ValueError(f"mask {mask.shape} does not fit {layer.name!r} {shape}")
        layer.mask, layer.mask_enabled = mask, bool(enabled)
        area = self.node_reach(uid) if layer.is_group else _reach(layer)
        self.notify(area.clip(self.width, self.height), structure=True, selection=False)

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
