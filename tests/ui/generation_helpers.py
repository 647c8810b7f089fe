"""A scripted engine for the Generate tests, and the steps an artist takes with mouse and keyboard."""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox

from glide_desktop.document.commands import SetSelection
from glide_desktop.document.geometry import Rect
from glide_desktop.document.selection import SelectionOp, rect_coverage
from glide_desktop.engine.types import Candidates, GenerationRequest, Progress, Result
from glide_desktop.jobs.job import CandidateScores, RankJob, UpsampleJob

COLOURS = [(200, 30, 20), (20, 40, 220), (30, 180, 60), (230, 200, 40), (150, 60, 160), (20, 200, 200),
           (90, 90, 90), (250, 250, 250)]


def candidate_images(count: int, size: int) -> np.ndarray:
    """count flat images, each in its own colour."""
    images = np.empty((count, size, size, 3), np.uint8)
    for index in range(count):
        images[index] = COLOURS[index % len(COLOURS)]
    return images


class ScriptedRunner:
    """A fake engine: base steps with previews, candidates, then one result per upsampled candidate.

    A gate (threading.Event) holds each step until it is set or the job is cancelled; fail raises.
    Like the engine, a step's preview is None while the previews flag is clear; `previews` records
    whether each step had one.
    """

    def __init__(self, steps: int = 3, fail: str | None = None, gate: threading.Event | None = None,
                 upsample_gate: threading.Event | None = None):
        self.steps, self.fail, self.gate, self.upsample_gate = steps, fail, gate, upsample_gate
        self.jobs: list[object] = []
        self.previews: list[bool] = []

    @property
    def requests(self):
        return [job for job in self.jobs if isinstance(job, GenerationRequest)]

    def __call__(self, job, cancel, previews=None):
        self.jobs.append(job)
        self._previews_flag = previews
        if isinstance(job, RankJob):
            # A made-up score that tells the candidates apart: the mean red of each image.
            yield CandidateScores(tuple(float(image[..., 0].mean()) / 255.0 for image in job.images))
            return
        if isinstance(job, UpsampleJob):
            yield from self._upsample(job, cancel)
            return
        count = job.candidates
        for step in range(1, self.steps + 1):
            yield Progress("base", step, self.steps, self._preview(candidate_images(count, 64) // 2))
            if not self._wait(self.gate, cancel):
                return
            if self.fail:
                raise RuntimeError(self.fail)
        yield Candidates(candidate_images(count, 64))

    def _upsample(self, job, cancel):
        per = 2
        total = per * len(job.indices)
        for position, index in enumerate(job.indices):
            for step in range(1, per + 1):
                preview = candidate_images(index + 1, 256)[index:] // 3
                yield Progress("upsample", position * per + step, total, self._preview(preview))
                if not self._wait(self.upsample_gate, cancel):
                    return
            yield Result(candidate_images(index + 1, 256)[index], candidate=index)

    def _preview(self, image):
        wanted = self._previews_flag is None or self._previews_flag.is_set()
        self.previews.append(wanted)
        return image if wanted else None

    @staticmethod
    def _wait(gate, cancel) -> bool:
        while gate is not None and not gate.is_set() and not cancel.is_set():
            gate.wait(0.01)
        return not cancel.is_set()


def select(win, rect: Rect) -> None:
    """Replace the selection by a rectangle (one undo step, as the rectangle tool makes)."""
    doc = win.document
    cover = rect_coverage(doc.size, rect)
    win.push(SetSelection.from_change(doc, lambda s: s.combine(SelectionOp.REPLACE, cover)))


def click(qtbot, widget) -> None:
    """A left click in the middle of a widget (on a check box: on its box, which is what takes clicks)."""
    if isinstance(widget, QCheckBox):
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))
        return
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_prompt(qtbot, panel, prompt: str, seed: int) -> None:
    """Type the prompt and a seed the way an artist does."""
    panel.prompt_edit.clear()
    qtbot.keyClicks(panel.prompt_edit, prompt)
    panel.seed_spin.setValue(seed)


def document_state(win) -> tuple:
    """Every layer's full state and the undo count."""
    return tuple(layer.state() for layer in win.document.layers), win.undo.stack.count()
