"""The detail pass on a document's generated layer: its upscale, its plan, and the undo step."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from glide_desktop.document.commands import PixelEdit
from glide_desktop.document.compositing import composite
from glide_desktop.document.detail_plan import DetailOutput, DetailPlan, apply_detail, plan_region
from glide_desktop.document.detail_tiles import effective_upscale
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.inpaint_crop import flatten_on_paper, padded_crop
from glide_desktop.document.layer import Layer

DETAIL_KEY = "detail_pass"  # the layer metadata entry that records a pass


def generated_upscale(layer: Layer | None) -> float | None:
    """How far a generated layer's 256 px image is stretched (its metadata's crop); None if not generated."""
    crop = None if layer is None else layer.metadata.get("crop")
    if not isinstance(crop, (list, tuple)) or len(crop) != 4:
        return None
    try:
        side = max(int(crop[2]), int(crop[3]))
        return effective_upscale(side)
    except (TypeError, ValueError):
        return None


def _region_rgb(pixels: np.ndarray, inside: Rect, region: Rect) -> np.ndarray:
    """RGBA pixels of `inside` flattened on paper and edge-padded out to `region`."""
    pad = ((inside.y - region.y, region.bottom - inside.bottom),
           (inside.x - region.x, region.right - inside.right), (0, 0))
    return np.pad(flatten_on_paper(pixels), pad, mode="edge")


def plan_for_layer(doc: Document, uid: int) -> DetailPlan:
    """A pass over a generated layer: its alpha is the selection, the other layers the original."""
    layer = doc.layer_by_uid(uid)
    upscale = generated_upscale(layer)
    if upscale is None:
        raise ValueError(f"layer “{layer.name}” was not generated: it has no crop to detail")
    bounds = layer.content_bounds().translate(*layer.offset).clip(doc.width, doc.height)
    if bounds.is_empty():
        raise ValueError(f"layer “{layer.name}” is empty: nothing to detail")
    region = plan_region(bounds, doc.width, doc.height, upscale)
    inside = region.clip(doc.width, doc.height)
    others = [other for other in doc.layers if other.uid != uid]
    original = _region_rgb(composite(others, doc.width, doc.height, inside), inside, region)
    current = _region_rgb(doc.composite(inside), inside, region)
    in_layer = region.translate(-layer.offset[0], -layer.offset[1])
    # What the layer shows is the selection: a mask built from it (see alpha_as_mask) counts too.
    alpha = padded_crop(layer.shown_pixels((slice(None), slice(None)))[..., 3], in_layer, "constant")
    coverage = alpha.astype(np.float32) / 255.0
    outside = np.ones(coverage.shape, bool)
    outside[inside.translate(-region.x, -region.y).slices()] = False
    coverage[outside] = 0.0  # past the document's edge nothing is repainted
    return DetailPlan(region, doc.size, original, current, coverage, upscale)


class DetailApplied(PixelEdit):
    """The pass's result as one step: the generated layer's new pixels and its metadata noting the pass."""

    def __init__(self, doc: Document, uid: int, output: DetailOutput, note: dict[str, Any],
                 text: str = "Detail pass") -> None:
        layer = doc.layer_by_uid(uid)
        rect, after = apply_detail(layer.pixels, layer.offset, output)
        super().__init__(uid, rect, layer.pixels[rect.slices()].copy(), after, text=text)
        self.metadata_before = copy.deepcopy(layer.metadata)
        self.metadata_after = copy.deepcopy(layer.metadata)
        self.metadata_after.setdefault(DETAIL_KEY, [])
        self.metadata_after[DETAIL_KEY] = [*self.metadata_after[DETAIL_KEY], dict(note)]

    def redo(self, doc: Document) -> None:
        super().redo(doc)
        doc.set_layer_property(self.layer_uid, "metadata", copy.deepcopy(self.metadata_after))

    def undo(self, doc: Document) -> None:
        super().undo(doc)
        doc.set_layer_property(self.layer_uid, "metadata", copy.deepcopy(self.metadata_before))


def detail_preview(doc: Document, uid: int, output: DetailOutput) -> tuple[Rect, np.ndarray]:
    """The layer's pixels as the pass would leave them, where they change: document rect and RGBA."""
    layer = doc.layer_by_uid(uid)
    rect, after = apply_detail(layer.pixels, layer.offset, output)
    return rect.translate(*layer.offset), after
