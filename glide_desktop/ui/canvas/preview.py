"""A layer drag's picture: the layers below and above the moving one composited once at the view's
resolution, the moving layer drawn between them at any offset (a few blits per mouse move)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter

from glide_desktop.document.compositing import composite_rect
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.ui.canvas.pyramid import downsample, premultiply
from glide_desktop.ui.canvas.viewport import Viewport

Mode = QPainter.CompositionMode
Shown = Callable[[Rect], "np.ndarray | None"]
# Qt draws these with the same W3C formulas as document/blend_modes.py (soft light: SVG's variant). The
# non-separable modes (hue, saturation, colour, luminosity) have no Qt mode: a drag previews them as
# normal, and the release shows the exact result.
BLEND_MODES = {
    BlendMode.NORMAL: Mode.CompositionMode_SourceOver,
    BlendMode.MULTIPLY: Mode.CompositionMode_Multiply,
    BlendMode.SCREEN: Mode.CompositionMode_Screen,
    BlendMode.OVERLAY: Mode.CompositionMode_Overlay,
    BlendMode.DARKEN: Mode.CompositionMode_Darken,
    BlendMode.LIGHTEN: Mode.CompositionMode_Lighten,
    BlendMode.COLOR_DODGE: Mode.CompositionMode_ColorDodge,
    BlendMode.COLOR_BURN: Mode.CompositionMode_ColorBurn,
    BlendMode.HARD_LIGHT: Mode.CompositionMode_HardLight,
    BlendMode.SOFT_LIGHT: Mode.CompositionMode_SoftLight,
    BlendMode.DIFFERENCE: Mode.CompositionMode_Difference,
    BlendMode.EXCLUSION: Mode.CompositionMode_Exclusion,
    BlendMode.PLUS: Mode.CompositionMode_Plus,
    BlendMode.DST_OVER: Mode.CompositionMode_DestinationOver,
    BlendMode.SRC_IN: Mode.CompositionMode_SourceIn,
    BlendMode.DST_IN: Mode.CompositionMode_DestinationIn,
    BlendMode.SRC_OUT: Mode.CompositionMode_SourceOut,
    BlendMode.DST_OUT: Mode.CompositionMode_DestinationOut,
    BlendMode.SRC_ATOP: Mode.CompositionMode_SourceAtop,
    BlendMode.DST_ATOP: Mode.CompositionMode_DestinationAtop,
    BlendMode.XOR: Mode.CompositionMode_Xor,
}


def qt_mode(blend: BlendMode) -> Mode:
    """The QPainter composition mode that draws `blend` (normal where Qt has none)."""
    return BLEND_MODES.get(blend, Mode.CompositionMode_SourceOver)
# Full-size pixels composited per step (rows a multiple of 2**level): one of the compositor's chunks,
# so that even on a busy machine a step stays well inside a turn of the event loop.
PIECE_ROWS, PIECE_COLS = 256, 256
SCREEN_BAND_ROWS = 128  # widget rows scaled per step
_PREMULTIPLIED = QImage.Format.Format_RGBA8888_Premultiplied
_STRAIGHT = QImage.Format.Format_RGBA8888
_SCREEN = QImage.Format.Format_ARGB32_Premultiplied  # what a widget's backing store blits fastest


def _wrap(pixels: np.ndarray, fmt: QImage.Format = _PREMULTIPLIED) -> QImage:
    """A QImage sharing the H, W, 4 array's memory (keep the array alive while it is used)."""
    h, w = pixels.shape[:2]
    return QImage(pixels.data, w, h, w * 4, fmt)


def pieces(area: Rect, rows: int = PIECE_ROWS, cols: int = PIECE_COLS) -> list[Rect]:
    """area cut into blocks of at most rows x cols, row-major, each corner on the area's grid."""
    return [Rect.from_edges(x, y, min(area.right, x + cols), min(area.bottom, y + rows))
            for y in range(area.y, area.bottom, rows) for x in range(area.x, area.right, cols)]


def layer_groups(layers: Sequence[Layer]) -> list[tuple[list[Layer], Mode]]:
    """The visible layers as runs drawn in turn: neighbouring NORMAL layers composite as one image
    (over is associative), a layer with any other blend is drawn alone with its own mode."""
    groups: list[tuple[list[Layer], Mode]] = []
    for layer in layers:
        if not layer.visible or layer.opacity <= 0.0:
            continue
        normal = layer.blend is BlendMode.NORMAL
        if normal and groups and groups[-1][0][-1].blend is BlendMode.NORMAL:
            groups[-1][0].append(layer)
        else:
            groups.append(([layer], qt_mode(layer.blend)))
    return groups


def _scale_in_bands(source: QImage, target: QRectF, size: QSize, clip: QRectF,
                    smooth: bool) -> Iterator[QImage]:
    """Draw source into target of a new transparent image of `size`, a band of rows per step;
    yields the image after each band (the clip keeps each step's work to its band)."""
    image = QImage(size, _SCREEN)
    image.fill(Qt.GlobalColor.transparent)
    for top in range(0, size.height(), SCREEN_BAND_ROWS):
        band = clip.intersected(QRectF(0, top, size.width(), SCREEN_BAND_ROWS))
        if not band.isEmpty() and not source.isNull():
            painter = QPainter(image)
            painter.setClipRect(band)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
            painter.drawImage(target, source)
            painter.end()
        yield image


def _outside(area: QRectF, hole: QRectF) -> list[QRectF]:
    """area minus hole as at most four rectangles (bands above and below, pieces left and right)."""
    inner = area.intersected(hole)
    if inner.isEmpty():
        return [area]
    parts = [QRectF(area.left(), area.top(), area.width(), inner.top() - area.top()),
             QRectF(area.left(), inner.bottom(), area.width(), area.bottom() - inner.bottom()),
             QRectF(area.left(), inner.top(), inner.left() - area.left(), inner.height()),
             QRectF(inner.right(), inner.top(), area.right() - inner.right(), inner.height())]
    return [part for part in parts if part.width() > 0 and part.height() > 0]


