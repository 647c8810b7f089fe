"""Runs the Generate panel's requests as queued jobs: candidates to pick, previews, staging, then apply.

The base stage makes the candidates (64 px); the artist picks which to upsample, and only those
run the expensive 256 px stage. Upsampled results are staged on the canvas without touching the
document; Apply turns the shown one into one undo step. Nothing here changes the document
before Apply, so cancelling or discarding at any stage leaves it as it was.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QMessageBox, QStatusBar

from glide_desktop.document.commands import Command
from glide_desktop.document.document import Document
from glide_desktop.engine import locations
from glide_desktop.engine.types import Candidates, Progress, Result
from glide_desktop.jobs.job import CandidateScores, with_previews
from glide_desktop.jobs.queue import GenerationJobs
from glide_desktop.ui.canvas.generation_overlay import GenerationOverlay, masked_image
from glide_desktop.ui.generate_options import run_precision
from glide_desktop.ui.generate_panel import MAX_SEED, GeneratePanel, GenerationSettings
from glide_desktop.ui.generation_frame import show_context_frame, show_estimate
from glide_desktop.ui.generation_runs import Run, Task, prepare_runs, reroll_run, settings_from_metadata
from glide_desktop.ui.preferences import precision_setting
from glide_desktop.ui.staging import StagedDetail, StagedResult, Staging, apply_command
from glide_desktop.ui.timing import StageClock, StepTimes

PREVIEW_INTERVAL = 0.2  # seconds between preview refreshes (the last step always shows)


class GenerationHost(Protocol):
    """What the controller needs from the window: the open document and its undo history."""

    document: Document | None
    settings: QSettings  # Edit → Preferences… (the Precision setting)

    def push(self, command: Command) -> None: ...

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name


class GenerationController(QObject):
    """Lives in the GUI thread; the job queue's signals reach its methods there."""

    def __init__(self, host: GenerationHost, panel: GeneratePanel, jobs: GenerationJobs | None,
                 overlay: GenerationOverlay | None = None, settings: QSettings | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host, self.panel, self.jobs, self.overlay = host, panel, jobs, overlay
        self.times = StepTimes(settings if settings is not None else QSettings())
        self.clock = StageClock(self.times)
        self.tasks: dict[int, Task] = {}
        self.staging = Staging()
        self.shown_run: Run | None = None  # the run whose candidates the strip shows
        self._last_preview = 0.0
        panel.generateRequested.connect(self.start)
        panel.cancelRequested.connect(self.cancel)
        panel.settingsChanged.connect(self.refresh_frame)
        panel.strip.upsampleRequested.connect(self.upsample)
        panel.strip.candidateClicked.connect(self.show_candidate)
        panel.staging.flipped.connect(self.flip)
        panel.staging.applyRequested.connect(self.apply)
        panel.staging.discardRequested.connect(self.discard)
        panel.queue.cancelRequested.connect(self.cancel_job)
        panel.preview_check.toggled.connect(self.set_previews)
        if jobs is not None:
            jobs.started.connect(self._on_started)
            jobs.progress.connect(self._on_progress)
            jobs.candidates.connect(self._on_candidates)
            jobs.result.connect(self._on_result)
            jobs.scores.connect(self._on_scores)
            jobs.failed.connect(self._on_failed)
            jobs.finished.connect(self._on_finished)
            jobs.queueChanged.connect(self._show_queue)
        self.refresh_frame()

    @property
    def busy(self) -> bool:
        """True while a job runs or waits."""
        return bool(self.tasks)

    # --- starting ----------------------------------------------------------------------------------
    @Slot(object)
    def start(self, settings: GenerationSettings) -> bool:
        """Queue the runs for the open document; False when nothing was queued."""
        doc = self.host.document
        if self.jobs is None:
            self._status("Generation is not available: this window has no engine connected.")
            return False
        if doc is None:
            return False
        try:
            runs = prepare_runs(doc, self._with_precision(settings))
        except ValueError as error:
            QMessageBox.warning(self.panel, "Generate", str(error))
            return False
        for run in runs:
            self._submit(Task(run))
        return True

    def reroll(self, layer_uid: int, prompt: str | None = None) -> bool:
        """Queue a new run for a generated layer: its crop, mask and settings, a new seed (and maybe prompt).

        Apply then replaces the layer in one undo step.
        """
        doc = self.host.document
        layer = doc.find_layer(layer_uid) if doc is not None else None
        if self.jobs is None or layer is None or "crop" not in layer.metadata:
            self._status("Only a generated layer can be re-rolled.")
            return False
        try:
            settings = settings_from_metadata(layer.metadata, self.panel.settings())
            settings = dataclasses.replace(settings, seed=secrets.randbelow(MAX_SEED + 1),
                                           prompt=settings.prompt if prompt is None else prompt.strip())
            run = reroll_run(doc, layer, self._with_precision(settings))
        except (ValueError, KeyError, TypeError) as error:
            QMessageBox.warning(self.panel, "Re-roll", f"This layer cannot be re-rolled: {error}")
            return False
        self._submit(Task(run))
        return True

    def _with_precision(self, settings: GenerationSettings) -> GenerationSettings:
        """The settings with the run's precision (Edit → Preferences…, unless the preset fixes one)."""
        chosen = precision_setting(self.host.settings)
        return dataclasses.replace(settings, precision=run_precision(settings.preset, chosen))

    @Slot(list)
    def upsample(self, indices: list[int]) -> bool:
        """Queue the upsampling of the chosen candidates of the run the strip shows; those upsampled
        before are staged again at once (the same seed gives the same picture)."""
        run = self.shown_run
        if self.jobs is None or run is None or run.candidates is None or not indices:
            return False
        for index in (i for i in indices if i in run.upsampled):
            self._stage_result(run, index, run.upsampled[index])
        waiting = tuple(i for i in indices if i not in run.upsampled)
        if waiting:
            self._submit(Task(run, waiting))
        else:
            self.panel.show_status(f"Staged again without upsampling: {len(indices)} result(s) of seed "
                                   f"{run.request.seed}. Apply or Discard.")
        self.panel.strip.set_chosen([])
        return True

    @Slot(int)
    def show_candidate(self, index: int) -> None:
        """Show a finished candidate (64 px) over its crop, unless staged results are on show."""
        run = self.shown_run
        if (self.overlay is None or run is None or run.candidates is None or self.staging.results
                or not 0 <= index < len(run.candidates) or run.document is not self.host.document):
            return
        self.overlay.show_frame(None)
        self.overlay.show_image(masked_image(run.candidates[index], run.alpha256()), run.placement.rect,
                                f"Candidate #{index + 1} at 64 px: upsample it for the full picture")

    def clip_ready(self) -> bool:
        """Whether the noised-CLIP files are in the models folder (candidates can be scored)."""
        return locations.clip_available(self.panel.models_dir)

    @Slot(bool)
    def set_previews(self, wanted: bool) -> None:
        """Live preview switched: the engine makes previews, or skips them, from the job's next step."""
        if self.jobs is not None:
            self.jobs.set_previews(wanted)

    def _submit(self, task: Task) -> None:
        # The engine computes previews only when the panel shows them.
        ticket = self.jobs.submit(with_previews(task.job(), self.panel.preview_check.isChecked()))
        if not ticket:
            return
        self.tasks[ticket] = task
        self.panel.show_status(f"Queued: {task.describe()}")
        if self.jobs.running == ticket:
            self._on_started(ticket)  # it started inside submit, before the task was known here
        self._show_queue()

    def prepare_models(self) -> bool:
        """Load the networks for the coming request in the background (the panel calls this when the
        artist starts preparing one, e.g. a selection with the panel open); False when nothing started."""
        if self.jobs is None or self.busy:
            return False
        mode = self.panel.mode()
        return self.jobs.preload(mode, precision=precision_setting(self.host.settings))

    # --- cancelling, applying ----------------------------------------------------------------------
    @Slot()
    def cancel(self) -> None:
        """Stop the running job; the document stays as it is."""
        if self.jobs is not None:
            self.jobs.cancel()

    @Slot(int)
    def cancel_job(self, ticket: int) -> None:
        """Stop one job, running or waiting."""
        if self.jobs is not None:
            self.jobs.cancel(ticket)

    @Slot(int)
    def flip(self, step: int) -> None:
        """Show another staged result."""
        self.staging.flip(step)
        self._show_staged()

    @Slot()
    def apply(self) -> bool:
        """Put the shown staged result into the document as one undo step and clear the staging."""
        staged = self.staging.current
        if staged is None:
            return False
        if staged.document is not self.host.document:
            self._status("The staged picture was for a document that is no longer open.")
            self.discard()
            return False
        self.host.push(apply_command(staged))
        self.staging.clear()
        self._show_staged()
        self.panel.show_status(f"Applied {staged.describe()}.")
        return True

    def stage(self, staged: StagedDetail) -> None:
        """Show a finished detail pass on the canvas, waiting for Apply or Discard like any result."""
        self.staging.add(staged)
        self._show_staged()
        self._status(f"{staged.describe()} staged on the canvas: Apply or Discard.")

    @Slot()
    def discard(self) -> None:
        """Drop every staged result; the document is untouched."""
        self.staging.clear()
        self._show_staged()
        self.panel.show_status("Discarded: the document is unchanged.")

    def document_replaced(self) -> None:
        """Another document is shown: drop what was staged or shown for the old one (jobs run on)."""
        doc = self.host.document
        self.staging.drop_other_documents(doc)
        if self.shown_run is not None and self.shown_run.document is not doc:
            self.shown_run = None
            self.panel.strip.clear()
        if self.overlay is not None:
            self.overlay.show_image(None, None)
        self._show_staged()

    def shutdown(self) -> None:
        """Stop the job thread (the window is closing); late events are dropped."""
        self.tasks.clear()
        if self.jobs is not None:
            self.jobs.shutdown()

    # --- the frame and the estimate ------------------------------------------------------------------
    @Slot()
    def refresh_frame(self) -> None:
        """Show the context square and its resolution for the current selection, and the time estimate."""
        show_estimate(self.panel, self.times)
        show_context_frame(self.host.document, self.panel, None if self.staging.results else self.overlay)

    # --- the job's events, delivered in the GUI thread ---------------------------------------------
    @Slot(int)
    def _on_started(self, ticket: int) -> None:
        task = self.tasks.get(ticket)
        if task is None:
            return
        self.clock.stage = ""
        self.clock.rows = task.run.request.candidates
        self.panel.set_busy(True)
        self.panel.show_status(f"Running: {task.describe()}")
        if not task.upsampling and not task.ranking:
            self.shown_run = task.run
            self.panel.strip.begin(task.run.request.candidates, f"Candidates of {task.run.describe()}:")

    @Slot(int, object)
    def _on_progress(self, ticket: int, event: Progress) -> None:
        task = self.tasks.get(ticket)
        if task is None:
            return
        self.clock.step(event.stage, event.step)
        remaining = self.clock.remaining(event.step, event.total)
        self.panel.show_progress(event, self.clock.elapsed(), remaining)
        now = time.monotonic()
        final = event.step >= event.total
        wanted = self.panel.preview_check.isChecked()  # one made just before the switch went off may arrive
        if event.preview is None or not wanted or (now - self._last_preview < PREVIEW_INTERVAL and not final):
            return
        self._last_preview = now
        self._show_preview(task, event)

    def _show_preview(self, task: Task, event: Progress) -> None:
        """The predicted images in the strip and the one followed over the crop on the canvas."""
        if task.upsampling:
            per = max(1, event.total // len(task.indices))
            index = task.indices[min(len(task.indices) - 1, (event.step - 1) // per)]
            if self.shown_run is task.run:
                self.panel.strip.show_previews(event.preview[:1], first=index)
            image = event.preview[0]
        else:
            self.panel.strip.show_previews(event.preview)
            chosen = self.panel.strip.chosen()
            index = chosen[0] if chosen else 0
            image = event.preview[min(index, len(event.preview) - 1)]
        if self.overlay is not None and not self.staging.results and task.run.document is self.host.document:
            label = f"Preview of #{index + 1}: step {event.step} of {event.total}"
            self.overlay.show_frame(None)
            self.overlay.show_image(masked_image(image, task.run.alpha256()), task.run.placement.rect, label)

    @Slot(int, object)
    def _on_candidates(self, ticket: int, event: Candidates) -> None:
        task = self.tasks.get(ticket)
        if task is None:
            return
        task.run.candidates = event.images64
        if self.shown_run is task.run:
            self.panel.strip.show_candidates(event.images64, f"Candidates of {task.run.describe()}: "
                                                             "check the ones to upsample")
        if len(event.images64) == 1:
            self.shown_run = task.run
            self.upsample([0])  # nothing to choose between: go straight on
        elif self.clip_ready():
            self._submit(Task(task.run, ranking=True))

    @Slot(int, object)
    def _on_scores(self, ticket: int, event: CandidateScores) -> None:
        task = self.tasks.get(ticket)
        if task is None:
            return
        task.run.scores = dict(enumerate(event.scores))
        if self.shown_run is task.run:
            self.panel.strip.show_scores(task.run.scores)

    @Slot(int, object)
    def _on_result(self, ticket: int, event: Result) -> None:
        task = self.tasks.get(ticket)
        if task is None:
            return
        task.results.append(event.candidate)
        task.run.upsampled[event.candidate] = event.image256
        self._stage_result(task.run, event.candidate, event.image256)

    def _stage_result(self, run: Run, candidate: int, image256: np.ndarray) -> None:
        """Show an upsampled candidate on the canvas (once: staged already, it is shown again)."""
        if run.document is not self.host.document:
            self._status("The generated picture was for a document that is no longer open.")
            return
        self.staging.show_or_add(StagedResult(run, candidate, image256))
        if self.shown_run is run:
            self.panel.strip.show_previews(image256[None], first=candidate)
            self.panel.strip.mark(candidate, "staged")
        self._show_staged()

    @Slot(int, str)
    def _on_failed(self, ticket: int, message: str) -> None:
        task = self.tasks.get(ticket)
        if task is None:
            return  # the window is closing: nobody is waiting for this job any more
        task.failure = message
        QMessageBox.warning(self.panel, "Generation failed", message)

    @Slot(int, bool)
    def _on_finished(self, ticket: int, cancelled: bool) -> None:
        task = self.tasks.pop(ticket, None)
        running = self.jobs is not None and self.jobs.busy
        self.panel.set_busy(running)
        if task is None:
            return
        if cancelled:
            self.panel.show_status(f"Cancelled: {task.describe()}. The document is unchanged.")
        elif task.failure:
            self.panel.show_status(f"Generation failed: {task.failure}")
        elif task.ranking:
            pass  # the scores are under the thumbnails; the status keeps saying what to do
        elif task.upsampling:
            self.panel.show_status(f"{len(task.results)} result(s) staged on the canvas (seed "
                                   f"{task.run.request.seed}): flip through them, then Apply or Discard.")
        elif task.run.candidates is not None and len(task.run.candidates) > 1:
            self.panel.show_status("Check the candidates to upsample, then press Upsample chosen.")
        if not self.staging.results and self.overlay is not None:
            self.overlay.show_image(None, None)
            self.refresh_frame()
        self._show_queue()

    # --- showing ---------------------------------------------------------------------------------
    def _show_staged(self) -> None:
        staged = self.staging.current
        what = "" if staged is None else staged.describe()
        self.panel.staging.show_position(self.staging.index, len(self.staging), what)
        if self.overlay is None:
            return
        if staged is None:
            self.overlay.show_image(None, None)
            self.refresh_frame()
            return
        self.overlay.show_frame(None)
        self.overlay.show_image(*staged.overlay(),
                                f"Staged {self.staging.index + 1} of {len(self.staging)}: not applied yet")

    @Slot()
    def _show_queue(self) -> None:
        if self.jobs is None:
            return
        running = self.jobs.running
        order = ([running] if running is not None else []) + self.jobs.waiting()
        states = {True: "running", False: "waiting"}
        self.panel.queue.show_entries([(t, f"{self.tasks[t].describe()} — {states[t == running]}")
                                       for t in order if t in self.tasks])

    def _status(self, text: str) -> None:
        self.panel.show_status(text)
        self.host.statusBar().showMessage(text, 5000)
