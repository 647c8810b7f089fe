"""The Move tool's selection move as one undo step: lifted (floating, moved about), then landed.

While floating, a pixel piece is a layer of its own right above the lifted one ("Floating selection", as in
GIMP), so dragging it is an ordinary layer drag; a mask piece is landed afresh at every move. Undone while
floating, the step puts everything back (the UI then drops it from history: nothing was moved yet).
"""

from __future__ import annotations

from dataclasses import replace

from glide_desktop.document.commands import _STRUCT_BYTES, Command
from glide_desktop.document.document import Document
from glide_desktop.document.floating import (
    LayerEdit,
    Lifted,
    Target,
    coverage_box,
    floating_layer,
    land,
    lift,
    shift_selection,
)
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import Layer


class FloatingSelection(Command):
    """Lift the selection's contents off the active layer, move them by delta, land them: one step."""

    def __init__(self, doc: Document, layer_uid: int, lifted: Lifted, text: str = "Move selection"):
        super().__init__()
        self.layer_uid, self.text = layer_uid, text
        self.lifted: Lifted | None = lifted  # dropped once landed: the edit holds what undo needs
        self.target, self.rect = lifted.target, lifted.rect
        self.delta = (0, 0)
        self.floating = True  # False once landed: undo and redo then swap the landed layer edit
        self.applied = False  # whether the document shows this step (redone and not undone)
        layer = doc.layer_by_uid(layer_uid)
        box = coverage_box(doc.selection.coverage) or Rect(0, 0, 0, 0)
        self._selection = (box, doc.selection.coverage[box.slices()].copy())
        pixels = lifted.target is Target.PIXELS
        self.piece: Layer | None = floating_layer(layer, lifted, self.delta) if pixels else None
        self._edit: LayerEdit | None = None  # the mask landed live while floating; the landing after
        self._active_before = doc.active_uid

    @classmethod
    def start(cls, doc: Document, copy: bool = False) -> FloatingSelection | None:
        """The step for the document's selection on its active layer (its pixels, or its mask while the
        mask is edited); None when the selection holds nothing of the layer."""
        layer = doc.active_layer
        if layer is None or doc.selection.is_empty():
            return None
        target = Target.MASK if doc.edits_mask else Target.PIXELS
        lifted = lift(layer, doc.selection.coverage, target, copy)
        if lifted is None:
            return None
        return cls(doc, layer.uid, lifted, "Move copy of selection" if copy else "Move selection")

    def carried(self) -> Lifted | None:
        """The floating pixel piece as it lies now (its rect moved by delta), for a stamp: None for a mask
        piece or one that never moved."""
        if self.piece is None or self.lifted is None or not self.floating or self.delta == (0, 0):
            return None
        return replace(self.lifted, rect=self.lifted.rect.translate(*self.delta))

    @classmethod
    def stamped(cls, doc: Document, layer_uid: int, carried: Lifted) -> FloatingSelection | None:
        """After carried (a floating piece) landed on layer_uid, the same piece floating on as a copy:
        Alt-drag of a floating selection leaves a copy where it lay. None when the layer does not hold it."""
        layer = doc.find_layer(layer_uid)
        if layer is None or layer.is_group or not layer.bounds.contains(carried.rect):
            return None
        under = layer.pixels[carried.rect.slices(*layer.offset)]
        lifted = replace(carried, piece=carried.piece.copy(), hole=under.copy(), original=under.copy())
        return cls(doc, layer_uid, lifted, "Move copy of selection")

    @property
    def piece_offset(self) -> tuple[int, int]:
        """Where the floating piece's top-left lies now (document coordinates)."""
        return self.rect.x + self.delta[0], self.rect.y + self.delta[1]

    @property
    def active_uid(self) -> int:
        """The layer active while the step floats: the piece's own layer, or the one whose mask moves."""
        return self.piece.uid if self.piece is not None else self.layer_uid

    def _local(self, doc: Document) -> Rect:
        layer = doc.layer_by_uid(self.layer_uid)
        return self.rect.translate(-layer.offset[0], -layer.offset[1])

    def _float(self, doc: Document) -> None:
        """Show the piece floating at delta: a layer above the hole, or the mask landed live."""
        if self.piece is None:
            self._land_live(doc, self.delta)
        elif doc.find_layer(self.piece.uid) is None:
            doc.write_pixels(self.layer_uid, self._local(doc), self.lifted.hole)
            doc.insert_layer(self.piece, doc.index_of(self.layer_uid) + 1)

    def _unfloat(self, doc: Document) -> None:
        """Take the floating piece away and put the lifted values back."""
        if self.piece is None:
            self._land_live(doc, (0, 0))
        elif doc.find_layer(self.piece.uid) is not None:
            doc.remove_layer(self.piece.uid)
            doc.write_pixels(self.layer_uid, self._local(doc), self.lifted.original)

    def _land_live(self, doc: Document, delta: tuple[int, int]) -> None:
        if self._edit is not None:
            self._edit.apply(doc, forward=False)
        self._edit = land(doc.layer_by_uid(self.layer_uid), self.lifted, delta)
        if self._edit is not None:
            self._edit.apply(doc)

    def _place_selection(self, doc: Document, old: tuple[int, int], new: tuple[int, int]) -> None:
        box, values = self._selection
        if not box.is_empty():
            shift_selection(doc, box, values, old, new)

    def redo(self, doc: Document) -> None:
        if self.floating:
            self._float(doc)
        elif self._edit is not None:
            self._edit.apply(doc)
        self._place_selection(doc, (0, 0), self.delta)
        self.applied = True
        if doc.find_layer(self.active_uid) is not None:
            doc.set_active(self.active_uid)

    def undo(self, doc: Document) -> None:
        if self.floating:
            self._unfloat(doc)
        elif self._edit is not None:
            self._edit.apply(doc, forward=False)
        self._place_selection(doc, self.delta, (0, 0))
        self.applied = False
        if self._active_before is not None and doc.find_layer(self._active_before) is not None:
            doc.set_active(self._active_before)

    def move_to(self, doc: Document, delta: tuple[int, int], content: Rect | None = None) -> None:
        """Move the floating piece so that it lies delta from where it was lifted; content: the piece
        layer's visible pixels (layer coordinates) when known, so only there is recomposited."""
        if not self.floating or not self.applied or delta == self.delta:
            return
        old, self.delta = self.delta, (int(delta[0]), int(delta[1]))
        if self.piece is None:
            self._land_live(doc, self.delta)
        elif doc.find_layer(self.piece.uid) is not None:
            doc.set_layer_property(self.piece.uid, "offset", self.piece_offset, content=content)
        self._place_selection(doc, old, self.delta)

    def land(self, doc: Document) -> bool:
        """Put the piece down where it floats: the step is final. False when it never moved (nothing to
        keep: undo it instead)."""
        if not self.floating or self.delta == (0, 0):
            return not self.floating
        if self.piece is not None:
            was_active = doc.active_uid == self.piece.uid
            self._unfloat(doc)
            self._edit = land(doc.layer_by_uid(self.layer_uid), self.lifted, self.delta)
            if self._edit is not None:
                self._edit.apply(doc)
            if was_active:
                doc.set_active(self.layer_uid)
        self.floating = False
        self.piece = self.lifted = None  # the edit holds every value undo and redo need
        return True

    @property
    def nbytes(self) -> int:
        held = (self.lifted.nbytes if self.lifted is not None else 0) + self._selection[1].nbytes
        return _STRUCT_BYTES + held + (self._edit.nbytes if self._edit is not None else 0)

