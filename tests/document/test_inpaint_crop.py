"""The context crop around a selection, its 256/64 px inputs, and placing a result back as a layer."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from glide_desktop.document.geometry import Rect
from glide_desktop.document.inpaint_crop import (
    ModelSizes,
    Placement,
    context_rect,
    feather_radius,
    inpaint_crop,
    place_result,
    text2im_placement,
)
from glide_desktop.document.selection import rect_coverage

SIZES = ModelSizes(source=256, mask=64, threshold=1 / 255)  # GLIDE's, as the engine's types give them


def _opaque(height: int, width: int, rgb=(10, 20, 30)) -> np.ndarray:
    image = np.empty((height, width, 4), np.uint8)
    image[...] = (*rgb, 255)
    return image


def test_context_square_pads_a_quarter_of_the_selection_on_each_side():
    rect = context_rect(Rect(400, 300, 200, 100), 2000, 1500)
    assert rect == Rect(350, 200, 300, 300)  # 200 + 2 * 50, centred on the box's centre (500, 350)


def test_small_selections_get_the_minimum_context():
    rect = context_rect(Rect(500, 500, 10, 10), 2000, 2000, min_side=128)
    assert rect.w == rect.h == 128
    assert rect.contains(Rect(500, 500, 10, 10))


def test_context_is_shifted_inside_the_document_at_its_edges():
    rect = context_rect(Rect(0, 990, 100, 10), 1000, 1000)
    assert rect == Rect(0, 850, 150, 150)


def test_a_document_smaller_than_the_square_centres_it_and_caps_it_at_the_longer_side():
    rect = context_rect(Rect(0, 0, 100, 50), 100, 50)  # select all
    assert rect == Rect(0, -25, 100, 100)


def test_an_empty_box_is_refused_with_a_message():
    with pytest.raises(ValueError, match="selection is empty"):
        context_rect(Rect(3, 3, 0, 5), 10, 10)


@given(
    width=st.integers(1, 600), height=st.integers(1, 600),
    fx=st.floats(0, 1), fy=st.floats(0, 1), fw=st.floats(0, 1), fh=st.floats(0, 1),
)
def test_the_context_square_always_holds_the_selection(width, height, fx, fy, fw, fh):
    x, y = int(fx * (width - 1)), int(fy * (height - 1))
    bbox = Rect(x, y, max(1, int(fw * (width - x))), max(1, int(fh * (height - y))))
    rect = context_rect(bbox, width, height)
    assert rect.w == rect.h >= max(bbox.w, bbox.h)
    assert rect.contains(bbox)
    if rect.w <= width:
        assert 0 <= rect.x and rect.right <= width
    if rect.h <= height:
        assert 0 <= rect.y and rect.bottom <= height


def test_a_crop_of_exactly_256_pixels_is_the_document_itself():
    rng = np.random.default_rng(1)
    composite = rng.integers(0, 256, (400, 500, 4), dtype=np.uint8)
    composite[..., 3] = 255
    coverage = rect_coverage((500, 400), Rect(100, 50, 256, 203))
    crop = inpaint_crop(composite, coverage, SIZES, padding=0.0)
    assert crop.rect == Rect(100, 23, 256, 256)
    assert np.array_equal(crop.source256, composite[23:279, 100:356, :3])
    # Each 64 px mask cell averages a 4 x 4 block; rows 27..229 of the crop are selected.
    assert crop.selection64.shape == (64, 64) and crop.selection64.dtype == np.float32
    assert crop.selection64[:6].max() == 0.0 and crop.selection64[58:].max() == 0.0
    assert np.allclose(crop.selection64[6], 0.25) and np.allclose(crop.selection64[57], 0.5)
    assert crop.selection64[7:57].min() == 1.0


def test_larger_crops_are_scaled_down_to_256_and_64():
    composite = _opaque(1000, 1000)
    composite[:, 500:] = (200, 100, 0, 255)
    coverage = rect_coverage((1000, 1000), Rect(300, 300, 400, 400))
    crop = inpaint_crop(composite, coverage, SIZES)
    assert crop.rect == Rect(200, 200, 600, 600)
    assert crop.source256.shape == (256, 256, 3) and crop.source256.dtype == np.uint8
    assert crop.source256.flags.writeable  # torch wraps it without copying
    assert np.array_equal(crop.source256[:, :100], np.broadcast_to((10, 20, 30), (256, 100, 3)))
    assert np.array_equal(crop.source256[:, 160:], np.broadcast_to((200, 100, 0), (256, 96, 3)))
    # The selection is the middle 400 of 600 px: mask cells 11..52 are fully inside.
    assert crop.selection64[11:53, 11:53].min() == 1.0
    assert crop.selection64[:10].max() == 0.0 and crop.selection64[:, 54:].max() == 0.0


def test_outside_a_small_document_the_source_repeats_the_edge_and_nothing_is_selected():
    composite = _opaque(50, 100, (0, 0, 255))
    composite[0] = (255, 0, 0, 255)  # the top row is red
    coverage = np.ones((50, 100), np.float32)
    crop = inpaint_crop(composite, coverage, SIZES)
    assert crop.rect == Rect(0, -25, 100, 100)
    # 25 of 100 rows lie above the document: the top quarter of the source is the red edge row.
    # 26 red rows of 100 scaled to 256 end at row 66; Lanczos rings for about 3 source rows.
    assert np.array_equal(crop.source256[:56], np.broadcast_to((255, 0, 0), (56, 256, 3)))
    assert np.array_equal(crop.source256[80:], np.broadcast_to((0, 0, 255), (176, 256, 3)))
    assert crop.selection64[:16].max() == 0.0 and crop.selection64[48:].max() == 0.0
    assert crop.selection64[17:47].min() == 1.0


def test_transparent_pixels_look_like_white_paper_to_the_model():
    composite = np.zeros((300, 300, 4), np.uint8)
    coverage = rect_coverage((300, 300), Rect(100, 100, 50, 50))
    crop = inpaint_crop(composite, coverage, SIZES)
    assert (crop.source256 == 255).all()


def test_inpaint_crop_refuses_an_empty_selection_and_mismatched_sizes():
    with pytest.raises(ValueError, match="selection is empty"):
        inpaint_crop(_opaque(10, 10), np.zeros((10, 10), np.float32), SIZES)
    with pytest.raises(ValueError, match="differ in size"):
        inpaint_crop(_opaque(10, 10), np.ones((10, 12), np.float32), SIZES)
    with pytest.raises(ValueError, match="H, W, 4 uint8"):
        inpaint_crop(np.zeros((10, 10, 3), np.uint8), np.ones((10, 10), np.float32), SIZES)


def test_the_placed_result_covers_the_selection_only_with_a_soft_inner_edge():
    coverage = rect_coverage((1000, 800), Rect(300, 200, 400, 300))
    crop = inpaint_crop(_opaque(800, 1000), coverage, SIZES)
    result = np.full((256, 256, 3), (9, 200, 30), np.uint8)
    layer = place_result(result, crop.placement, 1000, 800)
    assert layer.shape == (800, 1000, 4)
    alpha = layer[..., 3]
    assert alpha[coverage == 0].max() == 0, "nothing outside the selection may be covered"
    edge = int(np.ceil(2 * feather_radius(crop.rect.w))) + 1
    assert (alpha[200 + edge: 500 - edge, 300 + edge: 700 - edge] == 255).all()
    assert 0 < alpha[350, 300] < 255, "the selection's edge blends softly"
    assert (layer[200 + edge: 500 - edge, 300 + edge: 700 - edge, :3] == (9, 200, 30)).all()


def test_the_result_is_scaled_back_into_the_crop_the_right_way_round():
    composite = _opaque(600, 600)
    coverage = np.zeros((600, 600), np.float32)
    coverage[100:500, 100:500] = 1.0
    crop = inpaint_crop(composite, coverage, SIZES, padding=0.0, min_side=1)
    assert crop.rect == Rect(100, 100, 400, 400)
    result = np.zeros((256, 256, 3), np.uint8)
    result[:128, :, 0] = 255  # top half red
    result[:, 128:, 1] = 255  # right half green
    layer = place_result(result, crop.placement, 600, 600)
    assert tuple(layer[150, 150, :3]) == (255, 0, 0)  # top left of the crop
    assert tuple(layer[150, 450, :3]) == (255, 255, 0)  # top right
    assert tuple(layer[450, 150, :3]) == (0, 0, 0)  # bottom left
    assert tuple(layer[450, 450, :3]) == (0, 255, 0)  # bottom right


def test_placing_into_a_square_past_the_document_edges_clips_to_the_document():
    placement = Placement(Rect(-10, 5, 40, 40), np.ones((40, 40), np.float32))
    layer = place_result(np.full((256, 256, 3), 77, np.uint8), placement, 20, 30)
    assert layer.shape == (30, 20, 4)
    assert (layer[5:, :, 3] == 255).all() and (layer[:5, :, 3] == 0).all()
    assert (layer[5:, :, :3] == 77).all()


def test_text2im_results_are_centred_at_512_or_the_shorter_side():
    big = text2im_placement(2000, 1000)
    assert big.rect == Rect(744, 244, 512, 512) and (big.alpha == 1).all()
    small = text2im_placement(300, 200)
    assert small.rect == Rect(50, 0, 200, 200)
    layer = place_result(np.full((256, 256, 3), 40, np.uint8), small, 300, 200)
    assert (layer[:, 50:250, 3] == 255).all() and (layer[:, 50:250, :3] == 40).all()
    assert (layer[:, :50, 3] == 0).all() and (layer[:, 250:, 3] == 0).all()


def test_place_result_refuses_a_wrong_image():
    placement = text2im_placement(64, 64)
    with pytest.raises(ValueError, match="H, W, 3 uint8"):
        place_result(np.zeros((256, 256, 4), np.uint8), placement, 64, 64)
