"""Free Transform of a group: each of its layers (and masks) moves by the same affine exactly as a Free
Transform of that layer alone would, as one undo step (test_free_transform mixes them with other edits
and group steps, undone and redone exactly)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glide_desktop.document.affine import Affine
from glide_desktop.document.document import Document
from glide_desktop.document.free_transform import apply_free_transform, lift
from glide_desktop.document.free_transform_group import FreeTransformGroup, group_lift, group_picture
from glide_desktop.document.group_commands import GroupLayers
from glide_desktop.document.history import History
from glide_desktop.document.layer import Layer
from tests.document.conftest import snapshot

group_transform = st.tuples(st.just("group-transform"), st.floats(-180, 180), st.floats(0.3, 2.5),
                      st.floats(0.3, 2.5), st.integers(-8, 8), st.integers(-8, 8))


def _affine(rect, op) -> Affine:
    cx, cy = rect.x + rect.w / 2, rect.y + rect.h / 2
    return (Affine.scaling(op[2], op[3], cx, cy).then(Affine.rotation(op[1], cx, cy))
            .then(Affine.translation(op[4], op[5])))


def group_transform_command(doc: Document, op: tuple) -> FreeTransformGroup | None:
    """A Free Transform of the first group in the stack (None when there is none, or it is empty)."""
    group = next((node for node in doc.layers if node.is_group), None)
    if group is None:
        return None
    rect = group_lift(doc, group.uid, with_piece=False).rect
    return None if rect.is_empty() else FreeTransformGroup(group.uid, _affine(rect, op))


def _masked_pair() -> tuple[Document, list[Layer], int]:
    doc = Document(40, 30)
    doc.insert_layer(Layer.filled(40, 30, (255, 255, 255, 255), "Background"))
    rng = np.random.default_rng(3)
    layers = []
    for i, (top, left) in enumerate(((4, 5), (12, 18))):
        layer = Layer.blank(40, 30, f"L{i}")
        layer.pixels[top:top + 9, left:left + 11] = rng.integers(0, 256, (9, 11, 4), dtype=np.uint8)
        layers.append(layer)
        doc.insert_layer(layer)
    layers[1].mask = rng.integers(0, 256, (30, 40), dtype=np.uint8)
    command = GroupLayers([layer.uid for layer in layers])
    command.redo(doc)
    return doc, layers, command.group.uid


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(group_transform)
def test_each_layer_moves_as_its_own_free_transform_would(op):
    doc, layers, group = _masked_pair()
    affine = _affine(group_lift(doc, group).rect, op)
    expected = [apply_free_transform(layer, lift(layer, None), affine) for layer in layers]
    start = snapshot(doc)
    history = History()
    history.push(doc, FreeTransformGroup(group, affine))
    for layer, result in zip(layers, expected, strict=True):
        assert np.array_equal(layer.pixels, result.pixels) and layer.offset == result.offset
        assert (layer.mask is None) == (result.mask is None)
        if layer.mask is not None:
            assert np.array_equal(layer.mask, result.mask)
    history.undo(doc)  # one step undoes every layer
    assert snapshot(doc) == start and not history.can_undo


def test_the_preview_picture_leaves_the_group_out_and_keeps_what_lies_above():
    doc, layers, group = _masked_pair()
    top = Layer.blank(40, 30, "Top")
    top.pixels[0:3, 0:3] = (0, 0, 255, 255)
    doc.insert_layer(top, len(doc.layers))
    lifted = group_lift(doc, group)
    picture = group_picture(doc, group, lifted)
    assert picture.rect == doc.bounds and picture.above is not None
    assert (picture.below[..., :3] == 255).all()  # only the white background below the group
    assert tuple(picture.above[1, 1]) == (0, 0, 255, 255) and not picture.above[10:, 10:, 3].any()
    assert (lifted.rect.x, lifted.rect.y) == (5, 4)
    assert lifted.piece.shape[:2] == (lifted.rect.h, lifted.rect.w)
