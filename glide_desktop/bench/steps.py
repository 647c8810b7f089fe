"""Per-step time of each inpaint network at one precision, with model-load and text-encoding time."""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from typing import Any

import torch

from glide_desktop.bench.rates import step_flops

# (file, rows, size): the editor's one-candidate request is 2 guided rows at 64 px, then 1 row at 256 px.
NETWORKS = (("base_inpaint.pt", 2, 64), ("upsample_inpaint.pt", 1, 256))


@dataclass
class StepTiming:
    """How fast one network ran at one precision."""

    network: str
    precision: str
    rows: int
    size: int
    load_s: float
    text_s: float
    step_s: float
    gflops: float  # achieved GFLOP/s of one step
    matmul_share: float  # achieved / same-run same-precision matmul rate

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON report."""
        return asdict(self)


def _inputs(model: torch.nn.Module, rows: int, size: int) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(rows, 3, size, size, generator=generator)
    inputs = {"x": x, "timesteps": torch.full((rows,), 500, dtype=torch.int64)}
    if model.config.inpaint:
        inputs["inpaint_image"] = torch.zeros_like(x)
        inputs["inpaint_mask"] = torch.ones(rows, 1, size, size)
    if model.config.super_res:
        inputs["low_res"] = torch.rand(rows, 3, size // 4, size // 4, generator=generator) * 2 - 1
    return inputs


def time_network(store: Any, name: str, rows: int, size: int, dtype: torch.dtype, repeats: int,
                 matmul_rate: float) -> StepTiming:
    """Load name in dtype, encode a prompt, then time `repeats` steps after one warm-up step."""
    start = time.perf_counter()
    model = store.load_unet(name, "cpu", dtype)
    load_s = time.perf_counter() - start
    seeded = torch.Generator().manual_seed(1)
    tokens = torch.randint(0, 50000, (rows, model.config.text_ctx), generator=seeded)
    mask = torch.ones(rows, model.config.text_ctx, dtype=torch.bool)
    inputs = _inputs(model, rows, size)
    with torch.no_grad():
        start = time.perf_counter()
        text = model.encode_text(tokens, mask)
        text_s = time.perf_counter() - start
        model(**inputs, text=text)  # warm-up: oneDNN builds its kernels on the first call
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            model(**inputs, text=text)
            seconds.append(time.perf_counter() - start)
    step_s = statistics.median(seconds)
    gflops = step_flops(model.config, rows, size) / step_s / 1e9
    precision = "bf16" if dtype == torch.bfloat16 else "fp32" if dtype == torch.float32 else str(dtype)
    return StepTiming(name, precision, rows, size, load_s, text_s, step_s, gflops, gflops / matmul_rate)
