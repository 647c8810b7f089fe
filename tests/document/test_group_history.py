"""Random sequences of group steps mixed with layer edits: undo all restores the start exactly, redo all
reproduces the end exactly (every node's state, the tree, the active node, the pixels)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glide_desktop.document.group import check_structure
from glide_desktop.document.group_commands import (
    DuplicateNode,
    GroupLayers,
    MergeGroup,
    MoveNode,
    NewGroup,
    OffsetLayers,
    SetGroupMode,
    Ungroup,
    move_within_siblings,
)
from glide_desktop.document.history import History
from glide_desktop.document.layer import BlendMode
from tests.document.conftest import snapshot
from tests.document.test_history import _command, _start, edit

pick = st.integers(0, 7)
group_edit = st.one_of(
    st.tuples(st.just("group"), pick, st.integers(1, 3)),
    st.tuples(st.just("ungroup"), pick),
    st.tuples(st.just("new-group"), pick),
    st.tuples(st.just("move-node"), pick, pick, st.integers(0, 4)),
    st.tuples(st.just("step"), pick, st.sampled_from([-1, 1])),
    st.tuples(st.just("duplicate"), pick),
    st.tuples(st.just("merge-group"), pick),
    st.tuples(st.just("group-mode"), pick, st.booleans(), st.sampled_from(list(BlendMode))),
    st.tuples(st.just("offset"), pick, st.integers(-3, 3), st.integers(-3, 3)),
)


def _groups(doc):
    return [node for node in doc.layers if node.is_group]


def _group_command(doc, op):
    """The group step for op, or None when it does not apply."""
    kind, nodes, groups = op[0], doc.layers, _groups(doc)
    if not nodes:
        return None
    node = nodes[op[1] % len(nodes)]
    if kind == "group":
        siblings = doc.children(node.parent)
        start = siblings.index(node)
        return GroupLayers([n.uid for n in siblings[start: start + op[2]]])
    if kind == "new-group":
        return NewGroup()  # above the active node (set by the steps before)
    if kind == "step":
        return move_within_siblings(doc, node.uid, op[2])
    if kind == "duplicate":
        return DuplicateNode(node.uid)
    if kind == "offset":
        return OffsetLayers.for_node(doc, node.uid, (op[2], op[3]))
    if not groups:
        return None
    group = groups[op[1] % len(groups)]
    if kind == "ungroup":
        return Ungroup(group.uid)
    if kind == "move-node":
        parent = None if op[2] % 3 == 0 else group.uid
        return MoveNode(nodes[op[2] % len(nodes)].uid, parent, op[3])
    if kind == "merge-group":
        return MergeGroup(group.uid)
    return SetGroupMode(group.uid, op[2], op[3])


def _layer_command(doc, op):
    """A layer edit; on a group, an offset moves every layer in it (groups have no offset)."""
    if op[0] == "prop" and doc.layers and op[2][0] == "offset":
        node = doc.layers[op[1] % len(doc.layers)]
        if node.is_group:
            return OffsetLayers.for_node(doc, node.uid, op[2][1])
    return _command(doc, op)


def _apply(doc, history, op) -> None:
    before = snapshot(doc)
    try:
        command = _group_command(doc, op) if op[0] in _GROUP_KINDS else _layer_command(doc, op)
        if command is not None:
            history.push(doc, command)
    except ValueError:  # refused (a group into itself, a mask on a group, merge down out of a group)
        assert snapshot(doc) == before  # and nothing changed
    check_structure(doc.layers)


_GROUP_KINDS = {"group", "ungroup", "new-group", "move-node", "step", "duplicate", "merge-group",
                "group-mode", "offset"}


def _tree(doc) -> tuple:
    return tuple((node.uid, node.parent) for node in doc.layers)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(group_edit, group_edit, edit.filter(lambda op: op[0] != "move")), min_size=1,
                max_size=14))
def test_group_steps_undo_and_redo_exactly(ops):
    doc, history = _start(), History()
    start, start_tree = snapshot(doc), _tree(doc)
    for op in ops:
        _apply(doc, history, op)
    end, end_tree, end_pixels = snapshot(doc), _tree(doc), doc.composite().copy()
    assert np.array_equal(end_pixels, doc.composite_uncached())  # the tile cache followed every step
    while history.can_undo:
        history.undo(doc)
        check_structure(doc.layers)
    assert snapshot(doc) == start and _tree(doc) == start_tree
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    while history.can_redo:
        history.redo(doc)
    assert snapshot(doc) == end and _tree(doc) == end_tree
    assert np.array_equal(doc.composite(), end_pixels)


@settings(max_examples=40, deadline=None)
@given(st.lists(group_edit, min_size=1, max_size=4), group_edit)
def test_group_steps_are_safe_to_repeat(setup, op):
    doc, history = _start(), History()
    for earlier in setup:
        _apply(doc, history, earlier)
    before = snapshot(doc)
    command = _group_command(doc, op)
    if command is None:
        return
    try:
        command.redo(doc)
    except ValueError:
        assert snapshot(doc) == before
        return
    after = snapshot(doc)
    command.redo(doc)
    assert snapshot(doc) == after
    command.undo(doc)
    command.undo(doc)
    assert snapshot(doc) == before
