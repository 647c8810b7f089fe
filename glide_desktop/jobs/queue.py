"""The GUI thread's handle on generation: one worker thread, one job at a time, cancel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from glide_desktop.engine.types import GenerationRequest, Mode, Precision
from glide_desktop.jobs.worker import GenerationWorker, Runner


class GenerationJobs(QObject):
    """Owns the worker thread; its signals are delivered in the GUI thread."""

    started = Signal(object)  # GenerationRequest
    progress = Signal(object)
    candidates = Signal(object)
    result = Signal(object)
    failed = Signal(str)
    finished = Signal(bool)  # cancelled?
    preloaded = Signal(object)  # list of the checkpoint names now loaded ahead of a request
    _submit = Signal(object)
    _preload = Signal(object)

    def __init__(self, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("glide-generation")
        self.runner = runner
        self._worker = GenerationWorker(runner)
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._preload.connect(self._worker.preload)
        # Bound methods of this GUI-thread object: Qt queues the calls into the GUI thread.
        self._worker.progress.connect(self._on_progress)
        self._worker.candidates.connect(self._on_candidates)
        self._worker.result.connect(self._on_result)
        self._worker.failed.connect(self._on_failed)
        self._worker.finished.connect(self._on_finished)
        self._worker.preloaded.connect(self._on_preloaded)
        self._busy = False
        self._preloading: tuple | None = None
        self._thread.start()

    @property
    def busy(self) -> bool:
        """True while a job runs."""
        return self._busy

    def submit(self, request: GenerationRequest) -> bool:
        """Start a job; refuses (returns False) while another one runs."""
        if self._busy:
            return False
        self._busy = True
        # Cleared here, in the GUI thread, so a cancel right after submit is never lost.
        self._worker.cancel_flag.clear()
        self.started.emit(request)
        self._submit.emit(request)
        return True

    def preload(self, mode: Mode, device: str = "auto", precision: Precision = Precision.AUTO) -> bool:
        """Load the mode's networks in the worker thread now, ahead of Generate; False when nothing started.

        Call it as soon as the artist starts preparing a generation (e.g. a selection with the Generate
        panel open). A submit made meanwhile waits in the worker's queue and then finds the networks
        loaded. Nothing starts while a job runs, for a runner that cannot preload, or while the same
        networks are being loaded; asking again later is cheap (loaded networks are cached).
        """
        order = (Mode(mode), device, Precision(precision))
        if self._busy or not hasattr(self.runner, "preload") or order == self._preloading:
            return False
        self._preloading = order
        self._preload.emit(order)
        return True

    def set_models_dir(self, folder: Path) -> None:
        """Point a runner that reads a models folder (EngineRunner) at folder; it reloads on its next job."""
        if hasattr(self.runner, "models_dir"):
            self.runner.models_dir = Path(folder)  # one attribute swap: the worker reads it per request

    def cancel(self) -> None:
        """Ask the running job to stop at its next step."""
        self._worker.cancel_flag.set()

    def shutdown(self) -> None:
        """Cancel any job and wait for the thread to end (call before the application quits).

        The wait has no time limit on purpose: a job stops at its next step, but reading a
        checkpoint cannot be interrupted, and destroying a running QThread aborts the process.
        """
        self.cancel()
        self._thread.quit()
        self._thread.wait()

    @Slot(object)
    def _on_progress(self, event: object) -> None:
        self.progress.emit(event)

    @Slot(object)
    def _on_candidates(self, event: object) -> None:
        self.candidates.emit(event)

    @Slot(object)
    def _on_result(self, event: object) -> None:
        self.result.emit(event)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.failed.emit(message)

    @Slot(object)
    def _on_preloaded(self, names: object) -> None:
        self._preloading = None
        self.preloaded.emit(names)

    @Slot(bool)
    def _on_finished(self, cancelled: bool) -> None:
        self._busy = False
        self.finished.emit(cancelled)
