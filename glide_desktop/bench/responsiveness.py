"""A real job thread loads and samples while the GUI thread's timer runs: lateness, first preview, cancel."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, QTimer, Slot

from glide_desktop.bench.lateness import LatenessMonitor, application, wait_for
from glide_desktop.engine.types import STAGE_BASE, STAGE_UPSAMPLE, GenerationRequest, Progress
from glide_desktop.jobs.queue import GenerationJobs

JOB_TIMEOUT_S = 1800.0


class CancelProbe(QObject):
    """Cancels a job half a step after the given stage's second step, and times the stop."""

    def __init__(self, jobs: GenerationJobs, stage: str) -> None:
        super().__init__()
        self.jobs, self.stage = jobs, stage
        self.submitted = 0.0
        self.first_preview_s = float("nan")
        self.cancel_at = 0.0
        self.stopped_s = float("nan")
        self.seen: list[float] = []
        self.done = False
        jobs.progress.connect(self.on_progress)
        jobs.finished.connect(self.on_finished)

    @Slot(int, object)
    def on_progress(self, _ticket: int, event: Progress) -> None:
        now = time.perf_counter()
        if self.first_preview_s != self.first_preview_s:
            self.first_preview_s = now - self.submitted
        if event.stage != self.stage or self.cancel_at:
            return
        self.seen.append(now)
        if len(self.seen) == 2:
            half_step = (self.seen[1] - self.seen[0]) / 2
            self.cancel_at = now + half_step
            QTimer.singleShot(max(0, int(half_step * 1000)), self.cancel)

    @Slot()
    def cancel(self) -> None:
        self.cancel_at = time.perf_counter()
        self.jobs.cancel()

    @Slot(int, bool)
    def on_finished(self, _ticket: int, _cancelled: bool) -> None:
        if self.cancel_at:
            self.stopped_s = time.perf_counter() - self.cancel_at
        self.done = True


def measure(runner: Any, request: GenerationRequest) -> dict[str, Any]:
    """Preload (lateness while loading), then sample twice, cancelling in each stage (lateness, latency)."""
    application()
    jobs = GenerationJobs(runner)
    monitor = LatenessMonitor()
    loaded: list[object] = []
    jobs.preloaded.connect(loaded.append)
    try:
        monitor.start()
        start = time.perf_counter()
        jobs.preload(request.mode, request.device, request.precision)
        wait_for(lambda: bool(loaded), JOB_TIMEOUT_S)
        load_s = time.perf_counter() - start
        during_load = monitor.stop()
        results: dict[str, Any] = {"preload_s": round(load_s, 2), "gui_load": during_load}
        monitor.start()
        for stage in (STAGE_BASE, STAGE_UPSAMPLE):
            probe = CancelProbe(jobs, stage)
            probe.submitted = time.perf_counter()
            jobs.submit(request)
            wait_for(lambda p=probe: p.done, JOB_TIMEOUT_S)
            jobs.progress.disconnect(probe.on_progress)
            jobs.finished.disconnect(probe.on_finished)
            results[f"cancel_{stage}_s"] = round(probe.stopped_s, 3)
            if stage == STAGE_BASE:
                results["first_preview_s"] = round(probe.first_preview_s, 3)
        results["gui_sampling"] = monitor.stop()
        return results
    finally:
        jobs.shutdown()
