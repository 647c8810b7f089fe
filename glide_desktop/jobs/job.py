"""What the job thread runs: a request (the base stage), the upsampling of chosen candidates,
a ranking of candidates, or a detail pass."""

from __future__ import annotations

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

# A runner turns a job into the engine's event stream; it checks the cancel flag between steps.
Runner = Callable[[Job, threading.Event], Iterator[Event | DetailResult | CandidateScores]]


def job_request(job: Job) -> GenerationRequest | None:
    """The generation request a job belongs to (None for a detail pass)."""
    if isinstance(job, DetailRequest):
        return None
    return job if isinstance(job, GenerationRequest) else job.request
