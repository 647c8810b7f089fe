"""The square context crop GLIDE sees, and the way back: a generated image as a document layer.

GLIDE works on a small square source with a smaller mask; their sizes, and the coverage that counts
as selected, are the model's and come from the caller as ModelSizes (the engine's types define them;
the document does not import the engine). Inpainting reads a square of the document around the
selection, with some context on each side, and the result is scaled back into that same square,
visible only where the selection was (softened at its edge, see inpaint_composite). Text to image
has no source: its result is placed centred. Pure numpy + Pillow, so it runs without Qt or torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from glide_desktop.document.geometry import Rect
from glide_desktop.document.inpaint_composite import feather_radius, scaled_result, selection_alpha

__all__ = ["ContextCrop", "ModelSizes", "Placement", "context_rect", "feather_radius", "inpaint_crop",
           "place_result", "text2im_placement"]

CONTEXT_PADDING = 0.25  # context on each side, as a fraction of the selection's longer side
MIN_CONTEXT = 128  # document pixels: smaller selections still show the model some surroundings
TEXT2IM_SIDE = 512  # document pixels: a text-to-image result's default size
PAPER = (255, 255, 255)  # what transparent parts of the document look like to the model


@dataclass(frozen=True)
class ModelSizes:
    """What the model takes: a source x source RGB square, a mask x mask coverage, and the threshold."""

    source: int  # px of the square source image
    mask: int  # px of the square selection mask
    threshold: float  # coverage at or above this counts as selected


@dataclass(frozen=True)
class Placement:
    """Where a generated image lands: a square rect in document coordinates and its alpha there."""

    rect: Rect  # may reach past the document's edges when the document is smaller than the square
    alpha: np.ndarray  # rect.h x rect.w float32 in [0, 1]


@dataclass(frozen=True)
class ContextCrop:
    """The inputs of one inpainting: the model's source and selection, and where the result goes back."""

    placement: Placement
    source256: np.ndarray  # source x source x 3 uint8 RGB (ModelSizes.source)
    selection64: np.ndarray  # mask x mask float32 coverage, 1 = regenerate (ModelSizes.mask)

    @property
    def rect(self) -> Rect:
        """The context square in document coordinates."""
        return self.placement.rect


def context_rect(bbox: Rect, width: int, height: int, padding: float = CONTEXT_PADDING,
                 min_side: int = MIN_CONTEXT) -> Rect:
    """A square around bbox with padding on each side, kept inside a width x height document if it fits.

    The side is never shorter than bbox's longer side and never longer than the document's longer
    side unless bbox itself is; along an axis where the document is shorter than the square, the
    square is centred on the document (the caller pads what lies outside).
    """
    if bbox.is_empty():
        raise ValueError("the selection is empty: select the area to regenerate")
    longer = max(bbox.w, bbox.h)
    side = max(math.ceil(longer * (1 + 2 * padding)), min_side)
    side = max(min(side, max(width, height)), longer)
    x = _place_on_axis(bbox.x, bbox.w, width, side)
    y = _place_on_axis(bbox.y, bbox.h, height, side)
    return Rect(x, y, side, side)


def _place_on_axis(start: int, length: int, extent: int, side: int) -> int:
    """Where a side-long span starts: centred on [start, start + length), shifted inside [0, extent)."""
    if side >= extent:
        return (extent - side) // 2
    centred = start + (length - side) // 2
    return min(max(centred, 0), extent - side)


