"""Downloads OpenAI's GLIDE checkpoints into the models folder on a worker QThread, one file at a time."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from glide_desktop.engine.locations import OFFICIAL_FILES
from glide_desktop.jobs.model_fetch import DEFAULT_TIMEOUT, DownloadCancelled, DownloadError, fetch_file

log = logging.getLogger(__name__)


class DownloadWorker(QObject):
    """Lives in the download thread: fetches each requested file in turn."""

    progress = Signal(str, object, object)  # name, bytes done, total or -1 (object: files pass 2 GiB)
    finished = Signal(str)
    failed = Signal(str, str)
    cancelled = Signal(str)
    allDone = Signal()  # noqa: N815 - Qt's naming

    def __init__(self, folder: Path, urls: Mapping[str, str], timeout: float) -> None:
        super().__init__()
        self.folder, self.urls, self.timeout = Path(folder), dict(urls), timeout
        self.cancel_flag = threading.Event()

    @Slot(object)
    def run(self, names: Sequence[str]) -> None:
        """Fetch names in order; a cancel stops the rest, a failure moves on to the next file."""
        for name in names:
            if self.cancel_flag.is_set():
                break
            try:
                fetch_file(self.urls[name], self.folder, name, self.cancel_flag, self._report, self.timeout)
            except DownloadCancelled:
                self.cancelled.emit(name)
                break
            except DownloadError as error:
                self.failed.emit(name, str(error))
                continue
            except Exception as error:  # noqa: BLE001 - the user gets a message, the log the traceback
                log.exception("downloading %s failed unexpectedly", name)
                self.failed.emit(name, f"Downloading {name} failed: {error}")
                continue
            self.finished.emit(name)
        self.allDone.emit()

    def _report(self, name: str, done: int, total: int) -> None:
        self.progress.emit(name, done, total)


class ModelDownloader(QObject):
    """The GUI thread's handle on downloads; its signals are delivered in the GUI thread.

    urls maps a file name to its address (default: OpenAI's); base_url, when given, replaces the
    folder part of every address (a mirror, or a local server in tests).
    """

    progress = Signal(str, object, object)  # name, bytes done, total bytes or -1
    finished = Signal(str)  # name: complete and renamed into place
    failed = Signal(str, str)  # name, a user-facing message
    cancelled = Signal(str)  # name: stopped, its .part kept for resuming
    allDone = Signal()  # noqa: N815 - Qt's naming
    _start = Signal(object)

    def __init__(self, folder: Path, urls: Mapping[str, str] | None = None, base_url: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, parent: QObject | None = None) -> None:
        super().__init__(parent)
        addresses = dict(OFFICIAL_FILES if urls is None else urls)
        if base_url is not None:
            addresses = {name: base_url.rstrip("/") + "/" + name for name in addresses}
        self.urls = addresses
        self._worker = DownloadWorker(folder, addresses, timeout)
        self._thread: QThread | None = None
        self._busy = False
        self._closed = False

    @property
    def folder(self) -> Path:
        """Where the files go."""
        return self._worker.folder

    @folder.setter
    def folder(self, folder: Path) -> None:
        if self._busy:
            raise RuntimeError("the models folder cannot change while a download runs")
        self._worker.folder = Path(folder)

    @property
    def busy(self) -> bool:
        """True from download() until allDone."""
        return self._busy

    def download(self, names: Sequence[str]) -> bool:
        """Start fetching names one at a time; False (nothing started) while a download runs."""
        unknown = [name for name in names if name not in self.urls]
        if unknown:
            raise ValueError(f"no download address for {', '.join(unknown)}; known: {', '.join(self.urls)}")
        if self._busy or self._closed or not names:
            return False
        self._ensure_thread()
        self._busy = True
        self._worker.cancel_flag.clear()  # here, in the GUI thread, so a quick cancel is never lost
        self._start.emit(list(names))
        return True

    def cancel(self) -> None:
        """Stop the file being fetched (its .part is kept) and the ones after it."""
        self._worker.cancel_flag.set()

    def shutdown(self) -> None:
        """Cancel and wait for the thread to end (at most one read timeout); no download starts after."""
        self._closed = True
        self.cancel()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()

    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        self._thread = QThread()
        self._thread.setObjectName("glide-downloads")
        self._worker.moveToThread(self._thread)
        self._start.connect(self._worker.run)
        # Bound methods of this GUI-thread object: Qt queues the calls into the GUI thread.
        self._worker.progress.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        self._worker.allDone.connect(self._on_all_done)
        self._thread.start()

    @Slot(str, object, object)
    def _on_progress(self, name: str, done: int, total: int) -> None:
        self.progress.emit(name, done, total)

    @Slot(str)
    def _on_finished(self, name: str) -> None:
        self.finished.emit(name)

    @Slot(str, str)
    def _on_failed(self, name: str, message: str) -> None:
        self.failed.emit(name, message)

    @Slot(str)
    def _on_cancelled(self, name: str) -> None:
        self.cancelled.emit(name)

    @Slot()
    def _on_all_done(self) -> None:
        self._busy = False
        self.allDone.emit()
