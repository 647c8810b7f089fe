"""A set of actions that acts on one document: it follows the document's structure and sends its steps
to that document's undo stack (the group and mask actions of the Layers panel)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from glide_desktop.document.document import Change, Document
from glide_desktop.ui.undo import DocumentUndo


class DocumentActions(QObject):
    """Base of a panel's action sets: set_document subscribes; each structural change calls sync()."""

    message = Signal(str)  # what to tell the user when a step cannot be done

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self.undo: DocumentUndo | None = None
        self._unsubscribe: Any = None

    def set_document(self, doc: Document | None, undo: DocumentUndo | None) -> None:
        """Act on doc; steps go to undo."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.document, self.undo = doc, undo
        if doc is not None:
            self._unsubscribe = doc.subscribe(self._on_change)
        self.sync()

    def _on_change(self, change: Change) -> None:
        if change.structure:
            self.sync()

    def sync(self) -> None:
        """Enable what applies to the document's active node now."""
        raise NotImplementedError
