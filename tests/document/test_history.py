"""Any sequence of edits, undone completely, restores the start exactly; redone, the end exactly."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glide_desktop.document.brush import BrushSettings, Stroke
from glide_desktop.document.commands import (
    AddLayer,
    Flatten,
    MergeDown,
    MoveLayer,
    PixelEdit,
    RemoveLayer,
    SetLayerProperty,
    SetSelection,
)
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.history import History
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.document.mask_commands import (
    MaskEdit,
    add_mask,
    apply_mask_step,
    delete_mask,
    invert_mask,
    toggle_mask,
)
from glide_desktop.document.selection import SelectionOp, ellipse_coverage, rect_coverage
from tests.document.conftest import gradient_layer, snapshot, undo_all_then_redo_all

W, H = 24, 16

coord = st.floats(-4, W + 4, allow_nan=False)
edit = st.one_of(
    st.tuples(st.just("paint"), coord, coord, coord, coord, st.floats(1, 12), st.booleans()),
    st.tuples(st.just("add"), st.integers(0, 5), st.integers(-3, 3), st.integers(-3, 3)),
    st.tuples(st.just("remove"), st.integers(0, 5)),
    st.tuples(st.just("move"), st.integers(0, 5), st.integers(0, 5)),
    st.tuples(st.just("prop"), st.integers(0, 5), st.sampled_from(
        [("opacity", 0.3), ("visible", False), ("blend", BlendMode.OVERLAY), ("offset", (2, -1)),
         ("name", "renamed"), ("metadata", {"prompt": "a fox", "seed": 3})])),
    st.tuples(st.just("select"), st.sampled_from(list(SelectionOp)), st.integers(0, W), st.integers(0, H),
              st.booleans()),
    st.tuples(st.just("grow"), st.integers(1, 3), st.booleans()),
    st.tuples(st.just("merge"), st.integers(0, 5)),
    st.tuples(st.just("flatten"),),
    st.tuples(st.just("mask"), st.integers(0, 5), st.sampled_from(
        ["white", "black", "selection", "invert", "toggle", "apply", "delete", "paint"])),
)
_MASK_STEPS = {"invert": invert_mask, "toggle": toggle_mask, "apply": apply_mask_step, "delete": delete_mask}


def _mask_command(doc: Document, layer: Layer, action: str):
    """A mask step on layer (or group): add one (white, black, from the selection), change, or paint it."""
    if action in ("white", "black", "selection"):
        return add_mask(doc, layer.uid, action)
    if layer.mask is None:
        return None
    if action == "paint":
        height, width = layer.mask.shape  # a group's mask covers the canvas
        rect = Rect(1, 1, min(5, width - 1), min(4, height - 1))
        before = layer.mask[rect.slices()].copy()
        return MaskEdit(layer.uid, rect, before, 255 - before)
    return _MASK_STEPS[action](doc, layer.uid)


def _command(doc: Document, op: tuple):
    """The command for one random edit, or None when it does not apply to this document."""
    kind, n = op[0], len(doc.layers)
    pick = (lambda i: doc.layers[i % n]) if n else None
    if kind == "paint" and doc.active_layer is not None:
        stroke = Stroke(doc, doc.active_uid, BrushSettings(size=op[5], color=(255, 0, 0), eraser=op[6]))
        stroke.dab(op[1], op[2])
        stroke.dab(op[3], op[4], 0.6)
        return stroke.finish()
    if kind == "add":
        return AddLayer(gradient_layer(W - 4, H - 4, seed=op[1]).copy(), index=op[1])
    if kind == "remove" and n:
        return RemoveLayer(pick(op[1]).uid)
    if kind == "move" and n:
        return MoveLayer(pick(op[1]).uid, op[2])
    if kind == "prop" and n:
        layer, (name, value) = pick(op[1]), op[2]
        return SetLayerProperty(layer.uid, name, getattr(layer, name), value)
    if kind == "select":
        shape = (ellipse_coverage if op[4] else rect_coverage)((W, H), (op[2] - 5, op[3] - 5, 9, 7))
        return SetSelection.from_change(doc, lambda sel: sel.combine(op[1], shape))
    if kind == "grow":
        return SetSelection.from_change(doc, lambda sel: sel.grow(op[1]) if op[2] else sel.feather(op[1]))
    if kind == "merge" and n > 1:
        return MergeDown(doc.layers[1 + op[1] % (n - 1)].uid)
    if kind == "flatten" and n:
        return Flatten()
    if kind == "mask" and n:
        return _mask_command(doc, pick(op[1]), op[2])
    return None


def _start() -> Document:
    doc = Document(W, H)
    doc.insert_layer(Layer.filled(W, H, (40, 90, 200, 255), "background"))
    doc.insert_layer(gradient_layer(W, H, seed=1))
    return doc


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edit, min_size=1, max_size=12))
def test_undo_all_restores_and_redo_all_reproduces(ops):
    doc, history = _start(), History()
    start = snapshot(doc)
    for op in ops:
        command = _command(doc, op)
        if command is not None:
            history.push(doc, command)
    end, end_pixels = snapshot(doc), doc.composite().copy()
    undo_all_then_redo_all(doc, history, start, end, end_pixels)
    assert np.array_equal(end_pixels, doc.composite_uncached())


@settings(max_examples=40, deadline=None)
@given(edit)
def test_redo_and_undo_are_safe_to_repeat(op):
    doc = _start()
    before = snapshot(doc)  # taken first: a stroke paints while it is being made
    command = _command(doc, op)
    if command is None:
        return
    command.redo(doc)
    after = snapshot(doc)
    command.redo(doc)
    assert snapshot(doc) == after
    command.undo(doc)
    command.undo(doc)
    assert snapshot(doc) == before


def test_slider_drag_merges_into_one_step_until_sealed():
    doc, history = _start(), History()
    uid = doc.layers[1].uid
    for old, new in [(1.0, 0.8), (0.8, 0.5), (0.5, 0.2)]:
        history.push(doc, SetLayerProperty(uid, "opacity", old, new))
    assert history.undo_count == 1 and doc.layers[1].opacity == 0.2
    history.seal()
    history.push(doc, SetLayerProperty(uid, "opacity", 0.2, 0.1))
    assert history.undo_count == 2
    history.undo(doc)
    history.undo(doc)
    assert doc.layers[1].opacity == 1.0


def test_pixel_edits_with_a_merge_key_become_one_step():
    doc, history = _start(), History()
    uid, original = doc.layers[1].uid, doc.layers[1].pixels.copy()
    for x in (0, 3, 2):
        rect = Rect(x, 1, 4, 2)
        before = doc.layers[1].pixels[rect.slices()].copy()
        history.push(doc, PixelEdit(uid, rect, before, np.full_like(before, 7 * x), merge_key="dab"))
    assert history.undo_count == 1
    history.undo(doc)
    assert np.array_equal(doc.layers[1].pixels, original)


def test_history_drops_oldest_steps_beyond_its_memory_budget():
    doc = _start()
    uid = doc.layers[1].uid
    block = np.zeros((H, W, 4), np.uint8)
    step_bytes = PixelEdit(uid, Rect(0, 0, W, H), block, block).nbytes
    history = History(budget_bytes=3 * step_bytes + 10)
    for value in range(6):
        history.push(doc, PixelEdit(uid, Rect(0, 0, W, H), doc.layers[1].pixels.copy(), block + value))
    assert history.undo_count == 3 and history.total_bytes <= history.budget_bytes
    while history.can_undo:
        history.undo(doc)
    assert (doc.layers[1].pixels == 2).all()  # the state before the oldest step still kept


def test_huge_single_step_stays_undoable():
    doc = _start()
    history = History(budget_bytes=10)
    history.push(doc, AddLayer(doc.new_layer("big")))
    assert history.can_undo and history.undo_count == 1


def test_change_events_report_rects_and_structure():
    doc, seen = _start(), []
    unsubscribe = doc.subscribe(seen.append)
    History().push(doc, AddLayer(doc.new_layer("new")))
    assert seen[-1].structure
    stroke = Stroke(doc, doc.active_uid, BrushSettings(size=4))
    dirty = stroke.dab(10, 8)
    assert not seen[-1].structure and seen[-1].rect == dirty
    unsubscribe()
    count = len(seen)
    stroke.dab(12, 8)
    assert len(seen) == count
