"""The parts a drag preview draws: planes composited once at the view's resolution and scaled to the
widget, and the moving piece (a layer's pixels, or a group's layers composited alone as one block)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter

from glide_desktop.document.compositing import composite_rect
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode
from glide_desktop.ui.canvas.drag_scene import Block, PlaneSpec
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
SCREEN = QImage.Format.Format_ARGB32_Premultiplied  # what a widget's backing store blits fastest
_PREMULTIPLIED = QImage.Format.Format_RGBA8888_Premultiplied
_STRAIGHT = QImage.Format.Format_RGBA8888


def _wrap(pixels: np.ndarray, fmt: QImage.Format = _PREMULTIPLIED) -> QImage:
    """A QImage sharing the H, W, 4 array's memory (keep the array alive while it is used)."""
    h, w = pixels.shape[:2]
    return QImage(pixels.data, w, h, w * 4, fmt)


def pieces(area: Rect, rows: int = PIECE_ROWS, cols: int = PIECE_COLS) -> list[Rect]:
    """area cut into blocks of at most rows x cols, row-major, each corner on the area's grid."""
    return [Rect.from_edges(x, y, min(area.right, x + cols), min(area.bottom, y + rows))
            for y in range(area.y, area.bottom, rows) for x in range(area.x, area.right, cols)]


def _scale_in_bands(source: QImage, target: QRectF, size: QSize, clip: QRectF,
                    smooth: bool) -> Iterator[QImage]:
    """Draw source into target of a new transparent image of `size`, a band of rows per step;
    yields the image after each band (the clip keeps each step's work to its band)."""
    image = QImage(size, SCREEN)
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


class Plane:
    """Some nodes composited over the visible area at 1/2**level (at the spec's opacity), then scaled
    once to the widget and drawn with the spec's blend."""

    def __init__(self, spec: PlaneSpec, area: Rect, level: int) -> None:
        self.nodes, self.mode, self.area, self.level = list(spec.nodes), qt_mode(spec.blend), area, level
        self.opacity = spec.opacity
        self.clears_outside = spec.blend.clears_outside
        scale = 2**level
        self.pixels = np.zeros((-(-area.h // scale), -(-area.w // scale), 4), np.uint8)
        self.screen: QImage | None = None
        self.bounds = QRect()  # where the screen image is not clear (widget pixels)

    def fill(self, piece: Rect) -> None:
        """Composite one piece of the area (its corner on the level's grid) into the small image."""
        straight = composite_rect(self.nodes, piece)
        if not straight[..., 3].any():
            return  # clear here (layers often cover a part only): the small image is clear already
        small = downsample(premultiply(straight), self.level)
        if self.opacity < 1.0:  # premultiplied: the same as drawing it at this opacity
            small = (small * np.float32(self.opacity) + np.float32(0.5)).astype(np.uint8)
        self.put(piece, small)

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
        if self.clears_outside:
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


class MovingPiece:
    """The dragged piece: zoomed in, its own pixels drawn through the view; zoomed out, scaled once."""

    def __init__(self, block: Block, viewport: Viewport, level: int) -> None:
        self.mode = qt_mode(block.blend)
        self.clears_outside = block.blend.clears_outside  # the backdrop changes where it is clear
        self.opacity = block.opacity
        self.shown = block.visible and block.opacity > 0.0
        self.block = block
        if block.layer is not None:
            # The drag never writes them: no copy (but a copy with the mask applied when it has one).
            self.pixels = block.layer.shown_pixels((slice(None), slice(None)))
        else:  # a group's layers, composited alone piece by piece while preparing
            self.pixels = np.zeros((block.rect.h, block.rect.w, 4), np.uint8)
        self.level = level
        self.zoom = viewport.zoom
        self.image = _wrap(self.pixels, _STRAIGHT)  # zoomed in: Qt premultiplies as it draws
        self.screen: QImage | None = None
        self.footprint = Rect(0, 0, 0, 0)  # piece coordinates: whole pieces holding any pixel

    def prepare(self) -> Iterator[None]:
        """Find where the piece has pixels (self.footprint, whole pieces; a group's layers composited
        first); zoomed out, also box-filter it to the view's level and scale it to screen pixels once."""
        if not self.shown:
            return
        scale = 2**self.level
        h, w = self.pixels.shape[:2]
        scaled = self.zoom < 1.0
        small = np.zeros((-(-h // scale), -(-w // scale), 4), np.uint8) if scaled else None
        for piece in pieces(Rect(0, 0, w, h), PIECE_ROWS, 2 * PIECE_COLS):
            if self.block.layer is None:
                where = piece.translate(self.block.rect.x, self.block.rect.y)
                self.pixels[piece.slices()] = composite_rect(self.block.nodes, where)
            block = self.pixels[piece.slices()]
            if not block[..., 3].any():
                if self.block.layer is None:
                    yield  # a composited piece is work even where it came out clear
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
                if not self.clears_outside:  # where it is clear it changes nothing: draw only its pixels
                    part = part.intersected(self._footprint_on_screen(viewport, offset))
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

    def _footprint_on_screen(self, viewport: Viewport, offset: tuple[int, int]) -> QRect:
        doc = self.footprint.translate(*offset)
        return viewport.doc_rect_to_widget(QRectF(doc.x, doc.y, doc.w, doc.h)).toAlignedRect().adjusted(
            -2, -2, 2, 2)

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




class MovingParts:
    """A pass-through group's parts moving together, each drawn in turn with its own blend (the block's
    offset is its top-left; each part keeps its place in it)."""

    def __init__(self, block: Block, viewport: Viewport, level: int) -> None:
        self.parts = []
        for part in block.parts:  # each at its place in the block
            self.parts.append((MovingPiece(part, viewport, level),
                               (part.rect.x - block.rect.x, part.rect.y - block.rect.y)))
        pieces_ = [piece for piece, _ in self.parts]
        self.shown = block.visible and block.opacity > 0.0 and any(piece.shown for piece in pieces_)
        self.clears_outside = any(piece.clears_outside for piece in pieces_)
        self.mode = next((piece.mode for piece in pieces_ if piece.mode != Mode.CompositionMode_SourceOver),
                         Mode.CompositionMode_SourceOver)
        self.footprint = Rect(0, 0, 0, 0)  # block coordinates

    def prepare(self) -> Iterator[None]:
        for piece, (dx, dy) in self.parts:
            yield from piece.prepare()
            if not piece.footprint.is_empty():
                here = piece.footprint.translate(dx, dy)
                self.footprint = here if self.footprint.is_empty() else self.footprint.union(here)

    def draw(self, painter: QPainter, viewport: Viewport, offset: tuple[int, int], area: QRectF,
             mode: Mode | None = None) -> None:
        """Each part at its place in the block at `offset`, in its own blend unless `mode` says otherwise."""
        if self.shown:
            for piece, (dx, dy) in self.parts:
                piece.draw(painter, viewport, (offset[0] + dx, offset[1] + dy), area, mode)


def moving_piece(block: Block, viewport: Viewport, level: int) -> MovingPiece | MovingParts:
    """What a drag moves: the block as one picture, or its parts drawn in turn."""
    return MovingParts(block, viewport, level) if block.parts else MovingPiece(block, viewport, level)
