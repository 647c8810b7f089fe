"""Runs one job's engine event stream on a QThread and re-emits its events as Qt signals."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal, Slot

from glide_desktop.engine.detail_types import DetailResult
from glide_desktop.engine.errors import user_message
from glide_desktop.engine.types import Candidates, Event, Progress, Result
from glide_desktop.jobs.job import CandidateScores, Job, Runner

log = logging.getLogger(__name__)


class GenerationWorker(QObject):
    """Lives in the worker thread: iterates the runner and emits each event."""

    progress = Signal(int, object)  # ticket, Progress
    candidates = Signal(int, object)  # ticket, Candidates
    result = Signal(int, object)  # ticket, Result
    scores = Signal(int, object)  # ticket, CandidateScores
    failed = Signal(int, str)  # ticket, a user-facing message
    finished = Signal(int, bool)  # ticket, True when cancelled
    preloaded = Signal(object)  # the names loaded ahead of a request ([] when none or on failure)

    def __init__(self, runner: Runner) -> None:
        super().__init__()
        self._runner = runner
        self.cancel_flag = threading.Event()
        # Set: the running job's steps come with preview images. The GUI thread flips it at any time.
        self.previews_flag = threading.Event()

    @Slot(int, object)
    def run(self, ticket: int, job: Job) -> None:
        """Run one job to its end, a cancel or an error; always emits finished."""
        try:
            for event in self._runner(job, self.cancel_flag, self.previews_flag):
                if self.cancel_flag.is_set():
                    break
                self._emit(ticket, event)
        except Exception as error:  # noqa: BLE001 - every failure reaches the user as a message
            if user_message(error) is None:
                log.exception("generation failed unexpectedly")  # the traceback, for a bug report
            self.failed.emit(ticket, _describe(error))
        self.finished.emit(ticket, self.cancel_flag.is_set())

    @Slot(object)
    def preload(self, order: tuple) -> None:
        """Load networks ahead of a request (runner.preload(*order)); a failure waits for the real request."""
        names: list[str] = []
        try:
            names = list(self._runner.preload(*order))  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - the Generate that follows reports the same problem to the user
            log.info("preloading %s failed; the next request will report it", order, exc_info=True)
        self.preloaded.emit(names)

    def _emit(self, ticket: int, event: Event) -> None:
        if isinstance(event, Progress):
            self.progress.emit(ticket, event)
        elif isinstance(event, Candidates):
            self.candidates.emit(ticket, event)
        elif isinstance(event, (Result, DetailResult)):
            self.result.emit(ticket, event)
        elif isinstance(event, CandidateScores):
            self.scores.emit(ticket, event)


def _describe(error: Exception) -> str:
    text = str(error).strip()
    return text if text else type(error).__name__
