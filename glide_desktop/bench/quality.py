"""How far a bf16 image lies from the fp32 one: max and mean pixel difference and PSNR (8-bit)."""

from __future__ import annotations

import math

import numpy as np


def image_deviation(reference: np.ndarray, other: np.ndarray) -> dict[str, float]:
    """Max |Δ| and mean |Δ| in 8-bit levels, and PSNR in dB (inf when identical)."""
    difference = np.abs(reference.astype(np.float64) - other.astype(np.float64))
    mse = float(np.mean(difference**2))
    psnr = math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)
    mean = round(float(difference.mean()), 3)
    return {"max": float(difference.max()), "mean": mean, "psnr_db": round(psnr, 2)}
