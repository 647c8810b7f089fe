"""Render resources/icons/glide-desktop.svg to the PNG sizes launchers use (run after editing the SVG).

    python packaging/make_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SVG = ICONS / "glide-desktop.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_name(size: int) -> str:
    """The file name of one rendered size."""
    return f"glide-desktop-{size}.png"


def render(svg: Path = SVG, folder: Path = ICONS, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Write one PNG per size next to the SVG; returns their paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = folder / png_name(size)
        image.save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in render():
        print(path)
