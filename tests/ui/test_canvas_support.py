"""Shared set-up for the canvas and tool tests: a small document on a shown canvas, and real pointer input."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from glide_desktop.document.document import Document
from glide_desktop.document.layer import Layer
from glide_desktop.ui.canvas import CanvasView
from glide_desktop.ui.undo import DocumentUndo

DOC_W, DOC_H = 80, 60
ZOOM = 2.0


def make_document(width: int = DOC_W, height: int = DOC_H) -> Document:
    """A white background layer with a transparent paint layer above it (active)."""
    doc = Document(width, height)
    doc.insert_layer(Layer.filled(width, height, (255, 255, 255, 255), name="Background"))
    doc.insert_layer(Layer.blank(width, height, name="Paint"))
    return doc


@pytest.fixture
def doc() -> Document:
    return make_document()


@pytest.fixture
def canvas(qtbot, doc) -> CanvasView:
    """A shown 400x300 canvas on `doc`, at 200 %, with a real DocumentUndo."""
    view = CanvasView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    view.set_document(doc, DocumentUndo(doc))
    view.set_zoom(ZOOM)
    return view


def at(view: CanvasView, x: float, y: float) -> QPoint:
    """The widget point showing document point (x, y)."""
    return view.map_from_document(QPointF(x, y)).toPoint()


def send_move(view: CanvasView, pos: QPoint, buttons: Qt.MouseButton,
              modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A mouse move with buttons held (QTest's mouseMove does not carry them)."""
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(view.mapToGlobal(pos)),
                        Qt.MouseButton.NoButton, buttons, modifiers)
    QApplication.sendEvent(view, event)


def drag(qtbot, view: CanvasView, points: list[tuple[float, float]],
         button: Qt.MouseButton = Qt.MouseButton.LeftButton,
         modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press at the first document point, move through the others, release at the last."""
    widget_points = [at(view, x, y) for x, y in points]
    qtbot.mousePress(view, button, modifiers, widget_points[0])
    for pos in widget_points[1:]:
        send_move(view, pos, button, modifiers)
    qtbot.mouseRelease(view, button, modifiers, widget_points[-1])


def click(qtbot, view: CanvasView, x: float, y: float,
          modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A left click on document point (x, y)."""
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, modifiers, at(view, x, y))


def selected(doc: Document) -> np.ndarray:
    """The selection as a bool mask (coverage >= 0.5)."""
    return doc.selection.coverage >= 0.5
