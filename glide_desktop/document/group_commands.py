"""Undo steps for layer groups: each keeps the stack's arrangement before and after (nodes are shared,
never copied), so redo and undo are exact and safe to repeat."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from glide_desktop.document.commands import _STRUCT_BYTES, Command
from glide_desktop.document.compositing import composite_rect
from glide_desktop.document.document import Arrangement, Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.group import MAX_GROUP_DEPTH, LayerGroup, Node
from glide_desktop.document.group import block_start as _block_start
from glide_desktop.document.group_masks import MASKED_PASS_THROUGH_REFUSAL, mask_over, refit
from glide_desktop.document.layer import BlendMode, Layer, apply_mask

Pairs = list[tuple[Node, int | None]]


class Restructure(Command):
    """A change of which nodes the stack holds, their order and their groups; subclasses say which."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self._before: Arrangement | None = None
        self._after: Arrangement | None = None
        self._touched: set[int] = set()
        self._done = False  # redone at least once

    def arrange(self, doc: Document) -> tuple[Arrangement, set[int]]:
        """The new arrangement and the uids whose place changes (ValueError when it cannot be done)."""
        raise NotImplementedError

    def prepare(self, doc: Document) -> Restructure:
        """Work out the change without applying it: ValueError (a message for the user) when it cannot
        be done. Call before pushing onto a Qt undo stack, which cannot pass exceptions on."""
        if self._after is None:
            self._after, self._touched = self.arrange(doc)
            self._before = doc.arrangement()
        return self

    def leaves_as_is(self, doc: Document) -> bool:
        """True when the (prepared) step would leave the stack as it stands."""
        return self.prepare(doc)._after == doc.arrangement()

    def redo(self, doc: Document) -> None:
        stale = self._before is not None and doc.arrangement() not in (self._before, self._after)
        if stale and not self._done:
            self._after = None  # the stack changed since prepare (a floating selection landed): plan afresh
        self.prepare(doc)
        self._done = True
        if doc.arrangement() != self._after:
            doc.set_arrangement(self._after, self._touched)

    def undo(self, doc: Document) -> None:
        if self._before is not None and doc.arrangement() != self._before:
            doc.set_arrangement(self._before, self._touched)

    @property
    def nbytes(self) -> int:
        if self._before is None or self._after is None:
            return _STRUCT_BYTES
        before = {id(node) for node, _ in self._before.nodes}
        after = {id(node) for node, _ in self._after.nodes}
        only = [node for node, _ in self._before.nodes + self._after.nodes
                if (id(node) in before) != (id(node) in after) and not node.is_group]
        return _STRUCT_BYTES + sum(node.pixels.nbytes for node in only)


# --- arrangement helpers (lists of (node, parent) pairs, bottom to top) ------------------------------
def _pairs(doc: Document) -> Pairs:
    return [(node, node.parent) for node in doc.layers]


def _block(pairs: Pairs, uid: int) -> tuple[int, int]:
    nodes = [_Probe(node.uid, parent, node.is_group) for node, parent in pairs]
    index = next(i for i, (node, _) in enumerate(pairs) if node.uid == uid)
    return _block_start(nodes, index), index + 1


class _Probe:
    """A node stand-in carrying the planned parent (the pairs' parent, not the node's current one)."""

    def __init__(self, uid: int, parent: int | None, is_group: bool):
        self.uid, self.parent, self.is_group = uid, parent, is_group


def _siblings(pairs: Pairs, parent: int | None) -> list[int]:
    return [node.uid for node, p in pairs if p == parent]


def _place(pairs: Pairs, block: Pairs, parent: int | None, position: int) -> Pairs:
    """Insert block (its root last) as child number position (0 = bottom) of parent."""
    root = block[-1][0]
    block = block[:-1] + [(root, parent)]
    siblings = _siblings(pairs, parent)
    if position < len(siblings):
        index = _block(pairs, siblings[max(0, position)])[0]
    elif parent is None:
        index = len(pairs)
    else:
        index = next(i for i, (node, _) in enumerate(pairs) if node.uid == parent)
    return pairs[:index] + block + pairs[index:]


