"""Steps on several nodes at once (the Layers panel's multi-selection): move, delete and duplicate them
as one undo step each, keeping their order in the stack."""

from __future__ import annotations

from collections.abc import Iterable

from glide_desktop.document.document import Arrangement, Document
from glide_desktop.document.group import MAX_GROUP_DEPTH
from glide_desktop.document.group_commands import (
    Pairs,
    Restructure,
    _block,
    _depth,
    _height,
    _pairs,
    _siblings,
    roots,
)


def lift(pairs: Pairs, uids: list[int]) -> tuple[Pairs, list[Pairs]]:
    """Take the blocks of uids (roots, bottom to top) out: what is left, and each block, in order."""
    blocks: list[Pairs] = []
    for uid in uids:
        start, end = _block(pairs, uid)
        blocks.append(pairs[start:end])
        pairs = pairs[:start] + pairs[end:]
    return pairs, blocks


def insert_index(pairs: Pairs, parent: int | None, position: int) -> int:
    """Where in pairs a block lands to become child number position (0 = bottom) of parent."""
    siblings = _siblings(pairs, parent)
    if position < len(siblings):
        return _block(pairs, siblings[max(0, position)])[0]
    if parent is None:
        return len(pairs)
    return next(i for i, (node, _) in enumerate(pairs) if node.uid == parent)


def reparent(blocks: list[Pairs], parent: int | None) -> Pairs:
    """The blocks one after another, each root now a child of parent."""
    run: Pairs = []
    for block in blocks:
        run += block[:-1] + [(block[-1][0], parent)]
    return run


class MoveNodes(Restructure):
    """Move several layers or groups, in their stack order, to child number position (0 = bottom, counted
    without them) of group parent (None: the top level): one drag and drop of several rows."""

    def __init__(self, uids: Iterable[int], parent: int | None, position: int, text: str = "Move layers"):
        super().__init__(text)
        self.uids, self.parent, self.position = list(uids), parent, position

    def arrange(self, doc: Document) -> tuple[Arrangement, set[int]]:
        chosen = roots(doc, self.uids)
        if not chosen:
            raise ValueError("Nothing to move: choose a layer first")
        if self.parent is not None and not doc.layer_by_uid(self.parent).is_group:
            raise ValueError("Layers go into groups only")
        rest, blocks = lift(_pairs(doc), chosen)
        if any(node.uid == self.parent for block in blocks for node, _ in block):
            raise ValueError("A group cannot go inside itself")
        if _depth(rest, self.parent) + max(_height(block) for block in blocks) > MAX_GROUP_DEPTH:
            raise ValueError(f"Groups nest at most {MAX_GROUP_DEPTH} deep")
        position = max(0, min(self.position, len(_siblings(rest, self.parent))))
        index = insert_index(rest, self.parent, position)
        pairs = rest[:index] + reparent(blocks, self.parent) + rest[index:]
        return Arrangement(tuple(pairs), doc.active_uid), set(chosen)


class RemoveNodes(Restructure):
    """Delete several layers or groups (a group with everything in it); a raster layer must stay."""

    def __init__(self, uids: Iterable[int], text: str = "Delete layers"):
        super().__init__(text)
        self.uids = list(uids)

    def arrange(self, doc: Document) -> tuple[Arrangement, set[int]]:
        chosen = roots(doc, self.uids)
        if not chosen:
            raise ValueError("Nothing to delete: choose a layer first")
        rest, _blocks = lift(_pairs(doc), chosen)
        if not any(not node.is_group for node, _ in rest):
            raise ValueError("An image keeps at least one layer")
        lowest = _block(_pairs(doc), chosen[0])[0]
        below = [node for node, _ in _pairs(doc)[:lowest]]
        active = below[-1].uid if below else rest[0][0].uid
        return Arrangement(tuple(rest), active), set(chosen)


class DuplicateNodes(Restructure):
    """Copy several layers or groups (deep, fresh uids), each just above itself; the top copy is active."""

    def __init__(self, uids: Iterable[int], text: str = "Duplicate layers"):
        super().__init__(text)
        self.uids = list(uids)

    def arrange(self, doc: Document) -> tuple[Arrangement, set[int]]:
        chosen = roots(doc, self.uids)
        if not chosen:
            raise ValueError("Nothing to duplicate: choose a layer first")
        pairs, copied = _pairs(doc), []
        for uid in chosen:
            start, end = _block(pairs, uid)
            originals = pairs[start:end]
            twins = [node.copy() for node, _ in originals]
            fresh = {node.uid: twin.uid for (node, _), twin in zip(originals, twins, strict=True)}
            copies = [(twin, fresh.get(parent, parent))
                      for (_, parent), twin in zip(originals, twins, strict=True)]
            copies[-1][0].name = f"{copies[-1][0].name} copy"
            copied.append(copies[-1][0].uid)
            pairs = pairs[:end] + copies + pairs[end:]
        return Arrangement(tuple(pairs), copied[-1]), set(copied)
