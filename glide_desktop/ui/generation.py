"""Runs the Generate panel's requests as jobs and lands each result as one undoable layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMessageBox, QStatusBar

from glide_desktop.document.commands import AddLayer, Command
from glide_desktop.document.document import Document
from glide_desktop.document.inpaint_crop import (
    Placement,
    inpaint_crop,
    place_result,
    text2im_placement,
)
from glide_desktop.document.layer import Layer
from glide_desktop.engine.types import GenerationRequest, Mode, Progress, Result
from glide_desktop.jobs.queue import GenerationJobs
from glide_desktop.ui.generate_panel import GeneratePanel, GenerationSettings

NAME_LENGTH = 60  # characters of the prompt kept in a layer's name


def generation_mode(doc: Document | None) -> Mode:
    """Inpaint when the document has a selection, otherwise text to image."""
    return Mode.INPAINT if doc is not None and not doc.selection.is_empty() else Mode.TEXT2IM


class GenerationHost(Protocol):
    """What the controller needs from the window: the open document and its undo history."""

    document: Document | None

    def push(self, command: Command) -> None: ...

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name


@dataclass
class PendingGeneration:
    """A submitted job: where its result goes, fixed at submit time so later edits cannot move it."""

    document: Document
    size: tuple[int, int]
    placement: Placement
    request: GenerationRequest
    applied: bool = False
    failure: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


class GenerationController(QObject):
    """Lives in the GUI thread; the job's signals reach its methods there."""

    def __init__(self, host: GenerationHost, panel: GeneratePanel, jobs: GenerationJobs | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host, self.panel, self.jobs = host, panel, jobs
        self.upsample_steps = GenerationRequest(mode=Mode.TEXT2IM, prompt="").upsample_steps
        self.pending: PendingGeneration | None = None
        panel.generateRequested.connect(self.start)
        panel.cancelRequested.connect(self.cancel)
        if jobs is not None:
            jobs.progress.connect(self._on_progress)
            jobs.result.connect(self._on_result)
            jobs.failed.connect(self._on_failed)
            jobs.finished.connect(self._on_finished)

    @property
    def busy(self) -> bool:
        """True while a job runs."""
        return self.pending is not None

    @Slot(object)
    def start(self, settings: GenerationSettings) -> bool:
        """Submit a job for the open document; False when nothing was started."""
        doc = self.host.document
        if self.jobs is None:
            self._status("Generation is not available: this window has no engine connected.")
            return False
        if doc is None or self.busy:
            return False
        try:
            pending = self._prepare(doc, settings)
        except ValueError as error:
            QMessageBox.warning(self.panel, "Generate", str(error))
            return False
        if not self.jobs.submit(pending.request):
            return False
        self.pending = pending
        self.panel.set_busy(True)
        what = "Inpainting the selection" if pending.request.mode is Mode.INPAINT else "Making a new picture"
        self.panel.show_status(f"{what} (seed {pending.request.seed})…")
        return True

    def _prepare(self, doc: Document, settings: GenerationSettings) -> PendingGeneration:
        """Build the request and remember where its result goes."""
        mode = generation_mode(doc)
        source = mask = None
        if mode is Mode.INPAINT:
            crop = inpaint_crop(doc.composite(), doc.selection.coverage)
            placement, source, mask = crop.placement, crop.source256, crop.selection64
        else:
            placement = text2im_placement(doc.width, doc.height)
        request = GenerationRequest(
            mode=mode, prompt=settings.prompt, negative_prompt=settings.negative_prompt, seed=settings.seed,
            sampler=settings.sampler, steps=settings.steps, upsample_steps=self.upsample_steps,
            guidance=settings.guidance, candidates=1, source256=source, selection64=mask,
        )
        return PendingGeneration(doc, doc.size, placement, request, metadata=_metadata(request, placement))

    @Slot()
    def cancel(self) -> None:
        """Ask the running job to stop; the document stays as it is."""
        if self.jobs is not None and self.busy:
            self.jobs.cancel()

    def shutdown(self) -> None:
        """Stop the job thread (the window is closing); a late result is dropped."""
        self.pending = None
        if self.jobs is not None:
            self.jobs.shutdown()

    # --- the job's events, delivered in the GUI thread ---------------------------------------------
    @Slot(object)
    def _on_progress(self, event: Progress) -> None:
        if self.busy:
            self.panel.show_progress(event)

    @Slot(object)
    def _on_result(self, event: Result) -> None:
        pending = self.pending
        if pending is None or pending.applied:
            return  # one layer per job; picking among several candidates comes later
        pending.applied = True
        if pending.document is not self.host.document:
            self._status("The generated picture was for a document that is no longer open.")
            return
        pixels = place_result(event.image256, pending.placement, *pending.size)
        prompt = pending.request.prompt
        name = prompt if len(prompt) <= NAME_LENGTH else prompt[: NAME_LENGTH - 1] + "…"
        layer = Layer(pixels, name=f"GLIDE: {name}", metadata=dict(pending.metadata))
        self.host.push(AddLayer(layer, text=f"Generate “{name}”"))

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self.pending is None:
            return  # the window is closing: nobody is waiting for this job any more
        self.pending.failure = message
        QMessageBox.warning(self.panel, "Generation failed", message)

    @Slot(bool)
    def _on_finished(self, cancelled: bool) -> None:
        if self.pending is None:
            return  # another controller's job (the detail pass) ended
        pending, self.pending = self.pending, None
        self.panel.set_busy(False)
        if cancelled:
            self.panel.show_status("Cancelled: the document is unchanged.")
        elif pending is not None and pending.applied:
            self.panel.show_status(f"Added a new layer (seed {pending.request.seed}).")
        elif pending is not None and pending.failure:
            self.panel.show_status(f"Generation failed: {pending.failure}")
        else:
            self.panel.show_status("No picture was made.")

    def _status(self, text: str) -> None:
        self.panel.show_status(text)
        self.host.statusBar().showMessage(text, 5000)


def _metadata(request: GenerationRequest, placement: Placement) -> dict[str, Any]:
    """What made the layer, in plain JSON values (saved with the document)."""
    rect = placement.rect
    return {
        "generator": "GLIDE",
        "mode": request.mode.value,
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "seed": request.seed,
        "sampler": request.sampler.value,
        "steps": request.steps,
        "upsample_steps": request.upsample_steps,
        "upsample_sampler": request.upsample_sampler.value if request.upsample_sampler else None,
        "guidance": request.guidance,
        "crop": [rect.x, rect.y, rect.w, rect.h],
    }
