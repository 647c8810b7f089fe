"""GUI lateness while a worker thread imports torch and the engine (a first preload in a fresh process).

`python -m glide_desktop.bench.import_lateness` prints one JSON line; measure_import runs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from typing import Any


def measure_import() -> dict[str, Any]:
    """Run the child in a fresh interpreter (torch not yet imported); its JSON or {"error": ...}."""
    command = [sys.executable, "-m", "glide_desktop.bench.import_lateness"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(lines[-1])


def main() -> None:
    """Tick the event loop while a thread imports torch and the pipelines; print lateness and time."""
    from glide_desktop.bench.lateness import LatenessMonitor, application, wait_for

    application()
    monitor = LatenessMonitor()
    finished: list[float] = []

    def load() -> None:
        start = time.perf_counter()
        import torch  # noqa: F401

        import glide_desktop.engine.pipelines  # noqa: F401

        finished.append(time.perf_counter() - start)

    monitor.start()
    threading.Thread(target=load, name="import", daemon=True).start()
    wait_for(lambda: bool(finished), 600)
    print(json.dumps({"import_s": round(finished[0], 2), **monitor.stop()}))


if __name__ == "__main__":
    main()
