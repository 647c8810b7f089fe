"""Layer ▸ Detail pass: repaint a generated layer tile by tile at the document's resolution.

Before it runs the user sees the number of tiles and a time estimate from the measured time of
one 256 px upsampler step (the same measurement as Generate's estimate); while it runs each
tile's preview is drawn over the canvas; cancel leaves the document untouched; the finished pass
is staged on the canvas like any result and applied as one undo step on the generated layer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QObject, QRectF, QSettings, Qt, Slot
from PySide6.QtGui import QAction, QImage, QPainter
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QStatusBar

from glide_desktop.document.detail_layer import generated_upscale, plan_for_layer
from glide_desktop.document.detail_plan import DetailPlan
from glide_desktop.document.document import Document
from glide_desktop.document.layer import Layer
from glide_desktop.engine.detail_types import DetailProgress, DetailRequest, DetailResult, estimate_seconds
from glide_desktop.engine.types import STAGE_UPSAMPLE, SamplerName
from glide_desktop.jobs.queue import GenerationJobs
from glide_desktop.ui.images import array_to_qimage
from glide_desktop.ui.staging import StagedDetail
from glide_desktop.ui.timing import StepTimes, format_duration

DEFAULT_UPSAMPLE_STEPS = 27  # a layer's metadata without upsample_steps came from the notebooks' fast27


class Stager(Protocol):
    """Where a finished pass waits for Apply or Discard (GenerationController.stage)."""

    def stage(self, staged: StagedDetail) -> None: ...


class DetailHost(Protocol):
    """What the controller needs from the window."""

    document: Document | None

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name


class DetailClock:
    """Times a pass's tile-steps into the shared upsampler step time (a tile-step is one upsampler step)."""

    def __init__(self, times: StepTimes) -> None:
        self.times = times
        self.last: tuple[int, float] | None = None

    def step(self, step: int, now: float) -> None:
        """Tile-step `step` was reached at `now`; a batch advances by its row count per sampler step."""
        if self.last is not None and step > self.last[0]:
            self.times.record(STAGE_UPSAMPLE, (now - self.last[1]) / (step - self.last[0]))
        self.last = (step, now)