class _Plane:
    """Some layers composited over the visible area at 1/2**level, then scaled once to the widget."""

    def __init__(self, layers: Sequence[Layer], mode: Mode, area: Rect, level: int) -> None:
        self.layers, self.mode, self.area, self.level = list(layers), mode, area, level
        scale = 2**level
        self.pixels = np.zeros((-(-area.h // scale), -(-area.w // scale), 4), np.uint8)
        self.screen: QImage | None = None
        self.bounds = QRect()  # where the screen image is not clear (widget pixels)

    def fill(self, piece: Rect) -> None:
        """Composite one piece of the area (its corner on the level's grid) into the small image."""
        straight = composite_rect(self.layers, piece)
        if not straight[..., 3].any():
            return  # clear here (layers often cover a part only): the small image is clear already
        self.put(piece, downsample(premultiply(straight), self.level))

    def put(self, piece: Rect, small: np.ndarray) -> None:
        """Take one piece's pixels at the plane's level from elsewhere (the canvas's own composite)."""
        scale = 2**self.level
        top, left = (piece.y - self.area.y) // scale, (piece.x - self.area.x) // scale
        self.pixels[top: top + small.shape[0], left: left + small.shape[1]] = small

    def render(self, viewport: Viewport, size: QSize, page: QRectF) -> Iterator[None]:
        """Scale the small image to the widget, as the canvas draws its pyramid (smooth below 100 %)."""
        scale = 2**self.level
        target = viewport.doc_rect_to_widget(QRectF(self.area.x, self.area.y, self.pixels.shape[1] * scale,
                                                    self.pixels.shape[0] * scale))
        for image in _scale_in_bands(_wrap(self.pixels), target, size, page, viewport.zoom < 1.0):
            self.screen = image
            yield
        if any(layer.blend.clears_outside for layer in self.layers):
            self.bounds = QRect(0, 0, size.width(), size.height())  # its clear part erases the backdrop
        else:
            self.bounds = self._shown(viewport, size)

    def draw(self, painter: QPainter, pixels: QRect) -> None:
        """Blit the screen image under `pixels` (widget), skipping where the plane is clear."""
        part = pixels.intersected(self.bounds)
        if self.screen is not None and not part.isEmpty():
            painter.setCompositionMode(self.mode)
            painter.drawImage(part, self.screen, part)
            painter.setCompositionMode(Mode.CompositionMode_SourceOver)

    def _shown(self, viewport: Viewport, size: QSize) -> QRect:
        """The widget pixels this plane can change: its non-clear part, one pixel of filter spare."""
        alpha = self.pixels[..., 3]
        rows, cols = np.flatnonzero(alpha.max(axis=1)), np.flatnonzero(alpha.max(axis=0))
        if rows.size == 0:
            return QRect()
        scale = 2**self.level
        doc = QRectF(self.area.x + (int(cols[0]) - 1) * scale, self.area.y + (int(rows[0]) - 1) * scale,
                     (int(cols[-1]) - int(cols[0]) + 3) * scale, (int(rows[-1]) - int(rows[0]) + 3) * scale)
        return viewport.doc_rect_to_widget(doc).toAlignedRect().adjusted(-1, -1, 1, 1).intersected(
            QRect(0, 0, size.width(), size.height()))


class _MovingLayer:
    """The dragged layer: zoomed in, its own pixels drawn through the view; zoomed out, scaled once."""

    def __init__(self, layer: Layer, viewport: Viewport, level: int) -> None:
        self.mode = qt_mode(layer.blend)
        self.clears_outside = layer.blend.clears_outside  # the backdrop changes where it is clear
        self.opacity = layer.opacity
        self.shown = layer.visible and layer.opacity > 0.0
        # The drag never writes them: no copy (but a copy with the mask applied when the layer has one).
        self.pixels = layer.shown_pixels((slice(None), slice(None)))
        self.level = level
        self.zoom = viewport.zoom
        self.image = _wrap(self.pixels, _STRAIGHT)  # zoomed in: Qt premultiplies as it draws
        self.screen: QImage | None = None
        self.footprint = Rect(0, 0, 0, 0)  # layer coordinates: whole pieces holding any pixel

    def prepare(self) -> Iterator[None]:
        """Find where the layer has pixels (self.footprint, whole pieces); zoomed out, also box-filter it
        to the view's level and scale it to screen pixels once."""
        if not self.shown:
            return
        scale = 2**self.level
        h, w = self.pixels.shape[:2]
        scaled = self.zoom < 1.0
        small = np.zeros((-(-h // scale), -(-w // scale), 4), np.uint8) if scaled else None
        for piece in pieces(Rect(0, 0, w, h), PIECE_ROWS, 2 * PIECE_COLS):
            block = self.pixels[piece.slices()]
            if not block[..., 3].any():
                continue
            self.footprint = self.footprint.union(piece)
            if small is not None:
                block = downsample(premultiply(block), self.level)
                top, left = piece.y // scale, piece.x // scale
                small[top: top + block.shape[0], left: left + block.shape[1]] = block
            yield
        if small is None:
            return
        size = QSize(math.ceil(w * self.zoom) + 1, math.ceil(h * self.zoom) + 1)
        target = QRectF(0, 0, small.shape[1] * scale * self.zoom, small.shape[0] * scale * self.zoom)
        clip = QRectF(0, 0, w * self.zoom, h * self.zoom)
        for image in _scale_in_bands(_wrap(small), target, size, clip, smooth=True):
            self.screen = image
            yield

    def draw(self, painter: QPainter, viewport: Viewport, offset: tuple[int, int], area: QRectF,
             mode: Mode | None = None) -> None:
        """Draw the layer with its top-left at document point `offset`, inside widget `area`, in its own
        blend mode unless `mode` says otherwise."""
        if not self.shown:
            return
        painter.setCompositionMode(self.mode if mode is None else mode)
        painter.setOpacity(self.opacity)
        if self.zoom < 1.0:
            if self.screen is not None:
                corner = viewport.to_widget(QPointF(*offset))
                placed = self.screen.rect().translated(round(corner.x()), round(corner.y()))
                part = placed.intersected(area.toAlignedRect())
                if not part.isEmpty():  # only the part on screen: some modes cost per pixel drawn
                    painter.drawImage(part, self.screen, part.translated(-placed.topLeft()))
        else:
            self._draw_zoomed_in(painter, viewport, offset, area)
        painter.setOpacity(1.0)
        if self.clears_outside and mode is None:
            # Beyond the layer's edges it has no pixels either: these modes leave nothing there.
            h, w = self.pixels.shape[:2]
            placed = viewport.doc_rect_to_widget(QRectF(offset[0], offset[1], w, h))
            painter.setCompositionMode(Mode.CompositionMode_Clear)
            for part in _outside(area, placed):
                painter.fillRect(part, Qt.GlobalColor.transparent)
        painter.setCompositionMode(Mode.CompositionMode_SourceOver)

    def _draw_zoomed_in(self, painter: QPainter, viewport: Viewport, offset: tuple[int, int],
                        area: QRectF) -> None:
        # Only the layer pixels under the area, as whole pixels (crisp squares, like the canvas).
        doc = viewport.widget_rect_to_doc(area).translated(-offset[0], -offset[1])
        h, w = self.pixels.shape[:2]
        left, top = max(0, math.floor(doc.left())), max(0, math.floor(doc.top()))
        right, bottom = min(w, math.ceil(doc.right())), min(h, math.ceil(doc.bottom()))
        if right <= left or bottom <= top:
            return
        source = QRectF(left, top, right - left, bottom - top)
        target = viewport.doc_rect_to_widget(source.translated(offset[0], offset[1]))
        painter.drawImage(target, self.image, source)


class LayerPreview:
    """One drag's picture for one view (zoom, scroll, size): prepared in small steps, then each mouse
    move only re-blits the planes below and above and the moving layer at its new offset."""

    def __init__(self, layers: Sequence[Layer], layer: Layer, viewport: Viewport, size: QSize,
                 page: QRectF, area: Rect, level: int, shown: Shown | None = None) -> None:
        """page: where the document shows in the widget; area: the full-size pixels the view reads;
        shown: the canvas's own composite of a piece at `level` (None where it is not up to date)."""
        index = list(layers).index(layer)
        self._shown, self._start = shown, layer.offset
        self.uid = layer.uid
        self.viewport = Viewport()
        self.viewport.zoom, self.viewport.origin = viewport.zoom, QPointF(viewport.origin)
        self.size = QSize(size)
        self.page = page.intersected(QRectF(0, 0, size.width(), size.height()))
        self.offset = layer.offset
        self.layer = _MovingLayer(layer, self.viewport, level)
        below = [below for below in layers[:index] if below.visible and below.opacity > 0.0]
        self.below = _Plane(below, Mode.CompositionMode_SourceOver, area, level) if below else None
        self.above = [_Plane(group, mode, area, level) for group, mode in layer_groups(layers[index + 1:])]
        self._direct = all(plane.mode == Mode.CompositionMode_SourceOver for plane in self.above) and (
            self.layer.mode == Mode.CompositionMode_SourceOver)
        self._buffer: QImage | None = None
        self._steps = self._prepare(area)
        self.layer_ready = False  # the moving layer alone can be drawn (over the old composite)
        self.ready = False
        self.composited = 0  # pieces composited from the layers (the rest came from the canvas)

    @property
    def planes(self) -> list[_Plane]:
        return ([self.below] if self.below is not None else []) + self.above

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
        if self.above or self.below is None or self._shown is None or self.layer.clears_outside:
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
            self._buffer = QImage(self.size, _SCREEN)
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
        self.layer.draw(painter, self.viewport, self.offset, area)
        for plane in self.above:
            plane.draw(painter, pixels)
        painter.restore()
