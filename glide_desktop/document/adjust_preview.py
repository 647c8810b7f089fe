"""Applying an adjustment to the active layer inside the selection: live preview band by band, then one step.

The preview writes into the layer directly (the canvas shows the real composite); commit() turns the
final pixels into one PixelEdit, cancel() puts the original pixels back. Soft selections blend the
adjusted colour in proportion to their coverage.
"""

from __future__ import annotations

import numpy as np

from glide_desktop.document.adjustments import Adjustment, adjust
from glide_desktop.document.commands import PixelEdit
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect

BAND_PIXELS = 400_000  # pixels per preview band: the canvas updates every band, the UI stays responsive


class AdjustmentPreview:
    """One adjustment session on one layer: rect (layer coordinates), its original pixels and coverage."""

    def __init__(self, doc: Document, layer_uid: int, rect: Rect, coverage: np.ndarray | None,
                 band_rows: int | None = None):
        self.doc, self.layer_uid, self.rect = doc, layer_uid, rect
        self.before = doc.layer_by_uid(layer_uid).pixels[rect.slices()].copy()
        self.after = self.before.copy()
        self.coverage = coverage
        self.band_rows = max(1, int(band_rows or BAND_PIXELS // max(1, rect.w)))
        self.adjustment: Adjustment | None = None
        self._next_row = rect.h  # nothing pending until show() is called
        self._committed = False

    @classmethod
    def for_active_layer(cls, doc: Document, band_rows: int | None = None) -> AdjustmentPreview | None:
        """A session on the active layer inside the selection (all of it when nothing is selected)."""
        layer = doc.active_layer
        if layer is None:
            return None
        box = doc.selection.bbox()
        if box is None:
            return cls(doc, layer.uid, Rect(0, 0, layer.width, layer.height), None, band_rows)
        area = box.intersect(layer.bounds)
        if area.is_empty():
            return None
        coverage = doc.selection.coverage[area.slices()].copy()
        full = bool(coverage.min() >= 1.0)
        return cls(doc, layer.uid, area.translate(-layer.offset[0], -layer.offset[1]),
                   None if full else coverage, band_rows)

    @property
    def pending(self) -> bool:
        """True while some bands still show an older setting."""
        return self._next_row < self.rect.h

    def show(self, adjustment: Adjustment) -> None:
        """Start previewing adjustment from the top band (call step() until it returns False)."""
        self.adjustment = adjustment
        self._next_row = 0

    def step(self) -> bool:
        """Compute and show the next band; False when the whole area is up to date."""
        if not self.pending or self.adjustment is None or self._committed:
            return False
        top, bottom = self._next_row, min(self.rect.h, self._next_row + self.band_rows)
        coverage = None if self.coverage is None else self.coverage[top:bottom]
        self.after[top:bottom] = adjust(self.before[top:bottom], self.adjustment, coverage)
        band = Rect(self.rect.x, self.rect.y + top, self.rect.w, bottom - top)
        self.doc.write_pixels(self.layer_uid, band, self.after[top:bottom])
        self._next_row = bottom
        return self.pending

    def finish(self) -> None:
        """Bring every band up to date now."""
        while self.step():
            pass

    def commit(self, text: str) -> PixelEdit | None:
        """Finish and return the undo step (already applied); None when nothing changed."""
        self.finish()
        if self.adjustment is None or np.array_equal(self.after, self.before):
            self.cancel()
            return None
        self._committed = True  # the step owns before and after now: cancel() must not touch them
        return PixelEdit(self.layer_uid, self.rect, self.before, self.after, text=text)

    def cancel(self) -> None:
        """Put the original pixels back (nothing after commit)."""
        if self._committed:
            return
        self._next_row = self.rect.h
        self.after[...] = self.before
        if self.doc.find_layer(self.layer_uid) is not None:
            self.doc.write_pixels(self.layer_uid, self.rect, self.before)
