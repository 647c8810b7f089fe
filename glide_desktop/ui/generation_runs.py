"""A run: one request to the engine and everything fixed at submit time (crop, placement, metadata).

Cutting the crop when the artist presses Generate means later edits cannot move where the
result lands. Variation and sketch use the selection's crop too (the whole picture when nothing
is selected); sketch reads the active layer alone, flattened on white, as its source.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glide_desktop.crops import glide_crop
from glide_desktop.document.compositing import composite_rect
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.inpaint_crop import MIN_CONTEXT, Placement, context_rect, text2im_placement
from glide_desktop.document.layer import Layer
from glide_desktop.engine.types import IMAGE_SIZE as SOURCE_SIZE
from glide_desktop.engine.types import GenerationRequest, Mode, SamplerName
from glide_desktop.jobs.job import Job, RankJob, UpsampleJob
from glide_desktop.ui.generate_options import GenerationSettings

MODEL_FILES = {Mode.INPAINT: ["base_inpaint.pt", "upsample_inpaint.pt"]}
PLAIN_FILES = ["base.pt", "upsample.pt"]
CLIP_FILES = ["clip_image_enc.pt", "clip_text_enc.pt"]
WARN_ABOVE = 2.0  # upscale factor above which the panel suggests a smaller selection


@dataclass
class Run:
    """One Generate (or re-roll): its request, where the result goes, and what came back."""

    document: Document
    size: tuple[int, int]
    placement: Placement
    request: GenerationRequest
    metadata: dict[str, Any] = field(default_factory=dict)
    replaces: int | None = None  # the uid of the generated layer a re-roll replaces
    candidates: np.ndarray | None = None  # N x 64 x 64 x 3 once the base stage is done
    scores: dict[int, float] = field(default_factory=dict)  # CLIP score per candidate, when ranked
    # Each upsampled candidate's 256 px result: its noise is seeded from the request alone, so asking
    # for it again (after a Discard) gives these same pixels, without running the upsampler again.
    upsampled: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    # For colour matching: the picture (RGB) and selection under the crop, as they were at submit.
    surroundings: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _alpha256: np.ndarray | None = field(default=None, repr=False)

    def describe(self) -> str:
        """A short line for the queue and the status."""
        verb = "Re-roll" if self.replaces is not None else self.request.mode.value.capitalize()
        prompt = self.request.prompt if len(self.request.prompt) <= 30 else self.request.prompt[:29] + "…"
        return f"{verb} “{prompt}” (seed {self.request.seed})"

    def alpha256(self) -> np.ndarray:
        """Where the result shows, at the overlay's size (computed once)."""
        if self._alpha256 is None:
            from glide_desktop.ui.canvas.generation_overlay import alpha_at_overlay_size

            self._alpha256 = alpha_at_overlay_size(self.placement.alpha)
        return self._alpha256


@dataclass
class Task:
    """A queued job: the base stage of a run, the upsampling of some of its candidates, or their ranking."""

    run: Run
    indices: tuple[int, ...] = ()  # empty: the base stage
    ranking: bool = False  # CLIP scores for the run's candidates
    failure: str = ""
    results: list[int] = field(default_factory=list)

    @property
    def upsampling(self) -> bool:
        return bool(self.indices)

    def job(self) -> Job:
        """What the job thread runs for this task."""
        run = self.run
        if self.ranking:
            return RankJob(run.request, run.candidates)
        if self.upsampling:
            return UpsampleJob(run.request, run.candidates, self.indices)
        return run.request

    def describe(self) -> str:
        what = self.run.describe()
        if self.ranking:
            return f"CLIP scores for {what}"
        if self.upsampling:
            return f"Upsample #{', #'.join(str(i + 1) for i in self.indices)} of {what}"
        return what


def resolution_note(side: int) -> tuple[str, bool]:
    """'700 px → 256 px: 2.7× upscale' and whether it deserves a warning."""
    factor = side / SOURCE_SIZE
    if factor <= 1.0:
        return f"{side} px → {SOURCE_SIZE} px: full resolution", False
    return f"{side} px → {SOURCE_SIZE} px: {factor:.1f}× upscale", factor > WARN_ABOVE


