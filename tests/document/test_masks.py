"""Layer masks: compositing (fast path against the reference), and the mask commands' undo."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glide_desktop.document.commands import MergeDown
from glide_desktop.document.compositing import composite, composite_reference
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.history import History
from glide_desktop.document.layer import BlendMode, Layer, apply_mask
from glide_desktop.document.mask_commands import (
    add_mask,
    apply_mask_step,
    delete_mask,
    invert_mask,
    toggle_mask,
)
from glide_desktop.document.transform_commands import FlipLayer, TransformImage
from glide_desktop.document.transform_ops import Axis, Crop, Flip, Resize, Rotate
from tests.document.conftest import snapshot, undo_all_then_redo_all
from tests.document.test_compositing import _mixed_stack, small_chunks  # noqa: F401  (fixture)


def test_mask_scales_alpha_and_a_disabled_mask_does_nothing():
    layer = Layer.filled(4, 1, (200, 10, 10, 255))
    layer.mask = np.array([[0, 128, 255, 51]], np.uint8)
    out = composite([layer], 4, 1)
    assert out[0, :, 3].tolist() == [0, 128, 255, 51]
    assert out[0, 0].tolist() == [0, 0, 0, 0]  # a fully masked pixel keeps no colour
    layer.mask_enabled = False
    assert composite([layer], 4, 1)[0, :, 3].tolist() == [255] * 4


def test_apply_mask_rounds_alpha_times_mask():
    pixels = np.zeros((1, 3, 4), np.uint8)
    pixels[..., 3] = [100, 255, 3]
    pixels[..., 0] = 9
    out = apply_mask(pixels, np.array([[128, 77, 42]], np.uint8))
    assert out[0, :, 3].tolist() == [round(100 * 128 / 255), 77, 0]  # 3 * 42 / 255 rounds to 0
    assert out[0, 2].tolist() == [0, 0, 0, 0] and out[0, 1, 0] == 9


@pytest.mark.parametrize("seed", [0, 1])
def test_fast_composite_matches_the_reference_with_masks(small_chunks, seed):  # noqa: F811
    rng = np.random.default_rng(seed + 40)
    layers = _mixed_stack(seed)
    for index, layer in enumerate(layers):
        if index % 2:
            mask = rng.integers(0, 256, (layer.height, layer.width), dtype=np.uint8)
            mask[:6] = 255
            mask[-6:] = 0  # whole chunks hidden by the mask
            layer.mask, layer.mask_enabled = mask, index % 4 != 3
    expected = composite_reference(layers, Rect(0, 0, 60, 40))
    assert np.array_equal(composite(layers, 60, 40), expected)
    plain = [layer.copy() for layer in layers]
    for layer in plain:
        if layer.masked:
            layer.pixels, layer.mask = layer.shown_pixels((slice(None), slice(None))), None
    assert np.array_equal(composite_reference(plain, Rect(0, 0, 60, 40)), expected)


def test_mask_over_an_opaque_layer_lets_the_layer_below_show(small_chunks):  # noqa: F811
    below = Layer.filled(20, 10, (0, 0, 255, 255))
    above = Layer.filled(20, 10, (255, 0, 0, 255), blend=BlendMode.NORMAL)
    above.mask = np.zeros((10, 20), np.uint8)
    above.mask[:, 10:] = 255
    out = composite([below, above], 20, 10)
    assert out[0, 0].tolist() == [0, 0, 255, 255] and out[0, 15].tolist() == [255, 0, 0, 255]


def test_document_cache_follows_mask_writes(small_chunks):  # noqa: F811
    doc = Document(20, 10)
    doc.insert_layer(Layer.filled(20, 10, (0, 0, 255, 255)))
    top = Layer.filled(20, 10, (255, 0, 0, 255))
    top.mask = np.full((10, 20), 255, np.uint8)
    doc.insert_layer(top)
    assert doc.composite()[5, 5].tolist() == [255, 0, 0, 255]
    doc.write_mask(top.uid, Rect(0, 0, 8, 10), np.zeros((10, 8), np.uint8))
    assert np.array_equal(doc.composite(), composite_reference(doc.layers, doc.bounds))
    assert doc.composite()[5, 5].tolist() == [0, 0, 255, 255]


def _masked_doc() -> Document:
    doc = Document(12, 8)
    doc.insert_layer(Layer.filled(12, 8, (0, 0, 255, 255)))
    top = Layer(np.random.default_rng(3).integers(0, 256, (5, 7, 4), dtype=np.uint8), offset=(2, 1))
    top.mask = np.random.default_rng(4).integers(0, 256, (5, 7), dtype=np.uint8)
    doc.insert_layer(top)
    return doc


@pytest.mark.parametrize("op", [Rotate(1), Rotate(2), Flip(Axis.HORIZONTAL), Flip(Axis.VERTICAL)])
def test_image_transforms_carry_the_mask_with_the_pixels(op):
    doc = _masked_doc()
    before = doc.composite_uncached()
    History().push(doc, TransformImage(op, "t"))
    expected = op.map_layer(before, Rect(0, 0, 12, 8), 12, 8)[0]
    assert np.array_equal(doc.composite_uncached(), expected)


def test_flip_layer_and_merge_down_keep_the_mask_effect():
    doc = _masked_doc()
    top = doc.layers[1]
    shown = top.shown_pixels((slice(None), slice(None))).copy()
    history = History()
    history.push(doc, FlipLayer(top.uid, Axis.VERTICAL))
    assert np.array_equal(top.shown_pixels((slice(None), slice(None))), shown[::-1])
    before = doc.composite_uncached()
    history.push(doc, MergeDown(top.uid))
    assert doc.layers[0].mask is None
    assert np.array_equal(doc.composite_uncached(), before)


def test_a_placed_result_with_its_alpha_as_mask_composites_exactly_as_before(small_chunks):  # noqa: F811
    from glide_desktop.document.inpaint_crop import ModelSizes, inpaint_crop, place_result
    from glide_desktop.document.mask_commands import alpha_as_mask
    from glide_desktop.document.selection import ellipse_coverage

    rng = np.random.default_rng(9)
    photo = Layer(rng.integers(0, 256, (70, 90, 4), dtype=np.uint8), "photo")
    photo.pixels[..., 3] = 255  # an opaque photo, as a document's background is
    coverage = ellipse_coverage((90, 70), (20, 15, 40, 30))
    crop = inpaint_crop(photo.pixels, coverage, ModelSizes(256, 64, 1 / 255), feather=4)
    placed = place_result(rng.integers(0, 256, (256, 256, 3), dtype=np.uint8), crop.placement, 90, 70)
    pixels, mask = alpha_as_mask(placed, crop.placement.rect)
    inside = crop.placement.rect.clip(90, 70)
    assert (pixels[inside.slices()][..., 3] == 255).all() and np.array_equal(mask, placed[..., 3])
    plain = [photo, Layer(placed)]
    masked = [photo, Layer(pixels, mask=mask)]
    expected = composite_reference(plain, Rect(0, 0, 90, 70))
    assert np.array_equal(composite(masked, 90, 70), expected)
    assert np.array_equal(composite_reference(masked, Rect(0, 0, 90, 70)), expected)
    outside = coverage == 0
    assert np.array_equal(expected[outside], composite([photo], 90, 70)[outside])


_IMAGE_OPS = st.sampled_from([Rotate(1), Rotate(3), Flip(Axis.HORIZONTAL), Crop(Rect(1, 2, 9, 5)),
                              Crop(Rect(-2, -1, 15, 10)), Resize(7, 11)])
_MASK_STEPS = st.sampled_from(["white", "selection", "invert", "toggle", "apply", "delete"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(_IMAGE_OPS, _MASK_STEPS), min_size=1, max_size=8))
def test_image_transforms_and_mask_steps_undo_to_the_exact_bytes(steps):
    doc, history = _masked_doc(), History()
    doc.selection.coverage[2:6, 3:9] = 0.75
    start = snapshot(doc)
    for step in steps:
        top = doc.layers[1]
        if isinstance(step, str):
            if (step in ("white", "selection")) != (top.mask is None):
                continue
            actions = {"invert": invert_mask, "toggle": toggle_mask, "apply": apply_mask_step,
                       "delete": delete_mask}
            command = add_mask(doc, top.uid, step) if top.mask is None else actions[step](doc, top.uid)
        else:
            command = TransformImage(step, "transform")
        history.push(doc, command)
        if top.mask is not None:
            assert top.mask.shape == top.pixels.shape[:2]
    end = snapshot(doc)
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    undo_all_then_redo_all(doc, history, start, end)
