"""Moving the selection's contents: lift (soft edges, partial alpha), land (offsets, growth, masks), undo."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glide_desktop.document.compositing import composite_rect
from glide_desktop.document.document import Document
from glide_desktop.document.floating import MASK_GROWN, Target, land, lift, over
from glide_desktop.document.floating_command import FloatingSelection
from glide_desktop.document.geometry import Rect
from glide_desktop.document.history import History
from glide_desktop.document.layer import BlendMode, Layer
from glide_desktop.document.selection import ellipse_coverage, rect_coverage
from tests.document.conftest import gradient_layer, snapshot, undo_all_then_redo_all

W, H = 24, 16


def _doc(offset: tuple[int, int] = (0, 0), mask: bool = False, size: tuple[int, int] = (W, H)) -> Document:
    doc = Document(W, H)
    doc.insert_layer(Layer.filled(W, H, (40, 90, 200, 255), "background"))
    layer = gradient_layer(*size, seed=3)
    layer.offset = offset
    if mask:
        layer.mask = np.random.default_rng(5).integers(0, 256, (size[1], size[0]), dtype=np.uint8)
    doc.insert_layer(layer)
    return doc


def _select(doc: Document, coverage: np.ndarray) -> None:
    doc.selection.combine("replace", coverage)


def test_lift_scales_alpha_by_coverage_and_leaves_the_rest():
    layer = Layer(np.full((4, 4, 4), (10, 20, 30, 200), np.uint8))
    coverage = np.zeros((6, 6), np.float32)
    coverage[1:3, 1:4] = (0.25, 0.5, 1.0)
    lifted = lift(layer, coverage, Target.PIXELS)
    assert lifted.rect == Rect(1, 1, 3, 2)
    assert lifted.piece[0, :, 3].tolist() == [50, 100, 200]  # 200 x c
    assert lifted.hole[0, :, 3].tolist() == [150, 100, 0]  # 200 x (1 - c)
    assert (lifted.piece[..., :3] == (10, 20, 30)).all() and lifted.mask is None
    assert lift(layer, np.zeros((6, 6), np.float32), Target.PIXELS) is None
    assert lift(layer, coverage, Target.MASK) is None  # no mask to move


def test_lift_reads_through_the_layer_offset_and_clips_to_the_layer():
    doc = _doc(offset=(5, -3), size=(10, 10))
    layer = doc.layers[1]
    lifted = lift(layer, rect_coverage(doc.size, (2, 2, 6, 6)), Target.PIXELS)
    assert lifted.rect == Rect(5, 2, 3, 5)  # the selection's part that the layer covers
    assert np.array_equal(lifted.original, layer.pixels[5:10, 0:3])


def test_landing_composites_the_piece_over_the_layer_where_it_lands():
    layer = Layer(np.zeros((4, 8, 4), np.uint8))
    layer.pixels[:, :4] = (255, 0, 0, 128)
    layer.pixels[:, 4:] = (0, 0, 255, 255)
    lifted = lift(layer, rect_coverage((8, 4), (0, 0, 4, 4)), Target.PIXELS)
    edit = land(layer, lifted, (4, 0))
    before, after = edit.pixels
    assert edit.new_bounds == edit.old_bounds == layer.bounds and edit.region == Rect(0, 0, 8, 4)
    assert (after[:, :4, 3] == 0).all()  # the hole
    r, g, b, a = after[0, 5]  # half-transparent red over blue: the compositor's "normal"
    assert a == 255 and abs(int(r) - 128) <= 1 and abs(int(b) - 127) <= 1 and g == 0
    assert land(layer, lifted, (0, 0)) is None  # nothing moved, nothing to change


def test_over_matches_the_compositor():
    rng = np.random.default_rng(2)
    piece, backdrop = (rng.integers(0, 256, (40, 50, 4), dtype=np.uint8) for _ in range(2))
    piece[:10, :, 3], piece[10:20, :, 3] = 0, 255  # clear and solid rows take the short ways
    backdrop[:, :5, 3] = 0
    expected = composite_rect([Layer(backdrop), Layer(piece)], Rect(0, 0, 50, 40)).astype(int)
    got = over(piece, backdrop).astype(int)
    shown = expected[..., 3] > 0
    assert np.array_equal(got[..., 3], expected[..., 3])
    assert np.abs(got[shown] - expected[shown]).max() <= 1


def test_a_piece_moved_past_the_layer_grows_it_and_keeps_pixels_off_the_canvas():
    doc = _doc(size=(10, 8))
    layer = doc.layers[1]
    original = layer.pixels.copy()
    _select(doc, rect_coverage(doc.size, (0, 0, 4, 4)))
    history = History()
    step = FloatingSelection.start(doc)
    history.push(doc, step)
    step.move_to(doc, (-6, 20))  # past the layer, and off the canvas below
    assert step.land(doc)
    assert layer.bounds == Rect(-6, 0, 16, 24) and layer.offset == (-6, 0)
    assert np.array_equal(layer.pixels[20:24, 0:4], original[0:4, 0:4])  # off the canvas, still there
    assert not layer.pixels[0:4, 6:10, 3].any()  # the hole
    assert np.array_equal(layer.pixels[4:8, 6:16], original[4:8])  # the rest where it was
    assert doc.selection.is_empty()  # the selection went with the piece, off the canvas
    history.undo(doc)
    assert layer.bounds == Rect(0, 0, 10, 8) and np.array_equal(layer.pixels, original)


def test_a_masked_layer_moves_its_mask_with_its_pixels():
    doc = _doc(mask=True)
    layer = doc.layers[1]
    mask = layer.mask.copy()
    _select(doc, rect_coverage(doc.size, (2, 2, 5, 5)))
    step = FloatingSelection.start(doc)
    History().push(doc, step)
    assert doc.active_layer.mask is not None  # the piece shows through its own mask while floating
    step.move_to(doc, (10, 30))  # partly below the layer: it grows, the new mask shows (white)
    step.land(doc)
    assert layer.bounds == Rect(0, 0, W, 37)
    assert np.array_equal(layer.mask[32:37, 12:17], mask[2:7, 2:7])  # fully selected: the piece's mask
    assert (layer.mask[H:32] == MASK_GROWN).all()
    assert np.array_equal(layer.mask[2:7, 2:7], mask[2:7, 2:7])  # the hole keeps its mask (alpha is 0)
    assert not layer.pixels[2:7, 2:7, 3].any()


def test_editing_the_mask_moves_mask_values_inside_the_layer():
    doc = _doc(mask=True)
    layer = doc.layers[1]
    pixels, mask = layer.pixels.copy(), layer.mask.copy()
    doc.set_editing_mask(True)
    _select(doc, rect_coverage(doc.size, (0, 0, 6, 6)))
    step = FloatingSelection.start(doc)
    assert step.target is Target.MASK and step.piece is None
    History().push(doc, step)
    step.move_to(doc, (20, 1))  # mostly past the right edge: what leaves the layer is dropped
    assert step.land(doc)
    assert layer.bounds == Rect(0, 0, W, H) and np.array_equal(layer.pixels, pixels)
    assert np.array_equal(layer.mask[1:7, 20:24], mask[0:6, 0:4])
    assert (layer.mask[0, 0:6] == 0).all()  # the hole in a mask is black: nothing shows there


def test_a_copy_leaves_the_source_as_it_was():
    doc = _doc()
    layer = doc.layers[1]
    original = layer.pixels.copy()
    _select(doc, rect_coverage(doc.size, (1, 1, 4, 4)))
    step = FloatingSelection.start(doc, copy=True)
    History().push(doc, step)
    assert np.array_equal(layer.pixels, original)
    step.move_to(doc, (10, 0))
    step.land(doc)
    assert np.array_equal(layer.pixels[1:5, 1:5], original[1:5, 1:5])
    assert step.text == "Move copy of selection"


def test_a_landed_step_keeps_only_the_changed_region():
    doc = Document(400, 300)
    doc.insert_layer(gradient_layer(400, 300))
    _select(doc, rect_coverage(doc.size, (10, 10, 20, 20)))
    step = FloatingSelection.start(doc)
    History().push(doc, step)
    step.move_to(doc, (5, 5))
    step.land(doc)
    assert step.nbytes < 25 * 25 * 4 * 2 + 20 * 20 * 4 + 4096  # before/after of 25x25, the selection


@pytest.mark.parametrize("feather", [0, 3])
def test_what_floats_is_what_lands(feather):
    """Over is associative: the piece layer over the holed layer shows what the landed layer shows."""
    doc = _doc(offset=(2, 1), size=(20, 14))
    _select(doc, ellipse_coverage(doc.size, (3, 2, 12, 9)))
    doc.selection.feather(feather)
    step = FloatingSelection.start(doc)
    History().push(doc, step)
    step.move_to(doc, (4, 3))
    floating = doc.composite_uncached().astype(int)
    step.land(doc)
    landed = doc.composite_uncached().astype(int)
    assert np.abs(floating - landed).max() <= 2


def test_the_floating_layer_shows_with_its_layers_look_but_never_erases_around_it():
    doc = _doc()
    layer = doc.layers[1]
    _select(doc, rect_coverage(doc.size, (2, 2, 5, 5)))
    for blend, shown in ((BlendMode.MULTIPLY, BlendMode.MULTIPLY), (BlendMode.SRC_IN, BlendMode.NORMAL)):
        doc.set_layer_property(layer.uid, "blend", blend)
        doc.set_layer_property(layer.uid, "opacity", 0.6)
        step = FloatingSelection.start(doc)
        assert (step.piece.blend, step.piece.opacity, step.piece.name) == (shown, 0.6, "Floating selection")


# ----- undo, property-based ---------------------------------------------------------------------------
delta = st.tuples(st.integers(-30, 30), st.integers(-20, 20))
move = st.fixed_dictionaries({
    "offset": st.tuples(st.integers(-6, 6), st.integers(-6, 6)),
    "size": st.tuples(st.integers(4, 30), st.integers(4, 20)),
    "mask": st.sampled_from(["none", "pixels", "edit"]),
    "shape": st.tuples(st.integers(-4, W), st.integers(-4, H), st.integers(1, 14), st.integers(1, 12)),
    "feather": st.sampled_from([0, 0, 2]),
    "copy": st.booleans(),
    "deltas": st.lists(delta, min_size=0, max_size=4),
    "end": st.sampled_from(["land", "land", "undo"]),
})


def _prepared(spec: dict) -> Document:
    doc = _doc(spec["offset"], spec["mask"] != "none", spec["size"])
    doc.set_editing_mask(spec["mask"] == "edit")
    _select(doc, ellipse_coverage(doc.size, spec["shape"]))
    doc.selection.feather(spec["feather"])
    return doc


def _run(doc: Document, history: History, spec: dict) -> None:
    """One move as the editor makes it: floating outside history; landed, it enters as one step."""
    step = FloatingSelection.start(doc, spec["copy"])
    if step is None:
        return
    before = snapshot(doc)
    step.redo(doc)
    for d in spec["deltas"]:
        step.move_to(doc, d)
    if spec["end"] == "land" and step.land(doc):
        history.push(doc, step)  # redo again: safe to repeat
    else:  # Esc, Ctrl+Z while floating, or a piece that never moved
        step.undo(doc)
        assert snapshot(doc) == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(move, min_size=1, max_size=3))
def test_undo_all_restores_and_redo_all_reproduces(specs):
    doc, history = _prepared(specs[0]), History()
    start = snapshot(doc)
    for spec in specs:  # each move lifts what the selection holds where the last one left it
        doc.set_editing_mask(spec["mask"] == "edit")
        _run(doc, history, spec)
    end = snapshot(doc)
    assert all(layer.name != "Floating selection" for layer in doc.layers)
    undo_all_then_redo_all(doc, history, start, end)


@settings(max_examples=40, deadline=None)
@given(move)
def test_undo_and_redo_of_a_landed_move_are_safe_to_repeat(spec):
    doc = _prepared(spec)
    before = snapshot(doc)
    step = FloatingSelection.start(doc, spec["copy"])
    if step is None:
        return
    step.redo(doc)
    for d in spec["deltas"]:
        step.move_to(doc, d)
    step.land(doc)
    after = snapshot(doc)
    step.redo(doc)
    assert snapshot(doc) == after
    step.undo(doc)
    step.undo(doc)
    assert snapshot(doc) == before
    step.redo(doc)
    assert snapshot(doc) == after


@settings(max_examples=40, deadline=None)
@given(move)
def test_undo_while_floating_puts_back_exactly(spec):
    doc = _prepared(spec)
    before = snapshot(doc)
    step = FloatingSelection.start(doc, spec["copy"])
    if step is None:
        return
    history = History()
    history.push(doc, step)
    for d in spec["deltas"]:
        step.move_to(doc, d)
    history.undo(doc)
    assert snapshot(doc) == before


def test_the_benchmark_row_moves_and_puts_back():
    from glide_desktop.document.bench_edits import move_selection_rows

    doc = _doc()
    before = snapshot(doc)
    rows = move_selection_rows(doc)
    names = [name.split(",")[0] for name, _, _ in rows]
    assert names == ["Move selection lift", "Move selection land (apply)"]
    assert all(value.endswith(")") and " s (CPU " in value for _, value, _ in rows)
    assert snapshot(doc)[0] == before[0] and doc.selection.is_empty()  # undone; the selection cleared
