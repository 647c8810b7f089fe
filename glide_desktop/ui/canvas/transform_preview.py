"""Free Transform's live preview: the picture with the piece lifted out, and the piece drawn through the
box's transform by QPainter at the zoom's pyramid level. Nothing here touches the document, so a drag
costs one repaint; the exact resampling happens once, on apply.

The numpy parts (`piece_levels`, `picture_levels`: premultiplying, box-filtering) may be made on a
worker thread; QImages are only ever made on the GUI thread, when drawn. Until the picture arrives
(`attach`) the canvas's own composite shows and the piece, once moved, is drawn over it as a ghost.

The piece blends as its layer does where Qt has the same formula (PREVIEWED_BLENDS), straight onto the
picture below it: where that picture is see-through, it blends with the checkerboard there (the
document blends it with nothing, which shows the piece itself); other blends preview as normal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage, QPainter, QTransform

from glide_desktop.document.affine import Affine
from glide_desktop.document.free_transform import LiftedPicture
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode
from glide_desktop.ui.canvas.preview_parts import qt_mode
from glide_desktop.ui.canvas.pyramid import downsample, premultiply
from glide_desktop.ui.canvas.render import checker_brush, draw_checkerboard
from glide_desktop.ui.canvas.viewport import Viewport

MAX_LEVEL = 6
_OVER = QPainter.CompositionMode.CompositionMode_SourceOver
# The blends Qt draws with the document's own (W3C) formulas; the preview draws the others as normal
# (hue, saturation, colour, luminosity; Porter-Duff modes), and Enter shows them exactly.
PREVIEWED_BLENDS = {BlendMode.MULTIPLY, BlendMode.SCREEN, BlendMode.OVERLAY, BlendMode.DARKEN,
                    BlendMode.LIGHTEN, BlendMode.COLOR_DODGE, BlendMode.COLOR_BURN, BlendMode.HARD_LIGHT,
                    BlendMode.SOFT_LIGHT, BlendMode.DIFFERENCE, BlendMode.EXCLUSION, BlendMode.PLUS}


def preview_mode(blend: BlendMode) -> QPainter.CompositionMode:
    """The composition mode the preview draws a piece of this blend with."""
    return qt_mode(blend) if blend in PREVIEWED_BLENDS else _OVER
_PREMULTIPLIED = QImage.Format.Format_RGBA8888_Premultiplied
_SCREEN = QImage.Format.Format_ARGB32_Premultiplied  # what a widget's backing store blits fastest


def qt_transform(affine: Affine) -> QTransform:
    """The same map as a QTransform (Qt keeps the matrix transposed)."""
    return QTransform(affine.a, affine.d, affine.b, affine.e, affine.c, affine.f)


class Levels:
    """A premultiplied image and its box-filtered reduction at one level (numpy: any thread), and the
    QImage over it (made on the GUI thread when first drawn)."""

    def __init__(self, straight: np.ndarray, level: int | None = None) -> None:
        self._full = premultiply(np.ascontiguousarray(straight))
        self._pixels: tuple[int, np.ndarray] | None = None
        self._image: tuple[int, QImage] | None = None
        if level is not None:
            self.reduce(level)

    def reduce(self, level: int) -> np.ndarray:
        """The image at 1/2**level (kept: one level at a time)."""
        if self._pixels is None or self._pixels[0] != level:
            self._pixels = (level, np.ascontiguousarray(downsample(self._full, level)))
        return self._pixels[1]

    def image(self, level: int) -> QImage:
        if self._image is None or self._image[0] != level:
            pixels = self.reduce(level)
            height, width = pixels.shape[:2]
            # The QImage shares the array's memory, which self._pixels keeps alive.
            self._image = (level, QImage(pixels.data, width, height, width * 4, _PREMULTIPLIED))
        return self._image[1]


@dataclass
class PictureLevels:
    """A LiftedPicture's below and above, premultiplied and reduced for the view's level."""

    rect: Rect
    below: Levels | None
    above: Levels | None


def piece_levels(piece: np.ndarray, level: int) -> Levels:
    """The piece ready to draw at level (numpy only: safe on a worker thread)."""
    return Levels(piece, level)


def picture_levels(picture: LiftedPicture, level: int) -> PictureLevels:
    """The picture ready to draw at level (numpy only: safe on a worker thread)."""
    shown = picture.below is not None and not picture.rect.is_empty()
    return PictureLevels(picture.rect, Levels(picture.below, level) if shown else None,
                         Levels(picture.above, level) if picture.above is not None else None)


class TransformPreview:
    """Paints the picture without the piece, the piece (its pixels at piece_rect) mapped, then the layers
    above the piece's layer when there are any."""

    def __init__(self, piece_rect: Rect, opacity: float, blend: BlendMode = BlendMode.NORMAL,
                 picture: PictureLevels | None = None, piece: Levels | None = None) -> None:
        self.piece_rect, self.opacity = piece_rect, opacity
        self.mode = preview_mode(blend)
        self._piece = piece
        self._picture = picture
        self._checker = checker_brush()
        self._screen_key: tuple | None = None
        self._screen_images: tuple[QImage | None, QImage | None] = (None, None)

    @classmethod
    def now(cls, picture: LiftedPicture, piece: np.ndarray, piece_rect: Rect, opacity: float,
            blend: BlendMode = BlendMode.NORMAL, level: int = 0) -> TransformPreview:
        """A preview made at once on this thread."""
        return cls(piece_rect, opacity, blend, picture_levels(picture, level), piece_levels(piece, level))

    @property
    def ready(self) -> bool:
        """True once the picture around the piece has arrived (until then the canvas shows its own)."""
        return self._picture is not None and self._piece is not None

    def attach_piece(self, piece: Levels) -> None:
        """The piece's pixels arrived (made on a worker thread; from now on only this thread uses them)."""
        self._piece = piece

    def attach(self, picture: PictureLevels) -> None:
        """The picture around the piece arrived (as attach_piece)."""
        self._picture, self._screen_key = picture, None

    def paint(self, painter: QPainter, viewport: Viewport, affine: Affine) -> None:
        """Draw the preview with the piece moved by affine (document coordinates)."""
        if self._piece is None or (self._picture is None and affine.is_identity()):
            return  # the canvas's composite shows the piece where it is
        below, above = self._screens(painter, viewport) if self._picture is not None else (None, None)
        level = viewport.pyramid_level(MAX_LEVEL)
        painter.save()
        if below is not None:
            painter.drawImage(QPointF(0, 0), below)
        r = self.piece_rect
        painter.setTransform(qt_transform(Affine.translation(r.x, r.y).then(affine)) * viewport.transform())
        # Whole-pixel maps stay crisp when zoomed in, like the canvas; anything else is filtered.
        exact = viewport.zoom >= 1.0 and affine.quarter_turn()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not exact)
        painter.setOpacity(self.opacity)
        # Before the picture arrives the piece is a ghost over the old composite: plain "over" then.
        painter.setCompositionMode(self.mode if below is not None else _OVER)
        painter.drawImage(QRectF(0, 0, r.w, r.h), self._piece.image(level))
        painter.setCompositionMode(_OVER)
        if above is not None:
            painter.resetTransform()
            painter.setOpacity(1.0)
            painter.drawImage(QPointF(0, 0), above)
        painter.restore()

    def _screens(self, painter: QPainter, viewport: Viewport) -> tuple[QImage | None, QImage | None]:
        """What lies below and above the piece, scaled to the widget once per view (a move then blits)."""
        device = painter.device()
        key = (viewport.zoom, viewport.origin.x(), viewport.origin.y(), device.width(), device.height(),
               device.devicePixelRatioF())
        picture = self._picture
        if picture is not None and key != self._screen_key:
            self._screen_key = key
            area = QRectF(picture.rect.x, picture.rect.y, picture.rect.w, picture.rect.h)
            below = None if area.isEmpty() else self._screen(key, viewport, area, picture.below, checker=True)
            above = self._screen(key, viewport, area, picture.above, checker=False) if picture.above else None
            self._screen_images = (below, above)
        return self._screen_images

    def _screen(self, key: tuple, viewport: Viewport, area: QRectF, levels: Levels | None,
                checker: bool) -> QImage:
        width, height, ratio = key[3], key[4], key[5]
        image = QImage(round(width * ratio), round(height * ratio), _SCREEN)
        image.setDevicePixelRatio(ratio)
        image.fill(0)
        painter = QPainter(image)
        if checker:  # where the picture is see-through, the checkerboard shows, not the lifted pixels
            draw_checkerboard(painter, self._checker, viewport.doc_rect_to_widget(area),
                              viewport.to_widget(QPointF(0, 0)))
        if levels is not None:
            painter.setTransform(viewport.transform())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, viewport.zoom < 1.0)
            painter.drawImage(area, levels.image(viewport.pyramid_level(MAX_LEVEL)))
        painter.end()
        return image
