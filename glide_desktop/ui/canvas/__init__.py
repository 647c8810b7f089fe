"""The canvas view: zoom, pan, checkerboard, marching ants, brush outline; tools plug into it."""

from glide_desktop.ui.canvas.events import CanvasPointerEvent
from glide_desktop.ui.canvas.view import CanvasView

__all__ = ["CanvasPointerEvent", "CanvasView"]
