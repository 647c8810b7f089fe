"""Grey-level dilation/erosion with a disc and Gaussian-like blur for soft masks (numpy only, no scipy)."""

from __future__ import annotations

import math

import numpy as np


def _window_max_rows(padded: np.ndarray, widths: list[int]) -> dict[int, np.ndarray]:
    """For each odd width k: out[:, i] = max(padded[:, i:i+k]); uses a power-of-two sparse table."""
    table = {1: padded}
    step = 1
    while step * 2 <= max(widths):
        prev = table[step]
        table[step * 2] = np.maximum(prev[:, :-step], prev[:, step:])
        step *= 2
    out = {}
    n = padded.shape[1]
    for k in widths:
        p = 1 << (k.bit_length() - 1)
        span = table[p]
        out[k] = np.maximum(span[:, : n - k + 1], span[:, k - p : k - p + n - k + 1])
    return out


def dilate_disc(mask: np.ndarray, radius: int, outside: float = 0.0) -> np.ndarray:
    """Max over a disc of the given pixel radius around every pixel (values beyond the edge = outside)."""
    if radius <= 0:
        return mask.copy()
    r = int(radius)
    h, w = mask.shape
    padded = np.pad(mask, r, constant_values=outside)  # H+2r, W+2r
    halves = {dy: int(math.isqrt(r * r - dy * dy)) for dy in range(-r, r + 1)}
    rows = _window_max_rows(padded, sorted({2 * half + 1 for half in halves.values()}))
    out = np.full((h, w), -np.inf, mask.dtype)
    for dy, half in halves.items():
        band = rows[2 * half + 1]  # H+2r, W+2r-2half
        np.maximum(out, band[r + dy : r + dy + h, r - half : r - half + w], out=out)
    return out


def erode_disc(mask: np.ndarray, radius: int, outside: float = 1.0) -> np.ndarray:
    """Min over a disc (erosion of a coverage in [0, 1]) computed as 1 - dilate(1 - mask)."""
    return 1.0 - dilate_disc(1.0 - mask, radius, 1.0 - outside)


def _box_blur_axis(a: np.ndarray, radius: int, axis: int) -> np.ndarray:
    """Mean over a window of 2*radius+1 along axis, edges extended."""
    pad = [(0, 0), (0, 0)]
    pad[axis] = (radius + 1, radius)
    csum = np.cumsum(np.pad(a, pad, mode="edge"), axis=axis, dtype=np.float64)
    n = a.shape[axis]
    k = 2 * radius + 1
    upper = np.take(csum, np.arange(k, k + n), axis=axis)
    lower = np.take(csum, np.arange(0, n), axis=axis)
    return ((upper - lower) / k).astype(np.float32)


def gaussian_blur(mask: np.ndarray, sigma: float) -> np.ndarray:
    """Approximate Gaussian blur by three box blurs per axis (edges extended)."""
    if sigma <= 0:
        return mask.copy()
    radius = max(1, int(round((math.sqrt(12.0 * sigma * sigma / 3.0 + 1.0) - 1.0) / 2.0)))
    out = mask.astype(np.float32)
    for _ in range(3):
        out = _box_blur_axis(out, radius, 1)
        out = _box_blur_axis(out, radius, 0)
    return out
