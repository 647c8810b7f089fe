"""Every OpenRaster composite-op against values worked out by hand from the W3C Compositing and Blending
formulas, the fast path against the reference with every mode, and what src-in & co do outside a layer."""

from __future__ import annotations

import numpy as np
import pytest

from glide_desktop.document.compositing import composite, composite_reference
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode as M
from glide_desktop.document.layer import Layer


def _one(rgba, **props) -> Layer:
    return Layer.filled(1, 1, rgba, **props)


def _pixel(*layers) -> list[int]:
    return composite(list(layers), 1, 1)[0, 0].tolist()


# Opaque grey over opaque grey; Cb, Cs = value / 255.
# color-dodge 100 under 100: 0.3922 / (1 - 0.3922) = 0.6452 -> 164.5 -> 165
# color-burn 200 under 100: 1 - (1 - 0.7843) / 0.3922 = 0.45 -> 114.8 -> 115
# hard-light 200 under 100 (Cs <= .5): Cb * 2Cs = 0.7843 * 0.7843 = 0.6151 -> 156.9 -> 157
# hard-light 100 under 200 (Cs > .5): screen(Cb, 2Cs - 1) = 0.3922 + 0.5686 - 0.2230 = 0.7378 -> 188
# soft-light 200 under 100: Cb - (1 - 2Cs) Cb (1 - Cb) = 0.7843 - 0.2157 * 0.7843 * 0.2157 = 0.7478 -> 191
# soft-light 50 under 200 (Cb <= .25): D = ((16Cb - 12) Cb + 4) Cb = 0.4436;
#     Cb + (2Cs - 1)(D - Cb) = 0.1961 + 0.5686 * 0.2475 = 0.3368 -> 85.9 -> 86
# soft-light 128 under 200: D = sqrt(0.5020) = 0.7085; 0.5020 + 0.5686 * 0.2065 = 0.6194 -> 158
# difference 200, 100 -> 100; exclusion: 0.7843 + 0.3922 - 2 * 0.3076 = 0.5613 -> 143
# plus 100 + 60 -> 160; plus 200 + 100 clamps at 255
@pytest.mark.parametrize(("mode", "backdrop", "source", "expected"), [
    (M.COLOR_DODGE, 100, 100, 165), (M.COLOR_DODGE, 200, 100, 255), (M.COLOR_DODGE, 0, 200, 0),
    (M.COLOR_BURN, 200, 100, 115), (M.COLOR_BURN, 255, 0, 255), (M.COLOR_BURN, 100, 0, 0),
    (M.HARD_LIGHT, 200, 100, 157), (M.HARD_LIGHT, 100, 200, 188),
    (M.SOFT_LIGHT, 200, 100, 191), (M.SOFT_LIGHT, 50, 200, 86), (M.SOFT_LIGHT, 128, 200, 158),
    (M.DIFFERENCE, 200, 100, 100), (M.DIFFERENCE, 100, 200, 100),
    (M.EXCLUSION, 200, 100, 143),
    (M.PLUS, 100, 60, 160), (M.PLUS, 200, 100, 255),
])
def test_separable_modes_on_opaque_greys(mode, backdrop, source, expected):
    out = _pixel(_one((backdrop,) * 3 + (255,)), _one((source,) * 3 + (255,), blend=mode))
    assert out == [expected] * 3 + [255]


# Backdrop (200, 100, 50), source (40, 90, 220): Lum(b) = 0.4882, Lum(s) = 0.3502, Sat(b) = 0.5882,
# Sat(s) = 0.7059 (Lum = 0.3 R + 0.59 G + 0.11 B).
# luminosity: Cb + (0.3502 - 0.4882) = (0.6463, 0.2541, 0.0580) -> (165, 65, 15)
# color: Cs + 0.1380 = (0.2949, 0.4910, 1.0008); ClipColor pulls it under 1 -> (75, 125, 255)
# saturation: SetSat(Cb, 0.7059) = (0.7059, 0.2353, 0), + (0.4882 - 0.3506) -> (215, 95, 35)
# hue: SetSat(Cs, 0.5882) = (0, 0.1634, 0.5882), + (0.4882 - 0.1611) -> (83, 125, 233)
@pytest.mark.parametrize(("mode", "expected"), [
    (M.LUMINOSITY, [165, 65, 15]), (M.COLOR, [75, 125, 255]),
    (M.SATURATION, [215, 95, 35]), (M.HUE, [83, 125, 233]),
])
def test_non_separable_modes(mode, expected):
    assert _pixel(_one((200, 100, 50, 255)), _one((40, 90, 220, 255), blend=mode)) == expected + [255]


def test_saturation_of_a_grey_source_leaves_a_grey_of_the_backdrops_luminosity():
    # Sat(grey) = 0, so SetSat gives black and SetLum lifts it to Lum(b) = 0.4882 -> 124.5 on every channel
    red, green, blue, alpha = _pixel(_one((200, 100, 50, 255)), _one((90, 90, 90, 255), blend=M.SATURATION))
    assert red == green == blue and red in (124, 125) and alpha == 255


