"""The bridge between document commands and Qt's undo stack, with history bounded by memory."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from glide_desktop.document.commands import Command
from glide_desktop.document.history import DEFAULT_BUDGET, over_budget


def _merge_id(command: Command) -> int:
    """Qt wants an int id; derive it from the command's merge_key (None = never merge)."""
    if command.merge_key is None:
        return -1
    # Collisions are harmless: try_merge has the final word.
    return hash(command.merge_key) & 0x3FFFFFFF


class _UndoStep(QUndoCommand):
    """One entry on the QUndoStack, delegating to a document command."""

    def __init__(self, doc: Any, command: Command, applied: bool, mergeable: bool = True) -> None:
        super().__init__(command.text or type(command).__name__)
        self.doc = doc
        self.command = command
        self.mergeable = mergeable
        self.size: int | None = None  # nbytes, cached once the step is no longer the newest
        self._skip_redo = applied

    def redo(self) -> None:
        if self._skip_redo:
            # The live stroke already put these pixels on the document.
            self._skip_redo = False
            return
        self.command.redo(self.doc)

    def undo(self) -> None:
        # A floating selection undone before it landed moved nothing: it leaves history (no redo).
        floating = getattr(self.command, "floating", False)
        self.command.undo(self.doc)
        if floating:
            self.setObsolete(True)

    def id(self) -> int:
        return _merge_id(self.command) if self.mergeable else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _UndoStep):
            return False
        return self.command.try_merge(other.command)


class DocumentUndo(QObject):
    """Owns one document's QUndoStack; drops the oldest steps when history outgrows its memory budget."""

    modifiedChanged = Signal(bool)
    historyTrimmed = Signal(int)  # how many of the oldest steps were dropped

    def __init__(self, doc: Any, budget_bytes: int = DEFAULT_BUDGET, parent: QObject | None = None):
        super().__init__(parent)
        self.doc = doc
        self.budget_bytes = int(budget_bytes)
        self._stack = QUndoStack(self)
        self._stack.cleanChanged.connect(self._on_clean_changed)
        self._rebuilding = False

    @property
    def stack(self) -> QUndoStack:
        """The Qt stack, for QUndoView, QUndoGroup and undo/redo actions."""
        return self._stack

    @property
    def modified(self) -> bool:
        """True when the document differs from its last saved (or opened) state."""
        return not self._stack.isClean()

    def mark_saved(self) -> None:
        """Record the current state as the saved one."""
        self._stack.setClean()

    def push(self, command: Command, applied: bool = False, close: bool = False) -> None:
        """Record a document command and apply it (skipped when `applied`: a live stroke did it already).

        close: the step takes no later merges (a one-off action rather than a drag or stroke).
        """
        piece = self.settle()
        if piece is not None and piece in (getattr(command, "uid", None), getattr(command, "layer_uid", 0)):
            return  # made for the floating piece's own layer (its row in the Layers panel): it just landed
        self._stack.push(_UndoStep(self.doc, command, applied))
        if close:
            self.end_merge()
        self._enforce_budget()

    def settle(self) -> int | None:
        """Land a selection still floating on top of history (it never moved: drop it), before anything
        else changes or reads the document; returns the uid its floating layer had, if one landed."""
        index = self._stack.index()
        command = self._stack.command(index - 1).command if index > 0 else None
        if not getattr(command, "floating", False):
            return None
        piece = command.piece.uid if command.piece is not None else None
        if command.land(self.doc):
            self.end_merge()
        else:
            self._stack.undo()
        return piece

    def end_merge(self) -> None:
        """Close the newest step: the next command starts a new step even with the same merge_key."""
        index = self._stack.index()
        if index > 0:
            step = self._stack.command(index - 1)
            step.mergeable = False
            step.command.sealed = True

    def undo(self) -> None:
        """Step back once."""
        self._stack.undo()

    def redo(self) -> None:
        """Step forward once."""
        self._stack.redo()

    def clear(self) -> None:
        """Forget all history (the document keeps its pixels)."""
        self._stack.clear()

    def commands(self) -> list[Command]:
        """The document commands on the stack, oldest first."""
        return [self._stack.command(i).command for i in range(self._stack.count())]

    @property
    def nbytes(self) -> int:
        """Memory held by the history's pixel buffers."""
        return sum(c.nbytes for c in self.commands())

    def _step_sizes(self) -> list[int]:
        """nbytes of every step; only the newest is measured afresh (it grows while a stroke merges)."""
        count = self._stack.count()
        sizes = []
        for i in range(count):
            step = self._stack.command(i)
            if step.size is None or i == count - 1:
                step.size = step.command.nbytes
            sizes.append(step.size)
        return sizes

    def _enforce_budget(self) -> None:
        # The newest step always stays, even alone over budget, so the last action can be undone.
        drop = over_budget(self._step_sizes(), self.budget_bytes)
        if drop:
            self._drop_oldest(drop)

    def _drop_oldest(self, count: int) -> None:
        """Rebuild the stack without its `count` oldest steps; the document itself is untouched."""
        stack = self._stack
        # Steps above the index would be lost by any push anyway; trimming happens only right after one.
        old = [stack.command(i) for i in range(count, stack.index())]
        kept = [(step.command, step.mergeable, step.size) for step in old]
        clean = stack.cleanIndex() - count
        was_modified = self.modified
        self._rebuilding = True
        try:
            stack.clear()
            for i, (command, _, _) in enumerate(kept):
                if i == clean:
                    stack.setClean()
                # Re-pushing must not merge steps that were separate before.
                stack.push(_UndoStep(self.doc, command, applied=True, mergeable=False))
            for i, (_, mergeable, size) in enumerate(kept):
                # The newest step may still be open (a drag in progress keeps merging into it).
                step = stack.command(i)
                step.mergeable, step.size = mergeable, size
            if clean == len(kept):
                stack.setClean()
            elif clean < 0 or clean > len(kept):
                # The saved state is no longer reachable through history.
                stack.resetClean()
        finally:
            self._rebuilding = False
        if was_modified != self.modified:
            self.modifiedChanged.emit(self.modified)
        self.historyTrimmed.emit(count)

    def _on_clean_changed(self, clean: bool) -> None:
        if not self._rebuilding:
            self.modifiedChanged.emit(not clean)
