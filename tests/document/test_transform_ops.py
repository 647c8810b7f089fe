"""Image geometry: crop, canvas size, image size, quarter turns, flips; undo restores exact bytes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.history import History
from glide_desktop.document.layer import Layer
from glide_desktop.document.selection import rect_coverage
from glide_desktop.document.transform_commands import FlipLayer, TransformImage
from glide_desktop.document.transform_ops import ANCHORS, Axis, Crop, Flip, Resize, Rotate, canvas_crop
from tests.document.conftest import gradient_layer

W, H = 12, 8


def _doc() -> Document:
    """A background, an offset generated layer with a crop box, and a selection."""
    doc = Document(W, H)
    doc.insert_layer(gradient_layer(W, H, "background", seed=1))
    generated = gradient_layer(5, 3, "generated", seed=2)
    generated.offset = (6, 4)
    generated.metadata = {"prompt": "a fox", "crop": [6, 4, 5, 3]}
    doc.insert_layer(generated)
    doc.selection.combine("replace", rect_coverage(doc.size, (1, 1, 4, 3)))
    return doc


def full_state(doc: Document) -> tuple:
    """Everything a transform may change, as exact bytes."""
    layers = tuple((layer.uid, layer.offset, repr(layer.metadata), layer.pixels.shape, layer.pixels.tobytes())
                   for layer in doc.layers)
    return doc.size, layers, doc.active_uid, doc.selection.coverage.tobytes()


def test_rotate_right_moves_pixels_offsets_and_crop_box():
    doc = _doc()
    top = doc.layers[1]
    corner = top.pixels[0, 0].copy()  # document (6, 4) -> (H - 1 - 4, 6) = (3, 6)
    TransformImage(Rotate(1), "Rotate").redo(doc)
    assert doc.size == (H, W)
    assert top.bounds == Rect(8 - 4 - 3, 6, 3, 5)
    assert np.array_equal(doc.composite_uncached()[6, 3], _over(doc, 3, 6))
    assert np.array_equal(top.pixels[0, -1], corner)
    assert top.metadata["crop"] == [1, 6, 3, 5]
    assert doc.selection.coverage.shape == (W, H)
    assert doc.selection.bbox() == Rect(H - 4, 1, 3, 4)


def _over(doc: Document, x: int, y: int) -> np.ndarray:
    return doc.composite_uncached(Rect(x, y, 1, 1))[0, 0]


@pytest.mark.parametrize("op", [Rotate(1), Rotate(2), Rotate(3), Flip(Axis.HORIZONTAL), Flip(Axis.VERTICAL)])
def test_turns_and_flips_move_the_composite_like_the_image(op):
    doc = _doc()
    before = doc.composite_uncached()
    TransformImage(op, "op").redo(doc)
    after = doc.composite_uncached()
    expected = {1: np.rot90(before, -1), 2: np.rot90(before, 2), 3: np.rot90(before, 1)}.get(
        getattr(op, "k", None))
    if expected is None:
        expected = before[:, ::-1] if op.axis is Axis.HORIZONTAL else before[::-1]
    assert np.array_equal(after, expected)


def test_crop_keeps_layers_inside_and_moves_the_crop_box():
    doc = _doc()
    TransformImage(Crop(Rect(4, 2, 6, 5)), "Crop").redo(doc)
    background, generated = doc.layers
    assert doc.size == (6, 5)
    assert background.bounds == Rect(0, 0, 6, 5)
    assert generated.bounds == Rect(2, 2, 4, 3)
    assert generated.metadata["crop"] == [2, 2, 5, 3]
    assert doc.selection.coverage.shape == (5, 6)


def test_canvas_size_anchors_the_old_image():
    assert canvas_crop(10, 10, 14, 12, "bottom-right").rect == Rect(-4, -2, 14, 12)
    assert canvas_crop(10, 10, 14, 12, "center").rect == Rect(-2, -1, 14, 12)
    assert canvas_crop(10, 10, 6, 10, "top-left").rect == Rect(0, 0, 6, 10)
    doc = _doc()
    TransformImage(canvas_crop(W, H, W + 4, H + 2, "center"), "Canvas size").redo(doc)
    assert doc.size == (W + 4, H + 2)
    assert doc.layers[0].offset == (2, 1)
    assert doc.layers[1].metadata["crop"] == [8, 5, 5, 3]
    assert _over(doc, 0, 0)[3] == 0  # the added border is transparent


def test_resize_scales_layers_boxes_and_selection_with_lanczos():
    doc = _doc()
    TransformImage(Resize(24, 16), "Image size").redo(doc)
    assert doc.size == (24, 16)
    assert doc.layers[1].bounds == Rect(12, 8, 10, 6)
    assert doc.layers[1].metadata["crop"] == [12, 8, 10, 6]
    assert doc.selection.bbox().contains(Rect(3, 3, 6, 4))


def test_resize_does_not_bleed_transparent_colour_into_edges():
    doc = Document(8, 8)
    pixels = np.zeros((8, 8, 4), np.uint8)
    pixels[:, :4] = (255, 0, 0, 255)
    pixels[:, 4:] = (0, 255, 0, 0)  # invisible green must not tint the red edge
    doc.insert_layer(Layer(pixels))
    TransformImage(Resize(5, 5), "Image size").redo(doc)
    visible = doc.layers[0].pixels[doc.layers[0].pixels[..., 3] > 16]
    assert visible[:, 1].max() <= 2


def test_flip_layer_mirrors_in_place_and_its_crop_box_inside_it():
    doc = _doc()
    generated = doc.layers[1]
    generated.metadata["crop"] = [6, 4, 2, 3]
    first_column = generated.pixels[:, 0].copy()
    FlipLayer(generated.uid, Axis.HORIZONTAL).redo(doc)
    assert generated.bounds == Rect(6, 4, 5, 3)
    assert np.array_equal(generated.pixels[:, -1], first_column)
    assert generated.metadata["crop"] == [9, 4, 2, 3]


ops = st.one_of(
    st.builds(Rotate, st.integers(1, 3)),
    st.builds(Flip, st.sampled_from(list(Axis))),
    st.builds(lambda x, y, w, h: Crop(Rect(x, y, w, h)), st.integers(-3, 8), st.integers(-3, 6),
              st.integers(1, 16), st.integers(1, 12)),
    st.builds(lambda w, h, a: canvas_crop(W, H, w, h, a), st.integers(1, 20), st.integers(1, 14),
              st.sampled_from(list(ANCHORS))),
    st.builds(Resize, st.integers(1, 30), st.integers(1, 20)),
)
step = st.one_of(st.tuples(st.just("image"), ops),
                 st.tuples(st.just("flip layer"), st.integers(0, 1), st.sampled_from(list(Axis))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=5))
def test_any_transforms_undo_and_redo_to_exact_bytes(steps):
    doc, history = _doc(), History()
    states = [full_state(doc)]
    for kind, *args in steps:
        if kind == "image":
            history.push(doc, TransformImage(args[0], "op"))
        else:
            history.push(doc, FlipLayer(doc.layers[args[0]].uid, args[1]))
        states.append(full_state(doc))
    for expected in reversed(states[:-1]):
        history.undo(doc)
        assert full_state(doc) == expected
    for expected in states[1:]:
        history.redo(doc)
        assert full_state(doc) == expected
