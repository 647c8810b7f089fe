"""The canvas: shows the document's composite over a checkerboard, zooms, pans and feeds the active tool."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTabletEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from glide_desktop.document.geometry import Rect
from glide_desktop.ui.canvas.ants import MarchingAnts
from glide_desktop.ui.canvas.drag import LayerDrags
from glide_desktop.ui.canvas.events import CanvasPointerEvent
from glide_desktop.ui.canvas.layers import CompositeImage, QuickMaskImage, source_area, subscribe
from glide_desktop.ui.canvas.render import checker_brush, document_rect, draw_brush_outline, draw_checkerboard
from glide_desktop.ui.canvas.viewport import Viewport, next_zoom_step

BACKGROUND = QColor(48, 48, 48)
WHEEL_STEP = 1.25  # zoom factor per wheel notch (120 units)


class CanvasView(QWidget):
    """Zoomable, pannable view of one document; mouse input goes to the tool set with set_tool."""

    zoomChanged = Signal(float)
    cursorMoved = Signal(int, int)
    hintChanged = Signal(str)  # what a tool says about a state that lasts (a floating selection)
    message = Signal(str)  # a tool's word to the user (e.g. why it cannot paint a group)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.document: Any = None
        self.undo: Any = None
        self.viewport = Viewport()
        self.tool: Any = None
        self._composite: CompositeImage | None = None
        self._quick_mask: QuickMaskImage | None = None
        self._quick_mask_on = False
        self._unsubscribe: Any = None
        self._checker = checker_brush()
        self._ants = MarchingAnts(self)
        self._ants.tick.connect(self._repaint_ants)
        self._ants.outlineChanged.connect(self._on_outline_changed)
        self._pan_anchor: QPointF | None = None
        self._space_held = False
        self._hover: QPointF | None = None  # widget position of the pointer, for the brush outline
        self._pressure = 1.0
        self._fitted = False
        self.layer_drags = LayerDrags(self)  # the Move tool's preview and the catch-up after it
        self.hint = ""
        self.overlays: list[Any] = []  # objects with paint(painter, viewport), drawn over the picture

    # ----- document -------------------------------------------------------------------------------
    def set_document(self, doc: Any, undo: Any) -> None:
        """Show `doc` (None clears the view); edits are pushed onto `undo` (a DocumentUndo)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.tool is not None and self.document is not None:
            self.tool.cancel(self)
        self.layer_drags.reset()
        self.document, self.undo = doc, undo
        self._composite = CompositeImage(doc) if doc is not None else None
        self._quick_mask = None
        if doc is not None:
            self._unsubscribe = subscribe(doc, self._on_document_changed)
        self.refresh_selection()
        self.fit()

    @property
    def document_size(self) -> QSize:
        """The document's size in pixels (empty without a document)."""
        if self.document is None:
            return QSize()
        return QSize(int(self.document.width), int(self.document.height))

    @property
    def ants(self) -> MarchingAnts:
        """The selection outline (tests wait on its segment_count)."""
        return self._ants

    @property
    def composite_image(self) -> CompositeImage | None:
        """The on-screen copy of the composite (tests and the benchmark inspect it)."""
        return self._composite

    def _on_document_changed(self, change: Any) -> None:
        if self._composite is None:
            return
        rect = getattr(change, "rect", None)
        if self.document_size != QSize(self._composite.width, self._composite.height):
            # Canvas size changed (crop, resize): start over.
            self.layer_drags.reset()
            self._composite = CompositeImage(self.document)
            self._quick_mask = None
            self.refresh_selection()
            self.update()
            return
        # A Change without flags may have touched anything: assume both.
        if getattr(change, "selection", True):
            self._ants.invalidate(rect)
            self.refresh_quick_mask(rect)
        if getattr(change, "pixels", True) and not self.layer_drags.takes(change):
            self._composite.refresh(rect, self._on_screen(self._composite))
            self.update_doc_rect(rect)
        self.layer_drags.follow(change)

    def _on_screen(self, image: Any) -> Rect | None:
        """The full-size pixels a repaint of the whole widget reads (None when hidden: read everything)."""
        if not self.isVisible():
            return None
        return source_area(self.viewport, QRectF(self.rect()), image.pyramid.max_level)

    def refresh_selection(self) -> None:
        """Rebuild the marching ants and the quick-mask tint from the document's selection now."""
        self._ants.set_source(self._selection_coverage)
        self.refresh_quick_mask()

    def _selection_coverage(self) -> Any:
        selection = getattr(self.document, "selection", None)
        return None if selection is None else selection.coverage

    def refresh_quick_mask(self, rect: Rect | None = None) -> None:
        """Re-tint the quick-mask overlay under rect after the selection coverage changed there."""
        if not self._quick_mask_on or self.document is None:
            return
        if self._quick_mask is None:
            self._quick_mask = QuickMaskImage(self.document)
        else:
            self._quick_mask.refresh(rect, self._on_screen(self._quick_mask))
        self.update_doc_rect(rect)

    def set_quick_mask(self, on: bool) -> None:
        """Show or hide the red quick-mask tint over the selection's coverage."""
        self._quick_mask_on = bool(on)
        if not on:
            self._quick_mask = None
        self.refresh_quick_mask()
        self.update()

    @property
    def quick_mask(self) -> bool:
        return self._quick_mask_on

    # ----- zoom and pan ---------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        """Screen pixels per document pixel."""
        return self.viewport.zoom

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom about `anchor` (widget coordinates; default the widget centre)."""
        before = self.viewport.zoom
        anchor = anchor if anchor is not None else QPointF(self.width() / 2, self.height() / 2)
        self.viewport.zoom_about(zoom, anchor)
        self._fitted = False
        self.update()
        if not math.isclose(before, self.viewport.zoom):
            self.zoomChanged.emit(self.viewport.zoom)

    def zoom_in(self) -> None:
        """One preset step closer."""
        self.set_zoom(next_zoom_step(self.zoom, +1))

    def zoom_out(self) -> None:
        """One preset step further."""
        self.set_zoom(next_zoom_step(self.zoom, -1))

    def actual_size(self) -> None:
        """100 %: one document pixel per screen pixel, centred."""
        before = self.viewport.zoom
        self.viewport.zoom = 1.0
        self.viewport.center(self.document_size, self.size())
        self._fitted = False
        self.update()
        if not math.isclose(before, 1.0):
            self.zoomChanged.emit(1.0)

    def fit(self) -> None:
        """Show the whole document (never above 100 %), centred; stays fitted while the widget resizes."""
        before = self.viewport.zoom
        self.viewport.fit(self.document_size, self.size())
        self._fitted = True
        self.update()
        if not math.isclose(before, self.viewport.zoom):
            self.zoomChanged.emit(self.viewport.zoom)

    def pan_by(self, dx: float, dy: float) -> None:
        """Scroll the view by (dx, dy) screen pixels."""
        self.viewport.pan(dx, dy)
        self._fitted = False
        self.update()

    def map_to_document(self, widget_pos: QPointF) -> QPointF:
        """Widget coordinates -> document coordinates."""
        return self.viewport.to_doc(widget_pos)

    def map_from_document(self, doc_pos: QPointF) -> QPointF:
        """Document coordinates -> widget coordinates."""
        return self.viewport.to_widget(doc_pos)

    def update_doc_rect(self, rect: Rect | QRectF | None) -> None:
        """Schedule a repaint of a document area (None: everything)."""
        if rect is None:
            self.update()
            return
        if isinstance(rect, Rect):
            if rect.is_empty():
                return
            rect = QRectF(rect.x, rect.y, rect.w, rect.h)
        self.update(self.viewport.doc_rect_to_widget(rect).toAlignedRect().adjusted(-2, -2, 2, 2))

    # ----- tools ----------------------------------------------------------------------------------
    def set_hint(self, text: str) -> None:
        """Show (or, with "", clear) a tool's lasting hint in the window's status bar."""
        if text != self.hint:
            self.hint = text
            self.hintChanged.emit(text)

    def set_tool(self, tool: Any) -> None:
        """Route pointer input to `tool` (an object with press/move/release/paint_overlay, see tools.base)."""
        if self.tool is not None:
            self.tool.deactivate(self)
        self.tool = tool
        if tool is not None:
            tool.activate(self)
        self._update_cursor()
        self.update()

    def _update_cursor(self) -> None:
        if self._pan_anchor is not None:
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif self._space_held:
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        elif self.tool is not None:
            self.setCursor(self.tool.cursor_shape)
        else:
            self.unsetCursor()

    def brush_outline_rect(self) -> QRect:
        """The widget area covered by the brush outline at the pointer (empty when none is shown)."""
        radius = self.tool.cursor_radius() if self.tool is not None else None
        if radius is None or self._hover is None:
            return QRect()
        r = radius * self.zoom + 3
        return QRectF(self._hover.x() - r, self._hover.y() - r, 2 * r, 2 * r).toAlignedRect()

    # ----- painting -------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        exposed = QRectF(event.rect())
        painter.fillRect(exposed, BACKGROUND)
        if self._composite is not None:
            page = document_rect(self.viewport, self._composite.width, self._composite.height)
            draw_checkerboard(painter, self._checker, exposed.intersected(page), page.topLeft())
            if not self.layer_drags.paint(painter, exposed):
                # While a catch-up runs, it reads what changed; drawing must not read it all at once.
                catching_up = self.layer_drags.catching_up
                self._composite.draw(painter, self.viewport, exposed, read_pending=not catching_up)
                self.layer_drags.paint_ghost(painter, exposed)
            if self._quick_mask is not None:
                self._quick_mask.draw(painter, self.viewport, exposed)
            for overlay in self.overlays:
                overlay.paint(painter, self.viewport)
            self._ants.paint(painter, self.viewport.transform(), exposed)
            if self.tool is not None:
                self.tool.paint_overlay(painter, self)
            radius = self.tool.cursor_radius() if self.tool is not None else None
            if radius is not None and self._hover is not None and self._pan_anchor is None:
                draw_brush_outline(painter, self._hover, radius * self.zoom)
        painter.end()

    def _on_outline_changed(self, rect: Rect) -> None:
        self.update_doc_rect(rect.expand(2))

    def _repaint_ants(self) -> None:
        self.update_doc_rect(self._ants.shown_bounds.expand(2))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self._fitted:
            self.fit()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._ants.resume()

    def hideEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        self._ants.stop()

    # ----- input ----------------------------------------------------------------------------------
    def _pointer(self, event: QMouseEvent) -> CanvasPointerEvent:
        pos = event.position()
        return CanvasPointerEvent(self.viewport.to_doc(pos), pos, event.button(), event.buttons(),
                                  event.modifiers(), self._pressure)

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 - Qt override
        # Keep the pressure and let Qt synthesise the mouse events that drive the tools.
        self._pressure = max(0.0, min(1.0, event.pressure())) if event.pressure() > 0 else self._pressure
        event.ignore()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        button = event.button()
        space_drag = self._space_held and button == Qt.MouseButton.LeftButton
        if button == Qt.MouseButton.MiddleButton or space_drag:
            self._pan_anchor = event.position()
            self._update_cursor()
        elif self.tool is not None and self.document is not None:
            self.tool.press(self, self._pointer(event))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pos = event.position()
        self._move_hover(pos)
        doc = self.viewport.to_doc(pos)
        self.cursorMoved.emit(math.floor(doc.x()), math.floor(doc.y()))
        if self._pan_anchor is not None:
            delta = pos - self._pan_anchor
            self._pan_anchor = pos
            self.pan_by(delta.x(), delta.y())
        elif self.tool is not None and self.document is not None:
            self.tool.move(self, self._pointer(event))
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._pan_anchor is not None and event.button() in (Qt.MouseButton.MiddleButton,
                                                                Qt.MouseButton.LeftButton):
            self._pan_anchor = None
            self._update_cursor()
        elif self.tool is not None and self.document is not None:
            self.tool.release(self, self._pointer(event))
        self._pressure = 1.0
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self.tool is not None and self.document is not None and self._pan_anchor is None:
            self.tool.double_click(self, self._pointer(event))
        event.accept()

    def leaveEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self._move_hover(None)
        super().leaveEvent(event)

    def _move_hover(self, pos: QPointF | None) -> None:
        old = self.brush_outline_rect()
        self._hover = pos
        new = self.brush_outline_rect()
        if not old.isEmpty() or not new.isEmpty():
            self.update(old.united(new))

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        notches = event.angleDelta().y() / 120.0
        if notches == 0:
            event.ignore()
            return
        self.set_zoom(self.zoom * WHEEL_STEP**notches, event.position())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self._update_cursor()
        elif ctrl and key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif ctrl and key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif ctrl and key == Qt.Key.Key_0:
            self.fit()
        elif ctrl and key == Qt.Key.Key_1:
            self.actual_size()
        elif key == Qt.Key.Key_Space:
            pass
        elif self.tool is not None and self.document is not None and self.tool.key_press(self, event):
            pass
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self._update_cursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

