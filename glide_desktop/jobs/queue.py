"""The GUI thread's handle on generation: a queue of jobs run one at a time on one worker thread.

Each submitted job gets a ticket; every signal names the ticket it is about, so the editor knows
which request an event belongs to. A waiting job can be cancelled (it never starts) and so can
the running one (it stops at its next step).
"""

from __future__ import annotations

from collections import deque
from itertools import count

from PySide6.QtCore import QObject, QThread, Signal, Slot

from glide_desktop.engine.types import Mode, Precision
from glide_desktop.jobs.job import Job, Runner, job_request, wants_previews, with_previews
from glide_desktop.jobs.worker import GenerationWorker


class GenerationJobs(QObject):
    """Owns the worker thread and the waiting jobs; its signals are delivered in the GUI thread."""

    queueChanged = Signal()  # noqa: N815 - Qt's naming; a job was added, started, finished or dropped
    started = Signal(int)  # ticket
    progress = Signal(int, object)  # ticket, Progress
    candidates = Signal(int, object)  # ticket, Candidates
    result = Signal(int, object)  # ticket, Result
    scores = Signal(int, object)  # ticket, CandidateScores
    failed = Signal(int, str)  # ticket, message
    finished = Signal(int, bool)  # ticket, cancelled? (a waiting job cancelled never started)
    _run = Signal(int, object)
    preloaded = Signal(object)  # list of the checkpoint names now loaded ahead of a request
    _preload = Signal(object)

    def __init__(self, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("glide-generation")
        self.runner = runner
        self._worker = GenerationWorker(runner)
        self._worker.moveToThread(self._thread)
        self._run.connect(self._worker.run)
        self._preload.connect(self._worker.preload)
        # Bound methods of this GUI-thread object: Qt queues the calls into the GUI thread.
        self._worker.progress.connect(self._on_progress)
        self._worker.candidates.connect(self._on_candidates)
        self._worker.result.connect(self._on_result)
        self._worker.scores.connect(self._on_scores)
        self._worker.failed.connect(self._on_failed)
        self._worker.finished.connect(self._on_finished)
        self._tickets = count(1)
        self._waiting: deque[tuple[int, Job]] = deque()
        self._running: tuple[int, Job] | None = None
        self._closed = False
        self._worker.preloaded.connect(self._on_preloaded)
        self._preloading: tuple | None = None
        self._thread.start()

    @property
    def busy(self) -> bool:
        """True while a job runs."""
        return self._running is not None

    @property
    def running(self) -> int | None:
        """The ticket of the running job."""
        return self._running[0] if self._running is not None else None

    def waiting(self) -> list[int]:
        """The tickets of the jobs waiting their turn, first first."""
        return [ticket for ticket, _ in self._waiting]

    def job(self, ticket: int) -> Job | None:
        """The job a ticket stands for while it runs or waits."""
        if self._running is not None and self._running[0] == ticket:
            return self._running[1]
        return next((job for t, job in self._waiting if t == ticket), None)

    def submit(self, job: Job) -> int:
        """Queue a job; returns its ticket (0 when the queue is shut down and nothing will run)."""
        if self._closed:
            return 0
        ticket = next(self._tickets)
        self._waiting.append((ticket, job))
        self._start_next()
        self.queueChanged.emit()
        return ticket

    def preload(self, mode: Mode, device: str = "auto", precision: Precision = Precision.AUTO) -> bool:
        """Load the mode's networks in the worker thread now, ahead of Generate; False when nothing started.

        Call it as soon as the artist starts preparing a generation (e.g. a selection with the Generate
        panel open). A submit made meanwhile waits in the worker's queue and then finds the networks
        loaded. Nothing starts while a job runs, for a runner that cannot preload, or while the same
        networks are being loaded; asking again later is cheap (loaded networks are cached).
        """
        order = (Mode(mode), device, Precision(precision))
        if self.busy or not hasattr(self.runner, "preload") or order == self._preloading:
            return False
        self._preloading = order
        self._preload.emit(order)
        return True

    def set_previews(self, wanted: bool) -> None:
        """Whether generation jobs' steps come with preview images: the running one from its next step,
        and the waiting ones when they start (their requests are changed to say so). A detail pass
        always shows its tiles."""
        self._waiting = deque((ticket, with_previews(job, wanted)) for ticket, job in self._waiting)
        if self._running is not None and job_request(self._running[1]) is not None:
            self._set_previews_flag(wanted)

    def cancel(self, ticket: int | None = None) -> None:
        """Stop a job: the running one (default) at its next step, or a waiting one before it starts."""
        if ticket is None or ticket == self.running:
            if self._running is not None:
                self._worker.cancel_flag.set()
            return
        for entry in list(self._waiting):
            if entry[0] == ticket:
                self._waiting.remove(entry)
                self.queueChanged.emit()
                self.finished.emit(ticket, True)
                return

    def cancel_all(self) -> None:
        """Drop every waiting job and stop the running one."""
        for ticket in self.waiting():
            self.cancel(ticket)
        self.cancel()

    def shutdown(self) -> None:
        """Cancel every job and wait for the thread to end (call before the application quits).

        The wait has no time limit on purpose: a job stops at its next step, but reading a
        checkpoint cannot be interrupted, and destroying a running QThread aborts the process.
        """
        self._closed = True
        self._waiting.clear()
        self._worker.cancel_flag.set()
        self._thread.quit()
        self._thread.wait()

    def _start_next(self) -> None:
        if self._running is not None or not self._waiting or self._closed:
            return
        self._running = self._waiting.popleft()
        # Cleared here, in the GUI thread, before the job is sent, so a cancel right after is never lost.
        self._worker.cancel_flag.clear()
        self._set_previews_flag(wants_previews(self._running[1]))
        self.started.emit(self._running[0])
        self._run.emit(*self._running)

    def _set_previews_flag(self, wanted: bool) -> None:
        if wanted:
            self._worker.previews_flag.set()
        else:
            self._worker.previews_flag.clear()

    @Slot(int, object)
    def _on_progress(self, ticket: int, event: object) -> None:
        self.progress.emit(ticket, event)

    @Slot(int, object)
    def _on_candidates(self, ticket: int, event: object) -> None:
        self.candidates.emit(ticket, event)

    @Slot(int, object)
    def _on_result(self, ticket: int, event: object) -> None:
        self.result.emit(ticket, event)

    @Slot(int, object)
    def _on_scores(self, ticket: int, event: object) -> None:
        self.scores.emit(ticket, event)

    @Slot(int, str)
    def _on_failed(self, ticket: int, message: str) -> None:
        self.failed.emit(ticket, message)

    @Slot(int, bool)
    def _on_finished(self, ticket: int, cancelled: bool) -> None:
        self._running = None
        self.finished.emit(ticket, cancelled)
        self._start_next()
        self.queueChanged.emit()

    @Slot(object)
    def _on_preloaded(self, names: object) -> None:
        self._preloading = None
        self.preloaded.emit(names)
