"""Making the generation thread a polite neighbour of the GUI thread (Linux; a no-op elsewhere).

Two measured causes of GUI stalls while a job starts: loading libtorch_cpu.so (~400 MB) inside
`import torch` holds Python's GIL for the whole dlopen (1.5-1.9 s here), and the compute threads
compete with the GUI thread for the two cores. So the worker thread first maps torch's big
libraries through libc's dlopen, which ctypes calls with the GIL released, and lowers its own
scheduling priority; the OpenMP threads torch starts from it inherit that priority.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
import threading
from pathlib import Path

WORKER_NICENESS = 10  # above the GUI thread's 0: the scheduler runs the GUI first when both are ready
TORCH_LIBRARIES = ("libc10.so", "libtorch_cpu.so", "libtorch.so", "libtorch_python.so")

_prepared: set[int] = set()


def prepare_worker_thread() -> None:
    """Lower this thread's priority and load torch's libraries without the GIL (once per thread)."""
    ident = threading.get_ident()
    if ident in _prepared or not sys.platform.startswith("linux"):
        return
    _prepared.add(ident)
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICENESS)
    except OSError:
        pass  # not allowed here: the job still runs, only less politely
    if "torch" not in sys.modules:
        load_torch_libraries()


def load_torch_libraries() -> list[str]:
    """dlopen torch's shared libraries with the GIL released; returns the ones loaded.

    RTLD_LOCAL: nothing becomes visible to other libraries; `import torch` then finds them loaded.
    """
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations))) / "lib"
    try:
        libc = ctypes.CDLL(None)
        dlopen = libc.dlopen
    except (OSError, AttributeError):
        return []
    dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
    dlopen.restype = ctypes.c_void_p
    loaded = []
    for name in TORCH_LIBRARIES:
        path = folder / name
        if path.is_file() and dlopen(os.fsencode(path), os.RTLD_NOW | os.RTLD_LOCAL):
            loaded.append(name)
    return loaded
