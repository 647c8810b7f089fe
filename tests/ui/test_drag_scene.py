"""The drag preview's split of a document with groups, checked with the document's own compositor: the
planes below and above, the moving piece at any delta and its host group's block recompose to what the
document composites once the node has moved (random structures, modes and pixels)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from glide_desktop.document.compositing import composite_rect
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.group_commands import GroupLayers
from glide_desktop.document.group_compositing import fade
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.ui.canvas.drag_scene import DragScene, scene_for

W, H = 24, 16
BLENDS = [BlendMode.NORMAL, BlendMode.MULTIPLY, BlendMode.SCREEN, BlendMode.DARKEN, BlendMode.LIGHTEN,
          BlendMode.DIFFERENCE]
layer_style = st.tuples(st.sampled_from(BLENDS), st.sampled_from([1.0, 0.7]), st.integers(0, 2**32 - 1))
group_style = st.tuples(st.booleans(), st.sampled_from([1.0, 0.6]), st.sampled_from(BLENDS))


def _document(layers, outer, inner) -> Document:
    """L0 L1 [outer: L2 L3 [inner: L4]] L5, each layer a random translucent patch."""
    doc = Document(W, H)
    uids = []
    for i, (blend, opacity, seed) in enumerate(layers):
        rng = np.random.default_rng(seed)
        pixels = rng.integers(0, 256, (H, W, 4), dtype=np.uint8)
        pixels[..., 3] = np.where(rng.random((H, W)) < 0.3, 0, pixels[..., 3])
        blend = BlendMode.NORMAL if i == 0 else blend
        layer = Layer(pixels, name=f"L{i}", blend=blend, opacity=opacity, offset=(i - 2, 2 - i))
        doc.insert_layer(layer)
        uids.append(layer.uid)
    inner_cmd = GroupLayers([uids[4]])
    inner_cmd.redo(doc)
    outer_cmd = GroupLayers([uids[2], uids[3], inner_cmd.group.uid])
    outer_cmd.redo(doc)
    for group, (pass_through, opacity, blend) in ((outer_cmd.group, outer), (inner_cmd.group, inner)):
        doc.set_layer_property(group.uid, "pass_through", pass_through)
        doc.set_layer_property(group.uid, "opacity", opacity)
        doc.set_layer_property(group.uid, "blend", BlendMode.NORMAL if pass_through else blend)
    return doc


def _recompose(scene: DragScene, delta: tuple[int, int]) -> np.ndarray:
    """The picture the preview draws, made with the document compositor at full resolution."""
    rect = Rect(0, 0, W, H)

    def plane(nodes, blend=BlendMode.NORMAL, opacity=1.0) -> Layer:
        return Layer(composite_rect(nodes, rect), blend=blend, opacity=opacity, uid=0)

    def piece_layer(piece) -> Layer:
        pixels = piece.layer.shown_pixels((slice(None), slice(None))) if piece.layer is not None else (
            composite_rect(piece.nodes, piece.rect))
        return Layer(pixels, blend=piece.blend, opacity=piece.opacity, visible=piece.visible, uid=0,
                     offset=(piece.rect.x + delta[0], piece.rect.y + delta[1]))

    # A pass-through group's parts are drawn in turn (each with its blend), else the block at once.
    moving = [piece_layer(part) for part in scene.piece.parts] or [piece_layer(scene.piece)]
    above = [plane(spec.nodes, spec.blend, spec.opacity) for spec in scene.above]
    if scene.host is None:
        return composite_rect([plane(scene.below), *moving, *above], rect)
    host = scene.host
    inner = [plane(spec.nodes, spec.blend, spec.opacity) for spec in host.above]
    block = composite_rect([plane(host.below), *moving, *inner], rect)
    below = composite_rect(scene.below, rect)
    if host.isolated:
        joined = composite_rect([Layer(below, uid=0), Layer(block, blend=host.blend, opacity=host.opacity,
                                                                  uid=0)], rect)
    else:
        joined = fade(below, block, host.opacity)
    return composite_rect([Layer(joined, uid=0), *above], rect)


def _premultiplied(straight: np.ndarray) -> np.ndarray:
    return straight[..., :3].astype(np.int32) * straight[..., 3:4] // 255


_MIXED = [(BlendMode.NORMAL, 1.0, 1), (BlendMode.SCREEN, 0.7, 2), (BlendMode.NORMAL, 1.0, 3),
          (BlendMode.MULTIPLY, 0.7, 4), (BlendMode.DIFFERENCE, 1.0, 5), (BlendMode.NORMAL, 0.7, 6)]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(layer_style, min_size=6, max_size=6), group_style, group_style, st.integers(0, 7),
       st.tuples(st.integers(-5, 5), st.integers(-5, 5)))
@example(_MIXED, (True, 0.6, BlendMode.NORMAL), (True, 1.0, BlendMode.NORMAL), 2, (3, -2))  # fading host
@example(_MIXED, (False, 0.6, BlendMode.MULTIPLY), (True, 1.0, BlendMode.NORMAL), 4, (3, -2))  # isolated
@example(_MIXED, (False, 0.6, BlendMode.SCREEN), (True, 1.0, BlendMode.NORMAL), 6, (-4, 1))  # a group
@example(_MIXED, (True, 1.0, BlendMode.NORMAL), (True, 1.0, BlendMode.NORMAL), 6, (2, 3))  # its parts
@example(_MIXED, (True, 0.6, BlendMode.NORMAL), (False, 0.7, BlendMode.DARKEN), 6, (2, 3))  # fading
def test_the_split_recomposes_to_the_moved_document(layers, outer, inner, pick, delta):
    doc = _document(layers, outer, inner)
    node = doc.layers[pick]
    scene = scene_for(doc, node.uid)
    assume(scene is not None)
    inside = doc.descendants(node.uid)
    if node.is_group and node.pass_through and (not scene.piece.parts or any(
            inner.is_group and inner.pass_through and inner.opacity < 1.0 for inner in inside)):
        # A fading pass-through group inside another fading group, or inside the moving one, moves as
        # one block drawn "over" (exact when everything in it blends normally).
        assume(all(inner.blend is BlendMode.NORMAL for inner in inside if not inner.is_group))
    preview = _recompose(scene, delta)
    for layer in [node] if not node.is_group else [n for n in doc.descendants(node.uid) if not n.is_group]:
        layer.offset = (layer.offset[0] + delta[0], layer.offset[1] + delta[1])
    exact = doc.composite_uncached()
    # The preview's planes are 8-bit images: a rounding or two apart where several blends stack.
    assert np.abs(_premultiplied(preview) - _premultiplied(exact)).max() <= 4
    assert np.abs(preview[..., 3].astype(int) - exact[..., 3]).max() <= 2


def test_two_nested_groups_with_their_own_pass_or_a_fading_group_above_leave_no_preview():
    style = (BlendMode.NORMAL, 1.0, 1)
    doc = _document([style] * 6, (False, 1.0, BlendMode.NORMAL), (False, 1.0, BlendMode.MULTIPLY))
    assert scene_for(doc, doc.layers[4].uid) is None  # L4 inside two isolated groups
    assert scene_for(doc, doc.layers[2].uid) is not None  # L2 inside the outer one only
    doc = _document([style] * 6, (True, 0.6, BlendMode.NORMAL), (True, 1.0, BlendMode.NORMAL))
    assert scene_for(doc, doc.layers[1].uid) is None  # a pass-through group at 60 % above L1
    assert scene_for(doc, doc.layers[-1].uid) is not None


def test_a_pass_through_group_with_blended_layers_moves_as_parts():
    doc = _document(_MIXED, (True, 1.0, BlendMode.NORMAL), (True, 1.0, BlendMode.NORMAL))
    scene = scene_for(doc, doc.layers[6].uid)  # the outer group: L2 normal, L3 multiply, [L4 difference]
    assert [part.blend for part in scene.piece.parts] == [BlendMode.NORMAL, BlendMode.MULTIPLY,
                                                           BlendMode.DIFFERENCE]
    assert scene.host is None
    doc = _document(_MIXED, (True, 0.6, BlendMode.NORMAL), (False, 0.7, BlendMode.DARKEN))
    scene = scene_for(doc, doc.layers[6].uid)  # fading: the group is its own host
    assert scene.host is not None and scene.host.opacity == 0.6 and scene.piece.opacity == 1.0
    assert [part.blend for part in scene.piece.parts] == [BlendMode.NORMAL, BlendMode.MULTIPLY,
                                                           BlendMode.DARKEN]


def test_a_masked_group_above_is_a_plane_with_its_mask_and_a_masked_group_itself_does_not_move_live():
    doc = _document(_MIXED, (False, 0.8, BlendMode.SCREEN), (True, 1.0, BlendMode.NORMAL))
    outer = doc.layers[6]
    outer.mask = np.zeros((H, W), np.uint8)
    outer.mask[:, : W // 2] = 255  # the group shows on the left half only
    below = doc.layers[1]
    scene = scene_for(doc, below.uid)
    assert scene is not None
    preview = _recompose(scene, (2, -1))
    below.offset = (below.offset[0] + 2, below.offset[1] - 1)
    exact = doc.composite_uncached()
    assert np.abs(_premultiplied(preview) - _premultiplied(exact)).max() <= 4
    assert scene_for(doc, outer.uid) is None  # its mask stays put while its layers would move
    assert scene_for(doc, doc.layers[2].uid) is None  # inside it: the same
