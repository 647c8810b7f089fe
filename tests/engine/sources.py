"""Synthetic editor inputs for pipeline tests: a smooth source crop."""

from __future__ import annotations

import numpy as np


def gradient_source() -> np.ndarray:
    """A smooth 256 px image, so any sensible 64 px resize of it is known to within a level or two."""
    y, x = np.mgrid[0:256, 0:256].astype(np.float32)
    red, green, blue = 40 + x / 2, 60 + y / 3, 200 - (x + y) / 4
    return np.stack([red, green, blue], axis=-1).round().astype(np.uint8)