def _depth(pairs: Pairs, uid: int | None) -> int:
    """How many groups hold uid plus one for uid itself when it is a group (0 for the top level)."""
    parents = {node.uid: p for node, p in pairs}
    count = 0
    while uid is not None:
        count, uid = count + 1, parents.get(uid)
    return count


def _height(block: Pairs) -> int:
    """How deep the block's groups nest (1 for a lone group, 0 for a raster layer)."""
    alone = block[:-1] + [(block[-1][0], None)]  # the root's own group lies outside the block
    return max((_depth(alone, node.uid) for node, _ in alone if node.is_group), default=0)


def _position(pairs: Pairs, uid: int) -> tuple[int | None, int]:
    parent = next(p for node, p in pairs if node.uid == uid)
    return parent, _siblings(pairs, parent).index(uid)


# --- the steps --------------------------------------------------------------------------------------
class NewGroup(Restructure):
    """An empty group above the active node, in the same group (at the top of the stack without one)."""

    def __init__(self, name: str = "Group", text: str = "New group"):
        super().__init__(text)
        self.group = LayerGroup(name=name)

    def arrange(self, doc: Document) -> tuple[Arrangement, set[int]]:
        pairs = _pairs(doc)
        parent, position = None, len(_siblings(pairs, None))
        if doc.active_node is not None:
            parent, below = _position(pairs, doc.active_uid)
            position = below + 1
        if _depth(pairs, parent) >= MAX_GROUP_DEPTH:
            raise ValueError(f"Groups nest at most {MAX_GROUP_DEPTH} deep")
        pairs = _place(pairs, [(self.group, parent)], parent, position)
        return Arrangement(tuple(pairs), self.group.uid), {self.group.uid}


class GroupLayers(Restructure):
    """Put nodes (the active one, or the panel's selection, from any groups) into a new group, in their
    stack order, where the topmost of them was (as Krita does)."""

    def __init__(self, uids: Iterable[int], name: str = "Group", text: str = "Group layers"):
        super().__init__(text)
        self.uids = list(dict.fromkeys(uids))
        self.group = LayerGroup(name=name)

    def arrange(self, doc: Document) -> tuple[Arrangement, set[int]]:
        chosen = roots(doc, self.uids)
        if not chosen:
            raise ValueError("Nothing to group: choose a layer first")
        pairs = _pairs(doc)
        order = {node.uid: index for index, (node, _) in enumerate(pairs)}
        top = chosen[-1]
        parent = next(p for node, p in pairs if node.uid == top)
        moved: Pairs = []
        for uid in chosen:
            start, end = _block(pairs, uid)
            block = pairs[start:end]
            moved += block[:-1] + [(block[-1][0], self.group.uid)]
            pairs = pairs[:start] + pairs[end:]
        if _depth(pairs, parent) + _height(moved + [(self.group, None)]) > MAX_GROUP_DEPTH:
            raise ValueError(f"Groups nest at most {MAX_GROUP_DEPTH} deep")
        position = sum(1 for uid in _siblings(pairs, parent) if order[uid] < order[top])
        pairs = _place(pairs, moved + [(self.group, parent)], parent, position)
        return Arrangement(tuple(pairs), self.group.uid), {self.group.uid, *chosen}


def roots(doc: Document, uids: Iterable[int]) -> list[int]:
    """The chosen nodes that no other chosen group holds, bottom to top (a group carries its insides)."""
    chosen = {uid for uid in uids if doc.find_layer(uid) is not None}
    return [node.uid for node in doc.layers
            if node.uid in chosen and not any(a.uid in chosen for a in doc.ancestors(node.uid))]


class Ungroup(Restructure):
    """Take a group's children out into its place and drop the group."""

    def __init__(self, uid: int, text: str = "Ungroup"):
        super().__init__(text)
        self.uid = uid

    def arrange(self, doc: Document) -> tuple[Arrangement, set[int]]:
        group = doc.layer_by_uid(self.uid)
        if not group.is_group:
            raise ValueError("Ungroup needs a group")
        kids = doc.children(self.uid)
        pairs = [(node, group.parent if p == self.uid else p) for node, p in _pairs(doc) if node is not group]
        active = kids[-1].uid if kids else None
        if active is None:
            index = doc.index_of(self.uid)
            active = doc.layers[index - 1].uid if index > 0 else (pairs[0][0].uid if pairs else None)
        return Arrangement(tuple(pairs), active), {self.uid, *(kid.uid for kid in kids)}