def inpaint_crop(composite: np.ndarray, coverage: np.ndarray, sizes: ModelSizes,
                 padding: float = CONTEXT_PADDING, min_side: int = MIN_CONTEXT,
                 feather: float | None = None) -> ContextCrop:
    """The context crop of a document: composite H, W, 4 uint8 and selection coverage H, W (1 = selected).

    Coverage under sizes.threshold counts as not selected (it is dropped, not only ignored for the
    square). feather: document pixels of soft edge for the placement's alpha (None: automatic).
    """
    composite, coverage = _checked(composite, coverage)
    coverage = np.where(coverage >= sizes.threshold, coverage, 0.0).astype(np.float32)
    height, width = coverage.shape
    bbox = _coverage_bbox(coverage)
    if bbox is None:
        raise ValueError("the selection is empty: select the area to regenerate")
    rect = context_rect(bbox, width, height, padding, min_side)
    rgb = flatten_on_paper(padded_crop(composite, rect, "edge"))  # side, side, 3
    cover = padded_crop(coverage, rect, "constant")  # side, side: nothing is selected outside the document
    # np.array copies: Pillow's buffers are read-only, and torch refuses to wrap those without a warning.
    source = np.array(Image.fromarray(rgb, "RGB").resize((sizes.source,) * 2, Image.Resampling.LANCZOS))
    mask = Image.fromarray(cover, "F").resize((sizes.mask,) * 2, Image.Resampling.BOX)
    selection64 = np.clip(np.array(mask, np.float32), 0.0, 1.0)
    alpha = selection_alpha(coverage, rect, feather)
    return ContextCrop(Placement(rect, alpha), source, selection64)


def text2im_placement(width: int, height: int, side: int = TEXT2IM_SIDE) -> Placement:
    """A fully opaque square centred in the document, side pixels or the document's shorter side."""
    if width <= 0 or height <= 0:
        raise ValueError(f"document size must be positive, got {width}x{height}")
    side = max(1, min(int(side), width, height))
    rect = Rect((width - side) // 2, (height - side) // 2, side, side)
    return Placement(rect, np.ones((side, side), np.float32))


def place_result(image256: np.ndarray, placement: Placement, width: int, height: int) -> np.ndarray:
    """A width x height RGBA layer: the generated image scaled into the placement, alpha from it."""
    rect = placement.rect
    if placement.alpha.shape != (rect.h, rect.w):
        raise ValueError(f"placement alpha {placement.alpha.shape} does not match {rect}")
    scaled = scaled_result(image256, rect)
    layer = np.zeros((height, width, 4), np.uint8)
    inside = rect.clip(width, height)
    if inside.is_empty():
        return layer
    local = inside.translate(-rect.x, -rect.y).slices()
    layer[inside.slices()][..., :3] = scaled[local]
    alpha = np.clip(placement.alpha[local], 0.0, 1.0)
    layer[inside.slices()][..., 3] = np.rint(alpha * 255.0).astype(np.uint8)
    return layer


def _checked(composite: np.ndarray, coverage: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    composite = np.asarray(composite)
    coverage = np.asarray(coverage, np.float32)
    if composite.ndim != 3 or composite.shape[2] != 4 or composite.dtype != np.uint8:
        raise ValueError(f"the composite must be H, W, 4 uint8, got {composite.shape} {composite.dtype}")
    if coverage.shape != composite.shape[:2]:
        raise ValueError(f"selection {coverage.shape} and composite {composite.shape[:2]} differ in size")
    return composite, coverage


def _coverage_bbox(coverage: np.ndarray) -> Rect | None:
    rows = np.flatnonzero(coverage.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(coverage[rows[0]: rows[-1] + 1].any(axis=0))
    return Rect.from_edges(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)


def padded_crop(array: np.ndarray, rect: Rect, mode: str) -> np.ndarray:
    """array's pixels under rect; what lies outside the array is filled by np.pad's mode."""
    height, width = array.shape[:2]
    inside = rect.clip(width, height)
    before = (inside.y - rect.y, inside.x - rect.x)
    after = (rect.bottom - inside.bottom, rect.right - inside.right)
    pad = [(before[0], after[0]), (before[1], after[1])] + [(0, 0)] * (array.ndim - 2)
    part = array[inside.slices()]
    return np.ascontiguousarray(np.pad(part, pad, mode=mode) if any(before + after) else part)


def flatten_on_paper(rgba: np.ndarray) -> np.ndarray:
    """Straight-alpha RGBA over the paper colour -> RGB uint8."""
    alpha = rgba[..., 3:].astype(np.float32) / 255.0
    paper = np.asarray(PAPER, np.float32)
    rgb = rgba[..., :3].astype(np.float32) * alpha + paper * (1.0 - alpha)
    return np.rint(rgb).astype(np.uint8)
