"""Colour adjustments: the maths, soft selections, band-by-band preview, exact undo."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glide_desktop.document.adjust_preview import AdjustmentPreview
from glide_desktop.document.adjustments import (
    BrightnessContrast,
    Curves,
    HueSaturation,
    Levels,
    LevelsChannel,
    adjust,
    histogram,
    monotone_curve,
)
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.history import History
from glide_desktop.document.selection import rect_coverage
from tests.document.conftest import gradient_layer


def _noise(h: int = 20, w: int = 30, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 4), dtype=np.uint8)


@pytest.mark.parametrize("hsl", [HueSaturation(40, 20, -10), HueSaturation(-120, -60, 30),
                                 HueSaturation(180, 100, 0)])
def test_hue_saturation_matches_hls_maths_within_one_level(hsl):
    pixels = _noise()
    out = hsl(pixels)
    for before, after in zip(pixels.reshape(-1, 4), out.reshape(-1, 4), strict=True):
        h, light, s = colorsys.rgb_to_hls(*(before[:3] / 255.0))
        h = (h + hsl.hue / 360.0) % 1.0
        s = min(1.0, s * (1 + hsl.saturation / 100.0))
        a = hsl.lightness / 100.0
        light = light * (1 + a) if a < 0 else light + (1 - light) * a
        expected = np.rint(np.array(colorsys.hls_to_rgb(h, light, s)) * 255)
        assert np.abs(expected - after[:3]).max() <= 1
        assert after[3] == before[3]


def test_tiny_hue_shift_round_trips_exactly():
    pixels = _noise()
    assert np.array_equal(HueSaturation(hue=1e-4)(pixels), pixels)


def test_brightness_contrast_tables():
    lut = BrightnessContrast(brightness=100).lut()
    assert lut.min() == 255
    assert np.array_equal(BrightnessContrast().lut(), np.arange(256))
    steep = BrightnessContrast(contrast=60).lut()
    assert steep[64] < 64 and steep[192] > 192 and abs(int(steep[128]) - 128) <= 1


def test_levels_maps_points_and_gamma_per_channel():
    levels = Levels({"rgb": LevelsChannel(), "red": LevelsChannel(black=50, white=200),
                     "green": LevelsChannel(gamma=2.0), "blue": LevelsChannel(out_black=100, out_white=150)})
    red, green, blue = levels.luts()
    assert red[50] == 0 and red[200] == 255 and red[125] == 128
    assert green[64] > 64 and green[0] == 0 and green[255] == 255
    assert blue[0] == 100 and blue[255] == 150
    master = Levels({"rgb": LevelsChannel(white=128)}).luts()[0]
    assert master[128] == 255 and master[64] == 128


def test_curves_pass_through_points_without_overshoot():
    ys = monotone_curve([(0, 0), (64, 100), (128, 110), (255, 255)])
    assert round(ys[64]) == 100 and round(ys[128]) == 110
    assert np.all(np.diff(ys) >= -1e-9)  # monotone points give a monotone curve
    curves = Curves({"rgb": ((0, 255), (255, 0))})
    assert np.array_equal(curves(_noise())[..., :3], 255 - _noise()[..., :3])


def test_soft_coverage_blends_the_adjustment():
    pixels = np.full((1, 3, 4), 100, np.uint8)
    coverage = np.array([[0.0, 0.5, 1.0]], np.float32)
    out = adjust(pixels, BrightnessContrast(brightness=-100), coverage)
    assert out[0, :, 0].tolist() == [100, 50, 0]
    assert out[0, :, 3].tolist() == [100, 100, 100]


def test_histogram_counts_selected_visible_pixels():
    pixels = np.zeros((2, 2, 4), np.uint8)
    pixels[0, 0] = (255, 0, 0, 255)
    pixels[0, 1] = (0, 0, 255, 255)
    coverage = np.array([[1, 1], [1, 0]], np.float32)
    counts = histogram(pixels, coverage)
    assert counts[1, 255] == 1 and counts[3, 255] == 1 and counts[1, 0] == 1  # the hidden pixel is skipped
    assert counts[0].sum() == 2


def _doc() -> Document:
    doc = Document(16, 12)
    doc.insert_layer(gradient_layer(16, 12, seed=3))
    return doc


def test_preview_writes_bands_and_cancel_restores():
    doc = _doc()
    original = doc.layers[0].pixels.copy()
    preview = AdjustmentPreview.for_active_layer(doc, band_rows=5)
    preview.show(BrightnessContrast(brightness=-50))
    assert preview.step() and preview.pending
    assert not np.array_equal(doc.layers[0].pixels[:5], original[:5])
    assert np.array_equal(doc.layers[0].pixels[5:], original[5:])  # later bands wait
    preview.cancel()
    assert np.array_equal(doc.layers[0].pixels, original)


def test_preview_inside_soft_selection_commits_one_step():
    doc = _doc()
    doc.selection.combine("replace", rect_coverage(doc.size, (2.5, 3, 6, 4)))
    original = doc.layers[0].pixels.copy()
    preview = AdjustmentPreview.for_active_layer(doc, band_rows=2)
    assert preview.rect == Rect(2, 3, 7, 4) and preview.coverage is not None
    preview.show(HueSaturation(hue=90))
    command = preview.commit("Hue/Saturation")
    changed = np.argwhere(np.any(doc.layers[0].pixels != original, axis=2))
    assert changed[:, 0].min() >= 3 and changed[:, 1].min() >= 2 and changed[:, 1].max() <= 8
    command.undo(doc)
    assert np.array_equal(doc.layers[0].pixels, original)


def test_identity_commit_is_no_step():
    doc = _doc()
    preview = AdjustmentPreview.for_active_layer(doc)
    preview.show(Levels())
    assert preview.commit("Levels") is None


adjustments = st.one_of(
    st.builds(HueSaturation, st.integers(-180, 180), st.integers(-100, 100), st.integers(-100, 100)),
    st.builds(BrightnessContrast, st.integers(-100, 100), st.integers(-100, 100)),
    st.builds(lambda b, w, g: Levels({"rgb": LevelsChannel(b, max(b + 1, w), g)}),
              st.integers(0, 200), st.integers(0, 255), st.floats(0.2, 5)),
    st.builds(lambda y: Curves({"green": ((0, 0), (128, y), (255, 255))}), st.integers(0, 255)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(adjustments, st.tuples(st.integers(-2, 14), st.integers(-2, 10), st.integers(0, 9),
                                                  st.integers(0, 9))), min_size=1, max_size=4))
def test_any_adjustments_undo_and_redo_to_exact_bytes(steps):
    doc, history = _doc(), History()
    states = [doc.layers[0].pixels.tobytes()]
    for adjustment, (x, y, w, h) in steps:
        doc.selection.clear().combine("replace", rect_coverage(doc.size, (x + 0.5, y, w, h)))
        preview = AdjustmentPreview.for_active_layer(doc, band_rows=3)
        if preview is None:
            continue
        preview.show(adjustment)
        command = preview.commit("Adjust")
        if command is not None:
            history.push(doc, command)
            history.undo(doc)
            history.redo(doc)  # the step redoes to the same bytes the preview showed
            states.append(doc.layers[0].pixels.tobytes())
    for expected in reversed(states[:-1]):
        history.undo(doc)
        assert doc.layers[0].pixels.tobytes() == expected
    for expected in states[1:]:
        history.redo(doc)
        assert doc.layers[0].pixels.tobytes() == expected
