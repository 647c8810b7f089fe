"""The machine a bench ran on: CPU, its relevant flags, threads, load, library versions."""

from __future__ import annotations

import os
import platform
from typing import Any

from glide_desktop.engine.cpu_features import cpu_count, cpu_flags, cpu_model, native_bf16_flags

SHOWN_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8")


def machine_info() -> dict[str, Any]:
    """CPU model, flags, torch's capability and threads, and the load when the bench began."""
    import torch

    flags = cpu_flags()
    return {
        "cpu": cpu_model(),
        "flags": [flag for flag in SHOWN_FLAGS if flag in flags],
        "native_bf16": native_bf16_flags(),
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "threads": torch.get_num_threads(),
        "logical_cpus": cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }
