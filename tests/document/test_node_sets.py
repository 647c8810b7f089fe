"""Steps on several nodes at once: move, delete, duplicate and group a multi-selection as one step, in
stack order; random sequences of them undo and redo exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glide_desktop.document.document import Document
from glide_desktop.document.group import check_structure
from glide_desktop.document.group_commands import GroupLayers
from glide_desktop.document.history import History
from glide_desktop.document.layer import Layer
from glide_desktop.document.node_sets import DuplicateNodes, MoveNodes, RemoveNodes
from tests.document.conftest import gradient_layer, snapshot, undo_all_then_redo_all
from tests.document.test_group_history import _apply, group_edit
from tests.document.test_history import _start

W, H = 40, 30


def _names(doc: Document) -> list[tuple[str, str | None]]:
    """(name, group's name) bottom to top."""
    return [(n.name, doc.find_layer(n.parent).name if n.parent is not None else None) for n in doc.layers]


def _doc() -> tuple[Document, History]:
    """Top first: G1 [A, B], C, G2 [D, E], F."""
    doc, history = Document(W, H), History()
    for i, name in enumerate("FEDCBA"):
        layer = gradient_layer(12, 10, name, seed=i)
        layer.offset = (3 * i, 2 * i)
        doc.insert_layer(layer)
    by = {n.name: n.uid for n in doc.layers}
    history.push(doc, GroupLayers([by["D"], by["E"]], "G2"))
    history.push(doc, GroupLayers([by["A"], by["B"]], "G1"))
    return doc, history


def _uids(doc: Document, names: str) -> list[int]:
    return [n.uid for n in doc.layers if n.name in names]


def test_moving_rows_from_two_groups_into_a_third_keeps_their_order():
    doc, history = _doc()
    g1 = next(n for n in doc.layers if n.name == "G1")
    history.push(doc, MoveNodes(_uids(doc, "DF"), g1.uid, 0))  # F below D in the stack, both to G1's bottom
    assert _names(doc) == [("E", "G2"), ("G2", None), ("C", None), ("F", "G1"), ("D", "G1"), ("B", "G1"),
                           ("A", "G1"), ("G1", None)]
    check_structure(doc.layers)
    history.undo(doc)
    assert [n.name for n in doc.layers] == ["F", "E", "D", "G2", "C", "B", "A", "G1"]


def test_moving_a_group_and_a_layer_inside_it_moves_the_group_whole():
    doc, history = _doc()
    history.push(doc, MoveNodes(_uids(doc, "G2") + _uids(doc, "D"), None, 99))  # to the top
    assert [n.name for n in doc.layers] == ["F", "C", "B", "A", "G1", "E", "D", "G2"]
    assert doc.find_layer(_uids(doc, "D")[0]).parent == _uids(doc, "G2")[0]


def test_moving_a_group_into_itself_is_refused():
    doc, _history = _doc()
    g2 = _uids(doc, "G2")[0]
    with pytest.raises(ValueError, match="inside itself"):
        MoveNodes([g2, _uids(doc, "C")[0]], g2, 0).prepare(doc)


def test_delete_several_is_one_step_and_keeps_a_layer():
    doc, history = _doc()
    before = snapshot(doc)
    history.push(doc, RemoveNodes(_uids(doc, "G1") + _uids(doc, "E")))
    assert [n.name for n in doc.layers] == ["F", "D", "G2", "C"]
    history.undo(doc)
    assert snapshot(doc) == before
    everything = [n.uid for n in doc.layers if n.parent is None]
    with pytest.raises(ValueError, match="at least one layer"):
        RemoveNodes(everything).prepare(doc)


def test_duplicate_several_puts_each_copy_above_its_original():
    doc, history = _doc()
    history.push(doc, DuplicateNodes(_uids(doc, "G1") + _uids(doc, "D")))
    assert [n.name for n in doc.layers] == ["F", "E", "D", "D copy", "G2", "C", "B", "A", "G1", "B", "A",
                                             "G1 copy"]
    assert doc.active_node.name == "G1 copy"
    check_structure(doc.layers)


def test_group_layers_across_groups_lands_where_the_topmost_was():
    doc, history = _doc()
    history.push(doc, GroupLayers(_uids(doc, "FCB"), "New"))  # B (in G1) is the topmost
    assert _names(doc) == [("E", "G2"), ("D", "G2"), ("G2", None), ("F", "New"), ("C", "New"), ("B", "New"),
                           ("New", "G1"), ("A", "G1"), ("G1", None)]
    assert np.array_equal(doc.composite(), doc.composite_uncached())


def test_empty_document_layers_stay_when_delete_names_nothing_known():
    doc = Document(W, H)
    doc.insert_layer(Layer.filled(W, H, (1, 2, 3, 255), "only"))
    with pytest.raises(ValueError, match="Nothing"):
        RemoveNodes([12345678]).prepare(doc)


pick = st.integers(0, 7)
several = st.lists(pick, min_size=1, max_size=4)
set_edit = st.one_of(
    st.tuples(st.just("move-many"), several, pick, st.integers(0, 5)),
    st.tuples(st.just("delete-many"), several),
    st.tuples(st.just("duplicate-many"), several),
    st.tuples(st.just("group-many"), several),
)


def _set_command(doc, op):
    nodes = doc.layers
    uids = [nodes[i % len(nodes)].uid for i in op[1]]
    if op[0] == "move-many":
        groups = [n for n in nodes if n.is_group]
        parent = groups[op[2] % len(groups)].uid if groups and op[2] % 3 else None
        return MoveNodes(uids, parent, op[3])
    if op[0] == "delete-many":
        return RemoveNodes(uids)
    if op[0] == "duplicate-many":
        return DuplicateNodes(uids)
    return GroupLayers(uids)


def _apply_any(doc, history, op) -> None:
    if op[0] not in {"move-many", "delete-many", "duplicate-many", "group-many"}:
        _apply(doc, history, op)
        return
    before = snapshot(doc)
    try:
        history.push(doc, _set_command(doc, op))
    except ValueError:  # refused: into itself, nothing left, too deep
        assert snapshot(doc) == before
    check_structure(doc.layers)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(set_edit, set_edit, group_edit), min_size=1, max_size=12))
def test_multi_node_steps_undo_and_redo_exactly(ops):
    doc, history = _start(), History()
    start = snapshot(doc)
    for op in ops:
        _apply_any(doc, history, op)
    end, end_pixels = snapshot(doc), doc.composite().copy()
    assert np.array_equal(end_pixels, doc.composite_uncached())  # the tile cache followed every step
    undo_all_then_redo_all(doc, history, start, end, end_pixels, each=lambda d: check_structure(d.layers))
