"""A headless undo history with merging and a memory budget (the UI may mirror it with QUndoStack)."""

from __future__ import annotations

from glide_desktop.document.commands import Command
from glide_desktop.document.document import Document

DEFAULT_BUDGET = 512 * 1024 * 1024


class History:
    """Linear undo/redo; drops the oldest steps when the held bytes exceed budget_bytes."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET, max_steps: int | None = None):
        self.budget_bytes, self.max_steps = budget_bytes, max_steps
        self._steps: list[Command] = []
        self._index = 0  # steps[:index] are done, steps[index:] can be redone

    def push(self, doc: Document, command: Command) -> None:
        """Apply command (redo) and record it, merging into the previous step when both agree."""
        command.redo(doc)
        del self._steps[self._index :]
        if self._steps and self._steps[-1].try_merge(command):
            self._trim()
            return
        self._steps.append(command)
        self._index = len(self._steps)
        self._trim()

    def seal(self) -> None:
        """Stop the newest step from absorbing further commands (end of a slider drag)."""
        if self._index:
            self._steps[self._index - 1].sealed = True

    def undo(self, doc: Document) -> Command | None:
        """Undo the newest done step; None when there is nothing to undo."""
        if not self.can_undo:
            return None
        self._index -= 1
        step = self._steps[self._index]
        step.undo(doc)
        return step

    def redo(self, doc: Document) -> Command | None:
        """Redo the next undone step; None when there is nothing to redo."""
        if not self.can_redo:
            return None
        step = self._steps[self._index]
        step.redo(doc)
        self._index += 1
        return step

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._steps)

    @property
    def undo_count(self) -> int:
        return self._index

    @property
    def redo_count(self) -> int:
        return len(self._steps) - self._index

    @property
    def total_bytes(self) -> int:
        """Bytes held by every recorded step (done and undone)."""
        return sum(step.nbytes for step in self._steps)

    def clear(self) -> None:
        """Forget every step."""
        self._steps.clear()
        self._index = 0

    def _trim(self) -> None:
        # Keep at least the newest done step so that the latest action can always be undone.
        while self._index > 1 and (self.total_bytes > self.budget_bytes or self._over_count()):
            self._steps.pop(0)
            self._index -= 1

    def _over_count(self) -> bool:
        return self.max_steps is not None and len(self._steps) > self.max_steps


def over_budget(step_sizes: list[int], budget_bytes: int) -> int:
    """How many of the oldest steps (sizes oldest first) must go to fit budget_bytes, newest always kept."""
    total, drop = sum(step_sizes), 0
    while drop < len(step_sizes) - 1 and total > budget_bytes:
        total -= step_sizes[drop]
        drop += 1
    return drop
