"""Selection operations, rasterisers, morphology and components."""

import math

import numpy as np
import pytest

from glide_desktop.document.geometry import Rect
from glide_desktop.document.selection import (
    Selection,
    SelectionOp,
    ellipse_coverage,
    magic_wand,
    polygon_coverage,
    rect_coverage,
)

SQUARE = Rect(6, 6, 8, 8)


def _square(size=20, rect=SQUARE) -> Selection:
    return Selection(size, size).combine(SelectionOp.REPLACE, rect_coverage((size, size), rect))


def test_combine_ops_on_soft_values():
    sel = Selection(3, 1, np.array([[0.0, 0.5, 1.0]]))
    shape = np.array([[1.0, 0.25, 0.5]], np.float32)
    assert sel.copy().combine(SelectionOp.ADD, shape).coverage.tolist() == [[1.0, 0.5, 1.0]]
    assert sel.copy().combine(SelectionOp.SUBTRACT, shape).coverage.tolist() == [[0.0, 0.5, 0.5]]
    assert sel.copy().combine(SelectionOp.INTERSECT, shape).coverage.tolist() == [[0.0, 0.25, 0.5]]
    assert sel.copy().combine(SelectionOp.REPLACE, shape).coverage.tolist() == [[1.0, 0.25, 0.5]]
    assert sel.copy().invert().coverage.tolist() == [[1.0, 0.5, 0.0]]


def test_all_none_empty_and_bbox():
    sel = Selection(8, 5)
    assert sel.is_empty() and sel.bbox() is None
    assert sel.select_all().bbox() == Rect(0, 0, 8, 5)
    assert sel.clear().is_empty()
    assert _square().bbox() == Rect(6, 6, 8, 8)


def test_rect_coverage_is_exact_for_fractional_edges():
    cov = rect_coverage((4, 1), (0.5, 0.0, 2.0, 1.0))
    assert cov.tolist() == [[0.5, 1.0, 0.5, 0.0]]


def test_ellipse_and_polygon_areas():
    circle = ellipse_coverage((40, 40), (10, 10, 20, 20))
    assert circle.sum() == pytest.approx(math.pi * 100, rel=0.02)
    assert ((circle > 0) & (circle < 1)).sum() > 20  # antialiased rim
    triangle = polygon_coverage((30, 30), [(0, 0), (20, 0), (0, 20)])
    assert triangle.sum() == pytest.approx(200, rel=0.05)
    assert triangle[2, 2] == 1.0 and triangle[25, 25] == 0.0


def test_grow_uses_a_disc_and_shrink_undoes_it_for_a_square():
    grown = _square().grow(2)
    assert grown.bbox() == Rect(4, 4, 12, 12)
    assert grown.coverage[4, 4] == 0.0  # corner beyond distance 2 of the square: disc, not box
    assert grown.coverage[4, 8] == 1.0
    assert np.array_equal(grown.shrink(2).coverage, _square().coverage)


def test_shrink_keeps_a_full_selection_full():
    assert Selection(10, 10).select_all().shrink(3).coverage.min() == 1.0


def test_feather_softens_edges_but_keeps_the_core():
    sel = _square(40, Rect(10, 10, 20, 20)).feather(4)
    assert sel.coverage[20, 20] == pytest.approx(1.0, abs=1e-3)
    assert 0.2 < sel.coverage[20, 10] < 0.8
    assert sel.coverage.sum() == pytest.approx(400, rel=0.02)
    assert sel.coverage.max() <= 1.0 and sel.coverage.min() >= 0.0


def test_components_are_four_connected():
    cov = np.zeros((6, 6), np.float32)
    cov[0:2, 0:2] = 1
    cov[2, 2] = 1  # touches the first block only diagonally
    cov[4:6, 1:6] = 0.5
    parts = Selection(6, 6, cov).components()
    assert {p.bbox for p in parts} == {Rect(0, 0, 2, 2), Rect(2, 2, 1, 1), Rect(1, 4, 5, 2)}
    assert all(p.mask.all() for p in parts)


def test_components_of_a_u_shape_join_through_the_bottom():
    cov = np.zeros((5, 5), np.float32)
    cov[0:5, 0] = cov[0:5, 4] = cov[4, 0:5] = 1
    (only,) = Selection(5, 5, cov).components()
    assert only.bbox == Rect(0, 0, 5, 5) and only.mask.sum() == 13


def test_magic_wand_contiguous_and_global():
    image = np.zeros((5, 7, 4), np.uint8)
    image[..., 3] = 255
    image[:, 3] = (200, 200, 200, 255)  # a wall splits the black area in two
    image[2, 5] = (10, 0, 0, 255)  # near-black, inside tolerance 16
    left = magic_wand(image, 0, 0, tolerance=16)
    assert left[:, :3].all() and not left[:, 3:].any()
    everywhere = magic_wand(image, 0, 0, tolerance=16, contiguous=False)
    assert everywhere.sum() == 5 * 6
    assert magic_wand(image, 0, 0, tolerance=5, contiguous=False)[2, 5] == 0.0
