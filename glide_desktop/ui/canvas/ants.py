"""Marching ants: the selection's outline (coverage >= 0.5) drawn with a moving black-and-white stripe."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QElapsedTimer, QLineF, QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QImage, QPainter, QPen, QTransform

from glide_desktop.document.geometry import Rect

TICK_MS = 120
REBUILD_MS = 150
STRIPE = 8  # period of the black/white stripe in screen pixels


def _runs(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row index, start and end column of each run of True along axis 1 of a 2-D bool array."""
    width = edges.shape[1]
    flat = np.flatnonzero(edges)  # boundaries are sparse: work on their indices only
    if flat.size == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    rows, cols = np.divmod(flat, width)
    breaks = np.flatnonzero((np.diff(flat) != 1) | (np.diff(rows) != 0)) + 1
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [flat.size]]) - 1
    return rows[starts], cols[starts], cols[ends] + 1


def outline_segments(mask: np.ndarray, origin: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Boundary of a H, W bool mask as N, 4 (x0, y0, x1, y1) pixel-edge segments, merged into runs."""
    padded = np.pad(mask.astype(bool), 1)
    horizontal = padded[1:, 1:-1] != padded[:-1, 1:-1]  # H+1, W: edge above row y
    vertical = padded[1:-1, 1:] != padded[1:-1, :-1]  # H, W+1: edge left of column x
    ox, oy = origin
    y, x0, x1 = _runs(horizontal)
    h_segs = np.stack([x0 + ox, y + oy, x1 + ox, y + oy], axis=1)
    x, y0, y1 = _runs(vertical.T)
    v_segs = np.stack([x + ox, y0 + oy, x + ox, y1 + oy], axis=1)
    return np.concatenate([h_segs, v_segs]).astype(np.float64)


def mask_bounds(mask: np.ndarray) -> Rect:
    """The bounding rectangle of a H, W bool mask's True pixels (empty when there are none)."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return Rect(0, 0, 0, 0)
    cols = np.flatnonzero(mask[rows[0] : rows[-1] + 1].any(axis=0))
    return Rect.from_edges(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)


def _stripe_brush() -> QBrush:
    image = QImage(STRIPE, STRIPE, QImage.Format.Format_RGB32)
    for yy in range(STRIPE):
        for xx in range(STRIPE):
            # x + 2y: the colour changes along every direction an outline can take (with x + y, lines
            # running up-right stayed one colour and vanished on light or dark pixels).
            dark = ((xx + 2 * yy) % STRIPE) < STRIPE // 2
            image.setPixel(xx, yy, 0xFF000000 if dark else 0xFFFFFFFF)
    return QBrush(image)


class MarchingAnts(QObject):
    """Caches the outline of the selection and animates its stripe; rebuilds at most every REBUILD_MS."""

    tick = Signal()
    outlineChanged = Signal(object)  # Rect: the area whose ants changed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: list[QLineF] = []
        self._mask: np.ndarray | None = None  # H, W bool: coverage >= 0.5 at the last rebuild
        self._source: Callable[[], np.ndarray | None] = lambda: None
        self.bounds = Rect(0, 0, 0, 0)
        self.shift = (0, 0)  # document pixels the outline is drawn moved by (a selection being dragged)
        self.phase = 0
        self._brush = _stripe_brush()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._advance)
        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.timeout.connect(self.rebuild)
        self._last_rebuild = QElapsedTimer()
        self._held = False
        self._stale = False

    @property
    def segment_count(self) -> int:
        return len(self._lines)

    @property
    def shown_bounds(self) -> Rect:
        """Where the outline is drawn (document coordinates): its bounds moved by the shift."""
        return self.bounds.translate(*self.shift)

    def set_shift(self, dx: int, dy: int) -> None:
        """Draw the outline moved by (dx, dy) document pixels until the next rebuild (which resets it)."""
        old = self.shown_bounds
        self.shift = (int(dx), int(dy))
        self.outlineChanged.emit(old.union(self.shown_bounds))

    def set_source(self, source: Callable[[], np.ndarray | None]) -> None:
        """Where to read the selection coverage from (H, W float32), then rebuild at once."""
        self._source = source
        self.rebuild()

    def invalidate(self, rect: Rect | None) -> None:
        """The coverage may have changed in rect (None: anywhere): rebuild soon if the outline moved."""
        coverage = self._source()
        if coverage is None or self._mask is None or self._mask.shape != coverage.shape:
            self._schedule()
            return
        if rect is not None:
            rect = rect.clip(coverage.shape[1], coverage.shape[0])
            if rect.is_empty():
                return
        area = (slice(None), slice(None)) if rect is None else rect.slices()
        if not np.array_equal(coverage[area] >= 0.5, self._mask[area]):
            self._schedule()

    def hold(self, held: bool) -> None:
        """While held (a selection-brush stroke), changes only mark the outline stale; releasing rebuilds."""
        self._held = held
        if not held and self._stale:
            self.rebuild()

    def _schedule(self) -> None:
        if self._held:
            self._stale = True
            return
        # Rebuilding scans the whole mask: during a selection-brush stroke do it a few times a second only.
        if not self._last_rebuild.isValid() or self._last_rebuild.elapsed() >= REBUILD_MS:
            self.rebuild()
        elif not self._rebuild_timer.isActive():
            self._rebuild_timer.start(max(0, REBUILD_MS - self._last_rebuild.elapsed()))

    def rebuild(self) -> None:
        """Recompute the outline from the current coverage now."""
        self._rebuild_timer.stop()
        self._stale = False
        self._last_rebuild.start()
        old, self.shift = self.shown_bounds, (0, 0)
        coverage = self._source()
        self._mask = None if coverage is None else coverage >= 0.5
        self.bounds = Rect(0, 0, 0, 0) if self._mask is None else mask_bounds(self._mask)
        if self.bounds.is_empty():
            self._lines = []
            self._timer.stop()
        else:
            rows, cols = self.bounds.slices()
            segs = outline_segments(self._mask[rows, cols], (self.bounds.x, self.bounds.y))
            self._lines = [QLineF(a, b, c, d) for a, b, c, d in segs.tolist()]
            if not self._timer.isActive():
                self._timer.start()
        self.outlineChanged.emit(old.union(self.bounds))

    def stop(self) -> None:
        """Stop animating (the view is hidden)."""
        self._timer.stop()

    def resume(self) -> None:
        """Animate again when there is an outline."""
        if self._lines and not self._timer.isActive():
            self._timer.start()

    def _advance(self) -> None:
        self.phase = (self.phase + 1) % STRIPE
        self.tick.emit()

    def paint(self, painter: QPainter, doc_to_widget: QTransform, exposed: QRectF) -> None:
        """Draw the outline; `exposed` (widget coordinates) only limits the work."""
        if not self._lines:
            return
        painter.save()
        if self.shift != (0, 0):
            doc_to_widget = QTransform.fromTranslate(*self.shift) * doc_to_widget
        painter.setTransform(doc_to_widget)
        inverse, _ = doc_to_widget.inverted()
        brush = QBrush(self._brush)
        # The brush lives in document space; undo the view transform so stripes stay screen-sized.
        brush.setTransform(QTransform.fromTranslate(self.phase, 0) * inverse)
        pen = QPen(brush, 1.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.SquareCap)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setClipRect(inverse.mapRect(exposed))
        painter.drawLines(self._lines)
        painter.restore()
