"""The Model Files dialog: which GLIDE checkpoints are in the models folder, and downloading the rest."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDesktopServices, QTextOption
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from glide_desktop.engine import locations
from glide_desktop.engine.types import Mode
from glide_desktop.jobs.checksums import Check, verify_folder
from glide_desktop.jobs.downloads import ModelDownloader
from glide_desktop.jobs.file_tasks import FileTask
from glide_desktop.jobs.model_fetch import part_path
from glide_desktop.jobs.model_import import Imported, ModelChecker, import_any

FOLDER_KEY = "models/folder"
MB = 1_000_000
GB = 1000 * MB
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


CHECK_TEXT = {Check.OK: "verified", Check.UNRECORDED: "checksum recorded",
              Check.CHANGED: "CHANGED since it was recorded: damaged or replaced"}
MESSAGE_LINES = 4  # the message box's height, in lines


def file_status(folder: Path, name: str) -> str:
    """'present, 1.54 GB', 'partial, 12 MB downloaded' or 'missing'."""
    found = locations.find_file(folder, name)
    if found is not None:
        return f"present, {format_size(found.stat().st_size)}"
    part = part_path(folder, name)
    if part.is_file():
        return f"partial, {format_size(part.stat().st_size)} downloaded"
    return "missing"


def format_size(count: int) -> str:
    """1.54 GB, 12 MB, 20 kB or 512 bytes: never '0 MB' for a small file."""
    if count >= GB:
        return f"{count / GB:.2f} GB"
    if count >= MB:
        return f"{count / MB:.0f} MB"
    if count >= KB:
        return f"{count / KB:.0f} kB"
    return f"{count} bytes"


def _any_present(folder: Path) -> bool:
    return any(locations.find_file(folder, name) is not None for name in locations.OFFICIAL_FILES)


def _total(names: tuple[str, ...] | list[str]) -> int:
    return sum(locations.DOWNLOAD_BYTES.get(name, 0) for name in names)


class ModelsDialog(QDialog):
    """Lists the six official files with their size and state; downloads, imports and verifies them."""

    folderChanged = Signal(object)  # noqa: N815 - Qt's naming; Path: the user chose another folder

    def __init__(self, folder: Path, settings: QSettings, parent: QWidget | None = None,
                 urls: Mapping[str, str] | None = None, checker: ModelChecker | None = None) -> None:
        super().__init__(parent)
        self.checker = checker  # the engine's layout check, from the composition root; None: no imports
        self.setWindowTitle("Model Files")
        self.folder, self.settings = Path(folder), settings
        self.downloader = ModelDownloader(self.folder, urls=urls, parent=self)
        self.downloader.progress.connect(self._on_progress)
        self.downloader.finished.connect(self._on_finished)
        self.downloader.failed.connect(self._on_failed)
        self.downloader.cancelled.connect(self._on_cancelled)
        self.downloader.allDone.connect(self._on_all_done)
        self.task = FileTask(self)  # imports and verification, one at a time
        self.task.done.connect(self._on_task_done)
        self.task.failed.connect(self._on_task_failed)
        self._failures: dict[str, str] = {}  # name -> message of the last attempt
        self._checks: dict[str, Check] = {}  # name -> what Verify found
        self._cancelled = False
        self._task = ""  # "import" or "verify": what the running file task is
        layout = QVBoxLayout(self)
        intro = QLabel("GLIDE runs with OpenAI's released checkpoints. Inpainting needs two files, "
                       "text to image two others; they are downloaded once, into this folder:")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(self._folder_row())
        layout.addLayout(self._file_grid())
        # Selectable, and wrapped only between words: a long path or address is never cut in two.
        self.message_view = QPlainTextEdit()
        self.message_view.setReadOnly(True)
        self.message_view.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        line = self.message_view.fontMetrics().lineSpacing()
        self.message_view.setFixedHeight(line * MESSAGE_LINES + 12)
        self.message_view.setPlaceholderText("Files from another computer: Import File… or Import Folder…")
        layout.addWidget(self.message_view)
        layout.addLayout(self._import_row())
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
            size = QLabel(format_size(locations.DOWNLOAD_BYTES[name]))
            size.setToolTip("download size")
            size.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            status, bar = QLabel(), QProgressBar()
            bar.setTextVisible(True)
            policy = bar.sizePolicy()
            policy.setRetainSizeWhenHidden(True)  # rows must not jump when a bar appears
            bar.setSizePolicy(policy)
            bar.hide()
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(use, row, 1)
            grid.addWidget(size, row, 2)
            grid.addWidget(status, row, 3)
            grid.addWidget(bar, row, 4)
            self.status_labels[name], self.progress_bars[name] = status, bar
        self.total_label = QLabel(self._total_text())
        grid.addWidget(self.total_label, len(locations.OFFICIAL_FILES), 0, 1, 5)
        grid.setColumnStretch(4, 1)
        grid.setColumnMinimumWidth(3, 230)
        return grid

    @staticmethod
    def _total_text() -> str:
        every = tuple(locations.OFFICIAL_FILES)
        return (f"All six: {format_size(_total(every))} to download; inpainting needs "
                f"{format_size(_total(locations.INPAINT_FILES))}, text to image "
                f"{format_size(_total(locations.TEXT2IM_FILES))}, "
                f"CLIP {format_size(_total(locations.CLIP_FILES))}.")

    def _import_row(self) -> QHBoxLayout:
        self.import_file_button = QPushButton("Import File…")
        self.import_file_button.setToolTip("Copy a checkpoint into the folder after checking it")
        self.import_file_button.clicked.connect(self.choose_import_file)
        self.import_folder_button = QPushButton("Import Folder…")
        self.import_folder_button.setToolTip("Copy every GLIDE checkpoint of a folder, after checking each")
        self.import_folder_button.clicked.connect(self.choose_import_folder)
        self.verify_button = QPushButton("Verify")
        self.verify_button.setToolTip("Re-read each file and compare it with the checksum taken on arrival")
        self.verify_button.clicked.connect(self.verify)
        row = QHBoxLayout()
        for button in (self.import_file_button, self.import_folder_button, self.verify_button):
            row.addWidget(button)
        row.addStretch(1)
        return row

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
    def message(self) -> str:
        """The text under the file list."""
        return self.message_view.toPlainText()

    def show_message(self, text: str) -> None:
        """Say what happened, under the file list."""
        self.message_view.setPlainText(text)

    def refresh(self) -> None:
        """Re-read the folder: each file's state, and which buttons make sense."""
        downloading, busy = self.downloader.busy, self.downloader.busy or self.task.busy
        for name, label in self.status_labels.items():
            if downloading and self.progress_bars[name].isVisible():
                continue
            failure, check = self._failures.get(name), self._checks.get(name)
            text = file_status(self.folder, name) + ("; download failed" if failure else "")
            label.setText(text + (f", {CHECK_TEXT[check]}" if check in CHECK_TEXT else ""))
            label.setToolTip(failure or "")
        self.inpaint_button.setEnabled(not busy and bool(locations.missing_files(self.folder, Mode.INPAINT)))
        self.text2im_button.setEnabled(not busy and bool(locations.missing_files(self.folder, Mode.TEXT2IM)))
        self.cancel_button.setEnabled(downloading)
        overridden = locations.models_dir_override() is not None
        self.choose_button.setEnabled(not busy and not overridden)
        self.choose_button.setToolTip(f"${locations.MODELS_DIR_ENV} chooses the folder while it is set"
                                      if overridden else "")
        for button in (self.import_file_button, self.import_folder_button):
            button.setEnabled(not busy and self.checker is not None)
        self.verify_button.setEnabled(not busy and _any_present(self.folder))

    def download_for(self, mode: Mode) -> bool:
        """Fetch the files mode needs that are not in the folder; False when nothing started."""
        missing = locations.missing_files(self.folder, mode)
        self._failures, self._cancelled = {}, False
        if not self.downloader.download(missing):
            return False
        self.show_message(f"Downloading {len(missing)} file(s), {format_size(_total(missing))}… "
                          "a partial download resumes later.")
        for name in missing:
            self.status_labels[name].setText("waiting")
        self.refresh()
        return True

    def cancel(self) -> None:
        """Stop downloading; what arrived is kept for next time."""
        self.downloader.cancel()
        self.cancel_button.setEnabled(False)

    def set_folder(self, folder: Path) -> None:
        """Use folder for the models from now on (saved for the app and the command line)."""
        self.folder = Path(folder)
        self._failures, self._checks = {}, {}  # they were about the other folder's files
        self.show_message("")
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
            self.show_message(f"Could not make {self.folder}: {error.strerror or error}")
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
            self.show_message("\n".join(self._failures.values()))
        elif self._cancelled:
            self.show_message("Cancelled; the partial files are kept and resume next time.")
        else:
            self.show_message("Done: the files are in place.")
        self.refresh()

    # --- importing and verifying, on the task thread -------------------------------------------------
    def choose_import_file(self) -> None:
        """Ask for a checkpoint file to import."""
        chosen, _ = QFileDialog.getOpenFileName(self, "Import Model File", str(Path.home()),
                                                "GLIDE checkpoints (*.pt *.safetensors);;All files (*)")
        if chosen:
            self.import_from(Path(chosen))

    def choose_import_folder(self) -> None:
        """Ask for a folder whose checkpoints to import."""
        chosen = QFileDialog.getExistingDirectory(self, "Import Model Files From", str(Path.home()))
        if chosen:
            self.import_from(Path(chosen))

    def import_from(self, source: Path) -> bool:
        """Check a file (or each checkpoint of a folder) and copy it into the models folder, off-thread."""
        if self.checker is None or self.downloader.busy:
            return False
        if not self.task.start(import_any, Path(source), self.folder, self.checker):
            return False
        self._task = "import"
        self.show_message(f"Checking and copying {source}…")
        self.refresh()
        return True

    def verify(self) -> bool:
        """Re-read every present file and compare it with its recorded checksum, in the background."""
        if self.downloader.busy or not self.task.start(verify_folder, self.folder):
            return False
        self._task = "verify"
        self.show_message("Reading each file to compare it with its recorded checksum…")
        self.refresh()
        return True

    @Slot(object)
    def _on_task_done(self, result: object) -> None:
        if self._task == "verify":
            self._checks = dict(result)  # type: ignore[call-overload]
            self.show_message(_verify_summary(self._checks))
        else:
            self.show_message(_import_summary(result))  # type: ignore[arg-type]
        self.refresh()

    @Slot(str)
    def _on_task_failed(self, message: str) -> None:
        self.show_message(message)
        self.refresh()

    # --- closing -----------------------------------------------------------------------------------
    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        """Closing cancels a running download (its .part stays) or import, and ends their threads."""
        self.downloader.shutdown()
        self.task.shutdown()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.downloader.shutdown()
        self.task.shutdown()
        super().closeEvent(event)


def _import_summary(results: list[Imported]) -> str:
    lines = [f"Imported {r.path.name}." if r.path else f"{r.source.name}: {r.error}" for r in results]
    return "\n".join(lines) or "Nothing was imported."


def _verify_summary(checks: dict[str, Check]) -> str:
    changed = [name for name, check in checks.items() if check is Check.CHANGED]
    if changed:
        return (f"{', '.join(changed)} changed since it arrived (damaged or replaced): delete it and "
                "download or import it again.")
    recorded = [name for name, check in checks.items() if check is Check.UNRECORDED]
    note = f" No checksum was recorded yet for {', '.join(recorded)}; it is now." if recorded else ""
    return f"{len(checks)} file(s) checked.{note}"