def resolution_advice(side: int) -> tuple[str, bool]:
    """The panel's line: the note, plus a suggestion when the crop is blown up more than 2×."""
    note, warning = resolution_note(side)
    if not warning:
        return note, False
    return (f"{note}. GLIDE paints {SOURCE_SIZE} px, so details come out blurry: select a smaller area "
            f"(a crop under {int(SOURCE_SIZE * WARN_ABOVE)} px with its context) or lower Context.", True)


def context_square(doc: Document, context: float, mode: Mode) -> Rect | None:
    """The square the model will see for the current selection (None for text to image)."""
    if mode is Mode.TEXT2IM:
        return None
    box = doc.selection.bbox() or doc.bounds
    return context_rect(box, doc.width, doc.height, context, MIN_CONTEXT)


def request_for(settings: GenerationSettings, mode: Mode, source: np.ndarray | None = None,
                selection: np.ndarray | None = None) -> GenerationRequest:
    """The engine request for the base stage (upsampling is asked for later, per chosen candidate)."""
    return GenerationRequest(
        mode=mode, prompt=settings.prompt, negative_prompt=settings.negative_prompt, seed=settings.seed,
        sampler=settings.sampler, steps=settings.steps, upsample_steps=settings.upsample_steps,
        upsample_sampler=settings.upsample_sampler, guidance=settings.guidance,
        clip_guidance=settings.clip_guidance, candidates=settings.candidates, strength=settings.strength,
        upsample=False, source256=source, selection64=selection, precision=settings.precision,
    )


def prepare_runs(doc: Document, settings: GenerationSettings) -> list[Run]:
    """The runs a Generate makes: one, or one per separate region when the artist asks for that."""
    mode = settings.mode
    if mode is Mode.TEXT2IM:
        placement = text2im_placement(doc.width, doc.height)
        return [_run(doc, settings, request_for(settings, mode), placement)]
    if mode is Mode.INPAINT and doc.selection.is_empty():
        raise ValueError("Inpainting needs a selection: select the area to repaint first.")
    coverage = doc.selection.coverage
    if doc.selection.is_empty():
        coverage = np.ones_like(coverage)  # variation and sketch of the whole picture
    pictures = _source_pixels(doc, mode)
    parts = [coverage]
    if settings.by_region:
        parts = [_region_coverage(coverage, c.bbox, c.mask) for c in doc.selection.components()] or parts
    runs = []
    for part in parts:
        crop = glide_crop(pictures, part, settings.context, MIN_CONTEXT, settings.feather)
        request = request_for(settings, mode, crop.source256, crop.selection64)
        run = _run(doc, settings, request, crop.placement)
        if settings.match_colour:
            run.surroundings = surroundings(doc.composite(), part, crop.placement.rect)
        runs.append(run)
    return runs


def reroll_run(doc: Document, layer: Layer, settings: GenerationSettings) -> Run:
    """A new run for a generated layer: its crop and mask, the given settings (a new seed, maybe prompt)."""
    meta = layer.metadata
    x, y, w, h = (int(v) for v in meta["crop"])
    rect = Rect(x, y, w, h)
    mode = Mode(meta.get("mode", Mode.INPAINT.value))
    settings = dataclasses.replace(settings, mode=mode, context=float(meta.get("context", settings.context)))
    alpha = np.zeros((h, w), np.float32)
    inside = rect.clip(doc.width, doc.height)
    local = inside.translate(-rect.x, -rect.y)
    full = _layer_alpha(doc, layer)
    alpha[local.slices()] = full[inside.slices()]
    placement = Placement(rect, alpha)
    if mode is Mode.TEXT2IM:
        return _run(doc, settings, request_for(settings, mode), placement, replaces=layer.uid)
    below = [other for other in doc.layers if other.uid != layer.uid]
    pictures = composite_rect(below, doc.bounds) if mode is not Mode.SKETCH else _source_pixels(doc, mode)
    coverage = (full > 0).astype(np.float32)
    crop = glide_crop(pictures, coverage, settings.context, MIN_CONTEXT)
    if crop.rect != rect:
        raise ValueError(f"its area no longer gives the crop it was made from ({crop.rect}, not {rect})")
    request = request_for(settings, mode, crop.source256, crop.selection64)
    run = _run(doc, settings, request, placement, replaces=layer.uid)
    if settings.match_colour:
        run.surroundings = surroundings(pictures, coverage, rect)
    return run


