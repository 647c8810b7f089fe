"""Stand-ins for the canvas and tool box with the same public contract, used until those land."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QToolBar, QWidget


class PlaceholderCanvas(QWidget):
    """A blank canvas area with CanvasView's methods and signals."""

    zoomChanged = Signal(float)
    cursorMoved = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: Any = None
        self.undo: Any = None
        self.zoom = 1.0

    def set_document(self, doc: Any, undo: Any) -> None:
        """Show this document."""
        self.document, self.undo = doc, undo
        self.update()

    def _set_zoom(self, zoom: float) -> None:
        self.zoom = zoom
        self.zoomChanged.emit(zoom)

    def zoom_in(self) -> None:
        """Zoom in one step."""
        self._set_zoom(self.zoom * 2)

    def zoom_out(self) -> None:
        """Zoom out one step."""
        self._set_zoom(self.zoom / 2)

    def fit(self) -> None:
        """Fit the document in the view."""
        self._set_zoom(1.0)

    def actual_size(self) -> None:
        """Show the document at 100%."""
        self._set_zoom(1.0)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().dark())
        painter.end()


class PlaceholderToolBox:
    """Empty tool bar and options bar with ToolBox's methods."""

    def __init__(self, canvas: QWidget, parent: QWidget | None = None) -> None:
        self.canvas = canvas
        self.toolbar = QToolBar("Tools", parent)
        self.toolbar.setOrientation(Qt.Orientation.Vertical)
        self.options_bar = QToolBar("Tool Options", parent)

    def save_settings(self, settings: QSettings) -> None:
        """Nothing to save yet."""

    def load_settings(self, settings: QSettings) -> None:
        """Nothing to load yet."""
