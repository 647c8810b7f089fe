"""Undoable document commands: each stores only the changed rectangle or the structural change.

redo() and undo() are safe to repeat: applying either twice leaves the same state as once.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import numpy as np

from glide_desktop.document.compositing import composite_rect
from glide_desktop.document.document import Arrangement, Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode, Layer

_STRUCT_BYTES = 256  # bookkeeping cost of a command without pixel payload


class Command:
    """One history step; merge_key groups commands that may merge (None = never merges)."""

    text = ""
    merge_key: Any = None

    def __init__(self) -> None:
        self.sealed = False  # a sealed step accepts no more merges (e.g. the slider was released)

    def redo(self, doc: Document) -> None:
        raise NotImplementedError

    def undo(self, doc: Document) -> None:
        raise NotImplementedError

    def try_merge(self, other: Command) -> bool:
        """Absorb other (already applied after self) into this step; False when they stay separate."""
        return False

    @property
    def nbytes(self) -> int:
        """Memory the step holds (for the history budget)."""
        return _STRUCT_BYTES


class PixelEdit(Command):
    """Before/after pixels of rectangles of one layer (layer coordinates); merged edits keep every piece."""

    VALUE_SHAPE: tuple[int, ...] = (4,)  # RGBA per pixel
    KIND = "pixel"

    def __init__(self, layer_uid: int, rect: Rect, before: np.ndarray, after: np.ndarray,
                 text: str = "Paint", merge_key: Any = None):
        super().__init__()
        if before.shape != (rect.h, rect.w, *self.VALUE_SHAPE) or after.shape != before.shape:
            raise ValueError(f"{self.KIND} shapes {before.shape}/{after.shape} do not match {rect}")
        self.layer_uid, self.text, self.merge_key = layer_uid, text, merge_key
        self.pieces: list[tuple[Rect, np.ndarray, np.ndarray]] = [(rect, before, after)]

    @property
    def rect(self) -> Rect:
        """Bounding rect of every piece, layer coordinates."""
        out = self.pieces[0][0]
        for rect, _, _ in self.pieces[1:]:
            out = out.union(rect)
        return out

    def _write(self, doc: Document, rect: Rect, values: np.ndarray) -> None:
        doc.write_pixels(self.layer_uid, rect, values)

    def redo(self, doc: Document) -> None:
        for rect, _, after in self.pieces:
            self._write(doc, rect, after)

    def undo(self, doc: Document) -> None:
        for rect, before, _ in reversed(self.pieces):
            self._write(doc, rect, before)

    def try_merge(self, other: Command) -> bool:
        if (self.sealed or self.merge_key is None or type(other) is not type(self)
                or other.merge_key != self.merge_key or other.layer_uid != self.layer_uid):
            return False
        self.pieces.extend(other.pieces)
        return True

    @property
    def nbytes(self) -> int:
        return _STRUCT_BYTES + sum(b.nbytes + a.nbytes for _, b, a in self.pieces)


class AddLayer(Command):
    """Insert a layer (e.g. a generated result with prompt and seed in its metadata)."""

    def __init__(self, layer: Layer, index: int | None = None, text: str = "Add layer"):
        super().__init__()
        self.layer, self.index, self.text = layer, index, text
        self._active_before: int | None = None

    def redo(self, doc: Document) -> None:
        if doc.find_layer(self.layer.uid) is None:
            self._active_before = doc.active_uid
            doc.insert_layer(self.layer, self.index)

    def undo(self, doc: Document) -> None:
        if doc.remove_layer(self.layer.uid) is not None:
            keep = self._active_before is not None and doc.find_layer(self._active_before) is not None
            doc.set_active(self._active_before if keep else doc.active_uid)

    @property
    def nbytes(self) -> int:
        return _STRUCT_BYTES + self.layer.pixels.nbytes


class ReplaceLayer(Command):
    """Put a new layer where another one is in the stack (a re-rolled result replacing the old one)."""

    def __init__(self, uid: int, layer: Layer, text: str = "Replace layer"):
        super().__init__()
        self.uid, self.layer, self.text = uid, layer, text
        self._old: tuple[Layer, int] | None = None
        self._active_before: int | None = None

    def redo(self, doc: Document) -> None:
        if doc.find_layer(self.uid) is None or doc.find_layer(self.layer.uid) is not None:
            return
        self._active_before = doc.active_uid
        self._old = doc.remove_layer(self.uid)
        self.layer.parent = self._old[0].parent  # the new layer takes the old one's place in its group
        doc.insert_layer(self.layer, self._old[1])

    def undo(self, doc: Document) -> None:
        if self._old is None or doc.find_layer(self.layer.uid) is None:
            return
        doc.remove_layer(self.layer.uid)
        doc.insert_layer(*self._old)
        doc.set_active(self._active_before)

    @property
    def nbytes(self) -> int:
        old = self._old[0].pixels.nbytes if self._old else 0
        return _STRUCT_BYTES + self.layer.pixels.nbytes + old


class RemoveLayer(Command):
    """Take a layer out of the stack."""

    def __init__(self, uid: int, text: str = "Delete layer"):
        super().__init__()
        self.uid, self.text = uid, text
        self._removed: tuple[Layer, int] | None = None
        self._arrangement: Arrangement | None = None  # a removed group: the structure before
        self._block: list = []
        self._active_before: int | None = None

    def redo(self, doc: Document) -> None:
        node = doc.find_layer(self.uid)
        if node is None:
            return
        self._active_before = doc.active_uid
        if node.is_group:  # a group goes with everything in it
            self._group_redo(doc)
        else:
            self._removed = doc.remove_layer(self.uid)

    def _group_redo(self, doc: Document) -> None:
        start, end = doc.block(self.uid)
        self._arrangement = doc.arrangement()
        self._block = doc.layers[start:end]
        kept = tuple(pair for pair in self._arrangement.nodes if pair[0] not in self._block)
        below = doc.layers[start - 1].uid if start > 0 else (kept[0][0].uid if kept else None)
        doc.set_arrangement(Arrangement(kept, below), {self.uid})

    def undo(self, doc: Document) -> None:
        if self._removed is not None and doc.find_layer(self.uid) is None:
            layer, index = self._removed
            doc.insert_layer(layer, index)
            doc.set_active(self._active_before)
        elif self._arrangement is not None and doc.find_layer(self.uid) is None:
            doc.set_arrangement(self._arrangement, {self.uid})

    @property
    def nbytes(self) -> int:
        if self._arrangement is not None:
            return _STRUCT_BYTES + sum(node.pixels.nbytes for node in self._block if not node.is_group)
        return _STRUCT_BYTES + (self._removed[0].pixels.nbytes if self._removed else 0)


class MoveLayer(Command):
    """Move a layer to another stack position (0 = bottom)."""

    def __init__(self, uid: int, new_index: int, text: str = "Move layer"):
        super().__init__()
        self.uid, self.new_index, self.text = uid, new_index, text
        self._old_index: int | None = None

    def redo(self, doc: Document) -> None:
        if self._old_index is None:
            self._old_index = doc.index_of(self.uid)
        doc.move_layer(self.uid, self.new_index)

    def undo(self, doc: Document) -> None:
        if self._old_index is not None:
            doc.move_layer(self.uid, self._old_index)


class SetLayerProperty(Command):
    """Change name, visible, opacity, blend, offset or metadata; consecutive changes of one property merge."""

    def __init__(self, uid: int, name: str, old: Any, new: Any, text: str | None = None):
        super().__init__()
        self.uid, self.name = uid, name
        self.old, self.new = copy.deepcopy(old), copy.deepcopy(new)
        self.text = text or f"Layer {name}"
        self.merge_key = ("layer-property", uid, name)

    def redo(self, doc: Document) -> None:
        doc.set_layer_property(self.uid, self.name, copy.deepcopy(self.new))

    def undo(self, doc: Document) -> None:
        doc.set_layer_property(self.uid, self.name, copy.deepcopy(self.old))

    def try_merge(self, other: Command) -> bool:
        if self.sealed or not isinstance(other, SetLayerProperty) or other.merge_key != self.merge_key:
            return False
        self.new = copy.deepcopy(other.new)
        return True


class SetSelection(Command):
    """Selection change, stored as the changed rectangle's before/after coverage."""

    def __init__(self, before: np.ndarray, after: np.ndarray, text: str = "Select"):
        super().__init__()
        self.text = text
        changed = before != after
        rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
        if rows.size == 0:
            self.rect = Rect(0, 0, 0, 0)
        else:
            self.rect = Rect.from_edges(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
        self.before = before[self.rect.slices()].copy()
        self.after = after[self.rect.slices()].copy()

    @classmethod
    def from_change(cls, doc: Document, change, text: str = "Select") -> SetSelection:
        """Build the command for change(selection) applied to a copy of the document's selection."""
        target = doc.selection.copy()
        change(target)
        return cls(doc.selection.coverage, target.coverage, text)

    def redo(self, doc: Document) -> None:
        if not self.rect.is_empty():
            doc.write_selection(self.rect, self.after)

    def undo(self, doc: Document) -> None:
        if not self.rect.is_empty():
            doc.write_selection(self.rect, self.before)

    @property
    def nbytes(self) -> int:
        return _STRUCT_BYTES + self.before.nbytes + self.after.nbytes


def can_merge_down(doc: Document, uid: int) -> bool:
    """True when the layer has a raster layer directly below it in the same group."""
    index = doc.index_of(uid)
    if index == 0:
        return False
    upper, lower = doc.layers[index], doc.layers[index - 1]
    return not upper.is_group and not lower.is_group and lower.parent == upper.parent


class MergeDown(Command):
    """Composite a layer onto the one below; the result keeps the lower layer's properties."""

    def __init__(self, uid: int, text: str = "Merge down"):
        super().__init__()
        self.uid, self.text = uid, text
        self._state: dict[str, Any] | None = None

    def _prepare(self, doc: Document) -> dict[str, Any]:
        index = doc.index_of(self.uid)
        if index == 0:
            raise ValueError("the bottom layer has nothing below to merge into")
        # The node just below in the stack is the sibling below, its group's top, or outside the group.
        if not can_merge_down(doc, self.uid):
            raise ValueError("Merge Down needs a layer directly below in the same group")
        upper, lower = doc.layers[index], doc.layers[index - 1]
        area = lower.bounds.union(upper.bounds) if upper.visible else lower.bounds
        # The lower layer's mask is baked into the result, which has no mask (its size changes).
        base = dataclasses.replace(lower, visible=True, opacity=1.0, blend=BlendMode.NORMAL, mask=None,
                                   pixels=lower.shown_pixels((slice(None), slice(None))))
        merged = composite_rect([base, upper], area)
        return {"upper": upper, "index": index, "lower_uid": lower.uid, "active": doc.active_uid,
                "old": (lower.pixels, lower.offset), "new": (merged, (area.x, area.y)),
                "old_mask": (lower.mask, lower.mask_enabled)}

    def redo(self, doc: Document) -> None:
        if self._state is None:
            self._state = self._prepare(doc)
        if doc.find_layer(self.uid) is not None:
            doc.remove_layer(self.uid)
            doc.set_mask(self._state["lower_uid"], None)
            doc.replace_layer_pixels(self._state["lower_uid"], *self._state["new"])
            doc.set_active(self._state["lower_uid"])

    def undo(self, doc: Document) -> None:
        if self._state is not None and doc.find_layer(self.uid) is None:
            doc.replace_layer_pixels(self._state["lower_uid"], *self._state["old"])
            doc.set_mask(self._state["lower_uid"], *self._state["old_mask"])
            doc.insert_layer(self._state["upper"], self._state["index"])
            doc.set_active(self._state["active"])

    @property
    def nbytes(self) -> int:
        if self._state is None:
            return _STRUCT_BYTES
        s = self._state
        return _STRUCT_BYTES + s["upper"].pixels.nbytes + s["old"][0].nbytes + s["new"][0].nbytes


class Flatten(Command):
    """Replace the whole stack by one layer holding the composite."""

    def __init__(self, name: str = "Background", text: str = "Flatten image"):
        super().__init__()
        self.name, self.text = name, text
        self._old: tuple[list[Layer], int | None] | None = None
        self._flat: Layer | None = None

    def redo(self, doc: Document) -> None:
        if self._old is None:
            self._old = (list(doc.layers), doc.active_uid)
            self._flat = Layer(doc.composite_uncached(), name=self.name)
        if doc.layers != [self._flat]:
            doc.set_layers([self._flat], self._flat.uid)

    def undo(self, doc: Document) -> None:
        if self._old is not None:
            doc.set_layers(*self._old)

    @property
    def nbytes(self) -> int:
        if self._old is None:
            return _STRUCT_BYTES
        old = sum(layer.pixels.nbytes for layer in self._old[0] if not layer.is_group)
        return _STRUCT_BYTES + old + self._flat.pixels.nbytes