def surroundings(composite: np.ndarray, coverage: np.ndarray, rect: Rect) -> tuple[np.ndarray, np.ndarray]:
    """The picture's RGB and the selection under rect's part inside the document (for colour matching)."""
    inside = rect.clip(coverage.shape[1], coverage.shape[0])
    return composite[inside.slices()][..., :3].copy(), coverage[inside.slices()].copy()


def settings_from_metadata(meta: dict[str, Any], fallback: GenerationSettings) -> GenerationSettings:
    """The settings a generated layer was made with (values it lacks come from fallback)."""
    def value(key: str, kind: type, default: Any) -> Any:
        found = meta.get(key, default)
        return kind(found) if found is not None else default

    upsampler = meta.get("upsample_sampler")
    return dataclasses.replace(
        fallback,
        prompt=value("prompt", str, fallback.prompt),
        negative_prompt=value("negative_prompt", str, ""),
        seed=value("seed", int, fallback.seed),
        sampler=SamplerName(meta.get("sampler", fallback.sampler.value)),
        steps=value("steps", int, fallback.steps),
        guidance=value("guidance", float, fallback.guidance),
        mode=Mode(meta.get("mode", fallback.mode.value)),
        preset=value("preset", str, fallback.preset),
        candidates=value("candidates", int, fallback.candidates),
        upsample_steps=value("upsample_steps", int, fallback.upsample_steps),
        upsample_sampler=SamplerName(upsampler) if upsampler else None,
        clip_guidance=value("clip_guidance", float, 0.0),
        strength=value("strength", float, fallback.strength),
        context=value("context", float, fallback.context),
        feather=value("feather", float, None),
        match_colour=bool(meta.get("match_colour", False)),
    )


def _layer_alpha(doc: Document, layer: Layer) -> np.ndarray:
    """The layer's alpha in [0, 1] over the whole document."""
    alpha = np.zeros((doc.height, doc.width), np.float32)
    inside = layer.bounds.clip(doc.width, doc.height)
    # What the layer shows: an applied result keeps its feathered selection in its mask.
    alpha[inside.slices()] = layer.shown_pixels(inside.slices(*layer.offset))[..., 3] / 255.0
    return alpha


def _region_coverage(coverage: np.ndarray, box: Rect, mask: np.ndarray) -> np.ndarray:
    part = np.zeros_like(coverage)
    part[box.slices()] = np.where(mask, coverage[box.slices()], 0.0)
    return part


def _source_pixels(doc: Document, mode: Mode) -> np.ndarray:
    """What the model reads: the composite, or for a sketch the active layer (or group) alone."""
    node = doc.active_node
    if mode is Mode.SKETCH and node is not None:
        start, end = doc.block(node.uid)  # a group sketches with everything in it, as it shows
        return composite_rect(doc.layers[start: end - 1] + [dataclasses.replace(node, visible=True)],
                              doc.bounds)
    return doc.composite()


def _run(doc: Document, settings: GenerationSettings, request: GenerationRequest, placement: Placement,
         replaces: int | None = None) -> Run:
    return Run(doc, doc.size, placement, request, metadata=layer_metadata(request, placement, settings),
               replaces=replaces)


def layer_metadata(request: GenerationRequest, placement: Placement, settings: GenerationSettings) -> dict:
    """What made a generated layer, in plain JSON values (saved with the document)."""
    rect = placement.rect
    files = MODEL_FILES.get(request.mode, PLAIN_FILES) + (CLIP_FILES if request.clip_guidance > 0 else [])
    meta: dict[str, Any] = {
        "generator": "GLIDE",
        "mode": request.mode.value,
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "seed": request.seed,
        "preset": settings.preset,
        "sampler": request.sampler.value,
        "steps": request.steps,
        "upsample_steps": request.upsample_steps,
        "guidance": request.guidance,
        "candidates": request.candidates,
        "crop": [rect.x, rect.y, rect.w, rect.h],
        "context": settings.context,
        "feather": settings.feather,
        "match_colour": settings.match_colour,
        "model_files": files,
    }
    if request.upsample_sampler is not None:
        meta["upsample_sampler"] = request.upsample_sampler.value
    if request.clip_guidance > 0:
        meta["clip_guidance"] = request.clip_guidance
    if request.mode in (Mode.VARIATION, Mode.SKETCH):
        meta["strength"] = request.strength
    return meta
