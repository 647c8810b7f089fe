"""Edit ▸ Free Transform (Ctrl+T): lift the active layer's selected pixels (or all of it), show the box on
the canvas, and on Enter resample once into one undo step.

On a big layer the box shows at once while the preview's pictures are made on a worker thread, and
Enter resamples there too: the window stays responsive, the canvas takes no input until the result
lands (transform_jobs.py). Saving, or choosing another tool or layer, waits for the result instead.

Esc, or any edit of the image from elsewhere (an undo from a menu or panel, a generated result), cancels
and changes nothing; Ctrl+Z on the canvas steps back through the box's gestures instead.
Choosing another tool or another layer applies the transform first, as Photoshop does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from glide_desktop.document.document import Change, Document
from glide_desktop.document.free_transform import FreeTransform, Lift, lift, lifted_picture
from glide_desktop.document.free_transform_group import (
    FreeTransformGroup,
    group_lift,
    group_picture,
    group_piece,
)
from glide_desktop.document.layer import BlendMode, Layer, apply_mask
from glide_desktop.document.transform_box import TransformBox
from glide_desktop.ui.canvas.transform_preview import (
    MAX_LEVEL,
    TransformPreview,
    picture_levels,
    piece_levels,
)
from glide_desktop.ui.editor_host import EditorHost, tell
from glide_desktop.ui.tools.transform import FreeTransformTool
from glide_desktop.ui.transform_bar import TransformBar
from glide_desktop.ui.transform_jobs import Afterimage, BusyCanvas, Jobs, big

HINT = "Free Transform: drag a handle to scale (Shift keeps the aspect), inside to move, outside to turn; " \
       "Enter applies, Esc cancels"


@dataclass
class _Session:
    doc: Document
    uid: int
    lifted: Lift
    use_selection: bool
    tool: FreeTransformTool
    unsubscribe: Any
    applying: Any = None  # the FreeTransform(Group) resampling on the worker thread
    stale: bool = False  # the image changed while it resampled: the result is dropped
    dropped: bool = False  # cancelled while it resampled


class _KeepUndoKeys(QObject):
    """While the box is up, Ctrl+Z and redo pressed on the canvas reach the box (its gestures) instead of
    the image's history, which would cancel the transform."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ShortcutOverride and (
                event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo)):
            event.accept()  # the canvas takes the key: no shortcut fires, a key press follows
            return True
        return False