class MoveNode(Restructure):
    """Move a layer or a whole group to child number position (0 = bottom) of group parent (None: top)."""

    def __init__(self, uid: int, parent: int | None, position: int, text: str = "Move layer"):
        super().__init__(text)
        self.uid, self.parent, self.position = uid, parent, position

    def arrange(self, doc: Document) -> tuple[Arrangement, set[int]]:
        pairs = _pairs(doc)
        start, end = _block(pairs, self.uid)
        block = pairs[start:end]
        if any(node.uid == self.parent for node, _ in block):
            raise ValueError("A group cannot go inside itself")
        if self.parent is not None and not doc.layer_by_uid(self.parent).is_group:
            raise ValueError("Layers go into groups only")
        rest = pairs[:start] + pairs[end:]
        if _depth(rest, self.parent) + _height(block) > MAX_GROUP_DEPTH:
            raise ValueError(f"Groups nest at most {MAX_GROUP_DEPTH} deep")
        position = max(0, min(self.position, len(_siblings(rest, self.parent))))
        pairs = _place(rest, block, self.parent, position)
        return Arrangement(tuple(pairs), doc.active_uid), {self.uid}


def move_within_siblings(doc: Document, uid: int, step: int) -> MoveNode | None:
    """Move up (+1) or down (-1) one place: into a neighbouring expanded group, out at the group's edge."""
    node = doc.layer_by_uid(uid)
    siblings = doc.children(node.parent)
    position = siblings.index(node)
    target = position + step
    if 0 <= target < len(siblings):
        neighbour = siblings[target]
        if neighbour.is_group and not neighbour.collapsed:  # step into it, at its near edge
            inside = doc.children(neighbour.uid)
            return MoveNode(uid, neighbour.uid, 0 if step > 0 else len(inside))
        return MoveNode(uid, node.parent, target)
    if node.parent is None:
        return None
    outer = doc.layer_by_uid(node.parent)  # past the edge: out of the group, next to it
    place = doc.children(outer.parent).index(outer)
    return MoveNode(uid, outer.parent, place + 1 if step > 0 else place)


class DuplicateNode(Restructure):
    """A deep copy of a layer or group (fresh uids) just above it."""

    def __init__(self, uid: int, text: str = "Duplicate layer"):
        super().__init__(text)
        self.uid = uid

    def arrange(self, doc: Document) -> tuple[Arrangement, set[int]]:
        start, end = doc.block(self.uid)
        originals = doc.layers[start:end]
        twins = [node.copy() for node in originals]
        fresh = {node.uid: twin.uid for node, twin in zip(originals, twins, strict=True)}
        copies: Pairs = [(twin, fresh.get(node.parent, node.parent))
                         for node, twin in zip(originals, twins, strict=True)]
        root = copies[-1][0]
        root.name = f"{root.name} copy"
        pairs = _pairs(doc)
        pairs = pairs[:end] + copies + pairs[end:]
        return Arrangement(tuple(pairs), root.uid), {root.uid}


class MergeGroup(Restructure):
    """Replace a group by one layer holding its contents composited (keeping its opacity and visibility)."""

    def __init__(self, uid: int, text: str = "Merge group"):
        super().__init__(text)
        self.uid = uid

    def arrange(self, doc: Document) -> tuple[Arrangement, set[int]]:
        group = doc.layer_by_uid(self.uid)
        if not group.is_group:
            raise ValueError("Merge Group needs a group")
        inner = doc.descendants(self.uid)
        area = Rect(0, 0, 0, 0)
        for node in inner:
            if not node.is_group and node.visible:
                area = area.union(node.bounds)
        if area.is_empty():
            area = doc.bounds
        pixels = composite_rect(inner, area)
        if group.masked:  # the merged layer shows what the group showed
            pixels = apply_mask(pixels, mask_over(group.mask, area))
        merged = Layer(pixels, name=group.name, visible=group.visible,
                       opacity=group.opacity, offset=(area.x, area.y),
                       blend=BlendMode.NORMAL if group.pass_through else group.blend)
        start, end = doc.block(self.uid)
        pairs = _pairs(doc)
        pairs = pairs[:start] + [(merged, group.parent)] + pairs[end:]
        return Arrangement(tuple(pairs), merged.uid), {self.uid, merged.uid}


