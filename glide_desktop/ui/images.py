"""Conversions between the document's RGBA8 arrays and QImage, and layer thumbnails."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

_CHECKER_LIGHT = QColor(150, 150, 150)
_CHECKER_DARK = QColor(105, 105, 105)


def array_to_qimage(rgba: np.ndarray) -> QImage:
    """H, W, 4 straight-alpha uint8 -> a QImage that owns a copy of the pixels."""
    if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.dtype != np.uint8:
        raise ValueError(f"expected H, W, 4 uint8 pixels, got {rgba.shape} {rgba.dtype}")
    data = np.ascontiguousarray(rgba)
    height, width = data.shape[:2]
    image = QImage(data.data, width, height, width * 4, QImage.Format.Format_RGBA8888)
    return image.copy()  # detach from the numpy buffer, which may be freed or changed


def qimage_to_array(image: QImage) -> np.ndarray:
    """Any QImage -> H, W, 4 straight-alpha uint8 (a fresh array)."""
    converted = image.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height = converted.width(), converted.height()
    stride = converted.bytesPerLine()
    buffer = np.frombuffer(converted.constBits(), np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, : width * 4].reshape(height, width, 4).copy()


def _downsample(pixels: np.ndarray, box: int) -> np.ndarray:
    """Nearest-neighbour reduction so the longer side is at most box pixels (cheap enough per repaint)."""
    height, width = pixels.shape[:2]
    step = max(1, int(np.ceil(max(height, width) / box)))
    return pixels[::step, ::step]


def checkerboard(painter: QPainter, rect: QRect, cell: int = 4) -> None:
    """Paint the usual transparency checkerboard into rect."""
    painter.fillRect(rect, _CHECKER_LIGHT)
    for y in range(rect.top(), rect.bottom() + 1, cell):
        for x in range(rect.left() + ((y - rect.top()) // cell % 2) * cell, rect.right() + 1, 2 * cell):
            painter.fillRect(x, y, min(cell, rect.right() + 1 - x), min(cell, rect.bottom() + 1 - y),
                             _CHECKER_DARK)


def thumbnail(pixels: np.ndarray, box: int = 40) -> QPixmap:
    """A box x box pixmap of the layer over a checkerboard, aspect ratio kept."""
    small = array_to_qimage(_downsample(pixels, box * 2))
    scaled = small.scaled(box, box, Qt.AspectRatioMode.KeepAspectRatio,
                          Qt.TransformationMode.SmoothTransformation)
    pixmap = QPixmap(box, box)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    target = QRect((box - scaled.width()) // 2, (box - scaled.height()) // 2, scaled.width(), scaled.height())
    checkerboard(painter, target)
    painter.drawImage(target, scaled)
    painter.setPen(QColor(20, 20, 20))
    painter.drawRect(target.adjusted(0, 0, -1, -1))
    painter.end()
    return pixmap


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """H, W, 3 uint8 -> an opaque QImage that owns a copy of the pixels."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected H, W, 3 uint8 pixels, got {rgb.shape} {rgb.dtype}")
    data = np.ascontiguousarray(rgb)
    height, width = data.shape[:2]
    return QImage(data.data, width, height, width * 3, QImage.Format.Format_RGB888).copy()
