"""Layer groups: the tree in the flat list, compositing as Krita and GIMP do, and every group step."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glide_desktop.document.commands import MergeDown, RemoveLayer, SetLayerProperty
from glide_desktop.document.compositing import composite, composite_reference
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.group import MAX_GROUP_DEPTH, LayerGroup, check_structure
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
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.document.transform_commands import TransformImage
from glide_desktop.document.transform_ops import Crop, Rotate
from tests.document.conftest import gradient_layer

W, H = 40, 30


def _doc(count: int = 4) -> Document:
    doc = Document(W, H)
    doc.insert_layer(Layer.filled(W, H, (200, 120, 40, 255), "background"))
    for i in range(1, count):
        layer = gradient_layer(24, 18, f"L{i}", seed=i)
        layer.offset = (4 * i, 3 * i)
        doc.insert_layer(layer)
    return doc


def _names(doc: Document) -> list[tuple[str, str | None]]:
    names = {node.uid: node.name for node in doc.layers}
    return [(node.name, names.get(node.parent)) for node in doc.layers]


def _group(doc: Document, *indices: int) -> LayerGroup:
    command = GroupLayers([doc.layers[i].uid for i in indices])
    History().push(doc, command)
    return command.group


# --- the tree ---------------------------------------------------------------------------------------
def test_group_layers_puts_them_under_a_group_node_in_their_place():
    doc = _doc()
    group = _group(doc, 1, 2)
    assert _names(doc) == [("background", None), ("L1", "Group"), ("L2", "Group"), ("Group", None),
                           ("L3", None)]
    assert [n.name for n in doc.children(group.uid)] == ["L1", "L2"]
    assert [n.name for n in doc.children(None)] == ["background", "Group", "L3"]
    assert doc.block(group.uid) == (1, 4) and doc.depth(doc.layers[1].uid) == 1
    assert doc.active_node is group and doc.active_layer is None  # tools see no raster layer


def test_structure_check_refuses_a_child_outside_its_block():
    doc = _doc()
    group = _group(doc, 1, 2)
    doc.layers[4].parent = group.uid  # L3 claims the group but lies above it
    with pytest.raises(ValueError, match="outside its group's block"):
        check_structure(doc.layers)


def test_new_layer_above_a_grouped_layer_joins_its_group():
    doc = _doc()
    group = _group(doc, 1, 2)
    doc.insert_layer(doc.new_layer("new"), doc.index_of(doc.layers[1].uid) + 1)
    assert doc.find_layer(doc.active_uid).parent == group.uid
    check_structure(doc.layers)


def test_nesting_deeper_than_the_limit_is_refused():
    doc = _doc(2)
    history = History()
    for _ in range(MAX_GROUP_DEPTH):
        history.push(doc, GroupLayers([doc.layers[1].uid if _ == 0 else doc.active_uid]))
    assert doc.depth(doc.layers[1].uid) == MAX_GROUP_DEPTH
    with pytest.raises(ValueError, match="nest at most"):
        history.push(doc, GroupLayers([doc.active_uid]))
    check_structure(doc.layers)


# --- compositing ------------------------------------------------------------------------------------
def _both(doc: Document, rect: Rect | None = None) -> np.ndarray:
    rect = rect or doc.bounds
    fast = composite(doc.layers, doc.width, doc.height, rect)
    assert np.array_equal(fast, composite_reference(doc.layers, rect))
    assert np.array_equal(doc.composite(rect), fast)  # and the tile cache was invalidated right
    return fast


def test_full_opacity_pass_through_group_looks_exactly_like_no_group():
    doc = _doc()
    doc.layers[2].blend = BlendMode.MULTIPLY
    flat = _both(doc)
    _group(doc, 1, 2)
    assert np.array_equal(_both(doc), flat)


def test_invisible_group_hides_everything_in_it():
    doc = _doc()
    without = Document(W, H)
    without.insert_layer(doc.layers[0].copy())
    without.insert_layer(doc.layers[3].copy())
    group = _group(doc, 1, 2)
    History().push(doc, SetLayerProperty(group.uid, "visible", True, False))
    assert np.array_equal(_both(doc), without.composite())


def test_isolated_group_blends_its_children_like_one_layer():
    doc = _doc(3)
    doc.layers[2].blend = BlendMode.MULTIPLY  # over transparency inside the group: shows as itself
    group = _group(doc, 1, 2)
    History().push(doc, SetGroupMode(group.uid, False, BlendMode.SCREEN))
    History().push(doc, SetLayerProperty(group.uid, "opacity", 1.0, 0.6))
    inside = composite([doc.layers[1], doc.layers[2]], W, H)
    expected = composite([doc.layers[0], Layer(inside, opacity=0.6, blend=BlendMode.SCREEN)], W, H)
    assert np.array_equal(_both(doc), expected)


def test_pass_through_differs_from_isolated_when_a_child_blends_with_the_backdrop():
    doc = _doc(3)
    doc.layers[2].blend = BlendMode.MULTIPLY
    group = _group(doc, 2)
    pass_through = _both(doc)
    History().push(doc, SetGroupMode(group.uid, False, BlendMode.NORMAL))
    isolated = _both(doc)
    area = doc.layers[1].bounds.intersect(Rect(0, 0, W, H))
    assert not np.array_equal(pass_through[area.slices()], isolated[area.slices()])


def test_pass_through_opacity_fades_between_backdrop_and_result():
    doc = _doc(2)
    base = composite([doc.layers[0]], W, H)
    full = _both(doc)
    group = _group(doc, 1)
    History().push(doc, SetLayerProperty(group.uid, "opacity", 1.0, 0.0))
    assert np.array_equal(_both(doc), base)
    History().push(doc, SetLayerProperty(group.uid, "opacity", 0.0, 0.5))
    half = _both(doc).astype(int)
    low, high = np.minimum(base, full).astype(int), np.maximum(base, full).astype(int)
    assert ((low - 1 <= half) & (half <= high + 1)).all()
    assert not np.array_equal(half, base) and not np.array_equal(half, full)
    outside = np.ones((H, W), bool)
    outside[doc.layers[1].bounds.clip(W, H).slices()] = False
    assert np.array_equal(half[outside], base[outside])  # outside the children: the backdrop exactly


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), st.sampled_from([1.0, 0.5, 0.0]), st.sampled_from(list(BlendMode)),
                          st.booleans()), min_size=1, max_size=3),
       st.sampled_from(list(BlendMode)))
def test_reference_and_fast_compositors_agree_on_nested_groups(groups, child_blend):
    doc = _doc(5)
    doc.layers[2].blend = child_blend
    for index, (pass_through, opacity, blend, visible) in enumerate(groups):
        uids = [doc.layers[1].uid, doc.layers[2].uid] if index == 0 else [doc.active_uid]
        group = _group(doc, *[doc.index_of(uid) for uid in uids])
        group.pass_through, group.opacity, group.blend, group.visible = pass_through, opacity, blend, visible
    rect = Rect(0, 0, W, H)
    assert np.array_equal(composite(doc.layers, W, H, rect), composite_reference(doc.layers, rect))


# --- steps --------------------------------------------------------------------------------------------
def test_ungroup_lifts_children_into_the_groups_place():
    doc = _doc()
    group = _group(doc, 1, 2)
    before = doc.composite().copy()
    History().push(doc, Ungroup(group.uid))
    assert _names(doc) == [("background", None), ("L1", None), ("L2", None), ("L3", None)]
    assert np.array_equal(doc.composite(), before)


def test_move_node_into_and_out_of_a_group_moves_whole_blocks():
    doc = _doc()
    group = _group(doc, 1, 2)
    top = doc.layers[-1]
    History().push(doc, MoveNode(top.uid, group.uid, 0))
    assert _names(doc)[1:4] == [("L3", "Group"), ("L1", "Group"), ("L2", "Group")]
    History().push(doc, MoveNode(group.uid, None, 0))  # the whole group to the bottom
    assert _names(doc)[-1] == ("background", None) and doc.layers[3] is group
    with pytest.raises(ValueError, match="inside itself"):
        MoveNode(group.uid, group.uid, 0).redo(doc)


def test_move_up_and_down_cross_group_edges():
    doc = _doc()
    group = _group(doc, 1, 2)
    l3 = doc.layers[-1]
    History().push(doc, move_within_siblings(doc, l3.uid, -1))  # down into the expanded group, at its top
    assert doc.find_layer(l3.uid).parent == group.uid and doc.children(group.uid)[-1] is l3
    History().push(doc, move_within_siblings(doc, l3.uid, +1))  # up past the group's top edge: out
    assert l3.parent is None and doc.layers[-1] is l3
    group.collapsed = True
    History().push(doc, move_within_siblings(doc, l3.uid, -1))  # a folded group is stepped over
    assert l3.parent is None and doc.index_of(l3.uid) == 1


def test_delete_group_removes_its_children_and_undo_brings_them_back():
    doc, history = _doc(), History()
    group = _group(doc, 1, 2)
    before = [node.state() for node in doc.layers]
    history.push(doc, RemoveLayer(group.uid))
    assert _names(doc) == [("background", None), ("L3", None)]
    history.undo(doc)
    assert [node.state() for node in doc.layers] == before


def test_duplicate_group_is_deep_with_fresh_uids():
    doc = _doc()
    group = _group(doc, 1, 2)
    History().push(doc, DuplicateNode(group.uid))
    copy = doc.active_node
    assert copy.is_group and copy.name == "Group copy" and copy.uid != group.uid
    inner = doc.children(copy.uid)
    assert [n.name for n in inner] == ["L1", "L2"]
    assert not {n.uid for n in inner} & {n.uid for n in doc.children(group.uid)}
    assert inner[0].pixels is not doc.children(group.uid)[0].pixels
    check_structure(doc.layers)


def test_merge_group_keeps_the_picture():
    doc = _doc()
    group = _group(doc, 1, 2)
    History().push(doc, SetGroupMode(group.uid, False, BlendMode.NORMAL))
    before = doc.composite().copy()
    History().push(doc, MergeGroup(group.uid))
    assert not doc.has_groups and doc.active_layer.name == "Group"
    assert np.array_equal(doc.composite(), before)


def test_merge_down_stays_inside_the_group():
    doc = _doc()
    group = _group(doc, 1, 2)
    with pytest.raises(ValueError, match="same group"):
        MergeDown(doc.layers[1].uid).redo(doc)  # the bottom child: the layer below is outside
    with pytest.raises(ValueError, match="same group"):
        MergeDown(doc.layers[4].uid).redo(doc)  # right above a group
    History().push(doc, MergeDown(doc.layers[2].uid))
    assert [n.name for n in doc.children(group.uid)] == ["L1"]


def test_offset_layers_moves_every_layer_in_a_group_as_one_step():
    doc, history = _doc(), History()
    group = _group(doc, 1, 2)
    offsets = [n.offset for n in doc.children(group.uid)]
    history.push(doc, OffsetLayers.for_node(doc, group.uid, (3, -2)))
    assert [n.offset for n in doc.children(group.uid)] == [(x + 3, y - 2) for x, y in offsets]
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    history.undo(doc)
    assert [n.offset for n in doc.children(group.uid)] == offsets


def test_new_group_goes_above_the_active_node_in_its_group():
    doc = _doc()
    group = _group(doc, 1, 2)
    doc.set_active(doc.layers[1].uid)
    command = NewGroup("inner")
    History().push(doc, command)
    assert _names(doc)[1:3] == [("L1", "Group"), ("inner", "Group")]
    assert doc.depth(command.group.uid) == 1 and group.uid == command.group.parent


def test_image_transforms_carry_every_layer_inside_groups_and_undo_exactly():
    doc, history = _doc(), History()
    group = _group(doc, 1, 2)
    History().push(doc, SetGroupMode(group.uid, False, BlendMode.MULTIPLY))
    before = [node.state() for node in doc.layers]
    history.push(doc, TransformImage(Crop(Rect(5, 4, 30, 20)), "Crop"))
    history.push(doc, TransformImage(Rotate(1), "Rotate"))
    assert doc.size == (20, 30) and doc.layers[3] is group and group.blend is BlendMode.MULTIPLY
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    history.undo(doc)
    history.undo(doc)
    assert [node.state() for node in doc.layers] == before


def test_a_rerolled_layer_takes_the_old_ones_place_in_its_group():
    from glide_desktop.document.commands import ReplaceLayer

    doc, history = _doc(), History()
    group = _group(doc, 1, 2)
    old = doc.layers[1]  # the group's bottom layer: the node below it lies outside the group
    history.push(doc, ReplaceLayer(old.uid, gradient_layer(10, 10, "reroll", seed=9)))
    assert doc.layers[1].name == "reroll" and doc.layers[1].parent == group.uid
    check_structure(doc.layers)
    history.undo(doc)
    assert doc.layers[1] is old and old.parent == group.uid


def test_a_layer_added_above_a_group_stays_outside_it():
    doc = _doc()
    group = _group(doc, 1, 2)
    doc.insert_layer(doc.new_layer("above"), doc.index_of(group.uid) + 1)
    assert doc.active_layer.parent is None and doc.children(None)[-2].name == "above"
    check_structure(doc.layers)
