"""Flags a caller sets from another thread while the engine runs.

The cancel flag every long computation checks (between sampler steps and between network blocks),
and the previews flag a stage reads before it turns a step's prediction into a preview image.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

CancelFlag = threading.Event | Callable[[], bool]
PreviewFlag = threading.Event | Callable[[], bool]  # set: Progress events carry preview images


class Cancelled(Exception):
    """Work stopped at a check point because the cancel flag was set."""


def flag_is_set(flag: threading.Event | Callable[[], bool]) -> bool:
    """Whether a flag (an Event or a zero-argument callable) is set."""
    if isinstance(flag, threading.Event):
        return flag.is_set()
    return bool(flag())


def is_cancelled(cancel: CancelFlag | None) -> bool:
    """Whether the cancel flag (an Event or a zero-argument callable) is set."""
    return cancel is not None and flag_is_set(cancel)


def raise_if_cancelled(cancel: CancelFlag | None, where: str = "") -> None:
    """Raise Cancelled when the flag is set; a network calls this between its blocks."""
    if is_cancelled(cancel):
        raise Cancelled(f"cancelled {where}".strip())