class DetailPreview:
    """Draws the tiles' previews over the canvas (CanvasView.overlays) while a pass runs."""

    def __init__(self, canvas: Any) -> None:
        self.canvas = canvas
        self.tiles: dict[tuple[int, int, int, int], QImage] = {}
        canvas.overlays.append(self)

    def show_tiles(self, rects: tuple[tuple[int, int, int, int], ...], previews: np.ndarray) -> None:
        """Show each preview row (N x 256 x 256 x 3 uint8) over its document rect."""
        for rect, pixels in zip(rects, previews):
            rgba = np.dstack([pixels, np.full(pixels.shape[:2], 255, np.uint8)])
            self.tiles[rect] = array_to_qimage(rgba)
        self.canvas.update()

    def clear(self) -> None:
        """Forget every preview."""
        self.tiles.clear()
        self.canvas.update()

    def paint(self, painter: QPainter, viewport: Any) -> None:
        """Draw every tile's latest preview, smoothly scaled onto its rect."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        for (x, y, w, h), image in self.tiles.items():
            painter.drawImage(viewport.doc_rect_to_widget(QRectF(x, y, w, h)), image)
        painter.restore()


@dataclass
class PendingDetail:
    """A queued pass: its ticket, which layer of which document it repaints, what it made."""

    ticket: int
    document: Document
    uid: int
    plan: DetailPlan
    request: DetailRequest
    clock: DetailClock
    started: float = 0.0
    output: Any = None


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
    """Lives in the GUI thread: the action, the confirmation, progress, preview, then staging."""

    def __init__(self, host: DetailHost, jobs: GenerationJobs | None, canvas: Any, stager: Stager,
                 settings: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host, self.jobs, self.stager = host, jobs, stager
        self.action = QAction("Detail pass…", parent)
        self.action.setStatusTip("Repaint the generated layer tile by tile at the image's own resolution")
        self.action.triggered.connect(self.start)
        self.preview = DetailPreview(canvas)
        self.times = StepTimes(settings if settings is not None else QSettings())
        self.progress: QProgressDialog | None = None
        self.pending: PendingDetail | None = None
        self.last_estimate: float | None = None
        self.last_seconds: float | None = None
        if jobs is not None:
            jobs.started.connect(self._on_started)
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
        self.action.setEnabled(self.jobs is not None and self.pending is None and self.target() is not None)

    def confirm(self, text: str) -> bool:
        """Ask before a pass that may take long (tests replace this)."""
        answer = QMessageBox.question(self.preview.canvas.window(), "Detail pass", text,
                                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Ok

    def estimate_text(self, plan: DetailPlan, steps: int) -> str:
        """Tiles, rounds and the time estimate, as the confirmation shows them."""
        rounds = f" in {plan.rounds} rounds" if plan.rounds > 1 else ""
        text = (f"The result is stretched {plan.upscale:.1f}×. The detail pass repaints it with "
                f"{plan.total_tiles} tiles of 256 px{rounds}, {steps} steps each.\n\n")
        seconds = self.times.per_step(STAGE_UPSAMPLE)
        self.last_estimate = estimate_seconds(plan.total_tiles, steps, seconds)
        source = ("measured" if self.times.measured(STAGE_UPSAMPLE)
                  else "a first guess until an upsampler step is timed here")
        about = format_duration(self.last_estimate)
        return text + f"Time: about {about} ({seconds:.2f} s per step, {source})."

    @Slot()
    def start(self) -> bool:
        """Plan, confirm and queue a pass on the active generated layer; False when nothing started."""
        doc, layer = self.host.document, self.target()
        if self.jobs is None or doc is None or layer is None or self.pending is not None:
            self._status("Detail pass: choose a generated layer that is stretched above 100 %.")
            return False
        try:
            plan = plan_for_layer(doc, layer.uid)
        except ValueError as error:
            QMessageBox.warning(self.preview.canvas.window(), "Detail pass", str(error))
            return False
        request = detail_request(layer, plan)
        if not self.confirm(self.estimate_text(plan, request.upsample_steps)):
            return False
        ticket = self.jobs.submit(request)
        if not ticket:
            return False
        self.pending = PendingDetail(ticket, doc, layer.uid, plan, request, DetailClock(self.times))
        self._open_progress(plan.total_tiles * request.upsample_steps)
        return True

    def _open_progress(self, total: int) -> None:
        dialog = QProgressDialog("Detail pass: waiting for the job thread…", "Cancel", 0, total,
                                 self.preview.canvas.window())
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
        """Stop the pass between steps (or before it starts); the document stays as it is."""
        if self.jobs is not None and self.pending is not None:
            self.jobs.cancel(self.pending.ticket)

    def _mine(self, ticket: int) -> bool:
        return self.pending is not None and self.pending.ticket == ticket

    @Slot(int)
    def _on_started(self, ticket: int) -> None:
        if self._mine(ticket):
            self.pending.started = time.monotonic()

    @Slot(int, object)
    def _on_progress(self, ticket: int, event: object) -> None:
        if not self._mine(ticket) or not isinstance(event, DetailProgress):
            return
        self.pending.clock.step(event.step, time.monotonic())
        if self.progress is not None:
            self.progress.setValue(event.step)
            last = min(event.tiles, event.tile + len(event.rects))
            self.progress.setLabelText(f"Detail pass: tile {last} of {event.tiles}")
        if event.preview is not None:
            self.preview.show_tiles(event.rects, event.preview)

    @Slot(int, object)
    def _on_result(self, ticket: int, event: object) -> None:
        if self._mine(ticket) and isinstance(event, DetailResult):
            self.pending.output = event.output

    @Slot(int, str)
    def _on_failed(self, ticket: int, message: str) -> None:
        if self._mine(ticket):
            QMessageBox.warning(self.preview.canvas.window(), "Detail pass failed", message)

    @Slot(int, bool)
    def _on_finished(self, ticket: int, cancelled: bool) -> None:
        if not self._mine(ticket):
            return
        pending, self.pending = self.pending, None
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
        self._stage(pending)

    def _stage(self, pending: PendingDetail) -> None:
        if pending.document is not self.host.document or pending.document.find_layer(pending.uid) is None:
            self._status("The detail pass was for a layer that is no longer open.")
            return
        request, plan = pending.request, pending.plan
        note = {"tiles": plan.total_tiles, "rounds": plan.rounds, "upscale": round(plan.upscale, 3),
                "steps": request.upsample_steps, "seed": request.seed,
                "sampler": request.upsample_sampler.value if request.upsample_sampler else None,
                "region": [plan.region.x, plan.region.y, plan.region.w, plan.region.h],
                "seconds": round(self.last_seconds or 0.0, 1)}
        self.stager.stage(StagedDetail(pending.document, pending.uid, pending.output, note))

    def _status(self, text: str) -> None:
        self.host.statusBar().showMessage(text, 8000)
