"""The engine's entry points: generate() for a whole request, upsample() for chosen candidates later."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from glide_desktop.engine.cancel import CancelFlag, PreviewFlag
from glide_desktop.engine.models import ModelLoader
from glide_desktop.engine.noise import NoiseSource
from glide_desktop.engine.pipelines.base import run_base
from glide_desktop.engine.pipelines.images import to_uint8
from glide_desktop.engine.pipelines.requests import validate
from glide_desktop.engine.pipelines.session import Session
from glide_desktop.engine.pipelines.upsample import run_upsample
from glide_desktop.engine.types import Candidates, Event, GenerationRequest


def generate(request: GenerationRequest, store: ModelLoader, *, cancel: CancelFlag | None = None,
             noise: NoiseSource | None = None, previews: PreviewFlag | None = None) -> Iterator[Event]:
    """Run a request: Progress per base step, Candidates, then (if request.upsample) Progress and Results.

    store loads the models (ModelStore.load_unet, and load_clip when request.clip_guidance > 0).
    cancel (an Event or a callable) stops the run between steps with no further events. noise
    replaces the seeded noise of every stage (replays). previews (an Event or a callable, read at
    every step) says whether Progress carries preview images, in place of request.previews, so the
    artist can switch them on or off while the request runs; the sampled images are the same either way.
    """
    validate(request)
    session = Session.open(request, store, cancel, noise, previews)
    candidates = yield from run_base(session)
    if candidates is None:
        return
    images64 = to_uint8(candidates)  # N, 64, 64, 3
    yield Candidates(images64=images64)
    if request.upsample and not session.cancelled:
        yield from run_upsample(session, images64, range(len(images64)))


def upsample(request: GenerationRequest, store: ModelLoader, candidates64: np.ndarray,
             indices: Sequence[int], *, cancel: CancelFlag | None = None,
             noise: NoiseSource | None = None, previews: PreviewFlag | None = None) -> Iterator[Event]:
    """Upsample chosen candidates (from a Candidates event of the same request) to 256 px.

    Candidate k gives the same Result as generate() with upsampling on, because each candidate's
    upsampling noise is seeded from (request.seed, k) alone.
    """
    validate(request)
    session = Session.open(request, store, cancel, noise, previews)
    yield from run_upsample(session, np.asarray(candidates64), list(indices))
