"""Finds the canvas view and tool box, falling back to stand-ins while those modules are missing."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget


def make_canvas(parent: QWidget) -> QWidget:
    """The document canvas (CanvasView)."""
    try:
        from glide_desktop.ui.canvas.view import CanvasView
    except ImportError:
        from glide_desktop.ui.placeholders import PlaceholderCanvas as CanvasView
    return CanvasView(parent)


def make_toolbox(canvas: QWidget, parent: QWidget) -> Any:
    """The tool box: .toolbar, .options_bar, save_settings/load_settings."""
    try:
        from glide_desktop.ui.tools import ToolBox
    except ImportError:
        from glide_desktop.ui.placeholders import PlaceholderToolBox as ToolBox
    return ToolBox(canvas, parent)
