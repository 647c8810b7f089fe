"""Brush strokes: colour, selection mask, wash opacity, spacing, eraser, and the undo step they return."""

import numpy as np

from glide_desktop.document.brush import BrushSettings, Stroke, dab_mask
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.selection import SelectionOp, rect_coverage


def _doc() -> Document:
    doc = Document(40, 30)
    doc.insert_layer(doc.new_layer("paint"))
    return doc


def test_dab_mask_is_round_with_a_solid_core():
    mask = dab_mask(10, 1.0)
    centre = mask.shape[0] // 2
    assert mask[centre, centre] == 1.0
    assert mask[0, 0] == 0.0
    assert np.allclose(mask, mask.T)
    soft = dab_mask(10, 0.0)
    assert soft[centre, centre] > soft[centre, centre + 3] > 0.0


def test_stroke_paints_colour_and_returns_only_touched_rect():
    doc = _doc()
    stroke = Stroke(doc, doc.active_uid, BrushSettings(size=6, hardness=1.0, color=(10, 200, 30)))
    stroke.dab(10, 10)
    stroke.dab(20, 10)
    layer = doc.active_layer
    assert layer.pixels[10, 15].tolist() == [10, 200, 30, 255]
    command = stroke.finish()
    changed = np.argwhere(layer.pixels[..., 3] > 0)
    rect = command.rect
    assert rect.contains(Rect.from_edges(changed[:, 1].min(), changed[:, 0].min(),
                                         changed[:, 1].max() + 1, changed[:, 0].max() + 1))
    assert rect.area < 20 * 12  # a small stroke keeps a small undo step
    command.undo(doc)
    assert not layer.pixels.any()
    command.redo(doc)
    assert layer.pixels[10, 15].tolist() == [10, 200, 30, 255]


def test_dabs_are_spaced_without_gaps_along_a_fast_move():
    doc = _doc()
    stroke = Stroke(doc, doc.active_uid, BrushSettings(size=4, hardness=1.0))
    stroke.dab(2, 15)
    stroke.dab(38, 15)
    assert (doc.active_layer.pixels[15, 2:38, 3] == 255).all()


def test_overlapping_dabs_do_not_exceed_stroke_opacity():
    doc = _doc()
    stroke = Stroke(doc, doc.active_uid, BrushSettings(size=10, hardness=1.0, opacity=0.5))
    for x in (10, 12, 14, 12, 10, 12):
        stroke.dab(x, 15)
    assert doc.active_layer.pixels[..., 3].max() == 128


def test_selection_masks_the_brush():
    doc = _doc()
    doc.selection.combine(SelectionOp.REPLACE, rect_coverage((40, 30), Rect(0, 0, 20, 30)))
    stroke = Stroke(doc, doc.active_uid, BrushSettings(size=8, hardness=1.0))
    stroke.dab(5, 15)
    stroke.dab(35, 15)
    alpha = doc.active_layer.pixels[..., 3]
    assert alpha[15, 10] == 255 and not alpha[:, 20:].any()


def test_eraser_removes_alpha_and_composite_follows():
    doc = Document(20, 20)
    doc.insert_layer(doc.new_layer("solid"))
    doc.active_layer.pixels[:] = (50, 60, 70, 255)
    assert doc.composite()[10, 10, 3] == 255
    stroke = Stroke(doc, doc.active_uid, BrushSettings(size=6, hardness=1.0, eraser=True))
    dirty = stroke.dab(10, 10)
    assert doc.active_layer.pixels[10, 10, 3] == 0
    assert doc.composite(dirty)[10 - dirty.y, 10 - dirty.x, 3] == 0
    assert np.array_equal(doc.composite(), doc.composite_uncached())


def test_layer_offset_is_respected():
    doc = Document(40, 30)
    layer = doc.new_layer("shifted")
    layer.offset = (10, 5)
    doc.insert_layer(layer)
    Stroke(doc, layer.uid, BrushSettings(size=3, hardness=1.0)).dab(15, 10)
    assert layer.pixels[5, 5, 3] == 255


def test_finish_without_dabs_gives_nothing():
    doc = _doc()
    assert Stroke(doc, doc.active_uid, BrushSettings()).finish() is None


def test_a_stroke_entirely_outside_the_selection_gives_no_step():
    doc = _doc()
    doc.selection.combine(SelectionOp.REPLACE, rect_coverage((40, 30), Rect(0, 0, 10, 10)))
    stroke = Stroke(doc, doc.active_uid, BrushSettings(size=6, hardness=1.0))
    stroke.dab(30, 20)
    stroke.dab(35, 25)
    assert not doc.active_layer.pixels.any()
    assert stroke.finish() is None
    inside = Stroke(doc, doc.active_uid, BrushSettings(size=6, hardness=1.0))
    inside.dab(5, 5)
    assert inside.finish() is not None  # the same brush inside the selection is a step
