"""Upsampled results waiting to be applied: a list to flip through, and the one undo step that applies one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glide_desktop.document.commands import AddLayer, Command, ReplaceLayer
from glide_desktop.document.inpaint_crop import place_result
from glide_desktop.document.layer import Layer
from glide_desktop.ui.generation_runs import Run

NAME_LENGTH = 60  # characters of the prompt kept in a layer's name


@dataclass(frozen=True)
class StagedResult:
    """One upsampled candidate of a run, shown on the canvas but not in the document."""

    run: Run
    candidate: int
    image256: np.ndarray


def layer_name(prompt: str) -> str:
    """'GLIDE: ' and the prompt, cut to a readable length."""
    name = prompt if len(prompt) <= NAME_LENGTH else prompt[: NAME_LENGTH - 1] + "…"
    return f"GLIDE: {name}"


def apply_command(staged: StagedResult) -> Command:
    """The one undo step that applies a staged result: a new layer, or one in a re-rolled layer's place."""
    run = staged.run
    pixels = place_result(staged.image256, run.placement, *run.size)
    metadata = dict(run.metadata, candidate=staged.candidate)
    layer = Layer(pixels, name=layer_name(run.request.prompt), metadata=metadata)
    name = layer.name.removeprefix("GLIDE: ")
    if run.replaces is not None and run.document.find_layer(run.replaces) is not None:
        return ReplaceLayer(run.replaces, layer, text=f"Re-roll “{name}”")
    return AddLayer(layer, text=f"Generate “{name}”")


class Staging:
    """The staged results, in arrival order, and which one is shown."""

    def __init__(self) -> None:
        self.results: list[StagedResult] = []
        self.index = 0

    def __len__(self) -> int:
        return len(self.results)

    @property
    def current(self) -> StagedResult | None:
        """The result shown on the canvas."""
        return self.results[self.index] if self.results else None

    def add(self, result: StagedResult) -> None:
        """Stage a result and show it."""
        self.results.append(result)
        self.index = len(self.results) - 1

    def flip(self, step: int) -> None:
        """Show the next (+1) or previous (-1) result, wrapping around."""
        if self.results:
            self.index = (self.index + step) % len(self.results)

    def clear(self) -> None:
        """Drop every staged result."""
        self.results, self.index = [], 0

    def drop_run(self, run: Run) -> None:
        """Forget the results of one run."""
        self.results = [r for r in self.results if r.run is not run]
        self.index = min(self.index, max(0, len(self.results) - 1))
