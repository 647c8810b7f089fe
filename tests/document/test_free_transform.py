"""Free Transform's pixel maths: exact whole-pixel maps, Lanczos/bicubic quality, clean edges, soft
selections, masks, growing layers, and its undo step."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from glide_desktop.document.affine import Affine
from glide_desktop.document.document import Document
from glide_desktop.document.free_transform import FreeTransform, apply_free_transform, lift, warp_coverage
from glide_desktop.document.geometry import Rect
from glide_desktop.document.history import History
from glide_desktop.document.layer import Layer
from glide_desktop.document.resample import GREY, RGBA, warp
from glide_desktop.document.selection import rect_coverage
from tests.document.conftest import snapshot, undo_all_then_redo_all
from tests.document.test_free_transform_group import group_transform, group_transform_command
from tests.document.test_group_history import _apply as apply_group_step
from tests.document.test_group_history import group_edit
from tests.document.test_history import _command as history_command
from tests.document.test_history import _start as history_start
from tests.document.test_history import edit


def _photo(width: int, height: int, seed: int = 0) -> np.ndarray:
    """Smooth opaque colour (upscaled noise), so resampling errors are small where nothing is wrong."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (max(2, height // 6), max(2, width // 6), 3), dtype=np.uint8)
    rgb = Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(rgb.convert("RGBA")).copy()


