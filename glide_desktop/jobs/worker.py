"""Runs one engine event stream on a QThread and re-emits its events as Qt signals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, Signal, Slot

from glide_desktop.engine.detail_types import DetailResult
from glide_desktop.engine.errors import user_message
from glide_desktop.engine.types import Candidates, Event, GenerationRequest, Progress, Result

# A runner turns a request into the engine's event stream; it checks the cancel flag between steps.
Runner = Callable[[GenerationRequest, threading.Event], Iterator[Event]]

log = logging.getLogger(__name__)


class GenerationWorker(QObject):
    """Lives in the worker thread: iterates the runner and emits each event."""

    progress = Signal(object)  # Progress
    candidates = Signal(object)  # Candidates
    result = Signal(object)  # Result
    failed = Signal(str)  # a user-facing message
    finished = Signal(bool)  # True when cancelled

    def __init__(self, runner: Runner) -> None:
        super().__init__()
        self._runner = runner
        self.cancel_flag = threading.Event()

    @Slot(object)
    def run(self, request: GenerationRequest) -> None:
        """Run one request to its end, a cancel or an error; always emits finished."""
        try:
            for event in self._runner(request, self.cancel_flag):
                if self.cancel_flag.is_set():
                    break
                self._emit(event)
        except Exception as error:  # noqa: BLE001 - every failure reaches the user as a message
            if user_message(error) is None:
                log.exception("generation failed unexpectedly")  # the traceback, for a bug report
            self.failed.emit(_describe(error))
        self.finished.emit(self.cancel_flag.is_set())

    def _emit(self, event: Event) -> None:
        if isinstance(event, Progress):
            self.progress.emit(event)
        elif isinstance(event, Candidates):
            self.candidates.emit(event)
        elif isinstance(event, (Result, DetailResult)):
            self.result.emit(event)


def _describe(error: Exception) -> str:
    text = str(error).strip()
    return text if text else type(error).__name__
