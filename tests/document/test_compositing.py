"""Blend maths against hand-computed values; the fast path and the tile cache against the reference."""

import numpy as np
import pytest

from glide_desktop.document.compositing import TileCache, composite, composite_reference, parallel_map
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode, Layer


def _one(rgba, **props) -> Layer:
    return Layer.filled(1, 1, rgba, **props)


def _pixel(*layers) -> list[int]:
    return composite(list(layers), 1, 1)[0, 0].tolist()


# Opaque backdrop 200 (0.7843) under opaque source 100 (0.3922), per channel:
# multiply 0.7843*0.3922*255 = 78.4; screen 200+100-78.4 = 221.6; darken 100; lighten 200;
# overlay with backdrop > 0.5: 1 - 2*(1-0.3922)*(1-0.7843) = 0.7378 -> 188.1.
# overlay with backdrop 100 <= 0.5 and source 200: 2*0.3922*0.7843 = 0.6152 -> 156.9.
@pytest.mark.parametrize(("mode", "backdrop", "source", "expected"), [
    (BlendMode.NORMAL, 200, 100, 100),
    (BlendMode.MULTIPLY, 200, 100, 78),
    (BlendMode.SCREEN, 200, 100, 222),
    (BlendMode.DARKEN, 200, 100, 100),
    (BlendMode.LIGHTEN, 200, 100, 200),
    (BlendMode.OVERLAY, 200, 100, 188),
    (BlendMode.OVERLAY, 100, 200, 157),
])
def test_opaque_blend_modes(mode, backdrop, source, expected):
    out = _pixel(_one((backdrop,) * 3 + (255,)), _one((source,) * 3 + (255,), blend=mode))
    assert out == [expected] * 3 + [255]


def test_half_transparent_red_over_blue():
    # alpha 128/255 = 0.502: red 0.502*255 = 128, blue 255*(1-0.502) = 127.
    assert _pixel(_one((0, 0, 255, 255)), _one((255, 0, 0, 128))) == [128, 0, 127, 255]


def test_premultiplied_math_with_two_translucent_layers():
    # ao = 0.502 + 0.502*0.498 = 0.752 -> 192; red 0.502/0.752 = 0.6675 -> 170; blue 0.25/0.752 -> 85.
    assert _pixel(_one((0, 0, 255, 128)), _one((255, 0, 0, 128))) == [170, 0, 85, 192]


def test_layer_opacity_scales_alpha():
    # opacity 0.5 on an opaque white layer over black: 0.5*255 = 127.5 -> 128.
    out = _pixel(_one((0, 0, 0, 255)), _one((255, 255, 255, 255), opacity=0.5))
    assert out == [128, 128, 128, 255]


def test_multiply_over_transparency_shows_the_source():
    assert _pixel(_one((90, 30, 200, 77), blend=BlendMode.MULTIPLY)) == [90, 30, 200, 77]


def test_hidden_layers_and_offsets():
    base = Layer.filled(4, 4, (10, 20, 30, 255))
    patch = Layer.filled(2, 2, (250, 0, 0, 255), offset=(3, 3))
    hidden = Layer.filled(4, 4, (0, 255, 0, 255), visible=False)
    out = composite([base, patch, hidden], 4, 4)
    assert out[3, 3].tolist() == [250, 0, 0, 255]
    assert out[2, 2].tolist() == [10, 20, 30, 255]
    assert composite([patch], 4, 4)[0, 0].tolist() == [0, 0, 0, 0]


def test_rect_outside_document_is_transparent():
    out = composite([Layer.filled(4, 4, (1, 2, 3, 255))], 4, 4, Rect(2, 2, 4, 4))
    assert out.shape == (4, 4, 4)
    assert out[0, 0].tolist() == [1, 2, 3, 255] and out[3, 3].tolist() == [0, 0, 0, 0]


def test_tile_cache_recomposites_only_invalidated_parts():
    layer = Layer.filled(40, 30, (5, 5, 5, 255))
    rendered: list[Rect] = []

    def render(rect: Rect) -> np.ndarray:
        rendered.append(rect)
        return composite([layer], 40, 30, rect)

    cache = TileCache(render, 40, 30, tile=16)
    assert (cache.get(Rect(0, 0, 40, 30))[..., :3] == 5).all()
    rendered.clear()
    layer.pixels[20:22, 3:5] = 99
    cache.invalidate(Rect(3, 20, 2, 2))
    out = cache.get(Rect(0, 0, 40, 30))
    assert rendered == [Rect(3, 20, 2, 2)]
    assert (out == composite([layer], 40, 30)).all()


