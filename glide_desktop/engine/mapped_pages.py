"""Giving a memory-mapped checkpoint's pages back as soon as their tensor has been copied out.

torch.load(mmap=True) maps the whole file privately; every page a copy touches stays resident
(and counts in the process's RSS) until the mapping goes, which is after the last tensor. Telling
the kernel that a finished tensor's pages are not needed (madvise MADV_DONTNEED) drops them
from this process at once; the page cache keeps the file, and a private file mapping that was
never written reads the same bytes again from the file should anything touch them later.
Only ever used on a mapping of a file: on ordinary memory the same call would zero it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import sys
from functools import lru_cache

from torch import Tensor

MADV_DONTNEED = 4  # Linux; the other systems skip the release (and keep the old peak)


@lru_cache(maxsize=1)
def _madvise():  # noqa: ANN202 - a ctypes function or None
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None
    function = libc.madvise
    function.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    function.restype = ctypes.c_int
    return function


def release_mapped(tensor: Tensor) -> bool:
    """Drop the whole pages under a file-mapped tensor from this process; True when done."""
    madvise = _madvise()
    nbytes = tensor.untyped_storage().nbytes()
    if madvise is None or nbytes == 0:
        return False
    page = mmap.PAGESIZE
    start = tensor.untyped_storage().data_ptr()
    first = -(-start // page) * page  # whole pages only: the neighbours' bytes share the edges
    last = (start + nbytes) // page * page
    if last <= first:
        return False
    return madvise(first, last - first, MADV_DONTNEED) == 0
