"""The Move tool with a selection: its contents lift into a floating piece that follows the mouse and the
arrow keys; Enter (or a tool or layer switch, or a save) lands it, Esc puts it back; Alt-drag of a floating
piece stamps a copy where it lies and drags on. Each move is one undo step (document/floating_command.py);
undo while floating cancels it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QShortcutEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

from glide_desktop.document.floating_command import FloatingSelection
from glide_desktop.document.geometry import Rect
from glide_desktop.ui.canvas.events import CanvasPointerEvent
from glide_desktop.ui.tools.base import push

NUDGE = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
HINT = "Floating selection — drag or nudge it with the arrow keys; Enter to merge, Esc to cancel"
NOTHING = "The selection holds no pixels of the active layer to move"
_LEFT = Qt.MouseButton.LeftButton
_LAND_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)
KEEPS_FLOATING = "keepsFloatingSelection"  # an action property: its shortcut does not land a floating piece


class _LandFirst(QObject):
    """While a piece floats: a click anywhere else in the app, or a shortcut, lands it before that acts,
    so that every other command (menus, panels, dialogs) starts from the landed layer."""

    def __init__(self, canvas: QWidget, land: Any) -> None:
        super().__init__(canvas)
        self.canvas, self.land = canvas, land
        QApplication.instance().installEventFilter(self)

    def stop(self) -> None:
        QApplication.instance().removeEventFilter(self)
        self.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if isinstance(event, QShortcutEvent):
            if not watched.property(KEEPS_FLOATING):
                self.land()
        elif kind in _PRESSES and isinstance(watched, QWidget) and self._elsewhere(watched):
            self.land()
        return False

    def _elsewhere(self, widget: QWidget) -> bool:
        """True for a widget outside the canvas, but not a list's rows (the Layers panel): landing would
        shift its rows under the click (choosing a row lands it afterwards, as any other active layer)."""
        if widget is self.canvas or self.canvas.isAncestorOf(widget):
            return False
        return not isinstance(widget.parentWidget(), QAbstractItemView)


class SelectionMove:
    """The Move tool's part while the document has a selection or a piece floats."""

    def __init__(self) -> None:
        self.command: FloatingSelection | None = None
        self._start: QPointF | None = None  # where a drag of the piece began (document point)
        self._start_delta = self._delta = (0, 0)
        self._content = Rect(0, 0, 0, 0)  # the piece layer's visible pixels (layer coordinates)
        self._unsubscribe: Any = None
        self._land_first: _LandFirst | None = None
        self._check_queued = False

    @property
    def floating(self) -> bool:
        """True while a lifted piece waits to land."""
        return self.command is not None and self.command.floating and self.command.applied

    def takes(self, canvas: Any) -> bool:
        """True when the Move tool's input is for the selection's contents rather than the whole layer."""
        doc = canvas.document
        # A group has no pixels to lift: with a group active the Move tool moves the whole group.
        return self.floating or (doc is not None and doc.active_layer is not None
                                 and not doc.selection.is_empty())

    # ----- mouse ----------------------------------------------------------------------------------
    def press(self, canvas: Any, event: CanvasPointerEvent) -> bool:
        """Lift (Alt: a copy) unless a piece floats (Alt then stamps a copy where it lies), then drag it;
        False leaves it to the layer path."""
        if event.button != _LEFT or not self.takes(canvas):
            return False
        canvas.set_hint(HINT if self.floating else "")
        alt = event.has(Qt.KeyboardModifier.AltModifier)
        if self.floating and alt:
            if not self._stamp(canvas):
                return True
        elif not self.floating and not self._lift(canvas, alt):
            return True
        command = self.command
        self._start, self._start_delta, self._delta = event.pos, command.delta, command.delta
        if command.piece is not None:
            self._content = command.piece.content_bounds()  # the piece stays as it is while floating
            canvas.layer_drags.begin(command.piece.uid, self._content)
        return True

    def move(self, canvas: Any, event: CanvasPointerEvent) -> bool:
        """Follow the mouse: the outline, and the piece layer's drag preview."""
        if self._start is None or not self.floating:
            return self._start is not None
        delta = (self._start_delta[0] + round(event.pos.x() - self._start.x()),
                 self._start_delta[1] + round(event.pos.y() - self._start.y()))
        if delta != self._delta:
            self._delta = delta
            command = self.command
            # The document changes once, on release; the outline is drawn moved meanwhile (and, for
            # pixels, the piece: moved mask values show on release, as landing them rereads the region).
            if command.piece is not None:
                canvas.layer_drags.move_to((command.rect.x + delta[0], command.rect.y + delta[1]))
            canvas.ants.set_shift(delta[0] - command.delta[0], delta[1] - command.delta[1])
        return True

    def release(self, canvas: Any, event: CanvasPointerEvent) -> bool:
        """The drag ends: the piece (and the selection) lie where the mouse left them."""
        if self._start is None:
            return False
        if event.button != _LEFT:
            return True
        self.move(canvas, event)
        self._end_drag(canvas)
        return True

    def _end_drag(self, canvas: Any) -> None:
        self._start = None
        command = self.command
        if command is None:
            return
        if command.piece is not None:
            canvas.layer_drags.end(lambda: self._moved(canvas, command, self._delta))
        else:
            canvas.layer_drags.apply(lambda: self._moved(canvas, command, self._delta))

    def _moved(self, canvas: Any, command: FloatingSelection, delta: tuple[int, int]) -> None:
        command.move_to(canvas.document, delta, self._content)
        canvas.ants.rebuild()  # now, not after the rebuild delay: the outline must not jump back

    # ----- keys -----------------------------------------------------------------------------------
    def key_press(self, canvas: Any, event: QKeyEvent) -> bool:
        """Enter lands, Esc cancels, arrows nudge (Shift: 10 px), lifting first when nothing floats."""
        key = event.key()
        if key in _LAND_KEYS or key == Qt.Key.Key_Escape:
            if not self.floating or self._start is not None:
                return False
            self.land(canvas) if key in _LAND_KEYS else self.cancel(canvas)
            return True
        step = NUDGE.get(key)
        if step is None or not self.takes(canvas):
            return False
        if self._start is not None:
            return True  # the mouse moves the piece now
        if not self.floating and not self._lift(canvas, False):
            return True
        command = self.command
        scale = 10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1
        delta = (command.delta[0] + step[0] * scale, command.delta[1] + step[1] * scale)
        content = command.piece.content_bounds() if command.piece is not None else None
        command.move_to(canvas.document, delta, content)
        canvas.ants.rebuild()
        return True

    # ----- lift, stamp, land, cancel ------------------------------------------------------------------
    def _stamp(self, canvas: Any) -> bool:
        """Alt-press on a floating piece: it lands where it lies (one step) and a copy of it floats on (the
        next step); a piece that never moved is put back and lifted again as a copy."""
        command = self.command
        carried, layer_uid = command.carried(), command.layer_uid
        self.land(canvas)
        fresh = FloatingSelection.stamped(canvas.document, layer_uid, carried) if carried else None
        return self._lift(canvas, True, fresh)

    def _lift(self, canvas: Any, copy: bool, command: FloatingSelection | None = None) -> bool:
        command = command or FloatingSelection.start(canvas.document, copy)
        if command is None:
            canvas.set_hint(NOTHING)
            return False
        self.command = command
        # Hole and piece are read in slices after the press; the piece's drag preview shows meanwhile.
        canvas.layer_drags.apply(lambda: push(canvas, command))
        self._unsubscribe = canvas.document.subscribe(lambda _change: self._queue_check(canvas))
        self._land_first = _LandFirst(canvas, lambda: self.land(canvas))
        canvas.set_hint(HINT)
        return True

    def land(self, canvas: Any) -> None:
        """Put the floating piece down where it is (one undo step); one that never moved is dropped."""
        command = self.command
        if self.floating:
            if self._start is not None:
                self._end_drag(canvas)
            if canvas.undo is not None:
                canvas.layer_drags.apply(canvas.undo.settle)
            elif not command.land(canvas.document):
                command.undo(canvas.document)
        self._finish(canvas)

    def cancel(self, canvas: Any) -> None:
        """Put everything back as it was before the lift (nothing enters history)."""
        command = self.command
        if self.floating:
            if self._start is not None:
                self._start = None
                canvas.layer_drags.end(lambda: None)
            undo = canvas.undo.undo if canvas.undo is not None else lambda: command.undo(canvas.document)
            canvas.layer_drags.apply(undo)
        self._finish(canvas)

    def _finish(self, canvas: Any) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._land_first is not None:
            self._land_first.stop()
        self._unsubscribe, self.command, self._start, self._land_first = None, None, None, None
        if canvas.ants.shift != (0, 0):
            canvas.ants.set_shift(0, 0)
        canvas.set_hint("")

    def _queue_check(self, canvas: Any) -> None:
        # Look once the change is over: landing inside another change's notification would nest them.
        if not self._check_queued:
            self._check_queued = True
            QTimer.singleShot(0, canvas, lambda: self._check(canvas))  # not after the canvas is gone

    def _check(self, canvas: Any) -> None:
        """After a document change: undone or landed elsewhere (history, a save) ends the session; another
        layer (or the mask/pixels switch) lands the piece."""
        self._check_queued = False
        command, doc = self.command, canvas.document
        if command is None or self._start is not None:
            return
        if not command.floating or not command.applied or doc is None:
            self._finish(canvas)
        elif doc.active_uid != command.active_uid or (command.piece is None) != doc.edits_mask:
            self.land(canvas)
