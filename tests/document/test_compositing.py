"""Blend maths against hand-computed values; the tile cache against direct compositing."""

import numpy as np
import pytest

from glide_desktop.document.compositing import TileCache, composite
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
