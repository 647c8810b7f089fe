"""Which torch device and dtype the models run on (fp32, bf16 where the CPU has it natively, fp16 on CUDA)."""

from __future__ import annotations

import time
from functools import lru_cache

import torch

from glide_desktop.engine.cpu_features import native_bf16_flags
from glide_desktop.engine.types import Precision

PROBE_SIZE = 384  # the bf16 probe's matmul: big enough to use the matrix units, ~1 ms in fp32
BF16_MARGIN = 0.8  # bf16 must take under 80 % of fp32's time to be chosen by Auto


class DeviceError(RuntimeError):
    """The requested device cannot be used; the message is shown to the user."""


def resolve_device(name: str | torch.device = "auto") -> torch.device:
    """Turn "auto", "cpu", "cuda" (or "cuda:N") into a torch.device that exists on this machine."""
    if isinstance(name, torch.device):
        name = str(name)
    text = name.strip().lower()
    if text == "auto":
        return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    if text == "cpu":
        return torch.device("cpu")
    if text == "cuda" or text.startswith("cuda:"):
        return _cuda_device(text)
    raise DeviceError(f"Unknown device {name!r}: choose auto, cpu or cuda.")


def _cuda_device(text: str) -> torch.device:
    if not torch.cuda.is_available():
        raise DeviceError(
            "CUDA was requested but no usable NVIDIA GPU was found (or this PyTorch build has no CUDA "
            "support). Choose the CPU device or 'auto'."
        )
    try:
        device = torch.device(text)
    except RuntimeError:
        raise DeviceError(f"Unknown device {text!r}: write cuda or cuda:N.") from None
    count = torch.cuda.device_count()
    if device.index is not None and device.index >= count:
        raise DeviceError(f"GPU {device.index} was requested but this machine has {count} GPU(s).")
    return device


def model_dtype(device: torch.device | str) -> torch.dtype:
    """The weight dtype for a device: fp16 on CUDA (as the reference's convert_to_fp16), fp32 elsewhere."""
    return torch.float16 if torch.device(device).type == "cuda" else torch.float32


def compute_dtype(device: torch.device | str, precision: Precision | str = Precision.AUTO) -> torch.dtype:
    """The torso dtype for a device and a precision setting (see Precision); bf16 must be native."""
    device = torch.device(device)
    choice = Precision(precision)
    if choice is Precision.FP32:
        return torch.float32
    if device.type == "cuda":
        if choice is Precision.AUTO:
            return torch.float16
        if not torch.cuda.is_bf16_supported():
            raise DeviceError("This GPU does not compute bf16: choose fp32 or Auto.")
        return torch.bfloat16
    if choice is Precision.AUTO:
        return torch.bfloat16 if bf16_is_faster() else torch.float32
    if not native_bf16_flags():
        raise DeviceError("This CPU has no native bf16 (AMX or AVX512-BF16), where bf16 runs many times "
                          "slower than fp32: choose fp32 or Auto.")
    return torch.bfloat16


@lru_cache(maxsize=1)
def bf16_is_faster() -> bool:
    """True where the CPU reports native bf16 and a small measured bf16 matmul beats fp32.

    The measurement runs only where the flags say native (elsewhere one emulated matmul is slow)
    and takes a few milliseconds; it guards against a CPU that reports the flag but is slow at it.
    """
    if not native_bf16_flags():
        return False
    return matmul_seconds(torch.bfloat16) < BF16_MARGIN * matmul_seconds(torch.float32)


def matmul_seconds(dtype: torch.dtype, size: int = PROBE_SIZE, repeats: int = 3) -> float:
    """Best time of a size^3 matmul in dtype on the CPU (one warm-up call first)."""
    a = torch.ones(size, size, dtype=dtype)
    b = torch.ones(size, size, dtype=dtype)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return best
