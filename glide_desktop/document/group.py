"""Layer groups: the group node and the tree read from the document's flat, painter's-order node list.

The document keeps one flat list, bottom to top. A group sits directly above its descendants (its
block: the group and everything under it is one contiguous run ending at the group), and every node
names its group in ``parent`` (None at the top level). Everything that walks the tree reads it from
that list; nothing else holds structure.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from glide_desktop.document.layer import BlendMode, Layer, _next_uid

MAX_GROUP_DEPTH = 64  # nesting deeper than this is refused (OpenRaster reads refuse 64 levels)


@dataclass(eq=False)
class LayerGroup:
    """A folder of layers and groups with its own visibility, opacity and blend.

    pass_through (the default, as in Krita and GIMP): the children composite straight onto what lies
    below, and an opacity under 1 fades between that backdrop and the result. Otherwise the children
    composite alone over transparency and the result blends like one layer with blend and opacity.

    mask: an isolated group's layer mask (H, W uint8 the canvas's size, at the canvas's origin): the
    group's composited result shows with alpha x mask / 255 (Krita's and Photoshop's group masks).
    Pass-through groups take no mask (group_masks.py says why).
    """

    name: str = "Group"
    visible: bool = True
    opacity: float = 1.0
    blend: BlendMode = BlendMode.NORMAL
    pass_through: bool = True
    collapsed: bool = False  # shown folded in the Layers panel (a view state, not an undo step)
    metadata: dict[str, Any] = field(default_factory=dict)
    uid: int = field(default_factory=_next_uid)
    parent: int | None = None
    foreign_op: str = ""
    mask: np.ndarray | None = None
    mask_enabled: bool = True
    is_group: ClassVar[bool] = True

    def __post_init__(self) -> None:
        self.blend = BlendMode(self.blend)
        self.opacity = float(min(1.0, max(0.0, self.opacity)))

    @property
    def masked(self) -> bool:
        """True when a mask exists and is switched on (so compositing must apply it)."""
        return self.mask is not None and self.mask_enabled

    @property
    def isolated(self) -> bool:
        """True when the children composite alone first (not pass-through)."""
        return not self.pass_through

    @property
    def mode_label(self) -> str:
        """The blend shown to the user: Pass through or the blend mode's name."""
        return "Pass through" if self.pass_through else self.blend.label

    def copy(self, keep_uid: bool = False) -> LayerGroup:
        """A copy of the group node alone (a fresh uid unless keep_uid); children are not copied."""
        return LayerGroup(self.name, self.visible, self.opacity, self.blend, self.pass_through,
                          self.collapsed, copy.deepcopy(self.metadata), self.uid if keep_uid else _next_uid(),
                          self.parent, self.foreign_op, None if self.mask is None else self.mask.copy(),
                          self.mask_enabled)

    def state(self) -> tuple:
        """Everything that defines the group (collapsed is a view state and left out)."""
        return ("group", self.uid, self.name, self.visible, self.opacity, self.blend, self.pass_through,
                repr(self.metadata), self.parent, self.foreign_op,
                None if self.mask is None else self.mask.tobytes(), self.mask_enabled)


Node = Layer | LayerGroup


def block_start(nodes: Sequence[Node], index: int) -> int:
    """Index of the lowest node of the block that ends at index (index itself for a raster layer)."""
    node = nodes[index]
    if not node.is_group:
        return index
    inside = {node.uid}
    start = index
    while start > 0 and nodes[start - 1].parent in inside:
        start -= 1
        if nodes[start].is_group:
            inside.add(nodes[start].uid)
    return start


def children(nodes: Sequence[Node], uid: int | None) -> list[Node]:
    """The direct children of group uid (the top level when None), bottom to top."""
    present = {node.uid for node in nodes}
    if uid is None:
        return [node for node in nodes if node.parent is None or node.parent not in present]
    return [node for node in nodes if node.parent == uid]


def depth(nodes: Sequence[Node], uid: int) -> int:
    """How many groups hold the node (0 at the top level)."""
    by_uid = {node.uid: node for node in nodes}
    count, parent = 0, by_uid[uid].parent
    while parent is not None and parent in by_uid and count <= len(by_uid):
        count, parent = count + 1, by_uid[parent].parent
    return count


def check_structure(nodes: Sequence[Node]) -> None:
    """Raise ValueError unless every block is contiguous and every parent is a group in the list."""
    by_uid = {node.uid: node for node in nodes}
    if len(by_uid) != len(nodes):
        raise ValueError("two nodes share a uid")
    open_groups: list[int] = []  # the groups whose blocks we are inside, innermost last
    for node in reversed(nodes):  # top to bottom: a group opens its block, its children follow
        while open_groups and node.parent != open_groups[-1]:
            open_groups.pop()
        if node.parent is not None and node.parent not in open_groups:
            raise ValueError(f"node {node.name!r} lies outside its group's block")
        if node.parent is not None and not by_uid[node.parent].is_group:
            raise ValueError(f"node {node.name!r} names a layer as its group")
        if node.is_group:
            open_groups.append(node.uid)
            if len(open_groups) > MAX_GROUP_DEPTH:
                raise ValueError(f"groups nest more than {MAX_GROUP_DEPTH} deep")
