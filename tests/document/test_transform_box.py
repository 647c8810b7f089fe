"""Free Transform's box: handles scale about the opposite one, Shift keeps the aspect, turns snap."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glide_desktop.document.geometry import Rect
from glide_desktop.document.transform_box import BoxSteps, Part, TransformBox

BOX = TransformBox.around(Rect(10, 20, 100, 50))


def _close(p, q, tol=1e-6):
    return math.dist(p, q) <= tol


def test_the_untransformed_box_maps_nothing():
    assert BOX.affine().is_identity()
    assert BOX.corners() == [(10, 20), (110, 20), (110, 70), (10, 70)]


def test_a_corner_drag_scales_about_the_opposite_corner():
    box = BOX.dragged(Part.BOTTOM_RIGHT, 210, 95, keep_aspect=False, from_centre=False)
    assert (box.sx, box.sy) == pytest.approx((2.0, 1.5))
    assert _close(box.point(-1, -1), (10, 20)) and _close(box.point(1, 1), (210, 95))
    assert _close(box.affine().map(110, 70), (210, 95))


def test_shift_keeps_the_aspect_at_a_corner_and_an_edge():
    corner = BOX.dragged(Part.BOTTOM_RIGHT, 310, 80, keep_aspect=True, from_centre=False)
    assert corner.sx == pytest.approx(3.0) and corner.sy == pytest.approx(3.0)
    assert _close(corner.point(-1, -1), (10, 20))
    edge = BOX.dragged(Part.RIGHT, 160, 45, keep_aspect=True, from_centre=False)
    assert edge.sx == pytest.approx(1.5) and edge.sy == pytest.approx(1.5)
    assert _close(edge.point(-1, 0), (10, 45))  # the opposite edge's middle stays


def test_an_edge_drag_changes_one_side_only():
    box = BOX.dragged(Part.TOP, 0, 0, keep_aspect=False, from_centre=False)
    assert box.sx == 1.0 and box.sy == pytest.approx(70 / 50)
    assert _close(box.point(0, 1), (60, 70))


def test_dragging_past_the_opposite_side_flips():
    box = BOX.dragged(Part.RIGHT, -40, 45, keep_aspect=False, from_centre=False)
    assert box.sx == pytest.approx(-0.5)


def test_alt_scales_about_the_centre():
    box = BOX.dragged(Part.BOTTOM_RIGHT, 160, 95, keep_aspect=False, from_centre=True)
    assert (box.cx, box.cy) == (60, 45) and (box.sx, box.sy) == pytest.approx((2.0, 2.0))


def test_the_box_never_collapses():
    box = BOX.dragged(Part.RIGHT, 10, 45, keep_aspect=False, from_centre=False)
    assert abs(box.width) == pytest.approx(1.0)


def test_turning_follows_the_pointer_and_shift_snaps_to_15_degrees():
    centre = (BOX.cx, BOX.cy)
    start = (centre[0] + 100, centre[1])
    now = (centre[0] + 100 * math.cos(math.radians(37)), centre[1] + 100 * math.sin(math.radians(37)))
    assert BOX.turned(start, now, snap=False).angle == pytest.approx(37)
    assert BOX.turned(start, now, snap=True).angle == pytest.approx(30)


def test_parts_under_the_pointer():
    assert BOX.part_at(110, 70, reach=4) is Part.BOTTOM_RIGHT
    assert BOX.part_at(60, 21, reach=4) is Part.TOP
    assert BOX.part_at(50, 40, reach=4) is Part.INSIDE
    assert BOX.part_at(200, 200, reach=4) is Part.OUTSIDE
    turned = BOX.turned((160, 45), (60, 145), snap=False)  # 90° clockwise
    assert turned.part_at(*turned.point(1, 1), reach=1) is Part.BOTTOM_RIGHT
    assert turned.part_at(60 + 20, 45 - 40, reach=1) is Part.INSIDE  # inside only once turned


@settings(max_examples=80, deadline=None)
@given(st.sampled_from([p for p in Part if p.is_handle]), st.floats(-300, 300), st.floats(-300, 300),
       st.floats(-180, 180), st.booleans())
def test_the_anchor_handle_stays_put(part, x, y, angle, keep_aspect):
    box = TransformBox(Rect(10, 20, 100, 50), 60, 45, 1.3, 0.8, angle)
    anchor = box.point(-part.signs[0], -part.signs[1])
    moved = box.dragged(part, x, y, keep_aspect, from_centre=False)
    assert _close(moved.point(-part.signs[0], -part.signs[1]), anchor, 1e-6)
    assert moved.affine().map(*_source_point(box, part)) == pytest.approx(moved.point(*part.signs))


def _source_point(box: TransformBox, part: Part) -> tuple[float, float]:
    u, v = part.signs
    rect = box.source
    return rect.x + rect.w * (u + 1) / 2, rect.y + rect.h * (v + 1) / 2


def test_the_pivot_snaps_to_a_handle_and_turns_go_about_it():
    assert BOX.part_at(60, 45, reach=4) is Part.INSIDE  # at the centre the pivot never hides a move
    box = BOX.with_pivot_at(12, 22, reach=4)  # near the top-left corner: snaps onto it
    assert box.pivot == (-1.0, -1.0) and box.part_at(10, 20, reach=4) is Part.PIVOT
    start = (110, 20)  # right of the pivot
    turned = box.turned(start, (10, 120), snap=False)  # a quarter turn clockwise about (10, 20)
    assert turned.angle == pytest.approx(90)
    assert _close(turned.point(-1, -1), (10, 20)) and _close(turned.pivot_point, (10, 20))
    assert _close(turned.point(1, -1), (10, 120))


def test_the_pivot_keeps_its_place_on_the_box_and_alt_scales_about_it():
    box = BOX.with_pivot_at(35, 45)  # anywhere: not near a snap spot without reach
    assert box.pivot == pytest.approx((-0.5, 0.0))
    bigger = box.dragged(Part.BOTTOM_RIGHT, 210, 95, keep_aspect=False, from_centre=False)
    assert _close(bigger.pivot_point, bigger.point(-0.5, 0.0))
    about = box.dragged(Part.RIGHT, 160, 45, keep_aspect=False, from_centre=True)
    assert _close(about.pivot_point, box.pivot_point)  # Alt: the pivot stays where it is
    assert about.sx == pytest.approx(125 / 75)


def test_box_steps_go_back_and_forth_and_a_new_gesture_forgets_the_undone():
    steps = BoxSteps(BOX)
    one, two = BOX.moved(5, 0), BOX.moved(5, 5)
    steps.record(one)
    steps.record(one)  # a gesture that changed nothing is no step
    steps.record(two)
    assert steps.undo() == one and steps.undo() == BOX and steps.undo() is None
    assert steps.redo() == one
    steps.record(BOX.moved(0, 9))
    assert steps.redo() is None and steps.undo() == one