# --- the fast chunked path against the reference maths --------------------------------------------

def _noisy(rng, w, h, **props) -> Layer:
    pixels = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    pixels[pixels[..., 3] == 0] = 0  # hidden colour is where the float path and a plain copy differ
    return Layer(pixels, **props)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of at most 96 pixels and threads from 200 pixels on, so small images cover every path."""
    from glide_desktop.document import compositing, planar

    monkeypatch.setattr(planar, "CHUNK_PIXELS", 96)
    monkeypatch.setattr(planar, "CHUNK_WIDTH", 12)
    monkeypatch.setattr(compositing, "_PARALLEL_PIXELS", 200)
    monkeypatch.setattr(compositing, "_WORKERS", 2)


def _mixed_stack(seed: int) -> list[Layer]:
    """Every mode and several opacities, offsets, clear areas, an opaque block and a hidden layer."""
    rng = np.random.default_rng(seed)
    modes = list(BlendMode)
    layers = [_noisy(rng, 60, 40, name="base")]
    for index in range(9):
        layer = _noisy(rng, 37 + index, 29, blend=modes[index % len(modes)],
                       opacity=(1.0, 0.6, 0.25)[index % 3], offset=(index * 3 - 6, index * 2 - 4))
        layer.pixels[5:20, 4:30] = 0  # a fully transparent area, skipped chunk by chunk
        layers.append(layer)
    opaque = Layer.filled(36, 24, (12, 200, 90, 255), name="opaque", offset=(12, 8))
    layers.insert(5, opaque)  # hides what lies below it wherever a chunk is wholly inside it
    layers.append(_noisy(rng, 60, 40, visible=False))
    return layers


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_composite_matches_the_reference_bit_for_bit(small_chunks, seed):
    layers = _mixed_stack(seed)
    expected = composite_reference(layers, Rect(0, 0, 60, 40))
    assert np.array_equal(composite(layers, 60, 40), expected)
    part = Rect(-5, 7, 30, 50)  # reaches outside the document: transparent there
    out = composite(layers, 60, 40, part)
    inside = part.clip(60, 40)
    assert np.array_equal(out[inside.slices(part.x, part.y)], expected[inside.slices()])
    assert not out[:, :5].any()


@pytest.mark.parametrize("mode", list(BlendMode))
@pytest.mark.parametrize("opacity", [1.0, 0.37])
def test_every_mode_matches_the_reference_over_translucent_backdrops(small_chunks, mode, opacity):
    rng = np.random.default_rng(7)
    layers = [_noisy(rng, 20, 15), _noisy(rng, 20, 15, blend=mode, opacity=opacity)]
    assert np.array_equal(composite(layers, 20, 15), composite_reference(layers, Rect(0, 0, 20, 15)))


def test_fully_transparent_pixels_lose_their_colour_unless_one_layer_is_alone():
    pixels = np.zeros((2, 2, 4), np.uint8)
    pixels[..., :3] = 77  # colour under zero alpha, as image files often carry
    alone = Layer(pixels)
    assert np.array_equal(composite([alone], 2, 2), pixels)
    clear_above = Layer.blank(2, 2)
    assert not composite([alone, clear_above], 2, 2).any()  # what the reference float path gives
    assert not composite_reference([alone, clear_above], Rect(0, 0, 2, 2)).any()


def test_cached_document_composite_matches_direct_compositing(small_chunks):
    doc = Document(60, 40)
    for layer in _mixed_stack(3):
        doc.insert_layer(layer)
    doc._cache.tile = 16  # many tiles, rendered on the thread pool
    assert np.array_equal(doc.composite(), composite_reference(doc.layers, doc.bounds))
    doc.write_pixels(doc.layers[2].uid, Rect(0, 0, 10, 10), np.full((10, 10, 4), 200, np.uint8))
    assert np.array_equal(doc.composite(), composite_reference(doc.layers, doc.bounds))


def test_parallel_map_keeps_order_and_runs_nested_calls_inline(small_chunks):
    inner = parallel_map(lambda n: parallel_map(lambda m: n * 10 + m, [1, 2, 3]), [1, 2, 3, 4])
    assert inner == [[11, 12, 13], [21, 22, 23], [31, 32, 33], [41, 42, 43]]
