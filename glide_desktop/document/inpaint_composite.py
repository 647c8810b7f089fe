"""Putting a generated 256 px square back into the picture: feathered inside the selection, colour-matched.

The generated image is scaled over its context square and blended in with the selection as alpha,
softened inwards by a feather width, so a soft selection stays soft and nothing outside the selection
is covered: pixels where the selection's coverage is 0 come back bit-identical, always. Colour matching
shifts the generated pixels by the average difference between the picture and the generated image in
a ring just outside the selection, where the model was asked to reproduce the picture. Pure numpy +
Pillow (no Qt, no torch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from glide_desktop.document.geometry import Rect
from glide_desktop.document.morphology import gaussian_blur

MIN_RING = 4.0  # document pixels of surroundings that colour matching reads, at least


@dataclass(frozen=True)
class Blend:
    """How a generated square is blended in: feather width and colour matching."""

    # Document pixels of soft edge inside the selection; None: automatic; 0: a hard edge.
    feather: float | None = None
    match_colour: bool = False


def feather_radius(side: int) -> float:
    """The automatic feather for a context square of side px: about one generated pixel, never under two."""
    return max(2.0, side / 128.0)


def selection_alpha(coverage: np.ndarray, rect: Rect, feather: float | None = None) -> np.ndarray:
    """The selection's coverage under rect (rect.h x rect.w float32), softened inwards by feather px.

    Inwards only (the minimum of the coverage and its blur): nothing outside the selection is covered,
    and a soft selection is never made harder. The blur stays within the document, so a selection
    touching the document's edge stays solid there.
    """
    height, width = coverage.shape
    radius = feather_radius(rect.w) if feather is None else max(0.0, float(feather))
    inside = rect.clip(width, height)
    part = np.asarray(coverage[inside.slices()], np.float32)
    soft = np.minimum(part, gaussian_blur(part, radius / 2.0)) if radius > 0 else part
    alpha = np.zeros((rect.h, rect.w), np.float32)
    alpha[inside.translate(-rect.x, -rect.y).slices()] = np.clip(soft, 0.0, 1.0)
    return alpha


def scaled_result(image256: np.ndarray, rect: Rect) -> np.ndarray:
    """The generated image (H, W, 3 uint8) scaled to rect's size (Lanczos)."""
    image = np.asarray(image256)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"a generated image must be H, W, 3 uint8, got {image.shape} {image.dtype}")
    return np.asarray(Image.fromarray(image, "RGB").resize((rect.w, rect.h), Image.Resampling.LANCZOS))


def colour_offset(generated: np.ndarray, picture: np.ndarray, coverage: np.ndarray,
                  ring: float) -> np.ndarray:
    """Per-channel mean of picture - generated over a ring of about `ring` px just outside the selection.

    generated and picture are h, w, 3 over the same area, coverage h, w. Zero when there is no ring
    (the selection covers everything).
    """
    near = gaussian_blur(np.asarray(coverage, np.float32), max(MIN_RING, ring) / 2.0)
    weight = np.clip(near * 4.0, 0.0, 1.0) * (1.0 - coverage)  # h, w: close to the selection, outside it
    total = float(weight.sum())
    if total < 1e-6:
        return np.zeros(3, np.float32)
    difference = picture.astype(np.float32) - generated.astype(np.float32)  # h, w, 3
    return (difference * weight[..., None]).sum(axis=(0, 1)) / total


def blend_into(picture: np.ndarray, image256: np.ndarray, rect: Rect, coverage: np.ndarray,
               blend: Blend = Blend()) -> np.ndarray:
    """picture (H, W, 3 or 4 uint8) with the generated square blended in under the selection.

    rect is the context square the image was generated for (it may reach past the picture's edges);
    coverage is the selection, H, W in [0, 1]. A copy is returned; where the feathered coverage is 0
    every byte is the picture's own.
    """
    picture = np.asarray(picture)
    if picture.ndim != 3 or picture.shape[2] not in (3, 4) or picture.dtype != np.uint8:
        raise ValueError(f"the picture must be H, W, 3 or 4 uint8, got {picture.shape} {picture.dtype}")
    if coverage.shape != picture.shape[:2]:
        raise ValueError(f"selection {coverage.shape} and picture {picture.shape[:2]} differ in size")
    out = picture.copy()
    height, width = coverage.shape
    inside = rect.clip(width, height)
    if inside.is_empty():
        return out
    local = inside.translate(-rect.x, -rect.y).slices()
    alpha = selection_alpha(coverage, rect, blend.feather)[local]  # h, w
    generated = scaled_result(image256, rect)[local].astype(np.float32)  # h, w, 3
    region = out[inside.slices()]  # a view: written in place below
    if blend.match_colour:
        ring = blend.feather if blend.feather is not None else feather_radius(rect.w)
        offset = colour_offset(generated, region[..., :3], coverage[inside.slices()], 4.0 * ring)
        generated = generated + offset
    touched = alpha > 0
    _blend_pixels(region, np.clip(generated, 0.0, 255.0), alpha, touched)
    return out


def _blend_pixels(region: np.ndarray, generated: np.ndarray, alpha: np.ndarray, touched: np.ndarray) -> None:
    """Opaque generated pixels over region (straight alpha, 'over'), only where touched."""
    a = alpha[touched][:, None]  # n, 1
    old = region[touched].astype(np.float32)  # n, 3 or 4
    new = generated[touched]  # n, 3
    if region.shape[2] == 3:
        region[touched] = np.rint(new * a + old * (1.0 - a)).astype(np.uint8)
        return
    old_a = old[:, 3:] / 255.0  # n, 1
    out_a = a + old_a * (1.0 - a)  # > 0 wherever a > 0
    rgb = (new * a + old[:, :3] * old_a * (1.0 - a)) / out_a
    region[touched] = np.concatenate([np.rint(rgb), np.rint(out_a * 255.0)], axis=1).astype(np.uint8)
