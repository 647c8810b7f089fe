"""Colour adjustments of RGBA8 pixels: Hue/Saturation/Lightness, Brightness/Contrast, Levels, Curves.

Every adjustment maps straight-alpha RGB and leaves alpha alone. Brightness/Contrast, Levels and
Curves are per-channel lookup tables (Pillow's `point`, a C loop, so a 24 MP preview stays fast);
Hue/Saturation/Lightness works in HSL, in float32 row bands spread over threads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from glide_desktop.document.compositing import parallel_map

BAND_PIXELS = 1 << 16  # pixels per HSL band: temporaries stay in the CPU cache
CHANNELS = ("rgb", "red", "green", "blue")
_IDENTITY = np.arange(256, dtype=np.float64)


# --- lookup tables ------------------------------------------------------------------------------------
def _to_lut(values: np.ndarray) -> np.ndarray:
    """Float values on the 0..255 scale to a 256-entry uint8 table (rounded, clipped)."""
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def apply_luts(pixels: np.ndarray, red: np.ndarray, green: np.ndarray, blue: np.ndarray) -> np.ndarray:
    """Map R, G, B through 256-entry uint8 tables; alpha is copied unchanged."""
    table = np.concatenate([red, green, blue, _IDENTITY.astype(np.uint8)]).tolist()
    image = Image.fromarray(np.ascontiguousarray(pixels), "RGBA")
    return np.asarray(image.point(table), dtype=np.uint8)


@dataclass(frozen=True)
class BrightnessContrast:
    """Brightness and contrast in -100..100 (GIMP's legacy maths: lift or darken, then tilt around grey)."""

    brightness: float = 0.0
    contrast: float = 0.0

    def lut(self) -> np.ndarray:
        x = _IDENTITY / 255.0
        b = self.brightness / 100.0
        x = x * (1.0 + b) if b < 0 else x + (1.0 - x) * b
        slant = math.tan((self.contrast / 100.0 + 1.0) * math.pi / 4.0)  # 0 at -100, 1 at 0, vertical at 100
        x = (x - 0.5) * slant + 0.5
        return _to_lut(x * 255.0)

    def is_identity(self) -> bool:
        return self.brightness == 0 and self.contrast == 0

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        lut = self.lut()
        return apply_luts(pixels, lut, lut, lut)


@dataclass(frozen=True)
class LevelsChannel:
    """Input black/white points, gamma (midtones) and output black/white points of one channel."""

    black: int = 0
    white: int = 255
    gamma: float = 1.0
    out_black: int = 0
    out_white: int = 255

    def lut(self) -> np.ndarray:
        span = max(1, self.white - self.black)
        x = np.clip((_IDENTITY - self.black) / span, 0.0, 1.0)
        x = x ** (1.0 / max(0.01, self.gamma))
        return _to_lut(self.out_black + x * (self.out_white - self.out_black))

    def is_identity(self) -> bool:
        return self == LevelsChannel()


def _levels_map() -> dict[str, LevelsChannel]:
    return {name: LevelsChannel() for name in CHANNELS}


@dataclass(frozen=True)
class Levels:
    """Levels per channel: red, green and blue tables first, then the composite (rgb) one on top."""

    channels: dict[str, LevelsChannel] = field(default_factory=_levels_map)

    def luts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        master = self.channels.get("rgb", LevelsChannel()).lut()
        return tuple(master[self.channels.get(c, LevelsChannel()).lut()] for c in CHANNELS[1:])

    def is_identity(self) -> bool:
        return all(channel.is_identity() for channel in self.channels.values())

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        return apply_luts(pixels, *self.luts())


def monotone_curve(points: Sequence[tuple[float, float]]) -> np.ndarray:
    """256 samples of the monotone cubic (Fritsch–Carlson) through points on 0..255; flat beyond the ends."""
    pts = sorted({float(x): float(y) for x, y in points}.items())
    if not pts:
        return _IDENTITY.copy()
    xs, ys = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
    if len(xs) == 1:
        return np.full(256, ys[0])
    h, delta = np.diff(xs), np.diff(ys) / np.diff(xs)
    slopes = np.empty_like(xs)
    slopes[0], slopes[-1] = delta[0], delta[-1]
    inner = delta[:-1] * delta[1:] > 0
    # Weighted harmonic mean keeps the curve from overshooting between points (no ringing in shadows).
    w1, w2 = 2 * h[1:] + h[:-1], h[1:] + 2 * h[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        harmonic = (w1 + w2) / (w1 / delta[:-1] + w2 / delta[1:])
    slopes[1:-1] = np.where(inner, harmonic, 0.0)
    x = np.clip(_IDENTITY, xs[0], xs[-1])
    k = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, len(xs) - 2)
    t = (x - xs[k]) / h[k]
    t2, t3 = t * t, t * t * t
    return ((2 * t3 - 3 * t2 + 1) * ys[k] + (t3 - 2 * t2 + t) * h[k] * slopes[k]
            + (-2 * t3 + 3 * t2) * ys[k + 1] + (t3 - t2) * h[k] * slopes[k + 1])


IDENTITY_POINTS = ((0.0, 0.0), (255.0, 255.0))


def _curve_map() -> dict[str, tuple[tuple[float, float], ...]]:
    return {name: IDENTITY_POINTS for name in CHANNELS}


@dataclass(frozen=True)
class Curves:
    """Control points per channel (0..255 both ways); each colour goes through its curve, then rgb's."""

    channels: dict[str, tuple[tuple[float, float], ...]] = field(default_factory=_curve_map)

    def lut(self, channel: str) -> np.ndarray:
        return _to_lut(monotone_curve(self.channels.get(channel, IDENTITY_POINTS)))

    def luts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        master = self.lut("rgb")
        return tuple(master[self.lut(c)] for c in CHANNELS[1:])

    def is_identity(self) -> bool:
        return all(np.array_equal(self.lut(c), _IDENTITY.astype(np.uint8)) for c in CHANNELS)

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        return apply_luts(pixels, *self.luts())


# --- hue / saturation / lightness ----------------------------------------------------------------------
@dataclass(frozen=True)
class HueSaturation:
    """Hue shift in degrees (-180..180); saturation and lightness in -100..100 (GIMP's HSL maths)."""

    hue: float = 0.0
    saturation: float = 0.0
    lightness: float = 0.0

    def is_identity(self) -> bool:
        return self.hue == 0 and self.saturation == 0 and self.lightness == 0

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        out = pixels.copy()
        flat_in, flat_out = pixels.reshape(-1, 4), out.reshape(-1, 4)
        total = flat_in.shape[0]
        bands = [(start, min(total, start + BAND_PIXELS)) for start in range(0, total, BAND_PIXELS)]

        def run(band: tuple[int, int]) -> None:
            start, stop = band
            flat_out[start:stop, :3] = self._band(flat_in[start:stop, :3])

        parallel_map(run, bands)
        return out

    def _band(self, rgb8: np.ndarray) -> np.ndarray:
        """N, 3 uint8 -> N, 3 uint8 through HSL on planar float32 channels (no sector branches)."""
        f32 = np.float32
        r, g, b = (rgb8[:, i].astype(f32) * f32(1 / 255) for i in range(3))
        mx, mn = np.maximum(np.maximum(r, g), b), np.minimum(np.minimum(r, g), b)
        chroma = mx - mn
        light = (mx + mn) * f32(0.5)
        room = f32(1) - np.abs(light * f32(2) - f32(1))  # the most chroma this lightness allows
        new_light = _shift_lightness(light, self.lightness / 100.0)
        new_room = f32(1) - np.abs(new_light * f32(2) - f32(1))
        with np.errstate(divide="ignore", invalid="ignore"):
            # Saturation scales S = chroma / room (capped at 1); the new lightness keeps S.
            new_chroma = np.minimum(chroma * f32(1 + self.saturation / 100.0), room) * (new_room / room)
        new_chroma = np.where(room > 0, new_chroma, f32(0))
        out = np.empty(rgb8.shape, np.uint8)
        if not self.hue:
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(chroma > 0, new_chroma / chroma, f32(0))
            for index, channel in enumerate((r, g, b)):
                out[:, index] = _to_uint8(new_light + (channel - light) * ratio)
            return out
        h6 = _hue6(r, g, b, mx, chroma) + f32(self.hue / 60.0)
        low = new_light - new_chroma * f32(0.5)
        for index, n in enumerate((0.0, 4.0, 2.0)):
            k = h6 + f32(n)
            k -= f32(6) * np.floor(k * f32(1 / 6))
            share = np.clip(np.abs(k - f32(3)) - f32(1), 0, 1)
            out[:, index] = _to_uint8(low + new_chroma * share)
        return out


def _shift_lightness(light: np.ndarray, amount: float) -> np.ndarray:
    """GIMP's lightness: towards black (amount < 0) or white (amount > 0) in proportion."""
    if amount < 0:
        return light * np.float32(1 + amount)
    if amount > 0:
        return light + (np.float32(1) - light) * np.float32(amount)
    return light


def _hue6(r: np.ndarray, g: np.ndarray, b: np.ndarray, mx: np.ndarray, chroma: np.ndarray) -> np.ndarray:
    """Hue in sextants (-1..5, red at 0) from planar channels; 0 for greys."""
    safe = np.where(chroma > 0, chroma, np.float32(1))
    return np.where(mx == r, (g - b) / safe,
                    np.where(mx == g, (b - r) / safe + np.float32(2), (r - g) / safe + np.float32(4)))


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values * np.float32(255)), 0, 255).astype(np.uint8)


