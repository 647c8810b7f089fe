"""Peak RSS of a fresh process that loads both inpaint networks from their files and runs one request.

`python -m glide_desktop.bench.memory FOLDER PRECISION` prints one JSON line; measure_peak runs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

INPAINT_FILES = ("base_inpaint.pt", "upsample_inpaint.pt")
CHILD_TIMEOUT_S = 1800


def measure_peak(folder: Path, precision: str, threads: int) -> dict[str, Any]:
    """Run the child for folder at precision; its JSON, or {"error": ...} when it failed."""
    command = [sys.executable, "-m", "glide_desktop.bench.memory", str(folder), precision, str(threads)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"no answer within {CHILD_TIMEOUT_S} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(lines[-1])


def _status_mb(field: str) -> float | None:
    """A memory field of /proc/self/status in MB (Linux), else None."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return None


def _resident_mb() -> float:
    resident = _status_mb("VmRSS")
    return float("nan") if resident is None else resident


def peak_resident_mb() -> float:
    """This process's own peak RSS: VmHWM on Linux, which starts afresh at exec.

    Not getrusage's ru_maxrss there: Linux carries the parent's high-water mark across fork and
    exec into it, so a child of the bench (which holds networks of its own) reported the parent's
    peak (the 3.58 GB once printed for bf16) instead of its own.
    """
    peak = _status_mb("VmHWM")
    if peak is not None:
        return peak
    import resource  # not on Windows; Linux answered above

    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale / 1024


def main(argv: list[str]) -> None:
    """Load both inpaint networks from argv[0] at precision argv[1], run a 2+2-step request, print JSON."""
    import torch

    from glide_desktop.bench.presets import bench_inpaint_request
    from glide_desktop.engine.device import compute_dtype
    from glide_desktop.engine.models import ModelStore
    from glide_desktop.engine.pipelines import generate
    from glide_desktop.engine.pipelines.model_cache import ModelCache
    from glide_desktop.engine.types import Precision

    folder, precision, threads = Path(argv[0]), Precision(argv[1]), int(argv[2])
    torch.set_num_threads(threads)
    store = ModelCache(ModelStore(folder))
    dtype = compute_dtype("cpu", precision)
    start = time.perf_counter()
    for name in INPAINT_FILES:
        store.load_unet(name, torch.device("cpu"), dtype)
    load_s = time.perf_counter() - start
    after_load = _resident_mb()
    request = replace(bench_inpaint_request(precision), steps=2, upsample_steps=2)
    for _event in generate(request, store):
        pass
    peak_mb = peak_resident_mb()
    print(json.dumps({"precision": precision.value, "load_s": round(load_s, 2),
                      "rss_after_load_mb": round(after_load), "peak_rss_mb": round(peak_mb)}))


if __name__ == "__main__":
    main(sys.argv[1:])
