"""What a drag's preview is made of, read off the document's node list (no Qt, no pixels).

The moving piece is a layer, or a group's layers composited alone as one block (they all move by the
same delta, so the block only translates). Below it lies what is composited once underneath; above it,
planes each drawn with one blend. When the piece sits in a group that needs its own pass (isolated, or
pass-through under 100 %), that group is the `Host`: its own layers below and above the piece are
prepared too, and each move composites the host's block before it joins the picture, as the document
will. Full-opacity pass-through groups dissolve (group_compositing.plan), so they never host.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from glide_desktop.document.geometry import Rect
from glide_desktop.document.group_compositing import GroupPlan, plan
from glide_desktop.document.layer import BlendMode, Layer


@dataclass
class PlaneSpec:
    """Nodes composited together over transparency, then drawn with `blend` at `opacity`."""

    nodes: list
    blend: BlendMode = BlendMode.NORMAL
    opacity: float = 1.0


@dataclass
class Block:
    """The moving piece: one layer's own pixels, or a group's nodes composited alone over `rect`."""

    uid: int
    rect: Rect  # document pixels at the drag's start (a layer: its offset and size)
    blend: BlendMode
    opacity: float
    visible: bool
    layer: Layer | None = None
    nodes: list = field(default_factory=list)
    # A pass-through group whose layers blend on their own: them, drawn in turn at one offset (a run
    # of normal layers as one part); empty: the block is one picture.
    parts: list[Block] = field(default_factory=list)


@dataclass
class Host:
    """The group holding the piece that needs its own pass. below: the nodes its picture starts from
    (isolated: its own layers under the piece; pass-through: everything under the piece)."""

    isolated: bool
    blend: BlendMode
    opacity: float
    below: list
    above: list[PlaneSpec]


@dataclass
class DragScene:
    """below: nodes under the piece (or under its host); above: planes over it (or over the host)."""

    below: list
    piece: Block
    above: list[PlaneSpec]
    host: Host | None = None


def dissolves(group: Any) -> bool:
    """True when a group composites exactly as its children in its place (pass-through at 100 %)."""
    return group.pass_through and group.opacity == 1.0


def scene_for(doc: Any, uid: int) -> DragScene | None:
    """How to preview dragging node uid; None where no prepared preview can show it (it lands on
    release): a hidden group holds it, two groups with their own pass nest round it, a masked group
    holds it (its mask stays put) or is dragged (its mask moves on release), or a pass-through group
    under 100 % lies above it (it fades against a backdrop that moves)."""
    node = doc.find_layer(uid)
    if node is None:
        return None
    ancestors = doc.ancestors(uid)
    if any(not group.visible or group.opacity <= 0.0 for group in ancestors):
        return None
    own = [group for group in ancestors if not dissolves(group)]
    if len(own) > 1 or any(group.masked for group in own) or (node.is_group and _masks_inside(doc, node)):
        return None  # a group's mask stays where it is while what it cuts moves: no block can show that
    nodes, (start, end) = doc.layers, doc.block(uid)
    piece = _block(doc, node)
    if piece.parts and node.opacity < 1.0:
        if own:
            piece.parts = []  # two fades nest: as one block (exact when its layers blend normally)
        else:  # the group's fade over the backdrop: the group is its own host
            above = planes(doc, nodes[end:])
            piece.opacity = 1.0
            fade = Host(False, BlendMode.NORMAL, node.opacity, nodes[:start], [])
            return None if above is None else DragScene(nodes[:start], piece, above, fade)
    if not own:
        above = planes(doc, nodes[end:])
        return None if above is None else DragScene(nodes[:start], piece, above)
    host = own[0]
    host_start, host_end = doc.block(host.uid)
    inner = planes(doc, nodes[end: host_end - 1])
    above = planes(doc, nodes[host_end:])
    if inner is None or above is None:
        return None
    below = nodes[host_start:start] if not host.pass_through else nodes[:start]
    return DragScene(nodes[:host_start], piece, above,
                     Host(not host.pass_through, host.blend, host.opacity, below, inner))


def _masks_inside(doc: Any, group: Any) -> bool:
    return group.masked or any(inner.is_group and inner.masked for inner in doc.descendants(group.uid))


def planes(doc: Any, nodes: Sequence) -> list[PlaneSpec] | None:
    """The nodes as planes drawn in turn: neighbouring normal layers as one (over is associative), any
    other layer alone with its blend, an isolated group as its composite with its blend and opacity;
    None when a pass-through group under 100 % is among them."""
    out: list[PlaneSpec] = []
    normal_run = False
    for item in plan(nodes):
        if isinstance(item, GroupPlan):
            if item.group.pass_through:
                return None
            group, nodes = item.group, doc.descendants(item.group.uid)
            if group.masked:  # the group itself, plain, in the list: its mask cuts its picture
                nodes = [*nodes, replace(group, blend=BlendMode.NORMAL, opacity=1.0)]
            out.append(PlaneSpec(nodes, group.blend, group.opacity))
            normal_run = False
        elif item.visible and item.opacity > 0.0:
            if item.blend is BlendMode.NORMAL and normal_run:
                out[-1].nodes.append(item)
            else:
                out.append(PlaneSpec([item], item.blend))
            normal_run = item.blend is BlendMode.NORMAL
    return out


def piece_rect(doc: Any, node: Any) -> Rect:
    """Where a dragged node's pixels lie (document pixels): a layer's own, or all its group's layers'."""
    layers = [node] if not node.is_group else [inner for inner in doc.descendants(node.uid)
                                                  if not inner.is_group]
    rect = Rect(0, 0, 0, 0)
    for layer in layers:
        h, w = layer.pixels.shape[:2]
        here = Rect(layer.offset[0], layer.offset[1], w, h)
        rect = here if rect.is_empty() else rect.union(here)
    return rect


def _block(doc: Any, node: Any) -> Block:
    rect = piece_rect(doc, node)
    if not node.is_group:
        return Block(node.uid, rect, node.blend, node.opacity, node.visible, layer=node)
    # A pass-through group's layers blend straight onto the backdrop: as one block drawn "over" they
    # are exact when they blend normally; otherwise they move as parts, each with its own blend.
    blend = BlendMode.NORMAL if node.pass_through else node.blend
    parts = _parts(doc, node) if node.pass_through else []
    if all(part.blend is BlendMode.NORMAL for part in parts):
        parts = []
    return Block(node.uid, rect, blend, node.opacity, node.visible, nodes=doc.descendants(node.uid),
                 parts=parts)


def _parts(doc: Any, group: Any) -> list[Block]:
    """A pass-through group's contents as parts drawn in turn: a run of normal layers composited as one,
    any other layer alone, an inner group as its picture (a fading pass-through one drawn "over")."""
    out: list[Block] = []
    run: list = []  # the normal layers of the run in progress

    def close_run() -> None:
        if run:
            out.append(Block(run[-1].uid, _union(doc, run), BlendMode.NORMAL, 1.0, True, nodes=list(run)))
            run.clear()

    for item in plan(doc.descendants(group.uid)):
        if isinstance(item, GroupPlan):
            close_run()
            inner = item.group
            blend = BlendMode.NORMAL if inner.pass_through else inner.blend
            out.append(Block(inner.uid, piece_rect(doc, inner), blend, inner.opacity, True,
                             nodes=doc.descendants(inner.uid)))
        elif item.visible and item.opacity > 0.0:
            if item.blend is BlendMode.NORMAL:
                run.append(item)
            else:
                close_run()
                out.append(_block(doc, item))
    close_run()
    return out


def _union(doc: Any, layers: list) -> Rect:
    rect = Rect(0, 0, 0, 0)
    for layer in layers:
        here = piece_rect(doc, layer)
        rect = here if rect.is_empty() else rect.union(here)
    return rect
