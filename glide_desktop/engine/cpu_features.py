"""What this CPU computes natively, read from the operating system (no torch: the UI may ask too).

bf16 is native where the CPU has AMX-BF16 or AVX512-BF16. Elsewhere (e.g. AVX2-only CPUs) torch
emulates it, which made whole steps ~150x slower on earlier machines, so nothing may assume it.
"""

from __future__ import annotations

import os
import platform
from functools import lru_cache
from pathlib import Path

BF16_FLAGS = ("amx_bf16", "avx512_bf16")  # /proc/cpuinfo names of the native bf16 instructions
CPUINFO = Path("/proc/cpuinfo")


def _cpuinfo_field(name: str) -> str:
    """The first `name : value` line of /proc/cpuinfo ('' where there is none, e.g. macOS, Windows)."""
    try:
        with CPUINFO.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return ""


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags as the kernel reports them (empty where unknown)."""
    return frozenset(_cpuinfo_field("flags").split())


@lru_cache(maxsize=1)
def cpu_model() -> str:
    """The CPU's marketing name, e.g. 'Intel(R) Xeon(R) Processor'."""
    return _cpuinfo_field("model name") or platform.processor() or platform.machine() or "unknown CPU"


def native_bf16_flags() -> list[str]:
    """Which native bf16 instruction sets the CPU reports: a subset of BF16_FLAGS."""
    flags = cpu_flags()
    return [flag for flag in BF16_FLAGS if flag in flags]


def cpu_count() -> int:
    """Logical CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