def _opaque_noise(width: int, height: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    pixels[..., 3] = rng.integers(1, 256, (height, width), dtype=np.uint8)  # every pixel shows
    return pixels


def _whole(layer: Layer, affine: Affine):
    return apply_free_transform(layer, lift(layer, None), affine)


def test_identity_is_bit_identical():
    layer = Layer(_opaque_noise(40, 30), offset=(5, -3))
    result = _whole(layer, Affine())
    assert result.offset == layer.offset
    assert np.array_equal(result.pixels, layer.pixels)


def test_whole_pixel_move_is_exact_and_grows_the_layer_off_canvas():
    layer = Layer(_opaque_noise(40, 30))
    result = _whole(layer, Affine.translation(-7, 12))
    assert result.offset == (-7, 0)
    assert result.pixels.shape == (42, 47, 4)  # old bounds and the moved piece: nothing is cut off
    assert np.array_equal(result.pixels[12:, :40], layer.pixels)
    assert not result.pixels[:12, :, 3].any()


@pytest.mark.parametrize("degrees, turns", [(90, -1), (-90, 1), (180, 2)])
def test_quarter_turns_match_numpy(degrees, turns):
    pixels = _opaque_noise(40, 30)
    layer = Layer(pixels)
    result = _whole(layer, Affine.rotation(degrees, 20, 15))
    assert np.array_equal(result.pixels[_bounds(result)], np.rot90(pixels, turns))


def test_bicubic_turn_by_90_degrees_stays_within_rounding():
    # Off the exact path (a hair past 90°): bicubic samples at pixel centres reproduce the pixels.
    pixels = _opaque_noise(40, 30)
    out = warp(pixels, RGBA, Affine.rotation(90.000001, 20, 15), Rect(5, -5, 30, 40))
    assert np.abs(out.astype(int) - np.rot90(pixels, -1)).max() <= 1


def test_scale_up_then_down_comes_back_close():
    pixels = _photo(48, 40)
    up = warp(pixels, RGBA, Affine.scaling(2, 2), Rect(0, 0, 96, 80))
    down = warp(up, RGBA, Affine.scaling(0.5, 0.5), Rect(0, 0, 48, 40))
    error = np.abs(down.astype(int) - pixels)[2:-2, 2:-2, :3]  # Lanczos' edges fade into nothing
    assert error.max() <= 6 and error.mean() < 1.0


def test_turn_and_turn_back_comes_back_close():
    pixels = _photo(60, 50)
    there = Affine.rotation(33, 30, 25)
    turned = warp(pixels, RGBA, there, there.bounds(Rect(0, 0, 60, 50)))
    bounds = there.bounds(Rect(0, 0, 60, 50))
    home = Affine.translation(bounds.x, bounds.y).then(there.inverse())
    back = warp(turned, RGBA, home, Rect(0, 0, 60, 50))
    error = np.abs(back.astype(int) - pixels)[6:-6, 6:-6, :3]
    assert error.mean() < 4.0


@pytest.mark.parametrize("affine", [Affine.rotation(30, 20, 20), Affine.scaling(1.7, 0.6, 20, 20),
                                    Affine.scaling(0.3, 0.3).then(Affine.rotation(-50, 6, 6))])
def test_a_red_square_keeps_red_edges(affine):
    """No dark halo: colour is resampled premultiplied, so transparent black never bleeds in."""
    pixels = np.zeros((40, 40, 4), np.uint8)
    pixels[10:30, 10:30] = (255, 0, 0, 255)
    out = warp(pixels, RGBA, affine, affine.bounds(Rect(0, 0, 40, 40)))
    shown = out[out[..., 3] > 0]
    assert (shown[:, 0] == 255).all() and (shown[:, 1:3] == 0).all()
    alphas = np.unique(out[..., 3])
    assert len(alphas) > 3  # the edge is antialiased, not cut


def test_strong_shrink_with_a_turn_is_reduced_first_not_aliased():
    # Fine stripes shrunk 8x average to mid-grey; bicubic alone would keep picking stripes (aliasing).
    pixels = np.zeros((256, 256, 4), np.uint8)
    pixels[..., 3] = 255
    pixels[:, ::2, :3] = 255
    affine = Affine.scaling(0.125, 0.125).then(Affine.rotation(20, 16, 16))
    out = warp(pixels, RGBA, affine, affine.bounds(Rect(0, 0, 256, 256)))
    centre = out[14:20, 14:20, 0].astype(int)
    assert np.abs(centre - 128).max() <= 12


def test_a_soft_selection_lifts_softly_and_the_rest_stays():
    layer = Layer.filled(30, 20, (10, 200, 30, 255))
    coverage = np.zeros((20, 30), np.float32)
    coverage[5:10, 5:15] = 1.0
    coverage[5:10, 15:20] = 0.5
    lifted = lift(layer, coverage)
    assert lifted.rect == Rect(5, 5, 15, 5)
    assert (lifted.piece[:, :10, 3] == 255).all() and (lifted.piece[:, 10:, 3] == 128).all()
    assert (lifted.remainder[5:10, 5:15, 3] == 0).all() and (lifted.remainder[5:10, 15:20, 3] == 128).all()
    assert (lifted.remainder[:5, :, 3] == 255).all()
    result = apply_free_transform(layer, lifted, Affine.translation(0, 10), coverage)
    assert result.pixels.shape == (20, 30, 4)  # landed inside the layer: it does not grow
    moved = result.pixels[15:20, 5:20]
    assert (moved[:, :10, 3] == 255).all() and (moved[:, :10, :3] == (10, 200, 30)).all()
    assert (moved[:, 10:, 3] == 255).all()  # half the pixel over the opaque layer: opaque
    assert (result.pixels[5:10, 5:15, 3] == 0).all()  # the hole
    assert np.allclose(result.coverage[15:20, 5:15], 1.0) and np.allclose(result.coverage[15:20, 15:20], 0.5)
    assert not result.coverage[5:10].any()


def test_the_selection_moves_with_a_turn():
    coverage = rect_coverage((40, 40), (10, 15, 20, 10))
    turned = warp_coverage(coverage, Affine.rotation(90, 20, 20))
    assert np.array_equal(turned, np.rot90(coverage, -1))


def test_whole_layer_transform_moves_the_mask_with_it():
    layer = Layer(np.full((20, 30, 4), 255, np.uint8))
    layer.mask = np.full((20, 30), 255, np.uint8)
    layer.mask[:, :10] = 0  # the left third hidden
    result = _whole(layer, Affine.rotation(180, 15, 10))
    assert result.mask.shape == result.pixels.shape[:2]
    assert (result.mask[:, 20:] == 0).all() and (result.mask[:, :20] == 255).all()


def test_under_a_selection_the_mask_stays_and_the_pieces_mask_values_travel_with_it():
    """As the Move tool moves a selection: the hole keeps its mask, the piece lands with its own."""
    layer = Layer(np.full((20, 30, 4), 255, np.uint8))
    layer.mask = np.full((20, 30), 255, np.uint8)
    layer.mask[:10, :10] = 0  # the selected corner is hidden
    coverage = rect_coverage((30, 20), (0, 0, 10, 10))
    result = apply_free_transform(layer, lift(layer, coverage), Affine.translation(0, 10), coverage)
    assert result.offset == (0, 0) and result.mask.shape == (20, 30)
    assert (result.mask[10:, :10] == 0).all()  # where the piece landed: hidden as it was
    assert (result.mask[:10, :10] == 0).all() and (result.mask[:, 10:] == 255).all()  # the rest stays


def test_a_masked_layer_grows_its_mask_white():
    layer = Layer(np.full((20, 30, 4), 255, np.uint8))
    layer.mask = np.zeros((20, 30), np.uint8)
    coverage = rect_coverage((30, 20), (0, 10, 10, 10))
    result = apply_free_transform(layer, lift(layer, coverage), Affine.translation(-5, 0), coverage)
    assert result.offset == (-5, 0)
    assert (result.mask[:10, :5] == 255).all() and (result.mask[:, 5:] == 0).all()


def test_a_grey_mask_is_resampled_like_the_pixels():
    mask = np.tile(np.linspace(0, 255, 32).astype(np.uint8), (16, 1))
    out = warp(mask, GREY, Affine.scaling(2, 1), Rect(0, 0, 64, 16))
    assert out[:, 1:63].min() >= 0 and np.all(np.diff(out[8, 2:62].astype(int)) >= -1)


def _document() -> Document:
    doc = Document(40, 30)
    doc.insert_layer(Layer.filled(40, 30, (255, 255, 255, 255), "background"))
    doc.insert_layer(Layer(_opaque_noise(40, 30, seed=3), "paint", metadata={"crop": [4, 4, 8, 8]}))
    return doc


def test_the_command_is_one_step_that_undoes_exactly():
    doc, history = _document(), History()
    start = snapshot(doc)
    doc.selection.coverage[5:15, 5:20] = 1.0
    start = snapshot(doc)
    command = FreeTransform(doc.active_uid, Affine.rotation(25, 12, 10).then(Affine.translation(30, 0)), True)
    history.push(doc, command)
    assert history.undo_count == 1
    after = snapshot(doc)
    assert doc.active_layer.offset[0] == 0 and doc.active_layer.width > 40  # grown past the right edge
    assert doc.selection.coverage[:, :15].max() == 0  # the selection moved with the piece
    history.undo(doc)
    assert snapshot(doc) == start
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    history.redo(doc)
    assert snapshot(doc) == after


def test_a_whole_layer_transform_moves_a_generated_layers_boxes():
    doc = _document()
    FreeTransform(doc.active_uid, Affine.scaling(2, 2), False).redo(doc)
    assert doc.active_layer.metadata["crop"] == [8, 8, 16, 16]


def test_a_layer_too_big_is_refused_and_nothing_changes():
    doc = _document()
    start = snapshot(doc)
    with pytest.raises(ValueError, match="megapixels"):
        FreeTransform(doc.active_uid, Affine.scaling(400, 400), False).prepare(doc)
    assert snapshot(doc) == start


def _bounds(result) -> tuple[slice, slice]:
    alpha = result.pixels[..., 3]
    rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


transform = st.tuples(st.just("transform"), st.floats(-180, 180), st.floats(0.3, 2.5), st.floats(0.3, 2.5),
                      st.integers(-8, 8), st.integers(-8, 8), st.booleans())


def _transform_command(doc: Document, op: tuple) -> FreeTransform | None:
    """A Free Transform of the active layer (of its selected pixels when asked and there are some)."""
    layer = doc.active_layer
    if layer is None:
        return None
    use_selection = op[6] and doc.selection.bbox() is not None
    lifted = lift(layer, doc.selection.coverage if use_selection else None)
    if lifted.rect.is_empty():
        return None
    cx, cy = lifted.rect.x + lifted.rect.w / 2, lifted.rect.y + lifted.rect.h / 2
    affine = (Affine.scaling(op[2], op[3], cx, cy).then(Affine.rotation(op[1], cx, cy))
              .then(Affine.translation(op[4], op[5])))
    return FreeTransform(layer.uid, affine, use_selection)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(transform, edit), min_size=1, max_size=8))
