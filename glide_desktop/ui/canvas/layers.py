"""What the canvas draws from: the composite and the quick-mask tint, each kept as an image pyramid."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from glide_desktop.document.compositing import TILE
from glide_desktop.document.geometry import Rect
from glide_desktop.ui.canvas.pyramid import ImagePyramid, premultiply
from glide_desktop.ui.canvas.render import draw_pyramid
from glide_desktop.ui.canvas.viewport import Viewport

BAND_ROWS = 256  # refresh big areas in bands so temporaries stay small
MAX_PENDING = 32  # more waiting rectangles than this merge into their bounding box
CATCH_UP_TILES = 1  # document tiles per catch-up piece: a few milliseconds each
QUICK_MASK_RGB = (230, 30, 30)
QUICK_MASK_ALPHA = 0.5


class _PyramidImage:
    """Shared part: a pyramid the size of the document, re-read band by band.

    A change is re-read at once where the view shows it; elsewhere it waits (a short list of pending
    rectangles) until that part is drawn, so dragging a huge layer at 100 % reads only the screenful.
    """

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.pyramid = ImagePyramid(int(doc.width), int(doc.height))
        self._pending: list[Rect] = []  # changed in the document, not yet read (full-size pixels)
        self._read(self.bounds)

    @property
    def width(self) -> int:
        return self.pyramid.width

    @property
    def height(self) -> int:
        return self.pyramid.height

    @property
    def bounds(self) -> Rect:
        return Rect(0, 0, self.width, self.height)

    @property
    def pending(self) -> list[Rect]:
        """The changed areas not yet read from the document (they are read when drawn)."""
        return list(self._pending)

    def refresh(self, rect: Rect | None, visible: Rect | None = None) -> None:
        """The document changed under rect (None: everywhere); read the part in `visible` (None: all) now."""
        rect = self.bounds if rect is None else rect.clip(self.width, self.height)
        if rect.is_empty():
            return
        if visible is None:
            self._read(rect)
            return
        self._read(rect.intersect(visible))
        for part in subtract(rect, visible):
            self._defer(part)

    def ensure(self, area: Rect | None = None) -> None:
        """Read every pending change under area (None: everywhere) from the document."""
        area = self.bounds if area is None else area
        waiting = []
        for rect in self._pending:
            self._read(rect.intersect(area))
            waiting.extend(subtract(rect, area))
        self._pending = waiting

    def defer(self, rect: Rect | None) -> None:
        """The document changed under rect (None: everywhere): read it later (catch_up, or when drawn)."""
        rect = self.bounds if rect is None else rect.clip(self.width, self.height)
        if not rect.is_empty():
            self._defer(rect)

    def pending_under(self, area: Rect | None) -> bool:
        """True while some change under area (None: anywhere) waits to be read."""
        return any(area is None or not rect.intersect(area).is_empty() for rect in self._pending)

    def catch_up(self, first: Rect | None, level: int, deadline: float) -> Rect:
        """Read pending pieces, those under `first` before the rest, until `deadline` (perf_counter),
        keeping pyramid `level` current as it goes; returns the area read (full-size pixels)."""
        done = Rect(0, 0, 0, 0)
        while self._pending and time.perf_counter() < deadline:
            piece = self._next_piece(first)
            self._read(piece)
            self.pyramid.update_level(level)
            done = done.union(piece)
        return done

    def _next_piece(self, first: Rect | None) -> Rect:
        """Take the next tile-aligned piece off the pending list (inside `first` while any is there)."""
        index = 0
        if first is not None:
            meets = (i for i, rect in enumerate(self._pending) if not rect.intersect(first).is_empty())
            index = next(meets, 0)
            rect = self._pending[index]
            inside = rect.intersect(first)
            if not inside.is_empty() and inside != rect:
                self._pending[index: index + 1] = [inside, *subtract(rect, inside)]
        rect = self._pending[index]
        # Whole tiles of the document's cache, so no tile is composited twice for two pieces.
        piece = Rect.from_edges(rect.x, rect.y, min(rect.right, (rect.x // TILE + CATCH_UP_TILES) * TILE),
                                min(rect.bottom, (rect.y // TILE + 1) * TILE))
        self._pending[index: index + 1] = sorted(subtract(rect, piece), key=lambda part: (part.y, part.x))
        return piece

    def pixels(self, level: int = 0) -> np.ndarray:
        """One level's up-to-date premultiplied pixels (reads everything pending first)."""
        self.ensure()
        return self.pyramid.pixels(level)

    def _defer(self, rect: Rect) -> None:
        if any(p.contains(rect) for p in self._pending):
            return  # e.g. every move of a layer drag leaves the same off-screen bands
        self._pending = [p for p in self._pending if not rect.contains(p)] + [rect]
        if len(self._pending) > MAX_PENDING:
            box = self._pending[0]
            for p in self._pending[1:]:
                box = box.union(p)
            self._pending = [box]

    def _read(self, rect: Rect) -> None:
        for top in range(rect.y, rect.bottom, BAND_ROWS):
            band = Rect.from_edges(rect.x, top, rect.right, min(rect.bottom, top + BAND_ROWS))
            if not band.is_empty():
                self.pyramid.write(band, self._render(band))

    def _render(self, rect: Rect) -> np.ndarray:
        raise NotImplementedError

    def draw(self, painter: QPainter, viewport: Viewport, exposed: QRectF, read_pending: bool = True) -> None:
        """Paint the part under `exposed` (widget coordinates), reading pending changes there first
        (unless read_pending is False: a catch-up in slices is on its way)."""
        if self._pending and read_pending:
            self.ensure(source_area(viewport, exposed, self.pyramid.max_level))
        draw_pyramid(painter, self.pyramid, viewport, exposed)