# Backdrop blue at alpha ab = 128/255 = 0.5020, source red at as = 191/255 = 0.7490.
# dst-in: ao = ab as = 0.3760 -> 96, colour stays blue
# dst-out: ao = ab (1 - as) = 0.1260 -> 32, blue
# src-atop: ao = ab; red as ab / ab = 0.749 -> 191, blue ab (1 - as) / ab = 0.2510 -> 64
# dst-atop: ao = as; red as (1 - ab) / as = 0.4980 -> 127, blue ab as / as = 0.5020 -> 128
# xor: ao = as (1 - ab) + ab (1 - as) = 0.3730 + 0.1260 = 0.4990 -> 127; red 0.7475 -> 191, blue 64
# plus: ao = min(1, 1.2510) = 1; red 0.749 -> 191, blue 0.502 -> 128
# src-in: ao = as ab -> 96, red; src-out: as (1 - ab) = 0.3730 -> 95, red
# dst-over: ao = as (1 - ab) + ab = 0.8750 -> 223; red 0.3730 / 0.875 -> 109, blue 0.502 / 0.875 -> 146
@pytest.mark.parametrize(("mode", "expected"), [
    (M.DST_IN, [0, 0, 255, 96]), (M.DST_OUT, [0, 0, 255, 32]), (M.SRC_ATOP, [191, 0, 64, 128]),
    (M.DST_ATOP, [127, 0, 128, 191]), (M.XOR, [191, 0, 64, 127]), (M.PLUS, [191, 0, 128, 255]),
    (M.SRC_IN, [255, 0, 0, 96]), (M.SRC_OUT, [255, 0, 0, 95]), (M.DST_OVER, [109, 0, 146, 223]),
])
def test_porter_duff_operators_on_translucent_pixels(mode, expected):
    assert _pixel(_one((0, 0, 255, 128)), _one((255, 0, 0, 191), blend=mode)) == expected


@pytest.mark.parametrize("mode", [M.SRC_IN, M.DST_IN, M.DST_OUT, M.SRC_ATOP])
def test_modes_that_need_a_backdrop_show_nothing_at_the_bottom(mode):
    assert _pixel(_one((10, 20, 30, 255), blend=mode)) == [0, 0, 0, 0]


@pytest.mark.parametrize("mode", [M.SRC_IN, M.DST_IN, M.SRC_OUT, M.DST_ATOP])
def test_src_in_and_the_like_clear_everything_outside_their_layer(small_chunks, mode):
    base = Layer.filled(30, 20, (200, 50, 10, 255))
    mask = Layer.filled(6, 5, (0, 0, 0, 255), blend=mode, offset=(10, 8))
    out = composite([base, mask], 30, 20)
    assert not out[:8].any() and not out[:, :10].any() and not out[13:].any()
    assert np.array_equal(out, composite_reference([base, mask], Rect(0, 0, 30, 20)))
    far = Layer.filled(3, 3, (0, 0, 0, 255), blend=mode, offset=(100, 100))  # meets nothing at all
    assert not composite([base, far], 30, 20).any()


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of at most 96 pixels and threads from 200 pixels on, so small images cover every path."""
    from glide_desktop.document import compositing, planar

    monkeypatch.setattr(planar, "CHUNK_PIXELS", 96)
    monkeypatch.setattr(planar, "CHUNK_WIDTH", 12)
    monkeypatch.setattr(compositing, "_PARALLEL_PIXELS", 200)
    monkeypatch.setattr(compositing, "_WORKERS", 2)


def _noisy(rng, w, h, **props) -> Layer:
    pixels = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    pixels[pixels[..., 3] == 0] = 0
    return Layer(pixels, **props)


@pytest.mark.parametrize("seed", range(8))
def test_fast_path_matches_the_reference_with_every_mode(small_chunks, seed):
    rng = np.random.default_rng(seed)
    modes = list(M)
    layers = [_noisy(rng, 40, 30, name="base")]
    for index in range(6):
        mode = modes[(seed * 6 + index) % len(modes)]
        layer = _noisy(rng, 17 + 3 * index, 13 + index, blend=mode, opacity=(1.0, 0.55)[index % 2],
                       offset=(index * 4 - 3, index * 3 - 2))
        layer.pixels[2:6, 3:9] = 0  # a clear patch
        layers.append(layer)
    expected = composite_reference(layers, Rect(0, 0, 40, 30))
    assert np.array_equal(composite(layers, 40, 30), expected)


def test_showing_or_hiding_a_mask_layer_recomposites_the_whole_canvas():
    doc = Document(40, 30)
    doc.insert_layer(Layer.filled(40, 30, (90, 90, 200, 255), "paper"))
    mask = Layer.filled(8, 8, (0, 0, 0, 255), "mask", blend=M.DST_IN, offset=(4, 4), visible=False)
    doc.insert_layer(mask)
    assert doc.composite()[20, 30].tolist() == [90, 90, 200, 255]
    doc.set_layer_property(mask.uid, "visible", True)
    assert doc.composite()[20, 30].tolist() == [0, 0, 0, 0]  # the cached tile was redrawn
    assert np.array_equal(doc.composite(), composite_reference(doc.layers, doc.bounds))
    doc.set_layer_property(mask.uid, "blend", M.NORMAL)
    assert doc.composite()[20, 30].tolist() == [90, 90, 200, 255]
