"""Group masks: where a group's mask lies and how it reads anywhere, and which groups may have one.

A group has no pixels and no extent of its own, so its mask covers the canvas, at the canvas's origin
(Krita's transparency mask on a group is a canvas-wide paint device too). Beyond the canvas it reads as
its nearest edge value, so a white (or black) mask stays white (black) wherever the group's layers
reach. It applies to the isolated group's composited result (its projection): alpha x mask / 255.

Pass-through groups take no mask. A pass-through group has no composited result of its own to cut;
Photoshop applies such a mask as a fade between the backdrop and the members' contribution, which
OpenRaster's plain stack cannot hold, so another reader could not show such a file right. The artist is
told to isolate the group first.
"""

from __future__ import annotations

import numpy as np

from glide_desktop.document.affine import Affine
from glide_desktop.document.geometry import Rect

PASS_THROUGH_REFUSAL = ("A mask needs an isolated group: set the group's blend to Normal (or another mode, "
                        "not Pass through) first")
MASKED_PASS_THROUGH_REFUSAL = "A masked group stays isolated: delete its mask before choosing Pass through"


def sample(values: np.ndarray, origin: tuple[int, int], rect: Rect) -> np.ndarray:
    """values (lying with its top-left at origin) over rect, each pixel outside taking its nearest edge."""
    height, width = values.shape[:2]
    if Rect(origin[0], origin[1], width, height).contains(rect):
        return values[rect.slices(*origin)]  # inside: a view, no copy
    ys = np.clip(np.arange(rect.y, rect.bottom) - origin[1], 0, height - 1)
    xs = np.clip(np.arange(rect.x, rect.right) - origin[0], 0, width - 1)
    return values[ys[:, None], xs[None, :]]


def mask_over(mask: np.ndarray, rect: Rect) -> np.ndarray:
    """A group's canvas-wide mask over rect (document coordinates; beyond the canvas, its edge)."""
    return sample(mask, (0, 0), rect)


def refit(values: np.ndarray, bounds: Rect, width: int, height: int) -> np.ndarray:
    """A mask mapped to bounds (an image operation moved or scaled it) as the new canvas's mask."""
    return np.ascontiguousarray(sample(values, (bounds.x, bounds.y), Rect(0, 0, width, height)))


def transformed_mask(mask: np.ndarray, affine: Affine, rows_per_chunk: int = 256) -> np.ndarray:
    """A group's canvas-wide mask carried through affine (Free Transform of the group), on the same canvas.

    Each pixel reads the mask where the inverse map sends its centre, bilinear, the edge repeating
    beyond the canvas (as the mask reads there): whole-pixel moves and quarter turns stay exact.
    """
    height, width = mask.shape
    back = affine.inverse()
    out = np.empty_like(mask)
    xs = np.arange(width, dtype=np.float64) + 0.5
    for top in range(0, height, rows_per_chunk):
        ys = np.arange(top, min(height, top + rows_per_chunk), dtype=np.float64)[:, None] + 0.5
        sx = np.clip(back.a * xs + back.b * ys + back.c - 0.5, 0.0, width - 1)
        sy = np.clip(back.d * xs + back.e * ys + back.f - 0.5, 0.0, height - 1)
        x0, y0 = np.floor(sx).astype(np.intp), np.floor(sy).astype(np.intp)
        fx, fy = sx - x0, sy - y0
        x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
        upper = mask[y0, x0] * (1 - fx) + mask[y0, x1] * fx
        lower = mask[y1, x0] * (1 - fx) + mask[y1, x1] * fx
        out[top: top + ys.shape[0]] = np.rint(upper * (1 - fy) + lower * fy).astype(np.uint8)
    return out
