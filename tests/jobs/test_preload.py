"""Loading the networks ahead of Generate, on the worker thread, with the real engine and tiny models."""

from __future__ import annotations

import threading

import numpy as np

from glide_desktop.engine.types import GenerationRequest, Mode, Precision, Progress
from glide_desktop.jobs.engine_runner import EngineRunner
from glide_desktop.jobs.queue import GenerationJobs
from tests.tiny_models import write_tiny_models


class LoadLog:
    """Wraps a store's load_unet, noting each file read and the thread that read it."""

    def __init__(self, store) -> None:  # noqa: ANN001
        self.store, self.loads = store, []
        self._load = store.load_unet
        store.load_unet = self.load_unet

    def load_unet(self, name, device, dtype):  # noqa: ANN001, ANN201
        self.loads.append((name, dtype, threading.current_thread().name))
        return self._load(name, device, dtype)


def test_preload_reads_the_mode_pair_once_off_the_gui_thread_and_generate_reuses_it(qtbot, tmp_path):
    models = write_tiny_models(tmp_path / "models", ("base_inpaint.pt", "upsample_inpaint.pt"))
    runner = EngineRunner(models, threads=1)
    jobs = GenerationJobs(runner)
    names: list[object] = []
    jobs.preloaded.connect(names.append)
    try:
        with qtbot.waitSignal(jobs.preloaded, timeout=60_000):
            assert jobs.preload(Mode.INPAINT, "cpu", Precision.FP32)
            assert not jobs.preload(Mode.INPAINT, "cpu", Precision.FP32)  # already on its way
        assert names == [["base_inpaint.pt", "upsample_inpaint.pt"]]
        log = LoadLog(runner._store.store)  # the ModelStore under the cache: counts real file reads
        selection = np.zeros((64, 64), np.float32)
        selection[20:44, 20:44] = 1.0
        request = GenerationRequest(mode=Mode.INPAINT, prompt="a ball", steps=2, upsample_steps=2,
                                    candidates=1,
                                    source256=np.zeros((256, 256, 3), np.uint8), selection64=selection,
                                    device="cpu", precision=Precision.FP32)
        progress: list[object] = []
        jobs.progress.connect(lambda _ticket, event: progress.append(event))  # (ticket, Progress)
        with qtbot.waitSignal(jobs.finished, timeout=60_000):
            jobs.submit(request)
    finally:
        jobs.shutdown()
    assert log.loads == []  # both networks were already there
    assert any(isinstance(event, Progress) for event in progress)


def test_preload_without_the_files_loads_nothing_and_says_so(qtbot, tmp_path):
    jobs = GenerationJobs(EngineRunner(tmp_path / "empty", threads=1))
    try:
        with qtbot.waitSignal(jobs.preloaded, timeout=60_000) as blocker:
            assert jobs.preload(Mode.TEXT2IM, "cpu", Precision.FP32)
    finally:
        jobs.shutdown()
    assert blocker.args == [[]]


def test_a_runner_without_preload_is_left_alone(qtbot):
    jobs = GenerationJobs(lambda request, cancel, previews: iter(()))
    try:
        assert not jobs.preload(Mode.INPAINT)
    finally:
        jobs.shutdown()
