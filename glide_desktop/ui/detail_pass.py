"""Layer ▸ Detail pass: repaint a generated layer tile by tile at the document's resolution.

Before it runs the user sees the number of tiles and a time estimate from the measured time of
one 256 px upsampler step; while it runs each tile's preview is drawn over the canvas; cancel
leaves the document untouched; the result is one undo step on the generated layer.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QObject, QRectF, QSettings, Qt, Slot
from PySide6.QtGui import QAction, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QStatusBar, QWidget

from glide_desktop.document.commands import Command
from glide_desktop.document.detail_layer import DetailApplied, generated_upscale, plan_for_layer
from glide_desktop.document.detail_plan import DetailPlan
from glide_desktop.document.document import Document
from glide_desktop.document.layer import Layer
from glide_desktop.engine.detail_types import (
    STAGE_DETAIL,
    DetailProgress,
    DetailRequest,
    DetailResult,
    estimate_seconds,
)
from glide_desktop.engine.types import STAGE_UPSAMPLE, Progress, SamplerName
from glide_desktop.jobs.queue import GenerationJobs

SETTINGS_KEY = "detail/secondsPerStep"
SAMPLES = 48  # the estimate averages this many recent step times
DEFAULT_UPSAMPLE_STEPS = 27  # a layer's metadata without upsample_steps came from the notebooks' fast27


class DetailHost(Protocol):
    """What the controller needs from the window."""

    document: Document | None

    def push(self, command: Command) -> None: ...

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name


class StepClock(QObject):
    """Measures one 256 px upsampler step (one tile, one row) from the job's Progress events."""

    def __init__(self, jobs: GenerationJobs, settings: QSettings | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._samples: deque[float] = deque(maxlen=SAMPLES)
        self._last: tuple[str, int, float] | None = None
        jobs.started.connect(self._on_started)
        jobs.progress.connect(self._on_progress)
        jobs.finished.connect(self._on_finished)

    @property
    def seconds_per_step(self) -> float | None:
        """The mean of recent measurements, else the last saved one, else None."""
        if self._samples:
            return float(np.mean(self._samples))
        if self.settings is not None:
            try:
                saved = float(self.settings.value(SETTINGS_KEY, 0.0))
            except (TypeError, ValueError):
                return None
            return saved if saved > 0 else None
        return None

    def record(self, stage: str, step: int, now: float) -> None:
        """Note that `step` of a stage was reached at `now`; consecutive steps give a row-step sample."""
        if stage not in (STAGE_UPSAMPLE, STAGE_DETAIL):
            self._last = None
            return
        last = self._last
        if last is not None and last[0] == stage and step > last[1]:
            self._samples.append((now - last[2]) / (step - last[1]))  # detail steps count tile-steps
        self._last = (stage, step, now)

    @Slot(object)
    def _on_started(self, _request: object) -> None:
        self._last = None  # the first step of a job includes loading the model

    @Slot(object)
    def _on_progress(self, event: Progress) -> None:
        self.record(event.stage, event.step, time.monotonic())

    @Slot(bool)
    def _on_finished(self, _cancelled: bool) -> None:
        self._last = None
        seconds = self.seconds_per_step
        if self.settings is not None and self._samples and seconds is not None:
            self.settings.setValue(SETTINGS_KEY, seconds)


class DetailPreview(QWidget):
    """Draws the tiles' previews over the canvas, in document coordinates, while a pass runs."""

    def __init__(self, canvas: Any) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.tiles: dict[tuple[int, int, int, int], QImage] = {}
        self.hide()

    def show_tiles(self, rects: tuple[tuple[int, int, int, int], ...], previews: np.ndarray) -> None:
        """Show each preview row (N x 256 x 256 x 3 uint8) over its document rect."""
        for rect, pixels in zip(rects, previews):
            image = np.ascontiguousarray(pixels)
            self.tiles[rect] = QImage(image.data, image.shape[1], image.shape[0], image.strides[0],
                                      QImage.Format.Format_RGB888).copy()
        self.setGeometry(self.canvas.rect())
        self.show()
        self.raise_()
        self.update()

    def clear(self) -> None:
        """Forget every preview and hide."""
        self.tiles.clear()
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setTransform(self.canvas.viewport.transform())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        for (x, y, w, h), image in self.tiles.items():
            painter.drawImage(QRectF(x, y, w, h), image)
        painter.end()


@dataclass
class PendingDetail:
    """A submitted pass: which layer of which document it repaints."""

    document: Document
    uid: int
    plan: DetailPlan
    request: DetailRequest
    started: float
    output: Any = None


def describe_seconds(seconds: float) -> str:
    """A duration for people: "40 s", "3 min 20 s", "2 h 5 min"."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def detail_request(layer: Layer, plan: DetailPlan) -> DetailRequest:
    """The pass with the prompt, seed and upsampler settings that made the layer."""
    meta = layer.metadata
    sampler = meta.get("upsample_sampler")
    return DetailRequest(
        prompt=str(meta.get("prompt", "")), plan=plan, seed=int(meta.get("seed", 0)),
        upsample_sampler=SamplerName(sampler) if sampler in {s.value for s in SamplerName} else None,
        upsample_steps=int(meta.get("upsample_steps", DEFAULT_UPSAMPLE_STEPS)),
    )


class DetailPassController(QObject):
    """Lives in the GUI thread: the action, the confirmation, progress, preview and the undo step."""

    def __init__(self, host: DetailHost, jobs: GenerationJobs | None, canvas: Any,
                 settings: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host, self.jobs = host, jobs
        self.action = QAction("Detail pass…", parent)
        self.action.setStatusTip("Repaint the generated layer tile by tile at the image's own resolution")
        self.action.triggered.connect(self.start)
        self.preview = DetailPreview(canvas)
        self.progress: QProgressDialog | None = None
        self.pending: PendingDetail | None = None
        self.clock = StepClock(jobs, settings, self) if jobs is not None else None
        self.last_estimate: float | None = None
        self.last_seconds: float | None = None
        if jobs is not None:
            jobs.progress.connect(self._on_progress)
            jobs.result.connect(self._on_result)
            jobs.failed.connect(self._on_failed)
            jobs.finished.connect(self._on_finished)

    def target(self) -> Layer | None:
        """The active layer when it is a generated one stretched above 1x."""
        doc = self.host.document
        layer = doc.active_layer if doc is not None else None
        upscale = generated_upscale(layer)
        return layer if upscale is not None and upscale > 1.0 else None

    @Slot()
    def refresh(self) -> None:
        """Enable the action only where a pass can start."""
        busy = self.jobs is None or self.jobs.busy
        self.action.setEnabled(not busy and self.target() is not None)

    def confirm(self, text: str) -> bool:
        """Ask before a pass that may take long (tests replace this)."""
        answer = QMessageBox.question(self.preview.window(), "Detail pass", text,
                                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Ok

    def estimate_text(self, plan: DetailPlan, steps: int) -> str:
        """Tiles, rounds and the time estimate, as the confirmation shows them."""
        rounds = f" in {plan.rounds} rounds" if plan.rounds > 1 else ""
        text = (f"The result is stretched {plan.upscale:.1f}×. The detail pass repaints it with "
                f"{plan.total_tiles} tiles of 256 px{rounds}, {steps} steps each.\n\n")
        seconds = self.clock.seconds_per_step if self.clock is not None else None
        self.last_estimate = None if seconds is None else estimate_seconds(plan.total_tiles, steps, seconds)
        if self.last_estimate is None:
            return text + "Time: not known yet (no upsampler step has been measured on this computer)."
        return text + (f"Time: about {describe_seconds(self.last_estimate)} "
                       f"(measured {seconds:.2f} s per step).")

    @Slot()
    def start(self) -> bool:
        """Plan, confirm and submit a pass on the active generated layer; False when nothing started."""
        doc, layer = self.host.document, self.target()
        if self.jobs is None or doc is None or layer is None or self.pending is not None:
            self._status("Detail pass: choose a generated layer that is stretched above 100 %.")
            return False
        try:
            plan = plan_for_layer(doc, layer.uid)
        except ValueError as error:
            QMessageBox.warning(self.preview.window(), "Detail pass", str(error))
            return False
        request = detail_request(layer, plan)
        if not self.confirm(self.estimate_text(plan, request.upsample_steps)):
            return False
        if not self.jobs.submit(request):
            self._status("Detail pass: wait for the running generation to finish.")
            return False
        self.pending = PendingDetail(doc, layer.uid, plan, request, time.monotonic())
        self._open_progress(plan.total_tiles * request.upsample_steps)
        return True

    def _open_progress(self, total: int) -> None:
        dialog = QProgressDialog("Detail pass: starting…", "Cancel", 0, total, self.preview.window())
        dialog.setWindowTitle("Detail pass")
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel)
        dialog.show()
        self.progress = dialog

    @Slot()
    def cancel(self) -> None:
        """Stop the pass between steps; the document stays as it is."""
        if self.jobs is not None and self.pending is not None:
            self.jobs.cancel()

    @Slot(object)
    def _on_progress(self, event: object) -> None:
        if self.pending is None or not isinstance(event, DetailProgress):
            return
        if self.progress is not None:
            self.progress.setValue(event.step)
            last = min(event.tiles, event.tile + len(event.rects))
            self.progress.setLabelText(f"Detail pass: tile {last} of {event.tiles}")
        if event.preview is not None:
            self.preview.show_tiles(event.rects, event.preview)

    @Slot(object)
    def _on_result(self, event: object) -> None:
        if self.pending is not None and isinstance(event, DetailResult):
            self.pending.output = event.output

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self.pending is not None:
            QMessageBox.warning(self.preview.window(), "Detail pass failed", message)

    @Slot(bool)
    def _on_finished(self, cancelled: bool) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        self.preview.clear()
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self.last_seconds = time.monotonic() - pending.started
        if cancelled or pending.output is None:
            self._status("Detail pass cancelled: the document is unchanged." if cancelled else
                         "Detail pass made no picture.")
            return
        self._apply(pending)

    def _apply(self, pending: PendingDetail) -> None:
        if pending.document is not self.host.document or pending.document.find_layer(pending.uid) is None:
            self._status("The detail pass was for a layer that is no longer open.")
            return
        request, plan = pending.request, pending.plan
        note = {"tiles": plan.total_tiles, "rounds": plan.rounds, "upscale": round(plan.upscale, 3),
                "steps": request.upsample_steps, "seed": request.seed,
                "sampler": request.upsample_sampler.value if request.upsample_sampler else None,
                "region": [plan.region.x, plan.region.y, plan.region.w, plan.region.h]}
        self.host.push(DetailApplied(pending.document, pending.uid, pending.output, note))
        took = describe_seconds(self.last_seconds or 0)
        self._status(f"Detail pass done: {plan.total_tiles} tiles in {took}.")

    def _status(self, text: str) -> None:
        self.host.statusBar().showMessage(text, 8000)
