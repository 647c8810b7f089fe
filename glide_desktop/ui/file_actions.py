"""File commands as a controller behind a narrow host: new, open, recent files, save, save as, export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox, QStatusBar, QWidget

from glide_desktop.document import files
from glide_desktop.document.document import Document
from glide_desktop.document.layer import Layer
from glide_desktop.ui.dialogs import NewImageDialog
from glide_desktop.ui.export_dialog import ExportOptions, ask_export_options

OPEN_FILTER = ("Images (*.ora *.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff *.gif);;OpenRaster (*.ora);;"
               "All files (*)")
SAVE_FILTER = "OpenRaster (*.ora)"
EXPORT_FILTERS = {
    "PNG image (*.png)": ".png", "JPEG image (*.jpg *.jpeg)": ".jpg", "WebP image (*.webp)": ".webp",
}
OPENABLE_SUFFIXES = (".ora", ".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif")
RECENT_KEY = "recentFiles"
MAX_RECENT = 10


class FileHost(Protocol):
    """What the file commands need from the window: the document, its file, history and settings."""

    document: Document | None
    undo: Any  # DocumentUndo: modified, mark_saved()
    path: Path | None
    settings: QSettings

    def set_document(self, doc: Document, path: Path | None) -> None: ...

    def update_title(self) -> None: ...

    def document_name(self) -> str: ...

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name


class FileActions(QObject):
    """Everything that reads or writes files, for one host window (dialogs are parented to it)."""

    def __init__(self, host: FileHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.export_dialog: Any = None

    @property
    def _window(self) -> QWidget | None:
        return self.host if isinstance(self.host, QWidget) else None

    def new_document(self, width: int, height: int,
                     background: tuple[int, int, int, int] = (255, 255, 255, 255)) -> bool:
        """Replace the document by a blank one (asks about unsaved changes first)."""
        if not self.maybe_save():
            return False
        doc = Document(width, height)
        # The starting layer is part of the new document, not an undoable step.
        doc.insert_layer(Layer.filled(width, height, background, name="Background"))
        self.host.set_document(doc, None)
        return True

    def new_with_dialog(self) -> None:
        """Ask for the size, then start a new document."""
        width, height = self.host.document.size if self.host.document else (1024, 768)
        dialog = NewImageDialog(width, height, self._window)
        if dialog.exec():
            self.new_document(*dialog.image_size(), background=dialog.background())

    def open_path(self, path: str | Path) -> bool:
        """Open an image or .ora; on failure show why and keep the current document."""
        path = Path(path)
        if not self.maybe_save():
            return False
        notes: list[str] = []
        try:
            doc = files.open_any(path, notes=notes)
        except files.DocumentFileError as error:
            QMessageBox.critical(self._window, "Could not open", str(error))
            return False
        self.host.set_document(doc, path)
        self.add_recent(path)
        if notes:  # it opened, but not quite as it is on disk: say how
            QMessageBox.information(self._window, f"Opened {path.name}", "\n\n".join(notes))
        return True

    def open_with_dialog(self) -> None:
        """Choose a file and open it."""
        name, _ = QFileDialog.getOpenFileName(self._window, "Open Image", self._dialog_folder(), OPEN_FILTER)
        if name:
            self.open_path(name)

    def save_to(self, path: str | Path) -> bool:
        """Write the document as OpenRaster to path; it becomes the document's file."""
        path = Path(path)
        if path.suffix.lower() != ".ora":
            path = path.with_suffix(".ora")
        self._settle()
        if not self._write_file(lambda overwrite: files.save_ora(self.host.document, path, overwrite),
                                "Could not save"):
            return False
        self.host.path = path
        self.host.undo.mark_saved()
        self.add_recent(path)
        self.host.update_title()
        self.host.statusBar().showMessage(f"Saved {path.name}", 4000)
        return True

    def _settle(self) -> None:
        """A floating selection lands, and a Free Transform in progress applies, before the document is
        written (the file holds what is seen)."""
        settle = getattr(self.host.undo, "settle", None)
        if settle is not None:
            settle()
        transform = getattr(self.host, "free_transform", None)
        if transform is not None and transform.session is not None:
            transform.apply(wait=True)

    def _write_file(self, write: Callable[[bool], None], failure_title: str) -> bool:
        """Run write(overwrite); a read-only file is overwritten only after the user says yes."""
        try:
            try:
                write(False)
            except files.ReadOnlyFileError as error:
                if not self.confirm_overwrite_read_only(error):
                    return False
                write(True)
        except files.DocumentFileError as error:
            QMessageBox.critical(self._window, failure_title, str(error))
            return False
        return True

    def confirm_overwrite_read_only(self, error: files.ReadOnlyFileError) -> bool:
        """Ask before replacing a file the user made read-only."""
        name = Path(str(error.path)).name if error.path is not None else "The file"
        answer = QMessageBox.question(
            self._window, "Read-only file", f"“{name}” is read-only. Overwrite it anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def save(self) -> bool:
        """Save to the current .ora file, or ask for one."""
        if self.host.path is not None and self.host.path.suffix.lower() == ".ora":
            return self.save_to(self.host.path)
        return self.save_as()

    def save_as(self) -> bool:
        """Ask for an .ora file name and save there."""
        suggested = str(Path(self._dialog_folder()) / (self.host.document_name() + ".ora"))
        name, _ = QFileDialog.getSaveFileName(self._window, "Save As", suggested, SAVE_FILTER)
        return bool(name) and self.save_to(name)

    def export_to(self, path: str | Path, options: ExportOptions | None = None) -> bool:
        """Write the flattened image (PNG, JPEG or WebP by suffix); the document's file stays as it is."""
        options = options or ExportOptions()
        self._settle()

        def write(overwrite: bool) -> None:
            files.export_flat(self.host.document, Path(path), quality=options.quality,
                              background=options.background, overwrite_read_only=overwrite)

        if not self._write_file(write, "Could not export"):
            return False
        self.host.statusBar().showMessage(f"Exported {Path(path).name}", 4000)
        return True

    def export_with_dialog(self) -> None:
        """Choose a file name and format, then export."""
        suggested = str(Path(self._dialog_folder()) / (self.host.document_name() + ".png"))
        filters = ";;".join(EXPORT_FILTERS)
        name, chosen = QFileDialog.getSaveFileName(self._window, "Export", suggested, filters)
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() not in (".png", ".jpg", ".jpeg", ".webp"):
            path = path.with_suffix(EXPORT_FILTERS.get(chosen, ".png"))
        self.export_dialog = ask_export_options(self._window, path,
                                                lambda options: self.export_to(path, options),
                                                self.host.settings)

    def maybe_save(self) -> bool:
        """True when it is fine to drop the document: unmodified, saved, or the user chose Discard."""
        if self.host.undo is None or not self.host.undo.modified:
            return True
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        question = f"Save the changes to “{self.host.document_name()}” before closing it?"
        answer = QMessageBox.warning(self._window, "Unsaved changes", question, buttons,
                                     QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # --- recent files ------------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        """Recently opened or saved files, newest first."""
        value = self.host.settings.value(RECENT_KEY, [])
        if isinstance(value, str):  # QSettings gives back a single-item list as a plain string
            value = [value] if value else []
        return [str(v) for v in value or []]

    def add_recent(self, path: Path) -> None:
        """Put path first in the recent files list."""
        entry = str(Path(path).resolve())
        recent = [entry] + [p for p in self.recent_files() if p != entry]
        self.host.settings.setValue(RECENT_KEY, recent[:MAX_RECENT])

    def clear_recent(self) -> None:
        """Forget the recent files."""
        self.host.settings.setValue(RECENT_KEY, [])

    def _dialog_folder(self) -> str:
        if self.host.path is not None:
            return str(self.host.path.parent)
        recent = self.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())
