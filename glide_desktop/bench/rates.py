"""Arithmetic rates: the machine's matmul GFLOP/s and the FLOPs of one network step (counted on meta)."""

from __future__ import annotations

from functools import lru_cache

import torch

from glide_desktop.engine.config import UNetConfig
from glide_desktop.engine.device import matmul_seconds
from glide_desktop.engine.nn import TextConditioning, build_unet

MATMUL_SIZE = 2048


def matmul_gflops(dtype: torch.dtype, size: int = MATMUL_SIZE, repeats: int = 3) -> float:
    """Best GFLOP/s of a size^3 matmul in dtype, after one warm-up call."""
    return 2 * size**3 / matmul_seconds(dtype, size, repeats) / 1e9


@lru_cache(maxsize=8)
def step_flops(config: UNetConfig, rows: int, size: int) -> float:
    """FLOPs of one forward pass of the torso for rows x 3 x size x size (shapes only, on meta)."""
    from torch.utils.flop_counter import FlopCounterMode

    model = build_unet(config, device="meta")
    with torch.device("meta"):
        x = torch.zeros(rows, 3, size, size)
        inputs = {}
        if config.inpaint:
            inputs = {"inpaint_image": torch.zeros_like(x), "inpaint_mask": torch.zeros(rows, 1, size, size)}
        if config.super_res:
            inputs["low_res"] = torch.zeros(rows, 3, size // 4, size // 4)
        features = torch.zeros(rows, config.xf_width, config.text_ctx) if config.has_text else None
        text = TextConditioning(torch.zeros(rows, config.time_embed_dim), features)
        with FlopCounterMode(display=False) as counter:
            model(x, torch.zeros(rows, dtype=torch.int64), text=text, **inputs)
    return float(counter.get_total_flops())
