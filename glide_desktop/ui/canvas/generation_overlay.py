"""What Generate draws over the canvas: the context square with its resolution, previews and staged results.

Nothing here touches the document: a preview or a staged result is an image painted over the
crop, masked by where the result would land, until the artist applies it.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from glide_desktop.document.geometry import Rect
from glide_desktop.ui.canvas.viewport import Viewport
from glide_desktop.ui.images import array_to_qimage

OVERLAY_SIZE = 256  # the overlay image's side: GLIDE's own resolution, scaled onto the crop when drawn
FRAME_COLOUR = QColor(90, 200, 255)
WARNING_COLOUR = QColor(255, 170, 60)


def alpha_at_overlay_size(alpha: np.ndarray) -> np.ndarray:
    """A placement's alpha (crop side x side float) as OVERLAY_SIZE x OVERLAY_SIZE uint8."""
    image = Image.fromarray(np.clip(alpha, 0.0, 1.0).astype(np.float32), "F")
    small = np.asarray(image.resize((OVERLAY_SIZE,) * 2, Image.Resampling.BILINEAR), np.float32)
    return np.rint(np.clip(small, 0.0, 1.0) * 255).astype(np.uint8)


def masked_image(rgb: np.ndarray, alpha256: np.ndarray) -> QImage:
    """An RGB picture of any square size with the overlay-size alpha, as a 256 px RGBA QImage."""
    rgb = np.asarray(rgb, np.uint8)
    if rgb.shape[0] != OVERLAY_SIZE:
        factor = OVERLAY_SIZE // rgb.shape[0]
        rgb = np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1) if factor >= 1 else np.asarray(
            Image.fromarray(rgb).resize((OVERLAY_SIZE,) * 2))
    rgba = np.dstack([rgb, alpha256])
    return array_to_qimage(rgba)


class GenerationOverlay:
    """Paints on a canvas (CanvasView.overlays): the context frame, and a preview or staged image."""

    def __init__(self, canvas: object) -> None:
        self.canvas = canvas
        self.frame: Rect | None = None
        self.frame_label = ""
        self.frame_warning = False
        self.image: QImage | None = None
        self.image_rect: Rect | None = None
        self.image_label = ""
        canvas.overlays.append(self)

    def show_frame(self, rect: Rect | None, label: str = "", warning: bool = False) -> None:
        """Outline the context square with its resolution (None hides it)."""
        if (rect, label, warning) == (self.frame, self.frame_label, self.frame_warning):
            return
        self.frame, self.frame_label, self.frame_warning = rect, label, warning
        self.canvas.update()

    def show_image(self, image: QImage | None, rect: Rect | None, label: str = "") -> None:
        """Draw image over rect (document coordinates); None clears it."""
        self.image, self.image_rect, self.image_label = image, rect, label
        self.canvas.update()

    def clear(self) -> None:
        """Draw nothing."""
        self.frame = self.image = self.image_rect = None
        self.canvas.update()

    def paint(self, painter: QPainter, viewport: Viewport) -> None:
        """Draw the image (smoothly scaled onto its crop), then the frame and their labels."""
        if self.image is not None and self.image_rect is not None:
            target = viewport.doc_rect_to_widget(_qrect(self.image_rect))
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(target, self.image)
            painter.restore()
            self._label(painter, target, self.image_label, FRAME_COLOUR, dashed=False)
        if self.frame is not None:
            target = viewport.doc_rect_to_widget(_qrect(self.frame))
            colour = WARNING_COLOUR if self.frame_warning else FRAME_COLOUR
            self._label(painter, target, self.frame_label, colour, dashed=True)

    @staticmethod
    def _label(painter: QPainter, target: QRectF, text: str, colour: QColor, dashed: bool) -> None:
        painter.save()
        pen = QPen(colour, 1.5)
        pen.setCosmetic(True)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(target)
        if text:
            font = QFont(painter.font())
            font.setPointSizeF(max(8.0, font.pointSizeF()))
            painter.setFont(font)
            metrics = painter.fontMetrics()
            box = QRectF(0, 0, metrics.horizontalAdvance(text) + 10, metrics.height() + 4)
            box.moveTopLeft(QPointF(target.left(), max(0.0, target.top() - box.height())))
            painter.fillRect(box, QColor(0, 0, 0, 170))
            painter.setPen(colour)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


def _qrect(rect: Rect) -> QRectF:
    return QRectF(rect.x, rect.y, rect.w, rect.h)
