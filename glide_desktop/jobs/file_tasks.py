"""One slow file task at a time (importing, verifying) on a worker thread, its outcome as Qt signals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class FileTask(QObject):
    """Runs function(*args, cancel=Event) on a thread; done/failed arrive in the GUI thread."""

    done = Signal(object)  # what the function returned
    failed = Signal(str)  # a user-facing message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._running = False  # cleared before the outcome is sent, so its receivers see "not busy"
        self.cancel_flag = threading.Event()

    @property
    def busy(self) -> bool:
        """True while a task runs."""
        return self._running

    def start(self, function: Callable[..., Any], *args: Any) -> bool:
        """Start function on the worker thread; False when a task is already running."""
        if self.busy:
            return False
        self.cancel_flag = threading.Event()
        self._running = True
        self._thread = threading.Thread(target=self._run, args=(function, args, self.cancel_flag),
                                        name="glide-file-task", daemon=True)
        self._thread.start()
        return True

    def _run(self, function: Callable[..., Any], args: tuple[Any, ...], cancel: threading.Event) -> None:
        try:
            result = function(*args, cancel=cancel)
        except Exception as error:  # noqa: BLE001 - the user gets a message, the log the traceback
            if not isinstance(error, (OSError, ValueError, InterruptedError)):
                log.exception("a file task failed")
            self._running = False
            self.failed.emit(str(error))
            return
        self._running = False
        self.done.emit(result)

    def shutdown(self, timeout: float = 5.0) -> None:
        """Ask the task to stop and wait a little for it (the dialog is closing)."""
        self.cancel_flag.set()
        if self._thread is not None:
            self._thread.join(timeout)
