"""The canvas's building blocks without a widget: zoom steps, pyramid levels, selection outline."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from glide_desktop.document.geometry import Rect
from glide_desktop.ui.canvas.ants import STRIPE, _stripe_brush, mask_bounds, outline_segments
from glide_desktop.ui.canvas.pyramid import ImagePyramid, premultiply
from glide_desktop.ui.canvas.viewport import MAX_ZOOM, MIN_ZOOM, Viewport, next_zoom_step


def test_zoom_steps_go_up_and_down_and_stop_at_the_limits():
    assert next_zoom_step(1.0, +1) == 1.5 and next_zoom_step(1.0, -1) == 2 / 3
    assert next_zoom_step(0.3, +1) == 1 / 3 and next_zoom_step(0.3, -1) == 1 / 4
    assert next_zoom_step(MAX_ZOOM, +1) == MAX_ZOOM and next_zoom_step(MIN_ZOOM, -1) == MIN_ZOOM


def test_viewport_zoom_keeps_the_anchor_fixed():
    view = Viewport()
    view.origin = QPointF(10, 20)
    anchor = QPointF(110, 70)
    under = view.to_doc(anchor)
    view.zoom_about(3.0, anchor)
    assert view.to_widget(under) == anchor
    assert view.to_doc(view.to_widget(QPointF(7, 9))) == QPointF(7, 9)


@pytest.mark.parametrize("zoom,level", [(2.0, 0), (1.0, 0), (0.6, 0), (0.5, 1), (0.3, 1), (0.25, 2),
                                        (0.01, 3)])
def test_pyramid_level_never_undersamples(zoom, level):
    view = Viewport()
    view.zoom = zoom
    assert view.pyramid_level(max_level=3) == level


def test_premultiply_rounds_to_nearest():
    rgba = np.array([[[255, 100, 0, 128], [10, 20, 30, 0], [7, 8, 9, 255]]], np.uint8)
    out = premultiply(rgba)
    assert out[0, 0].tolist() == [128, 50, 0, 128]  # 255*128/255 = 128, 100*128/255 = 50.2
    assert out[0, 1].tolist() == [0, 0, 0, 0]
    assert out[0, 2].tolist() == [7, 8, 9, 255]


def test_pyramid_levels_are_box_averages_updated_only_in_the_dirty_rect():
    pyramid = ImagePyramid(1000, 600)
    assert [(lv.width, lv.height) for lv in pyramid.levels] == [(1000, 600), (500, 300), (250, 150)]
    patch = np.zeros((4, 4, 4), np.uint8)
    patch[::2, ::2] = 200  # one bright pixel in each 2x2 block
    pyramid.write(Rect(100, 200, 4, 4), patch)
    level1 = pyramid.pixels(1)
    assert np.array_equal(level1[100:102, 50:52], np.full((2, 2, 4), 50, np.uint8))
    assert not level1[:100].any() and not level1[102:].any()
    assert pyramid.pixels(2)[50, 25].tolist() == [50, 50, 50, 50]  # (50*4 + 2) >> 2


def test_pyramid_odd_sizes_repeat_the_last_row_and_column():
    pyramid = ImagePyramid(513, 3)
    pyramid.fill(Rect(512, 0, 1, 3), (40, 40, 40, 40))
    assert pyramid.pixels(1)[0, 256].tolist() == [40, 40, 40, 40]
    assert pyramid.pixels(1)[1, 256].tolist() == [40, 40, 40, 40]


def _box_average(image: np.ndarray) -> np.ndarray:
    """Reference 2x2 mean rounded half up, in float, with the odd last row/column repeated."""
    h, w = image.shape[:2]
    padded = np.pad(image.astype(np.float64), ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
    mean = (padded[0::2, 0::2] + padded[1::2, 0::2] + padded[0::2, 1::2] + padded[1::2, 1::2]) / 4
    return np.floor(mean + 0.5).astype(np.uint8)


@pytest.mark.parametrize("width,height", [(700, 530), (611, 299)])
def test_every_pyramid_level_is_the_box_average_of_the_one_above(width, height):
    rng = np.random.default_rng(width)
    pyramid = ImagePyramid(width, height)
    pyramid.write(Rect(0, 0, width, height), rng.integers(0, 256, (height, width, 4), dtype=np.uint8))
    pyramid.write(Rect(3, 5, 100, 300), np.full((300, 100, 4), 255, np.uint8))  # extremes: no lane overflow
    for level in range(1, pyramid.max_level + 1):
        assert np.array_equal(pyramid.pixels(level), _box_average(pyramid.pixels(level - 1)))


def test_smaller_levels_refresh_only_when_asked_for():
    pyramid = ImagePyramid(1000, 600)
    pyramid.fill(Rect(10, 20, 30, 40), (90, 90, 90, 90))
    assert pyramid.stale_rect(1) == Rect(5, 10, 15, 20) and pyramid.stale_rect(2) == Rect(2, 5, 8, 10)
    assert not pyramid.levels[1].pixels.any()  # nothing halved yet
    pyramid.image(1)  # drawing level 1 brings it (and only it) up to date
    assert pyramid.stale_rect(1).is_empty() and pyramid.levels[1].pixels[10, 5].tolist() == [90] * 4
    assert pyramid.stale_rect(2) == Rect(2, 5, 8, 10) and not pyramid.levels[2].pixels.any()
    pyramid.fill(Rect(400, 300, 4, 4), (10, 10, 10, 10))  # a second edit joins the waiting area
    assert pyramid.stale_rect(2) == Rect(2, 5, 99, 71)
    assert pyramid.pixels(2)[75, 100].tolist() == [10] * 4 and pyramid.stale_rect(2).is_empty()


def test_outline_of_an_l_shape():
    mask = np.zeros((4, 4), bool)
    mask[1:3, 1] = True
    mask[2, 2] = True
    segments = {tuple(s) for s in outline_segments(mask, origin=(10, 20)).astype(int).tolist()}
    # Hand-traced boundary of pixels (1,1), (1,2), (2,2) shifted by the origin (10, 20).
    assert segments == {
        (11, 21, 12, 21), (12, 22, 13, 22), (11, 23, 13, 23),  # horizontal edges
        (11, 21, 11, 23), (12, 21, 12, 22), (13, 22, 13, 23),  # vertical edges
    }
    assert mask_bounds(mask) == Rect(1, 1, 2, 2)
    assert mask_bounds(np.zeros((3, 3), bool)).is_empty()


@pytest.mark.parametrize("direction", [(1, 0), (0, 1), (1, 1), (1, -1)])
def test_ants_stripe_alternates_along_every_outline_direction(direction):
    # A stripe that stays one colour along some direction makes those ants vanish on pixels of that colour.
    image = _stripe_brush().textureImage()
    dx, dy = direction
    colours = [image.pixelColor((i * dx) % STRIPE, (i * dy) % STRIPE).lightness() for i in range(STRIPE)]
    assert {min(colours), max(colours)} == {0, 255}


def test_subtracting_a_rectangle_leaves_the_bands_around_it():
    from glide_desktop.ui.canvas.layers import subtract

    parts = subtract(Rect(0, 0, 10, 8), Rect(2, 3, 4, 2))  # a hole in the middle
    assert parts == [Rect(0, 0, 10, 3), Rect(0, 5, 10, 3), Rect(0, 3, 2, 2), Rect(6, 3, 4, 2)]
    assert sum(p.area for p in parts) == 80 - 8
    assert subtract(Rect(0, 0, 4, 4), Rect(10, 10, 2, 2)) == [Rect(0, 0, 4, 4)]
    assert subtract(Rect(1, 1, 2, 2), Rect(0, 0, 5, 5)) == []