class FreeTransformController(QObject):
    """Starts, applies and cancels Free Transforms for the host's document (one at a time)."""

    def __init__(self, host: EditorHost, toolbox: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host, self.toolbox = host, toolbox
        self.action = QAction("Free &Transform", self)
        self.action.setShortcut(QKeySequence("Ctrl+T"))
        self.action.setStatusTip("Scale, turn and move the selection's pixels, or the active layer")
        self.action.triggered.connect(lambda _checked=False: self.start())
        self.bar = TransformBar()
        self.bar.boxEdited.connect(self._typed)
        self.bar.applyRequested.connect(self.apply)
        self.bar.cancelRequested.connect(self.cancel)
        self.session: _Session | None = None
        self._switch_pending = False
        self._undo_keys = _KeepUndoKeys(self)
        self.jobs = Jobs(self)
        self.busy = BusyCanvas(host.canvas, host.statusBar(), self)

    @property
    def applying(self) -> bool:
        """True while an apply resamples on the worker thread."""
        return self.session is not None and self.session.applying is not None

    @property
    def tool(self) -> FreeTransformTool | None:
        """The canvas tool of the transform in progress (None when none runs)."""
        return self.session.tool if self.session is not None else None

    # --- start -----------------------------------------------------------------------------------------
    def start(self) -> bool:
        """Lift the pixels and show the box; False (with a status message) when there is nothing to do."""
        doc = self.host.document
        if self.session is not None or doc is None:
            return False
        settle = getattr(self.host.undo, "settle", None)
        if settle is not None:
            settle()  # a selection the Move tool left floating lands first: transform the landed layer
        refusal = _refusal(doc)
        if refusal:
            tell(self.host, refusal)
            return False
        node = doc.active_node
        use_selection = doc.selection.bbox() is not None and not node.is_group
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a selection's lift takes a moment
        try:
            if node.is_group:  # only where it lies now: its layers composite for the preview later
                lifted = group_lift(doc, node.uid, with_piece=False)
            else:
                lifted = lift(node, doc.selection.coverage if use_selection else None)
        finally:
            QApplication.restoreOverrideCursor()
        if lifted.rect.is_empty():
            what = ("the selection holds no pixels of this layer" if use_selection
                    else "the group's layers are empty" if node.is_group else "the layer is empty")
            tell(self.host, f"Nothing to transform: {what}")
            return False
        preview = TransformPreview(lifted.rect, node.opacity, _preview_blend(node))
        box = TransformBox.around(lifted.rect)
        tool = FreeTransformTool(self.toolbox.state, self, box, preview)
        self.session = _Session(doc, node.uid, lifted, use_selection, tool, doc.subscribe(self._on_change))
        self.bar.show_box(box)
        self.toolbox.begin_mode(tool, self.bar)
        self.host.canvas.installEventFilter(self._undo_keys)
        self.host.canvas.setFocus(Qt.FocusReason.OtherFocusReason)  # Enter, Esc and arrows go to the box
        self.host.canvas.update()
        self.host.canvas.set_hint(HINT)  # lasts while the box is up (the status bar's tool hint)
        self._prepare(doc, node, lifted, preview)
        return True

    def _prepare(self, doc: Document, node: Any, lifted: Lift, preview: TransformPreview) -> None:
        """Make the preview's pictures: at once when small, else on the worker thread, the piece first
        (it can follow the box over the canvas's picture), then what lies below and above it."""
        session, level = self.session, self.host.canvas.viewport.pyramid_level(MAX_LEVEL)

        def piece() -> Any:
            shown = group_piece(doc, node.uid, lifted.rect) if node.is_group else _shown_piece(node, lifted)
            return piece_levels(shown, level)

        def picture() -> Any:
            made = (group_picture if node.is_group else lifted_picture)(doc, node.uid, lifted)
            return picture_levels(made, level)

        if not big(doc.width * doc.height + lifted.rect.area):
            preview.attach_piece(piece())
            preview.attach(picture())
            return

        def arrived(attach: Any) -> Any:
            def done(result: Any, error: BaseException | None) -> None:
                if self.session is not session:
                    return  # another transform, or none: what the worker made is not wanted
                if error is not None:
                    raise error
                attach(result)
                self.host.canvas.update()
            return done

        self.jobs.submit(piece, arrived(preview.attach_piece))
        self.jobs.submit(picture, arrived(preview.attach))

    # --- the tool's host ---------------------------------------------------------------------------------
    def apply(self, wait: bool = False) -> bool:
        """Resample the piece through the box into the layer: one undo step (none when nothing moved).
        A big piece resamples on the worker thread unless `wait` (the result lands before returning)."""
        session = self.session
        if session is None:
            return False
        if session.applying is not None:  # already resampling
            if wait:
                self.jobs.wait()
            return True
        affine = session.tool.box.affine()
        if affine.is_identity():
            self._end("Free Transform: nothing changed")
            return True
        if session.doc.layer_by_uid(session.uid).is_group:
            command: Any = FreeTransformGroup(session.uid, affine)
        else:
            command = FreeTransform(session.uid, affine, session.use_selection)
        if wait or not big(session.lifted.rect.area + affine.bounds(session.lifted.rect).area):
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                command.prepare(session.doc, session.lifted)
            except ValueError as error:
                tell(self.host, f"Free Transform: {error}")
                return False
            finally:
                QApplication.restoreOverrideCursor()
            self._land(command)
            return True
        session.applying = command
        self.busy.begin("Free Transform: resampling…", [self.bar])
        self.jobs.submit(lambda: command.prepare(session.doc, session.lifted),
                         lambda _result, error: self._resampled(session, command, error))
        if wait:
            self.jobs.wait()
        return True

    def _resampled(self, session: _Session, command: FreeTransform, error: BaseException | None) -> None:
        """The worker thread's apply is done: land it, unless the image changed or it was cancelled."""
        self.busy.end()
        session.applying = None
        if self.session is not session:
            return
        if session.stale or session.dropped:
            self._end("Free Transform cancelled: the image changed" if session.stale
                      else "Free Transform cancelled")
        elif isinstance(error, ValueError):
            tell(self.host, f"Free Transform: {error}")  # the box stays up: the artist can fix it
        elif error is not None:
            self._end("")
            raise error
        else:
            self._land(command)

    def _land(self, command: Any) -> None:
        preview, affine = self.session.tool.preview, self.session.tool.box.affine()
        self._end("")  # first: the step's own change must not look like an edit from elsewhere
        drags = getattr(self.host.canvas, "layer_drags", None)
        if drags is None or not preview.ready:
            self.host.push(command)
            return
        # The canvas reads what changed in timer slices, on-screen first (no long stall), showing the
        # preview where it has not yet.
        drags.apply(lambda: self.host.push(command))
        Afterimage(self.host.canvas, preview, affine)

    def cancel(self) -> None:
        """Drop the transform: the document never changed."""
        if self.session is not None and self.session.applying is not None:
            self.session.dropped = True  # its result is dropped when it arrives
        elif self.session is not None:
            self._end("Free Transform cancelled")

    def tool_left(self) -> None:
        """Another tool was chosen: apply (or, when the result cannot be made, cancel)."""
        if self.session is not None and not self.apply():
            self.cancel()

    def box_changed(self) -> None:
        """The box moved on the canvas: show its numbers."""
        if self.session is not None:
            self.bar.show_box(self.session.tool.box)

    def _typed(self, box: TransformBox) -> None:
        if self.session is not None:
            self.session.tool.set_box(self.host.canvas, box, record=True)

    # --- the rest of the editor --------------------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        session = self.session
        if session is None:
            return
        if session.applying is not None:  # it resamples: only an edit of the image matters now
            session.stale = session.stale or change.pixels or change.selection
            return
        if session.doc.active_uid != session.uid:
            # Another layer was chosen: apply to the one being transformed, once this notification is over.
            if not self._switch_pending:
                self._switch_pending = True
                QTimer.singleShot(0, self._apply_after_switch)
        elif change.pixels or change.selection:
            self._end("Free Transform cancelled: the image changed")

    def _apply_after_switch(self) -> None:
        self._switch_pending = False
        session = self.session
        if session is None:
            return
        if session.doc.find_layer(session.uid) is None:
            self._end("Free Transform cancelled: its layer is gone")
        elif not self.apply():
            self.cancel()

    def _end(self, message: str) -> None:
        session, self.session = self.session, None
        if session is None:
            return
        self.jobs.forget()  # pictures still being made for this transform are not wanted any more
        session.unsubscribe()
        self.host.canvas.removeEventFilter(self._undo_keys)
        if self.toolbox.mode is session.tool:
            self.toolbox.end_mode()
        self.host.canvas.update()
        self.host.canvas.set_hint("")
        if message:
            tell(self.host, message)


def _preview_blend(node: Any) -> BlendMode:
    """How the preview draws the piece: the layer's blend, an isolated group's; a pass-through group's
    layers blend on their own, so it shows as normal (the result after Enter is exact)."""
    return BlendMode.NORMAL if node.is_group and node.pass_through else node.blend


def _shown_piece(layer: Layer, lifted: Lift) -> np.ndarray:
    """The piece as it composites (a whole layer's mask moves with it)."""
    if lifted.mask is not None and layer.mask_enabled:
        return apply_mask(lifted.piece, lifted.mask)
    return lifted.piece


def _refusal(doc: Document) -> str:
    """Why the active layer cannot be transformed now ("" when it can)."""
    node = doc.active_node
    if node is None:
        return "Free Transform needs a layer: add one first"
    if not doc.is_shown(node.uid):
        return "Free Transform: show the layer first (it or its group is hidden)"
    return ""
