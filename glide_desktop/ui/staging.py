"""Results waiting to be applied: a list to flip through, and the one undo step that applies one.

Upsampled candidates (StagedResult) and finished detail passes (StagedDetail) wait the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtGui import QImage

from glide_desktop.document.commands import AddLayer, Command, ReplaceLayer
from glide_desktop.document.detail_layer import DetailApplied, detail_preview
from glide_desktop.document.detail_plan import DetailOutput
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.inpaint_composite import colour_offset, feather_radius, scaled_result
from glide_desktop.document.inpaint_crop import place_result
from glide_desktop.document.layer import Layer
from glide_desktop.document.mask_commands import alpha_as_mask
from glide_desktop.ui.canvas.generation_overlay import masked_image
from glide_desktop.ui.generation_runs import Run
from glide_desktop.ui.images import array_to_qimage

NAME_LENGTH = 60  # characters of the prompt kept in a layer's name


@dataclass(frozen=True)
class StagedResult:
    """One upsampled candidate of a run, shown on the canvas but not in the document."""

    run: Run
    candidate: int
    image256: np.ndarray

    @property
    def document(self) -> Document:
        """The document the result is for."""
        return self.run.document

    def describe(self) -> str:
        """What the staging bar and the status line call it."""
        return f"candidate #{self.candidate + 1}, seed {self.run.request.seed}"

    def overlay(self) -> tuple[QImage, Rect]:
        """The picture drawn over the canvas and where."""
        return masked_image(self.image256, self.run.alpha256()), self.run.placement.rect


@dataclass(frozen=True)
class StagedDetail:
    """A finished detail pass on a generated layer, shown on the canvas but not in the document."""

    document: Document
    uid: int  # the generated layer it repaints
    output: DetailOutput = field(repr=False)
    note: dict[str, Any] = field(default_factory=dict)  # what the layer's metadata will record

    def describe(self) -> str:
        """What the staging bar and the status line call it."""
        return f"detail pass, {self.note.get('tiles', '?')} tiles"

    def overlay(self) -> tuple[QImage, Rect]:
        """The layer's repainted pixels over where they lie."""
        rect, rgba = detail_preview(self.document, self.uid, self.output)
        return array_to_qimage(rgba), rect


def layer_name(prompt: str) -> str:
    """'GLIDE: ' and the prompt, cut to a readable length."""
    name = prompt if len(prompt) <= NAME_LENGTH else prompt[: NAME_LENGTH - 1] + "…"
    return f"GLIDE: {name}"


def apply_command(staged: StagedResult | StagedDetail) -> Command:
    """The one undo step that applies a staged result: a new layer, one in a re-rolled layer's place,
    or a detail pass's pixels in its layer."""
    if isinstance(staged, StagedDetail):
        return DetailApplied(staged.document, staged.uid, staged.output, staged.note)
    run = staged.run
    # The feathered selection becomes the layer's mask, so the blend can be repainted, not regenerated.
    placed = place_result(colour_matched(staged.image256, run), run.placement, *run.size)
    pixels, mask = alpha_as_mask(placed, run.placement.rect)
    metadata = dict(run.metadata, candidate=staged.candidate)
    layer = Layer(pixels, name=layer_name(run.request.prompt), metadata=metadata, mask=mask)
    name = layer.name.removeprefix("GLIDE: ")
    if run.replaces is not None and run.document.find_layer(run.replaces) is not None:
        return ReplaceLayer(run.replaces, layer, text=f"Re-roll “{name}”")
    return AddLayer(layer, text=f"Generate “{name}”")


def colour_matched(image256: np.ndarray, run: Run) -> np.ndarray:
    """The result shifted by the mean difference from the picture just outside the selection (if asked)."""
    if run.surroundings is None:
        return image256
    picture, coverage = run.surroundings
    rect = run.placement.rect
    inside = rect.clip(*run.size)
    generated = scaled_result(image256, rect)[inside.translate(-rect.x, -rect.y).slices()]
    feather = run.metadata.get("feather")
    ring = 4.0 * (feather if isinstance(feather, (int, float)) else feather_radius(rect.w))  # as blend_into
    offset = colour_offset(generated, picture, coverage, ring)  # 3: a constant shift, so it scales
    return np.clip(np.rint(image256.astype(np.float32) + offset), 0, 255).astype(np.uint8)


class Staging:
    """The staged results, in arrival order, and which one is shown."""

    def __init__(self) -> None:
        self.results: list[StagedResult | StagedDetail] = []
        self.index = 0

    def __len__(self) -> int:
        return len(self.results)

    @property
    def current(self) -> StagedResult | StagedDetail | None:
        """The result shown on the canvas."""
        return self.results[self.index] if self.results else None

    def add(self, result: StagedResult | StagedDetail) -> None:
        """Stage a result and show it."""
        self.results.append(result)
        self.index = len(self.results) - 1

    def show_or_add(self, result: StagedResult) -> None:
        """Stage a result and show it; the same candidate of the same run, staged already, is shown."""
        for index, staged in enumerate(self.results):
            same_run = isinstance(staged, StagedResult) and staged.run is result.run
            if same_run and staged.candidate == result.candidate:
                self.index = index
                return
        self.add(result)

    def flip(self, step: int) -> None:
        """Show the next (+1) or previous (-1) result, wrapping around."""
        if self.results:
            self.index = (self.index + step) % len(self.results)

    def clear(self) -> None:
        """Drop every staged result."""
        self.results, self.index = [], 0

    def drop_other_documents(self, document: Document | None) -> None:
        """Forget what was staged for any document but this one."""
        self.results = [r for r in self.results if r.document is document]
        self.index = min(self.index, max(0, len(self.results) - 1))

    def drop_run(self, run: Run) -> None:
        """Forget the results of one run."""
        self.results = [r for r in self.results if getattr(r, "run", None) is not run]
        self.index = min(self.index, max(0, len(self.results) - 1))
