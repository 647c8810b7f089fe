"""The cancel flag every long computation checks: between sampler steps and between network blocks."""

from __future__ import annotations

import threading
from collections.abc import Callable

CancelFlag = threading.Event | Callable[[], bool]


class Cancelled(Exception):
    """Work stopped at a check point because the cancel flag was set."""


def is_cancelled(cancel: CancelFlag | None) -> bool:
    """Whether the cancel flag (an Event or a zero-argument callable) is set."""
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


def raise_if_cancelled(cancel: CancelFlag | None, where: str = "") -> None:
    """Raise Cancelled when the flag is set; a network calls this between its blocks."""
    if is_cancelled(cancel):
        raise Cancelled(f"cancelled {where}".strip())
