"""What the job thread runs: a whole request (the base stage) or the upsampling of chosen candidates."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from glide_desktop.engine.types import Event, GenerationRequest


@dataclass(frozen=True)
class UpsampleJob:
    """Upsample candidates `indices` of a finished base run of `request` (N x 64 x 64 x 3 uint8)."""

    request: GenerationRequest
    candidates64: np.ndarray = field(repr=False, compare=False)
    indices: tuple[int, ...] = ()


Job = GenerationRequest | UpsampleJob

# A runner turns a job into the engine's event stream; it checks the cancel flag between steps.
Runner = Callable[[Job, threading.Event], Iterator[Event]]


def job_request(job: Job) -> GenerationRequest:
    """The generation request a job belongs to."""
    return job.request if isinstance(job, UpsampleJob) else job
