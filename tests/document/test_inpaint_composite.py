"""Blending a generated square back into the picture: feather, soft selections, colour matching, and
pixels outside the selection kept bit-identical."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glide_desktop.document.geometry import Rect
from glide_desktop.document.inpaint_composite import Blend, blend_into, scaled_result, selection_alpha
from glide_desktop.document.inpaint_crop import ModelSizes, inpaint_crop

SIZES = ModelSizes(source=256, mask=64, threshold=1 / 255)


def _picture(height: int, width: int, channels: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, channels), dtype=np.uint8)


def _soft_disc(height: int, width: int, cx: float, cy: float, radius: float) -> np.ndarray:
    yy, xx = np.mgrid[0:height, 0:width]
    distance = np.hypot(xx + 0.5 - cx, yy + 0.5 - cy)
    return np.clip((radius - distance) / 6.0, 0.0, 1.0).astype(np.float32)  # a 6 px soft rim


@settings(max_examples=25, deadline=None)
@given(channels=st.sampled_from([3, 4]), feather=st.sampled_from([None, 0.0, 3.0, 25.0]),
       match=st.booleans(), cx=st.floats(0, 300), cy=st.floats(0, 200), radius=st.floats(2, 120))
def test_pixels_outside_the_selection_stay_bit_identical(channels, feather, match, cx, cy, radius):
    picture = _picture(200, 300, channels)
    coverage = _soft_disc(200, 300, cx, cy, radius)
    if not coverage.any():
        return
    rgba = picture if channels == 4 else np.dstack([picture, np.full((200, 300), 255, np.uint8)])
    crop = inpaint_crop(rgba, coverage, SIZES)
    generated = _picture(256, 256, 3, seed=1)
    out = blend_into(picture, generated, crop.rect, coverage, Blend(feather=feather, match_colour=match))
    outside = coverage == 0
    assert out.dtype == np.uint8 and out.shape == picture.shape
    assert np.array_equal(out[outside], picture[outside])
    if radius >= 20 and feather in (None, 0.0):
        assert not np.array_equal(out, picture)  # a solid selection did change


def test_inside_a_hard_selection_the_generated_pixels_replace_the_picture():
    picture = _picture(100, 100, 3)
    coverage = np.zeros((100, 100), np.float32)
    coverage[20:80, 30:70] = 1.0
    rect = Rect(0, 0, 100, 100)
    generated = np.full((256, 256, 3), (200, 40, 90), np.uint8)
    out = blend_into(picture, generated, rect, coverage, Blend(feather=0.0))
    assert np.array_equal(out[20:80, 30:70], np.broadcast_to(np.array([200, 40, 90], np.uint8), (60, 40, 3)))


def test_the_feather_is_inside_the_selection_and_never_above_a_soft_coverage():
    coverage = _soft_disc(120, 120, 60, 60, 40)
    rect = Rect(-10, -10, 140, 140)
    for feather in (0.0, 4.0, 20.0):
        alpha = selection_alpha(coverage, rect, feather)
        assert np.all(alpha[10:130, 10:130] <= coverage + 1e-6)
        assert np.all(alpha[:10] == 0) and np.all(alpha[:, :10] == 0)  # outside the document
    hard, wide = selection_alpha(coverage, rect, 0.0), selection_alpha(coverage, rect, 20.0)
    assert np.array_equal(hard[10:130, 10:130], coverage)
    assert wide.sum() < hard.sum()  # a wider feather softens more of the edge


def test_colour_matching_moves_the_generated_colour_towards_the_surroundings():
    picture = np.full((128, 128, 3), (120, 130, 140), np.uint8)
    coverage = np.zeros((128, 128), np.float32)
    coverage[40:88, 40:88] = 1.0
    generated = np.full((256, 256, 3), (150, 100, 140), np.uint8)  # the model drifted: +30, -30, 0
    rect = Rect(0, 0, 128, 128)
    plain = blend_into(picture, generated, rect, coverage, Blend(feather=0.0))
    matched = blend_into(picture, generated, rect, coverage, Blend(feather=0.0, match_colour=True))
    assert tuple(plain[64, 64]) == (150, 100, 140)
    assert np.abs(matched[64, 64].astype(int) - (120, 130, 140)).max() <= 1


def test_an_rgba_picture_keeps_straight_alpha_where_it_was_transparent():
    picture = np.zeros((64, 64, 4), np.uint8)  # fully transparent
    coverage = np.zeros((64, 64), np.float32)
    coverage[16:48, 16:48] = 1.0
    generated = np.full((256, 256, 3), (10, 200, 30), np.uint8)
    out = blend_into(picture, generated, Rect(0, 0, 64, 64), coverage, Blend(feather=0.0))
    assert tuple(out[32, 32]) == (10, 200, 30, 255)
    assert not out[0, 0].any()


def test_bad_shapes_are_refused_with_a_message():
    with pytest.raises(ValueError, match="differ in size"):
        blend_into(_picture(10, 10, 3), _picture(256, 256, 3), Rect(0, 0, 10, 10),
                   np.ones((10, 11), np.float32))
    with pytest.raises(ValueError, match="H, W, 3 uint8"):
        scaled_result(np.zeros((256, 256), np.uint8), Rect(0, 0, 10, 10))


def test_the_crop_takes_the_models_sizes_and_threshold_from_the_caller():
    picture = np.dstack([_picture(90, 90, 3), np.full((90, 90), 255, np.uint8)])
    coverage = np.zeros((90, 90), np.float32)
    coverage[30:60, 30:60] = 1.0
    coverage[0:5, 0:5] = 0.1  # faint: under a 0.2 threshold it is not part of the selection
    crop = inpaint_crop(picture, coverage, ModelSizes(source=128, mask=32, threshold=0.2), min_side=1)
    assert crop.source256.shape == (128, 128, 3) and crop.selection64.shape == (32, 32)
    assert crop.rect.contains(Rect(30, 30, 30, 30)) and not crop.rect.contains(Rect(0, 0, 5, 5))
    low = inpaint_crop(picture, coverage, ModelSizes(source=128, mask=32, threshold=0.05), min_side=1)
    assert low.rect.contains(Rect(0, 0, 5, 5))