class OffsetLayers(Command):
    """Shift several layers by one delta as one step (the Move tool on a group moves all its layers).

    groups: the moved groups whose masks travel too (a group's mask lies at the canvas's origin, so it
    is shifted inside the canvas, reading its nearest edge where it uncovers new pixels, as compositing
    reads it beyond the canvas); undo puts the very masks back.
    """

    def __init__(self, uids: Iterable[int], delta: tuple[int, int], text: str = "Move layer",
                 moved: bool = False, groups: Iterable[int] = ()):
        """moved: the layers already stand moved (a live drag did it), so the first redo is done."""
        super().__init__()
        self.uids, self.delta, self.text = list(uids), (int(delta[0]), int(delta[1])), text
        self.groups = list(groups)
        self._masks: dict[int, np.ndarray] = {}  # each moved group's mask before the move
        self._done = moved

    @classmethod
    def for_node(cls, doc: Document, uid: int, delta: tuple[int, int],
                 text: str = "Move layer") -> OffsetLayers:
        """The step moving a layer, or every layer inside a group (and the masks of the groups)."""
        node = doc.layer_by_uid(uid)
        if not node.is_group:
            return cls([node.uid], delta, text)
        inside = doc.descendants(uid)
        return cls([n.uid for n in inside if not n.is_group], delta, text,
                   groups=[uid] + [n.uid for n in inside if n.is_group])

    @property
    def nbytes(self) -> int:
        return _STRUCT_BYTES + sum(mask.nbytes for mask in self._masks.values())

    def _shift(self, doc: Document, sign: int) -> None:
        for uid in self.uids:
            layer = doc.layer_by_uid(uid)
            x, y = layer.offset
            doc.set_layer_property(uid, "offset", (x + sign * self.delta[0], y + sign * self.delta[1]))

    def _move_masks(self, doc: Document) -> None:
        for uid in self.groups:
            group = doc.layer_by_uid(uid)
            if group.mask is not None:
                self._masks[uid] = group.mask
                moved = refit(group.mask, Rect(self.delta[0], self.delta[1], doc.width, doc.height),
                              doc.width, doc.height)
                doc.set_mask(uid, moved, group.mask_enabled)

    def _restore_masks(self, doc: Document) -> None:
        for uid, mask in self._masks.items():
            doc.set_mask(uid, mask, doc.layer_by_uid(uid).mask_enabled)
        self._masks = {}

    def redo(self, doc: Document) -> None:
        if not self._done:
            self._shift(doc, 1)
            self._done = True
        if not self._masks:
            self._move_masks(doc)

    def undo(self, doc: Document) -> None:
        if self._done:
            self._shift(doc, -1)
            self._done = False
        self._restore_masks(doc)


class SetGroupMode(Command):
    """A group's blend as the panel offers it: pass-through, or isolated with a blend mode (one step)."""

    def __init__(self, uid: int, pass_through: bool, blend: BlendMode, text: str = "Group blend mode"):
        super().__init__()
        self.uid, self.new = uid, (bool(pass_through), BlendMode(blend))
        self.old: tuple[bool, BlendMode] | None = None
        self.text = text

    def _set(self, doc: Document, mode: tuple[bool, BlendMode]) -> None:
        doc.set_layer_property(self.uid, "pass_through", mode[0])
        doc.set_layer_property(self.uid, "blend", mode[1])

    def redo(self, doc: Document) -> None:
        group = doc.layer_by_uid(self.uid)
        if self.new[0] and group.mask is not None:
            raise ValueError(MASKED_PASS_THROUGH_REFUSAL)
        if self.old is None:
            self.old = (group.pass_through, group.blend)
        self._set(doc, self.new)

    def undo(self, doc: Document) -> None:
        if self.old is not None:
            self._set(doc, self.old)
