"""The Model Files dialog: which GLIDE checkpoints are in the models folder, and downloading the rest."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QSettings, QUrl, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from glide_desktop.engine import locations
from glide_desktop.engine.types import Mode
from glide_desktop.jobs.downloads import ModelDownloader
from glide_desktop.jobs.model_fetch import part_path

FOLDER_KEY = "models/folder"
MB = 1_000_000
KB = 1000  # progress bars count kilobytes: a QProgressBar holds a C int, a checkpoint may pass 2 GiB
USES = {
    **{name: "text to image" for name in locations.TEXT2IM_FILES},
    **{name: "inpainting" for name in locations.INPAINT_FILES},
    **{name: "CLIP guidance" for name in locations.CLIP_FILES},
}


def chosen_models_dir(settings: QSettings | None = None) -> Path:
    """$GLIDE_MODELS_DIR when set, else the folder chosen in this dialog, else the default.

    The choice lives in engine.locations' settings file, shared with the command line. A choice
    that an older version kept in QSettings is moved there once.
    """
    if settings is not None and locations.saved_models_dir() is None:
        old = settings.value(FOLDER_KEY)
        if old:
            locations.save_models_dir(str(old))
            settings.remove(FOLDER_KEY)
    return locations.default_models_dir()


def file_status(folder: Path, name: str) -> str:
    """'present, 1.5 GB', 'partial, 12 MB downloaded' or 'missing'."""
    found = locations.find_file(folder, name)
    if found is not None:
        return f"present, {_size(found.stat().st_size)}"
    part = part_path(folder, name)
    if part.is_file():
        return f"partial, {_size(part.stat().st_size)} downloaded"
    return "missing"


def _size(count: int) -> str:
    return f"{count / 1000 / MB:.2f} GB" if count >= 1000 * MB else f"{count / MB:.0f} MB"


class ModelsDialog(QDialog):
    """Lists the six official files with their state; downloads the missing ones for a mode."""

    folderChanged = Signal(object)  # noqa: N815 - Qt's naming; Path: the user chose another folder

    def __init__(self, folder: Path, settings: QSettings, parent: QWidget | None = None,
                 urls: Mapping[str, str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model Files")
        self.folder, self.settings = Path(folder), settings
        self.downloader = ModelDownloader(self.folder, urls=urls, parent=self)
        self.downloader.progress.connect(self._on_progress)
        self.downloader.finished.connect(self._on_finished)
        self.downloader.failed.connect(self._on_failed)
        self.downloader.cancelled.connect(self._on_cancelled)
        self.downloader.allDone.connect(self._on_all_done)
        self._failures: dict[str, str] = {}  # name -> message of the last attempt
        self._cancelled = False
        layout = QVBoxLayout(self)
        intro = QLabel("GLIDE runs with OpenAI's released checkpoints. Inpainting needs two files, "
                       "text to image two others; they are downloaded once, into this folder:")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(self._folder_row())
        layout.addLayout(self._file_grid())
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        layout.addLayout(self._button_row())
        self.refresh()

    # --- construction ----------------------------------------------------------------------------
    def _folder_row(self) -> QHBoxLayout:
        self.folder_edit = QLineEdit(str(self.folder))
        self.folder_edit.setReadOnly(True)
        self.open_button = QPushButton("Open Folder")
        self.open_button.clicked.connect(self.open_folder)
        self.choose_button = QPushButton("Choose Folder…")
        self.choose_button.clicked.connect(self.choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.choose_button)
        return row

    def _file_grid(self) -> QGridLayout:
        grid = QGridLayout()
        self.status_labels: dict[str, QLabel] = {}
        self.progress_bars: dict[str, QProgressBar] = {}
        for row, name in enumerate(locations.OFFICIAL_FILES):
            use = QLabel(USES.get(name, ""))
            use.setEnabled(False)  # muted: a hint
            status, bar = QLabel(), QProgressBar()
            bar.setTextVisible(True)
            policy = bar.sizePolicy()
            policy.setRetainSizeWhenHidden(True)  # rows must not jump when a bar appears
            bar.setSizePolicy(policy)
            bar.hide()
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(use, row, 1)
            grid.addWidget(status, row, 2)
            grid.addWidget(bar, row, 3)
            self.status_labels[name], self.progress_bars[name] = status, bar
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(2, 190)
        return grid

    def _button_row(self) -> QHBoxLayout:
        self.inpaint_button = QPushButton("Download Missing for Inpainting")
        self.inpaint_button.clicked.connect(lambda: self.download_for(Mode.INPAINT))
        self.text2im_button = QPushButton("Download Missing for Text to Image")
        self.text2im_button.clicked.connect(lambda: self.download_for(Mode.TEXT2IM))
        self.cancel_button = QPushButton("Cancel Download")
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.close_button.setDefault(True)  # Enter closes; it never starts a download or opens a folder
        row = QHBoxLayout()
        for button in (self.inpaint_button, self.text2im_button, self.cancel_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        return row

    # --- state -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the folder: each file's state, and which buttons make sense."""
        busy = self.downloader.busy
        for name, label in self.status_labels.items():
            if busy and self.progress_bars[name].isVisible():
                continue
            failure = self._failures.get(name)
            label.setText(file_status(self.folder, name) + ("; download failed" if failure else ""))
            label.setToolTip(failure or "")
        self.inpaint_button.setEnabled(not busy and bool(locations.missing_files(self.folder, Mode.INPAINT)))
        self.text2im_button.setEnabled(not busy and bool(locations.missing_files(self.folder, Mode.TEXT2IM)))
        self.cancel_button.setEnabled(busy)
        self.choose_button.setEnabled(not busy)

    def download_for(self, mode: Mode) -> bool:
        """Fetch the files mode needs that are not in the folder; False when nothing started."""
        missing = locations.missing_files(self.folder, mode)
        self._failures, self._cancelled = {}, False
        if not self.downloader.download(missing):
            return False
        self.message_label.setText(f"Downloading {len(missing)} file(s)… a partial download resumes later.")
        for name in missing:
            self.status_labels[name].setText("waiting")
        self.refresh()
        return True

    def cancel(self) -> None:
        """Stop downloading; what arrived is kept for next time."""
        self.downloader.cancel()
        self.cancel_button.setEnabled(False)

    def set_folder(self, folder: Path) -> None:
        """Use folder for the models from now on (saved in the settings)."""
        self.folder = Path(folder)
        self.downloader.folder = self.folder
        self.folder_edit.setText(str(self.folder))
        locations.save_models_dir(self.folder)  # the command line's default from now on, too
        self.refresh()
        self.folderChanged.emit(self.folder)

    def choose_folder(self) -> None:
        """Ask for another models folder."""
        chosen = QFileDialog.getExistingDirectory(self, "Models Folder", str(self.folder))
        if chosen:
            self.set_folder(Path(chosen))

    def open_folder(self) -> None:
        """Show the folder in the system's file manager (made first if needed)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.message_label.setText(f"Could not make {self.folder}: {error.strerror or error}")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    # --- the downloader's signals, in the GUI thread -------------------------------------------------
    @Slot(str, object, object)
    def _on_progress(self, name: str, done: int, total: int) -> None:
        bar = self.progress_bars[name]
        bar.show()
        if total > 0:
            bar.setRange(0, max(1, total // KB))
            bar.setValue(min(done, total) // KB)
            bar.setFormat("%p%")
            self.status_labels[name].setText(f"downloading, {done / MB:.0f} of {total / MB:.0f} MB")
        else:
            bar.setRange(0, 0)  # the server did not say how big: a busy bar
            self.status_labels[name].setText(f"downloading, {done / MB:.0f} MB")

    @Slot(str)
    def _on_finished(self, name: str) -> None:
        self.progress_bars[name].hide()
        self.status_labels[name].setText(file_status(self.folder, name))

    @Slot(str, str)
    def _on_failed(self, name: str, message: str) -> None:
        self.progress_bars[name].hide()
        self._failures[name] = message

    @Slot(str)
    def _on_cancelled(self, name: str) -> None:
        self.progress_bars[name].hide()
        self._cancelled = True

    @Slot()
    def _on_all_done(self) -> None:
        for bar in self.progress_bars.values():
            bar.hide()
        if self._failures:
            self.message_label.setText("\n".join(self._failures.values()))
        elif self._cancelled:
            self.message_label.setText("Cancelled; the partial files are kept and resume next time.")
        else:
            self.message_label.setText("Done: the files are in place.")
        self.refresh()

    # --- closing -----------------------------------------------------------------------------------
    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        """Closing cancels a running download (its .part stays) and ends the download thread."""
        self.downloader.shutdown()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.downloader.shutdown()
        super().closeEvent(event)
