"""The real runner: loads the engine lazily, inside the worker thread, the first time it is needed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from glide_desktop.engine.detail_types import DetailRequest, DetailResult
from glide_desktop.engine.types import Event, Mode, Precision
from glide_desktop.jobs.job import CandidateScores, Job, RankJob, UpsampleJob
from glide_desktop.jobs.thread_setup import prepare_worker_thread


class EngineRunner:
    """Callable runner over a models folder; torch is imported on the first request only.

    models is the folder, or a function that names it (engine.locations.default_models_dir: the
    folder's owner), asked at every request so a folder chosen meanwhile is used by the next one.
    threads, when given, is torch's thread count, set at the start of every request inside the
    thread that runs it (torch's OpenMP count belongs to the calling thread), first request included.
    """

    def __init__(self, models: Path | Callable[[], Path], threads: int | None = None) -> None:
        self._models = models if callable(models) else (lambda folder=Path(models): folder)
        self.threads = threads
        self._store: Any = None  # a ModelCache over a ModelStore, made on first use

    @property
    def models_dir(self) -> Path:
        """The models folder now."""
        return Path(self._models())

    def __call__(self, job: Job, cancel: threading.Event, previews: threading.Event | None = None,
                 ) -> Iterator[Event | DetailResult | CandidateScores]:
        """The job's events; previews (None: the request's field) is read at every step."""
        from glide_desktop.engine.pipelines import generate, upsample

        store = self._open()
        if isinstance(job, RankJob):
            from glide_desktop.engine.pipelines.ranking import rank_candidates

            scores = rank_candidates(job.request.prompt, job.images, store, job.request.device)
            yield CandidateScores(tuple(scores))
        elif isinstance(job, UpsampleJob):
            yield from upsample(job.request, store, job.candidates64, job.indices, cancel=cancel,
                                previews=previews)
        elif isinstance(job, DetailRequest):
            from glide_desktop.engine.pipelines.detail import detail

            yield from detail(job, store, cancel=cancel, previews=previews)
        else:
            yield from generate(job, store, cancel=cancel, previews=previews)

    def preload(self, mode: Mode, device: str = "auto", precision: Precision = Precision.AUTO) -> list[str]:
        """Load the mode's diffusion networks whose files are present, as a request would; returns the names.

        Runs in the worker thread before any Generate, so the first request starts sampling at once.
        """
        from glide_desktop.engine.device import compute_dtype, resolve_device
        from glide_desktop.engine.pipelines.base import base_model_name
        from glide_desktop.engine.pipelines.upsample import upsample_model_name

        store = self._open()
        where = resolve_device(device)
        dtype = compute_dtype(where, precision)
        wanted = [base_model_name(mode), upsample_model_name(mode)]
        names = [name for name in wanted if not store.missing([name])]
        for name in names:
            store.load_unet(name, where, dtype)
        return names

    def _open(self) -> Any:
        """The cached store over the models folder, with torch's thread count set for this thread."""
        prepare_worker_thread()
        import torch

        from glide_desktop.engine.models import ModelStore
        from glide_desktop.engine.pipelines.model_cache import ModelCache

        if self.threads is not None:
            torch.set_num_threads(self.threads)
        folder = self.models_dir
        if self._store is None or Path(self._store.folder) != folder:
            # Cached across requests: each checkpoint is read once, not once per generation.
            self._store = ModelCache(ModelStore(folder))
        return self._store
