"""Layer drags on the canvas: a prepared preview while the layer moves, then the exact composite caught
up in timer slices, so no mouse move recomposites and no step blocks the event loop for long."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRectF, QTimer
from PySide6.QtGui import QPainter

from glide_desktop.document.geometry import Rect
from glide_desktop.ui.canvas.layers import source_area
from glide_desktop.ui.canvas.preview import LayerPreview
from glide_desktop.ui.canvas.render import document_rect

SLICE_S = 0.012  # work per turn of the event loop (one step more may run past it)


class LayerDrags(QObject):
    """The canvas's layer drags: the Move tool calls begin, move_to and end; the canvas asks paint()."""

    def __init__(self, view: Any) -> None:
        super().__init__(view)
        self.view = view
        self.preview: LayerPreview | None = None
        self._uid: int | None = None
        self._offset: tuple[int, int] | None = None
        self._dragging = False
        self._settling = False  # released: the preview shows until the composite on screen caught up
        self._committing = False
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)

    @property
    def busy(self) -> bool:
        """True while a preview is being prepared or the composite is catching up."""
        return self._timer.isActive()

    @property
    def showing(self) -> bool:
        """True while the canvas draws the drag preview instead of its composite."""
        return self.preview is not None and self.preview.ready and (self._dragging or self._settling)

    @property
    def ready(self) -> bool:
        """True when the preview for the drag in progress can be drawn."""
        return self.preview is not None and self.preview.ready

    def reset(self) -> None:
        """Forget everything (the canvas shows another document)."""
        self._timer.stop()
        self.preview, self._uid, self._offset = None, None, None
        self._dragging = self._settling = self._committing = False

    def prepare(self, uid: int) -> None:
        """Start preparing the preview for dragging layer uid in the view as it is now."""
        if self.preview is not None and self.preview.uid == uid and self._fits(self.preview):
            return
        self.preview = self._new_preview(uid)
        self._timer.start()

    def begin(self, uid: int) -> None:
        """A drag of layer uid starts (the layer's pixels stay as they are until it ends)."""
        self._uid, self._offset = uid, None
        self._dragging, self._settling = True, False
        self.prepare(uid)

    def move_to(self, offset: tuple[int, int]) -> None:
        """Show the layer at `offset` (document pixels): a repaint, no recomposite."""
        self._offset = offset
        if self.preview is not None:
            self.preview.offset = offset
            if self.preview.ready:
                self.view.update()

    def end(self, commit: Callable[[], None]) -> None:
        """The drag ends: `commit` applies the final offset to the document; what that changes is read
        in slices while the preview stays on screen."""
        self._dragging = False
        self._settling = self.ready
        if not self._settling:
            self.preview = None
        self._committing = True
        try:
            commit()
        finally:
            self._committing = False
        self._timer.start()
        self.view.update()

    def takes(self, change: Any) -> bool:
        """True when the canvas should leave a document change to the catch-up (the drag's commit)."""
        if self._committing:
            self.view.composite_image.defer(change.rect)
            return True
        if self.preview is not None:  # anything else makes the prepared planes stale
            self.preview, self._settling = None, False
            if self._dragging and self._uid is not None:
                self.prepare(self._uid)
        return False

    def paint(self, painter: QPainter, exposed: QRectF) -> bool:
        """Draw the preview if one is showing; False when the canvas must draw its composite."""
        if not self.showing or self.preview is None:
            return False
        if not self._fits(self.preview):  # zoomed, scrolled or resized since it was prepared
            self.preview, self._settling = None, False
            if self._dragging and self._uid is not None:
                self.prepare(self._uid)
            return False
        self.preview.draw(painter, exposed)
        return True

    def _fits(self, preview: LayerPreview) -> bool:
        return preview.matches(self.view.viewport, self.view.size())

    def _new_preview(self, uid: int) -> LayerPreview | None:
        doc, image = self.view.document, self.view.composite_image
        layer = doc.find_layer(uid) if doc is not None else None
        if layer is None or image is None:
            return None
        viewport, max_level = self.view.viewport, image.pyramid.max_level
        area = source_area(viewport, QRectF(self.view.rect()), max_level).clip(doc.width, doc.height)
        preview = LayerPreview(doc.layers, layer, viewport, self.view.size(),
                               document_rect(viewport, doc.width, doc.height), area,
                               viewport.pyramid_level(max_level))
        if self._offset is not None:
            preview.offset = self._offset
        return preview

    def _tick(self) -> None:
        deadline = time.perf_counter() + SLICE_S
        preview = self.preview
        if preview is not None and not preview.ready:
            if not self._fits(preview):
                self.preview = None
                if self._dragging and self._uid is not None:
                    self.prepare(self._uid)
            elif preview.step(deadline) and self._dragging:
                self.view.update()
            return
        image = self.view.composite_image
        if image is not None and image.pending_under(None):
            self._catch_up(image, deadline)
            return
        if self._settling:
            self._settled()
        self._timer.stop()

    def _catch_up(self, image: Any, deadline: float) -> None:
        visible = self._visible(image)
        level = self.view.viewport.pyramid_level(image.pyramid.max_level)
        done = image.catch_up(visible, level, deadline)
        if self._settling:
            if not image.pending_under(visible):
                self._settled()
        elif not done.is_empty():
            self.view.update_doc_rect(done)

    def _settled(self) -> None:
        """What the screen shows is composited exactly again: drop the preview."""
        self._settling, self.preview = False, None
        self.view.update()

    def _visible(self, image: Any) -> Rect | None:
        if not self.view.isVisible():
            return None
        return source_area(self.view.viewport, QRectF(self.view.rect()), image.pyramid.max_level)
