"""Groups in compositing, as Krita and GIMP draw them, on top of any flat compositor.

An isolated group composites its children alone over transparency into an 8-bit buffer (Krita's group
projection) that then blends like one layer with the group's blend and opacity. A pass-through group
lets its children composite straight onto the backdrop; at an opacity under 1 the result fades back
towards that backdrop (GIMP). A pass-through group at full opacity is exactly its children in its
place, so it is dissolved: a document whose groups are all such stays on the flat fast path. An
invisible group hides everything in it.

Both compositors (reference and planar) run the same recursion over their own flat path, so they
agree bit for bit wherever their flat paths do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode, Layer

Flat = Callable[[Sequence[Layer], Rect], np.ndarray]  # layers over exactly rect -> rect.h, rect.w, 4 uint8
_INV255 = np.float32(1.0 / 255.0)


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
            layers.append(_as_layer(pixels, rect, group.opacity, group.blend))
    return flat(layers, rect)


def _as_layer(pixels: np.ndarray, rect: Rect, opacity: float = 1.0,
              blend: BlendMode = BlendMode.NORMAL) -> Layer:
    return Layer(pixels, opacity=opacity, blend=blend, offset=(rect.x, rect.y), uid=0)


def fade(below: np.ndarray, over: np.ndarray, opacity: float) -> np.ndarray:
    """below + (over - below) x opacity on premultiplied colour; where over is below, below exactly."""
    b = _premultiplied(below)
    o = _premultiplied(over)
    o -= b
    o *= np.float32(opacity)
    o += b
    alpha = o[..., 3:4]
    colour = np.divide(o[..., :3], alpha, out=np.zeros_like(o[..., :3]), where=alpha > 0)
    o[..., :3] = colour
    np.clip(o, 0.0, 1.0, out=o)
    o *= 255.0
    o += 0.5
    out = o.astype(np.uint8)
    same = (below == over).all(axis=-1)
    out[same] = below[same]  # untouched backdrop keeps its exact pixels (no rounding trip)
    return out


def _premultiplied(pixels: np.ndarray) -> np.ndarray:
    out = pixels.astype(np.float32)
    out *= _INV255
    out[..., :3] *= out[..., 3:4]
    return out
