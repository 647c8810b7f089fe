"""Groups in compositing, as Krita and GIMP draw them, on top of any flat compositor.

An isolated group composites its children alone over transparency into an 8-bit buffer (Krita's group
projection) that then blends like one layer with the group's blend and opacity. A pass-through group
lets its children composite straight onto the backdrop; at an opacity under 1 the result fades back
towards that backdrop (GIMP). A pass-through group at full opacity is exactly its children in its
place, so it is dissolved: a document whose groups are all such stays on the flat fast path. An
invisible group hides everything in it. An isolated group's mask cuts its projection before it blends.

Both compositors (reference and planar) run the same recursion over their own flat path, so they
agree bit for bit wherever their flat paths do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from glide_desktop.document.geometry import Rect
from glide_desktop.document.group_masks import mask_over
from glide_desktop.document.layer import BlendMode, Layer, apply_mask

Flat = Callable[[Sequence[Layer], Rect], np.ndarray]  # layers over exactly rect -> rect.h, rect.w, 4 uint8
_TINY = np.float32(1e-30)


@dataclass
class GroupPlan:
    """A group that needs its own pass: its node and its children's plan (bottom to top)."""

    group: object  # a LayerGroup (typed loosely: this module imports no document structure)
    items: list


def has_groups(nodes: Sequence) -> bool:
    """True when any node is a group (cheap: called once per composited rect)."""
    return any(node.is_group for node in nodes)


def plan(nodes: Sequence) -> list:
    """The flat node list (bottom to top) as a tree of raster Layers and GroupPlans.

    Hidden groups vanish with their contents; full-opacity pass-through groups dissolve into their
    parent. A node whose group is not in the list counts as top level.
    """
    present = {node.uid for node in nodes}
    kids: dict[int | None, list] = {}
    for node in nodes:
        kids.setdefault(node.parent if node.parent in present else None, []).append(node)

    def build(parent: int | None) -> list:
        out: list = []
        for node in kids.get(parent, ()):
            if not node.is_group:
                out.append(node)
            elif node.visible and node.opacity > 0.0:
                inner = build(node.uid)
                if node.pass_through and node.opacity == 1.0:
                    out.extend(inner)
                else:
                    out.append(GroupPlan(node, inner))
        return out

    return build(None)


def is_flat(items: list) -> bool:
    return not any(isinstance(item, GroupPlan) for item in items)


def flattened(nodes: Sequence) -> list[Layer] | None:
    """The raster layers that composite exactly as nodes do, as one flat list (hidden groups' layers
    left out); None when some group needs its own pass (isolated, or pass-through under 100 %)."""
    items = plan(nodes)
    return items if is_flat(items) else None


def render(items: list, rect: Rect, flat: Flat) -> np.ndarray:
    """Composite a plan over exactly rect with flat doing every flat stack."""
    layers: list[Layer] = []
    for item in items:
        if isinstance(item, Layer):
            layers.append(item)
            continue
        group = item.group
        if group.pass_through:
            below = flat(layers, rect)
            over = render([_as_layer(below, rect)] + item.items, rect, flat)
            layers = [_as_layer(fade(below, over, group.opacity), rect)]
        else:
            pixels = render(item.items, rect, flat)
            if group.masked:  # the group's mask cuts its projection (pass-through groups take none)
                pixels = apply_mask(pixels, mask_over(group.mask, rect))
            layers.append(_as_layer(pixels, rect, group.opacity, group.blend))
    return flat(layers, rect)


def _as_layer(pixels: np.ndarray, rect: Rect, opacity: float = 1.0,
              blend: BlendMode = BlendMode.NORMAL) -> Layer:
    return Layer(pixels, opacity=opacity, blend=blend, offset=(rect.x, rect.y), uid=0)


def fade(below: np.ndarray, over: np.ndarray, opacity: float) -> np.ndarray:
    """below + (over - below) x opacity on premultiplied colour, rounded to straight uint8; where over is
    below, below exactly (the backdrop outside the group's layers never takes a rounding trip)."""
    same = below.view(np.uint32)[..., 0] == over.view(np.uint32)[..., 0]  # one compare per pixel
    rows = np.flatnonzero(~same.all(axis=1))
    if rows.size == 0:
        return below
    band = slice(int(rows[0]), int(rows[-1]) + 1)  # only the rows where the group changed something
    out = below.copy()
    out[band] = _fade_planes(below[band], over[band], opacity)
    np.copyto(out[band].view(np.uint32), below[band].view(np.uint32), where=same[band, :, None])
    return out


def _fade_planes(below: np.ndarray, over: np.ndarray, opacity: float) -> np.ndarray:
    b = below.transpose(2, 0, 1).astype(np.float32)  # 4, h, w planes: contiguous rows for every loop
    o = over.transpose(2, 0, 1).astype(np.float32)
    b[:3] *= b[3]  # premultiplied, colour in 0..255 x 255
    o[:3] *= o[3]
    o -= b
    o *= np.float32(opacity)
    o += b
    inverse = np.maximum(o[3], _TINY)  # where alpha is 0 the colour is 0 too: any divisor gives 0
    np.divide(1.0, inverse, out=inverse)
    o[:3] *= inverse
    o += np.float32(0.5)
    np.clip(o, 0.0, 255.0, out=o)
    out = np.empty(below.shape, np.uint8)
    out.transpose(2, 0, 1)[...] = o  # truncating the +0.5 rounds
    return out
