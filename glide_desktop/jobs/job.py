"""What the job thread runs: a request (the base stage), the upsampling of chosen candidates,
a ranking of candidates, or a detail pass."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from glide_desktop.engine.detail_types import DetailRequest, DetailResult
from glide_desktop.engine.types import Event, GenerationRequest


@dataclass(frozen=True)
class UpsampleJob:
    """Upsample candidates `indices` of a finished base run of `request` (N x 64 x 64 x 3 uint8)."""

    request: GenerationRequest
    candidates64: np.ndarray = field(repr=False, compare=False)
    indices: tuple[int, ...] = ()


@dataclass(frozen=True)
class RankJob:
    """Score candidates (N x S x S x 3 uint8) against the request's prompt with the noised CLIP at t = 0."""

    request: GenerationRequest
    images: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True)
class CandidateScores:
    """A RankJob's answer: one CLIP score per candidate, in candidate order (higher matches better)."""

    scores: tuple[float, ...]


Job = GenerationRequest | UpsampleJob | RankJob | DetailRequest

# A runner turns a job into the engine's event stream: it checks the cancel flag (second argument)
# between steps and reads the previews flag (third) at each step: set, Progress carries previews.
Runner = Callable[[Job, threading.Event, threading.Event], Iterator[Event | DetailResult | CandidateScores]]


def job_request(job: Job) -> GenerationRequest | None:
    """The generation request a job belongs to (None for a detail pass)."""
    if isinstance(job, DetailRequest):
        return None
    return job if isinstance(job, GenerationRequest) else job.request


def wants_previews(job: Job) -> bool:
    """Whether a job's Progress events should carry preview images (a detail pass always shows its tiles)."""
    request = job_request(job)
    return True if request is None else request.previews


def with_previews(job: Job, wanted: bool) -> Job:
    """The job with its request asking for previews or not (a detail pass is returned as it is)."""
    request = job_request(job)
    if request is None or request.previews == wanted:
        return job
    changed = dataclasses.replace(request, previews=wanted)
    return changed if isinstance(job, GenerationRequest) else dataclasses.replace(job, request=changed)
