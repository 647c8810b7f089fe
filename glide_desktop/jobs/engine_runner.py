"""The real runner: loads the engine lazily, inside the worker thread, the first time it is needed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from glide_desktop.engine.types import Event
from glide_desktop.jobs.job import CandidateScores, Job, RankJob, UpsampleJob


class EngineRunner:
    """Callable runner over a models folder; torch is imported on the first request only.

    threads, when given, is torch's thread count, set at the start of every request inside the
    thread that runs it (torch's OpenMP count belongs to the calling thread), first request included.
    """

    def __init__(self, models_dir: Path, threads: int | None = None) -> None:
        self.models_dir = Path(models_dir)
        self.threads = threads
        self._store: Any = None  # a ModelCache over a ModelStore, made on first use

    def __call__(self, job: Job, cancel: threading.Event) -> Iterator[Event | CandidateScores]:
        import torch

        from glide_desktop.engine.models import ModelStore
        from glide_desktop.engine.pipelines import generate, upsample
        from glide_desktop.engine.pipelines.model_cache import ModelCache

        if self.threads is not None:
            torch.set_num_threads(self.threads)
        if self._store is None or Path(self._store.folder) != self.models_dir:
            # Cached across requests: each checkpoint is read once, not once per generation.
            self._store = ModelCache(ModelStore(self.models_dir))
        if isinstance(job, RankJob):
            from glide_desktop.engine.pipelines.ranking import rank_candidates

            scores = rank_candidates(job.request.prompt, job.images, self._store, job.request.device)
            yield CandidateScores(tuple(scores))
        elif isinstance(job, UpsampleJob):
            yield from upsample(job.request, self._store, job.candidates64, job.indices, cancel=cancel)
        else:
            yield from generate(job, self._store, cancel=cancel)
