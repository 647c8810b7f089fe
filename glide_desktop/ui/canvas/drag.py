"""Layer drags on the canvas: a prepared preview while the layer moves, then the exact composite caught
up in timer slices, so no mouse move recomposites and no step blocks the event loop for long."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRectF, QTimer
from PySide6.QtGui import QPainter

from glide_desktop.document.geometry import Rect
from glide_desktop.ui.canvas.drag_scene import scene_for
from glide_desktop.ui.canvas.layers import source_area
from glide_desktop.ui.canvas.preview import LayerPreview
from glide_desktop.ui.canvas.render import document_rect

SLICE_S = 0.008  # work per turn of the event loop (one step more may run past it)


class LayerDrags(QObject):
    """The canvas's layer drags: the Move tool calls begin, move_to and end; the canvas asks paint()."""

    def __init__(self, view: Any) -> None:
        super().__init__(view)
        self.view = view
        self.preview: LayerPreview | None = None
        self._uid: int | None = None
        self._offset: tuple[int, int] | None = None
        self._content: Rect | None = None  # the dragged layer's visible pixels, layer coordinates
        self._dragging = False
        self._settling = False  # released: the preview shows until the composite on screen caught up
        self._committing = False
        self._catching_up = False
        self._keep_ready = False
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)

    @property
    def busy(self) -> bool:
        """True while a preview is being prepared or the composite is catching up."""
        return self._timer.isActive()

    @property
    def catching_up(self) -> bool:
        """True from a drag's release until the composite has read everything it left pending."""
        return self._catching_up

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
        self._dragging = self._settling = self._committing = self._catching_up = False

    def keep_ready(self, on: bool) -> None:
        """While on (the Move tool is chosen), prepare the preview for the active layer ahead of a press,
        again whenever another layer becomes active; off frees a preview no drag is using."""
        self._keep_ready = on
        doc = self.view.document
        if on and doc is not None and doc.active_uid is not None:
            self.prepare(doc.active_uid)
        elif not on and not (self._dragging or self._settling):
            self.preview = None

    def follow(self, change: Any) -> None:
        """The canvas saw a document change: after a switch of the active layer, prepare for it."""
        if not self._keep_ready or self._dragging or self._settling:
            return
        if getattr(change, "structure", False) and not getattr(change, "pixels", True):
            uid = self.view.document.active_uid
            if uid is not None and (self.preview is None or self.preview.uid != uid):
                self.prepare(uid)

    def prepare(self, uid: int) -> None:
        """Start preparing the preview for dragging layer uid in the view as it is now."""
        if self.preview is not None and self.preview.uid == uid and self._fits(self.preview):
            return
        self.preview = self._new_preview(uid)
        self._timer.start()

    def begin(self, uid: int, content: Rect | None = None) -> None:
        """A drag of layer (or group) uid starts (its pixels stay as they are until it ends); content:
        where its visible pixels are (relative to the offset move_to takes), so each move repaints only
        where the piece was and is."""
        self._uid, self._offset, self._content = uid, None, content
        self._dragging, self._settling = True, False
        self.prepare(uid)

    def move_to(self, offset: tuple[int, int]) -> None:
        """Show the piece's top-left at `offset` (document pixels; a group: its layers' bounding box,
        drag_scene.piece_rect): a repaint, no recomposite."""
        self._offset = offset
        if self.preview is None:
            return
        before, self.preview.offset = self.preview.offset, offset
        if not self.preview.layer_ready:
            return
        # Without a measured content, where the prepared piece has pixels (whole pieces) will do.
        content = self._content if self._content is not None else self.preview.layer.footprint
        if self._content is None and (content.is_empty() or self.preview.layer.clears_outside):
            self.view.update()
            return
        self.view.update_doc_rect(content.translate(*before).union(content.translate(*offset)))

    def end(self, commit: Callable[[], None]) -> None:
        """The drag ends: `commit` applies the final offset to the document; what that changes is read
        in slices while the preview stays on screen."""
        self._dragging = False
        self._settling = self.ready
        if not self._settling:
            self.preview = None
        self.apply(commit)

    def apply(self, change: Callable[[], None]) -> None:
        """Run a document change whose recomposite is read in slices after it (a drag's commit, a lift
        or landing of a floating selection); the screen keeps what it shows until then."""
        self._committing = True
        try:
            change()
        finally:
            self._committing = False
        self._catching_up = True
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

    def paint_ghost(self, painter: QPainter, exposed: QRectF) -> None:
        """While the planes are prepared, draw the moving layer alone over the (old) composite."""
        preview = self.preview
        if self._dragging and preview is not None and not preview.ready and self._fits(preview):
            preview.draw_layer(painter, exposed)

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
        scene = scene_for(doc, uid) if doc is not None and image is not None else None
        if scene is None:
            return None  # no prepared picture can show it: it shows where it lands on release
        viewport, max_level = self.view.viewport, image.pyramid.max_level
        area = source_area(viewport, QRectF(self.view.rect()), max_level).clip(doc.width, doc.height)
        level = viewport.pyramid_level(max_level)
        preview = LayerPreview(scene, viewport, self.view.size(),
                               document_rect(viewport, doc.width, doc.height), area, level,
                               lambda piece: self._shown(image, piece, level))
        if self._offset is not None:
            preview.offset = self._offset
        return preview

    def _shown(self, image: Any, piece: Rect, level: int) -> Any:
        """The canvas's composite of a piece at `level`, or None where a change still waits to be read."""
        if image is not self.view.composite_image or image.pending_under(piece):
            return None
        scale = 2**level
        pixels = image.pyramid.pixels(level)  # brings the level up to date first
        return pixels[piece.y // scale: -(-piece.bottom // scale), piece.x // scale: -(-piece.right // scale)]

    def _tick(self) -> None:
        deadline = time.perf_counter() + SLICE_S
        preview = self.preview
        if preview is not None and not preview.ready:
            if not self._fits(preview):  # the view changed meanwhile: start again for the new one
                self.preview = None
                if self._dragging or self._keep_ready:
                    self.prepare(preview.uid)
            else:
                had_layer = preview.layer_ready
                if (preview.step(deadline) or preview.layer_ready != had_layer) and self._dragging:
                    self.view.update()
            return
        image = self.view.composite_image
        # While the layer moves, every turn of the loop is the mouse's: catch up after the release.
        if image is not None and image.pending_under(None) and not self._dragging:
            self._catch_up(image, deadline)
            return
        if self._settling:
            self._settled()
        self._catching_up = False
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
        """What the screen shows is composited exactly again; the preview is kept for the next drag of
        the same layer (only the layer's offset changed) until the document or the view changes."""
        self._settling = False
        self.view.update()

    def _visible(self, image: Any) -> Rect | None:
        if not self.view.isVisible():
            return None
        return source_area(self.view.viewport, QRectF(self.view.rect()), image.pyramid.max_level)
