"""A layer drag's picture: the layers below and above the moving one composited once at the view's
resolution, the moving layer drawn between them at any offset (a few blits per mouse move)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter

from glide_desktop.document.compositing import composite_rect
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.ui.canvas.pyramid import downsample, premultiply
from glide_desktop.ui.canvas.viewport import Viewport

Mode = QPainter.CompositionMode
# Qt's composition modes are the same separable W3C formulas as document/compositing.py.
BLEND_MODES = {
    BlendMode.NORMAL: Mode.CompositionMode_SourceOver,
    BlendMode.MULTIPLY: Mode.CompositionMode_Multiply,
    BlendMode.SCREEN: Mode.CompositionMode_Screen,
    BlendMode.OVERLAY: Mode.CompositionMode_Overlay,
    BlendMode.DARKEN: Mode.CompositionMode_Darken,
    BlendMode.LIGHTEN: Mode.CompositionMode_Lighten,
}
PIECE_ROWS, PIECE_COLS = 256, 512  # full-size pixels composited per step (rows: a multiple of 2**level)
SCREEN_BAND_ROWS = 256  # widget rows scaled per step
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
        mode = BLEND_MODES[layer.blend]
        if mode == Mode.CompositionMode_SourceOver and groups and groups[-1][1] == mode:
            groups[-1][0].append(layer)
        else:
            groups.append(([layer], mode))
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


class _Plane:
    """Some layers composited over the visible area at 1/2**level, then scaled once to the widget."""

    def __init__(self, layers: Sequence[Layer], mode: Mode, area: Rect, level: int) -> None:
        self.layers, self.mode, self.area, self.level = list(layers), mode, area, level
        scale = 2**level
        self.pixels = np.zeros((-(-area.h // scale), -(-area.w // scale), 4), np.uint8)
        self.screen: QImage | None = None

    def fill(self, piece: Rect) -> None:
        """Composite one piece of the area (its corner on the level's grid) into the small image."""
        small = downsample(premultiply(composite_rect(self.layers, piece)), self.level)
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


class _MovingLayer:
    """The dragged layer: zoomed in, its own pixels drawn through the view; zoomed out, scaled once."""

    def __init__(self, layer: Layer, viewport: Viewport, level: int) -> None:
        self.mode = BLEND_MODES[layer.blend]
        self.opacity = layer.opacity
        self.shown = layer.visible and layer.opacity > 0.0
        self.pixels = layer.pixels  # the drag never writes them: no copy
        self.level = level
        self.zoom = viewport.zoom
        self.image = _wrap(self.pixels, _STRAIGHT)  # zoomed in: Qt premultiplies as it draws
        self.screen: QImage | None = None

    def prepare(self) -> Iterator[None]:
        """Zoomed out: box-filter the layer to the view's level, then scale it to screen pixels."""
        if self.zoom >= 1.0 or not self.shown:
            return
        scale = 2**self.level
        h, w = self.pixels.shape[:2]
        small = np.zeros((-(-h // scale), -(-w // scale), 4), np.uint8)
        for piece in pieces(Rect(0, 0, w, h), PIECE_ROWS, 2 * PIECE_COLS):
            block = downsample(premultiply(self.pixels[piece.slices()]), self.level)
            top, left = piece.y // scale, piece.x // scale
            small[top: top + block.shape[0], left: left + block.shape[1]] = block
            yield
        size = QSize(math.ceil(w * self.zoom) + 1, math.ceil(h * self.zoom) + 1)
        target = QRectF(0, 0, small.shape[1] * scale * self.zoom, small.shape[0] * scale * self.zoom)
        clip = QRectF(0, 0, w * self.zoom, h * self.zoom)
        for image in _scale_in_bands(_wrap(small), target, size, clip, smooth=True):
            self.screen = image
            yield

    def draw(self, painter: QPainter, viewport: Viewport, offset: tuple[int, int], area: QRectF) -> None:
        """Draw the layer with its top-left at document point `offset`, inside widget `area`."""
        if not self.shown:
            return
        painter.setCompositionMode(self.mode)
        painter.setOpacity(self.opacity)
        if self.zoom < 1.0:
            if self.screen is not None:
                corner = viewport.to_widget(QPointF(*offset))
                painter.drawImage(QPointF(round(corner.x()), round(corner.y())), self.screen)
        else:
            self._draw_zoomed_in(painter, viewport, offset, area)
        painter.setOpacity(1.0)
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
                 page: QRectF, area: Rect, level: int) -> None:
        """page: where the document shows in the widget; area: the full-size pixels the view reads."""
        index = list(layers).index(layer)
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
        self.ready = False

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
        for piece in pieces(area):
            for plane in self.planes:
                plane.fill(piece)
                yield
        yield from self.layer.prepare()
        for plane in self.planes:
            yield from plane.render(self.viewport, self.size, self.page)

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
        buffer.fillRect(pixels, Qt.GlobalColor.transparent)
        buffer.setCompositionMode(Mode.CompositionMode_SourceOver)
        self._compose(buffer, area)
        buffer.end()
        painter.save()
        painter.setClipRect(area)
        painter.drawImage(pixels, self._buffer, pixels)
        painter.restore()

    def _compose(self, painter: QPainter, area: QRectF) -> None:
        painter.save()
        painter.setClipRect(area)
        pixels: QRect = area.toAlignedRect()
        if self.below is not None and self.below.screen is not None:
            painter.drawImage(pixels, self.below.screen, pixels)
        self.layer.draw(painter, self.viewport, self.offset, area)
        for plane in self.above:
            if plane.screen is not None:
                painter.setCompositionMode(plane.mode)
                painter.drawImage(pixels, plane.screen, pixels)
        painter.restore()