def test_transforms_among_other_edits_undo_and_redo_exactly(ops):
    doc, history = history_start(), History()
    start = snapshot(doc)
    for op in ops:
        command = _transform_command(doc, op) if op[0] == "transform" else history_command(doc, op)
        if command is not None:
            history.push(doc, command)
    end = snapshot(doc)
    undo_all_then_redo_all(doc, history, start, end)


@pytest.mark.parametrize("affine", [Affine.rotation(10, 100, 80), Affine.scaling(0.7, 0.7, 3.5, 0),
                                    Affine.scaling(0.5, 0.6).then(Affine.rotation(-20))])
def test_opaque_blocks_take_the_8_bit_path_and_agree_with_the_float_one(affine):
    opaque = _photo(200, 160, seed=5)
    almost = opaque.copy()
    almost[0, 0, 3] = 254  # one translucent pixel sends every block through premultiplied float
    bounds = affine.bounds(Rect(0, 0, 200, 160))
    fast, exact = warp(opaque, RGBA, affine, bounds), warp(almost, RGBA, affine, bounds)
    inner = (slice(8, -8), slice(8, -8))
    error = np.abs(fast[inner].astype(int) - exact[inner])
    # A turn that shrinks reduces first; through 8 bits that step rounds once more.
    assert error.max() <= (3 if min(affine.axis_scales()) < 0.75 else 1) and error.mean() < 0.3


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(transform, transform, group_transform, group_edit,
                          edit.filter(lambda op: op[0] != "move")), min_size=1, max_size=10))
def test_transforms_among_group_steps_undo_and_redo_exactly(ops):
    doc, history = history_start(), History()
    start = snapshot(doc)
    for op in ops:
        if op[0] in ("transform", "group-transform"):
            make = _transform_command if op[0] == "transform" else group_transform_command
            command = make(doc, op)
            if command is not None:
                history.push(doc, command)
        else:
            apply_group_step(doc, history, op)
    end, end_pixels = snapshot(doc), doc.composite().copy()
    assert np.array_equal(end_pixels, doc.composite_uncached())
    undo_all_then_redo_all(doc, history, start, end, end_pixels)