class CompositeImage(_PyramidImage):
    """The document's composite, premultiplied for fast drawing."""

    def _render(self, rect: Rect) -> np.ndarray:
        return premultiply(self.doc.composite(rect))


class QuickMaskImage(_PyramidImage):
    """A translucent red wash whose strength follows the selection coverage."""

    def _render(self, rect: Rect) -> np.ndarray:
        coverage = self.doc.selection.coverage[rect.slices()]  # h, w float32
        alpha = np.clip(coverage * (QUICK_MASK_ALPHA * 255.0) + 0.5, 0, 255).astype(np.uint8)
        out = np.zeros((rect.h, rect.w, 4), np.uint8)
        for channel, value in enumerate(QUICK_MASK_RGB):
            if value:
                out[..., channel] = (alpha.astype(np.uint16) * value + 127) // 255
        out[..., 3] = alpha
        return out


def source_area(viewport: Viewport, widget_area: QRectF, max_level: int) -> Rect:
    """The full-size pixels that drawing `widget_area` reads: whole blocks of the level in use, one spare."""
    scale = 2 ** viewport.pyramid_level(max_level)
    area = viewport.widget_rect_to_doc(widget_area)
    return Rect.from_edges((math.floor(area.left() / scale) - 1) * scale,
                           (math.floor(area.top() / scale) - 1) * scale,
                           (math.ceil(area.right() / scale) + 1) * scale,
                           (math.ceil(area.bottom() / scale) + 1) * scale)


def subtract(rect: Rect, cut: Rect) -> list[Rect]:
    """rect minus cut as at most four rectangles (bands above and below, pieces left and right)."""
    overlap = rect.intersect(cut)
    if overlap.is_empty():
        return [] if rect.is_empty() else [rect]
    parts = [Rect.from_edges(rect.x, rect.y, rect.right, overlap.y),
             Rect.from_edges(rect.x, overlap.bottom, rect.right, rect.bottom),
             Rect.from_edges(rect.x, overlap.y, overlap.x, overlap.bottom),
             Rect.from_edges(overlap.right, overlap.y, rect.right, overlap.bottom)]
    return [part for part in parts if not part.is_empty()]


def subscribe(doc: Any, callback: Any) -> Any:
    """Subscribe to document changes; returns a callable that unsubscribes."""
    token = doc.subscribe(callback)
    if callable(token):
        return token
    unsubscribe = getattr(doc, "unsubscribe", None)
    return (lambda: unsubscribe(callback)) if unsubscribe is not None else None