# --- applying inside a selection ---------------------------------------------------------------------
Adjustment = BrightnessContrast | Levels | Curves | HueSaturation


def blend_by_coverage(before: np.ndarray, after: np.ndarray, coverage: np.ndarray | None) -> np.ndarray:
    """before where coverage is 0, after where it is 1, mixed in between (alpha stays before's)."""
    if coverage is None:
        return after
    out = after.copy()
    out[..., 3] = before[..., 3]
    partial = coverage < 1.0
    if not partial.any():
        return out
    weight = coverage[partial][:, None]  # N, 1
    old = before[partial][:, :3].astype(np.float32)
    mixed = old + (after[partial][:, :3] - old) * weight
    out[partial, :3] = np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
    return out


def adjust(pixels: np.ndarray, adjustment: Adjustment, coverage: np.ndarray | None = None) -> np.ndarray:
    """The adjusted copy of pixels (H, W, 4), applied in proportion to coverage (H, W in [0, 1]) if given."""
    if adjustment.is_identity():
        return pixels.copy()
    return blend_by_coverage(pixels, adjustment(pixels), coverage)


def histogram(pixels: np.ndarray, coverage: np.ndarray | None = None) -> np.ndarray:
    """4, 256 counts: luminance (Rec. 601 weights), red, green, blue of visible, selected pixels."""
    keep = pixels[..., 3] > 0
    if coverage is not None:
        keep &= coverage > 0
    rgb = pixels[keep][:, :3]
    luma = (rgb.astype(np.uint32) @ np.array([77, 150, 29], np.uint32)) >> 8
    counts = [np.bincount(luma, minlength=256)[:256]]
    counts += [np.bincount(rgb[:, c], minlength=256) for c in range(3)]
    return np.stack(counts)
