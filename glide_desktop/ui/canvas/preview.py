"""A drag's picture: the nodes below and above the moving piece composited once at the view's
resolution, the piece drawn between them at any offset (a few blits per mouse move). When the piece sits
in a group with its own pass, that group's block is composed per move in a buffer of its own and joins
the picture with the group's blend and opacity (isolated) or as its fade over the backdrop (pass-through).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter

from glide_desktop.document.geometry import Rect
from glide_desktop.ui.canvas.drag_scene import DragScene, PlaneSpec
from glide_desktop.ui.canvas.preview_parts import SCREEN, Mode, Plane, moving_piece, pieces, qt_mode
from glide_desktop.ui.canvas.viewport import Viewport

Shown = Callable[[Rect], "np.ndarray | None"]


class _HostStage:
    """The group holding the piece: its own planes under and over the piece, how its block joins."""

    def __init__(self, scene: DragScene, area: Rect, level: int) -> None:
        host = scene.host
        assert host is not None
        self.isolated, self.opacity = host.isolated, host.opacity
        self.mode = qt_mode(host.blend) if host.isolated else Mode.CompositionMode_Source
        self.below = Plane(PlaneSpec(host.below), area, level) if host.below else None
        self.above = [Plane(spec, area, level) for spec in host.above]
        self.buffer: QImage | None = None

    @property
    def planes(self) -> list[Plane]:
        return ([self.below] if self.below is not None else []) + self.above

    def draw(self, painter: QPainter, area: QRectF, piece: Callable[[QPainter], None]) -> None:
        """Compose the group's block under `area` in its buffer (piece() draws the moving piece),
        then draw it onto `painter`, whose picture holds what lies under the group."""
        pixels = area.toAlignedRect()
        if self.buffer is None or self.buffer.size() != painter.device().size():
            self.buffer = QImage(painter.device().size(), SCREEN)
        inner = QPainter(self.buffer)
        inner.setClipRect(area)
        inner.setCompositionMode(Mode.CompositionMode_Source)
        inner.fillRect(pixels, Qt.GlobalColor.transparent)
        inner.setCompositionMode(Mode.CompositionMode_SourceOver)
        if self.below is not None:
            self.below.draw(inner, pixels)
        piece(inner)
        for plane in self.above:
            plane.draw(inner, pixels)
        inner.end()
        # Isolated: the block blends like one layer. Pass-through: "source" at the group's opacity is
        # exactly its fade, backdrop + (block - backdrop) x opacity (the block holds the backdrop).
        painter.setCompositionMode(self.mode)
        painter.setOpacity(self.opacity)
        painter.drawImage(pixels, self.buffer, pixels)
        painter.setOpacity(1.0)
        painter.setCompositionMode(Mode.CompositionMode_SourceOver)


class LayerPreview:
    """One drag's picture for one view (zoom, scroll, size): prepared in small steps, then each mouse
    move only re-blits the planes below and above and the moving layer at its new offset."""

    def __init__(self, scene: DragScene, viewport: Viewport, size: QSize,
                 page: QRectF, area: Rect, level: int, shown: Shown | None = None) -> None:
        """page: where the document shows in the widget; area: the full-size pixels the view reads;
        shown: the canvas's own composite of a piece at `level` (None where it is not up to date)."""
        self._shown, self._start = shown, (scene.piece.rect.x, scene.piece.rect.y)
        self.uid = scene.piece.uid
        self.viewport = Viewport()
        self.viewport.zoom, self.viewport.origin = viewport.zoom, QPointF(viewport.origin)
        self.size = QSize(size)
        self.page = page.intersected(QRectF(0, 0, size.width(), size.height()))
        self.offset = self._start
        self.layer = moving_piece(scene.piece, self.viewport, level)
        self.below = Plane(PlaneSpec(scene.below), area, level) if scene.below else None
        self.above = [Plane(spec, area, level) for spec in scene.above]
        self.host = _HostStage(scene, area, level) if scene.host is not None else None
        self._direct = self.host is None and self.layer.mode == Mode.CompositionMode_SourceOver and all(
            plane.mode == Mode.CompositionMode_SourceOver for plane in self.above)
        self._buffer: QImage | None = None
        self._steps = self._prepare(area)
        self.layer_ready = False  # the moving layer alone can be drawn (over the old composite)
        self.ready = False
        self.composited = 0  # pieces composited from the layers (the rest came from the canvas)

    @property
    def planes(self) -> list[Plane]:
        host = self.host.planes if self.host is not None else []
        return ([self.below] if self.below is not None else []) + host + self.above

    def matches(self, viewport: Viewport, size: QSize) -> bool:
        """True while the view still shows what this preview was prepared for."""
        return (size == self.size and math.isclose(viewport.zoom, self.viewport.zoom)
                and viewport.origin == self.viewport.origin)

    def step(self, deadline: float) -> bool:
        """Prepare until `deadline` (time.perf_counter()); True once the preview can be drawn."""
        while not self.ready and time.perf_counter() < deadline:
            try:
                next(self._steps)
            except StopIteration:
                self.ready = True
        return self.ready

    def _prepare(self, area: Rect) -> Iterator[None]:
        yield from self.layer.prepare()  # first: the layer can follow the mouse as a ghost meanwhile
        self.layer_ready = True
        footprint = self._footprint()
        for piece in pieces(area):
            known = None
            if footprint is not None and self._shown is not None and piece.intersect(footprint).is_empty():
                known = self._shown(piece)  # the top layer is clear here: the canvas shows just the below
            for plane in self.planes:
                if plane is self.below and known is not None:
                    plane.put(piece, known)
                    continue
                plane.fill(piece)
                self.composited += 1
                yield
        for plane in self.planes:
            yield from plane.render(self.viewport, self.size, self.page)

    def _footprint(self) -> Rect | None:
        """Where the moving layer has pixels (document coordinates), when it is the top visible layer:
        elsewhere the canvas's composite already is the plane below; None when that does not hold."""
        if (self.above or self.host is not None or self.below is None or self._shown is None
                or self.layer.clears_outside):
            return None
        return self.layer.footprint.translate(*self._start)

    def draw(self, painter: QPainter, exposed: QRectF) -> None:
        """Paint the document part of `exposed` with the layer at self.offset (blending as it will)."""
        area = exposed.intersected(self.page)
        if area.isEmpty():
            return
        if self._direct:  # every step is plain "over": draw straight onto the widget
            self._compose(painter, area)
            return
        # Other blends mix with what is below inside the document, never with the checkerboard.
        if self._buffer is None:
            self._buffer = QImage(self.size, SCREEN)
        pixels = area.toAlignedRect()
        buffer = QPainter(self._buffer)
        buffer.setCompositionMode(Mode.CompositionMode_Source)
        below = self.below
        if below is not None and below.screen is not None and below.bounds.contains(pixels):
            buffer.drawImage(pixels, below.screen, pixels)  # a copy starts the picture: no clearing
        else:
            buffer.fillRect(pixels, Qt.GlobalColor.transparent)
            below = None
        buffer.setCompositionMode(Mode.CompositionMode_SourceOver)
        self._compose(buffer, area, with_below=below is None)
        buffer.end()
        painter.save()
        painter.setClipRect(area)
        painter.drawImage(pixels, self._buffer, pixels)
        painter.restore()

    def draw_layer(self, painter: QPainter, exposed: QRectF) -> None:
        """Only the moving layer at self.offset, straight onto what is painted (a ghost while the
        planes are still being prepared)."""
        area = exposed.intersected(self.page)
        if self.layer_ready and not area.isEmpty():
            painter.save()
            painter.setClipRect(area)
            # Plain "over": blending with the widget's checkerboard or erasing it would mislead.
            self.layer.draw(painter, self.viewport, self.offset, area, Mode.CompositionMode_SourceOver)
            painter.restore()

    def _compose(self, painter: QPainter, area: QRectF, with_below: bool = True) -> None:
        painter.save()
        painter.setClipRect(area)
        pixels: QRect = area.toAlignedRect()
        if self.below is not None and with_below:
            self.below.draw(painter, pixels)
        if self.host is None:
            self.layer.draw(painter, self.viewport, self.offset, area)
        else:
            self.host.draw(painter, area,
                           lambda inner: self.layer.draw(inner, self.viewport, self.offset, area))
        for plane in self.above:
            plane.draw(painter, pixels)
        painter.restore()
