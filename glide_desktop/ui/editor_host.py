"""The narrow face of the main window that the Image, Adjustments and clipboard controllers use."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from PySide6.QtWidgets import QMenuBar, QStatusBar, QWidget

from glide_desktop.document.commands import Command
from glide_desktop.document.document import Document


class EditorHost(Protocol):
    """What a controller may touch: the document, its history, the canvas, menus and status bar."""

    document: Document | None
    undo: Any  # DocumentUndo: push(command, applied=..., close=...)
    canvas: Any  # CanvasView: fit()
    undo_group: Any  # QUndoGroup: indexChanged after every step, undo and redo

    def push(self, command: Command) -> None: ...

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name

    def menuBar(self) -> QMenuBar: ...  # noqa: N802 - Qt's name

    def maybe_save(self) -> bool: ...

    def set_document(self, doc: Document, path: Path | None) -> None: ...


def as_parent(host: EditorHost) -> QWidget | None:
    """The host as a dialog parent (tests may pass a plain object)."""
    return host if isinstance(host, QWidget) else None


def tell(host: EditorHost, text: str, timeout_ms: int = 4000) -> None:
    """A short message in the host's status bar."""
    host.statusBar().showMessage(text, timeout_ms)
