"""The real engine behind the worker thread: tiny models in the official format, end to end."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from glide_desktop.engine.models import MissingModelError
from glide_desktop.engine.tiny_models import write_tiny_models
from glide_desktop.engine.types import Candidates, GenerationRequest, Mode, Progress, Result
from glide_desktop.jobs.engine_runner import EngineRunner
from glide_desktop.jobs.job import CandidateScores, RankJob, UpsampleJob
from glide_desktop.jobs.queue import GenerationJobs


def test_an_inpaint_job_runs_on_the_worker_thread_with_real_models(qtbot, tmp_path):
    models = write_tiny_models(tmp_path / "models", ("base_inpaint.pt", "upsample_inpaint.pt"))
    runner = EngineRunner(models, threads=1)
    jobs = GenerationJobs(runner)
    events: list[object] = []
    failures: list[str] = []
    for signal in (jobs.progress, jobs.candidates, jobs.result):
        signal.connect(lambda ticket, event: events.append(event))
    jobs.failed.connect(lambda ticket, message: failures.append(message))
    source = np.zeros((256, 256, 3), np.uint8)
    source[:, :128] = 200
    selection = np.zeros((64, 64), np.float32)
    selection[20:44, 20:44] = 1.0
    request = GenerationRequest(
        mode=Mode.INPAINT, prompt="a red ball", steps=3, upsample_steps=2, candidates=2,
        source256=source, selection64=selection, seed=5,
    )
    try:
        with qtbot.waitSignal(jobs.finished, timeout=120_000):
            jobs.submit(request)
    finally:
        jobs.shutdown()
    assert failures == []
    candidates = [e for e in events if isinstance(e, Candidates)]
    results = [e for e in events if isinstance(e, Result)]
    assert any(isinstance(e, Progress) for e in events)
    assert len(candidates) == 1 and candidates[0].images64.shape == (2, 64, 64, 3)
    assert [r.candidate for r in results] == [0, 1]
    assert results[0].image256.shape == (256, 256, 3) and results[0].image256.dtype == np.uint8
    # The known half outside the selection survives the round trip through the upsampler.
    assert np.abs(results[0].image256[:, :40].astype(int) - 200).max() <= 2


def test_an_upsample_job_upsamples_only_the_chosen_candidates(qtbot, tmp_path):
    models = write_tiny_models(tmp_path / "models", ("base.pt", "upsample.pt"))
    jobs = GenerationJobs(EngineRunner(models, threads=1))
    events: list[object] = []
    for signal in (jobs.progress, jobs.candidates, jobs.result):
        signal.connect(lambda ticket, event: events.append(event))
    request = GenerationRequest(mode=Mode.TEXT2IM, prompt="a fox", steps=2, upsample_steps=2, candidates=3,
                                upsample=False, seed=3)
    try:
        with qtbot.waitSignal(jobs.finished, timeout=120_000):
            jobs.submit(request)
        candidates = [e for e in events if isinstance(e, Candidates)][0].images64
        assert not any(isinstance(e, Result) for e in events)
        events.clear()
        with qtbot.waitSignal(jobs.finished, timeout=120_000):
            jobs.submit(UpsampleJob(request, candidates, (2, 0)))
    finally:
        jobs.shutdown()
    assert [e.candidate for e in events if isinstance(e, Result)] == [2, 0]
    stages = {e.stage for e in events if isinstance(e, Progress)}
    assert stages == {"upsample"}


def test_missing_models_fail_with_a_message_naming_them(qtbot, tmp_path):
    jobs = GenerationJobs(EngineRunner(tmp_path / "empty"))
    failures: list[str] = []
    jobs.failed.connect(lambda ticket, message: failures.append(message))
    request = GenerationRequest(mode=Mode.TEXT2IM, prompt="a corgi", steps=2, upsample_steps=2)
    try:
        with qtbot.waitSignal(jobs.finished, timeout=30_000):
            jobs.submit(request)
    finally:
        jobs.shutdown()
    assert len(failures) == 1 and "base.pt" in failures[0]


def test_the_thread_count_is_set_in_the_running_thread_from_the_first_request(tmp_path):
    seen: dict[str, int] = {}

    def first_request_in_a_fresh_thread() -> None:
        wanted = torch.get_num_threads() + 1
        runner = EngineRunner(tmp_path / "empty", threads=wanted)
        request = GenerationRequest(mode=Mode.TEXT2IM, prompt="a corgi", steps=2, upsample_steps=2)
        with pytest.raises(MissingModelError):
            list(runner(request, threading.Event()))
        seen.update(wanted=wanted, after=torch.get_num_threads())

    worker = threading.Thread(target=first_request_in_a_fresh_thread)
    worker.start()
    worker.join()
    assert seen and seen["after"] == seen["wanted"]


def test_a_rank_job_scores_each_candidate_with_the_noised_clip(tmp_path):
    pytest.importorskip("glide_desktop.engine.pipelines.ranking", reason="ranking comes with gen-engine")
    from glide_desktop.engine.tiny_models import write_tiny_clip

    runner = EngineRunner(write_tiny_clip(tmp_path / "models"), threads=1)
    images = np.zeros((3, 64, 64, 3), np.uint8)
    images[1] = 255
    images[2, :, :32] = (200, 30, 20)
    request = GenerationRequest(mode=Mode.TEXT2IM, prompt="a red square")
    events = list(runner(RankJob(request, images), threading.Event()))
    assert len(events) == 1 and isinstance(events[0], CandidateScores)
    scores = events[0].scores
    assert len(scores) == 3 and all(-1.0 <= score <= 1.0 for score in scores)
    assert len(set(scores)) == 3, "different pictures score differently"


def test_the_runner_asks_the_folders_owner_at_each_request_and_keeps_its_networks_meanwhile(tmp_path):
    from glide_desktop.engine import locations

    first = write_tiny_models(tmp_path / "first", ("base.pt",))
    second = write_tiny_models(tmp_path / "second", ("base.pt",))
    locations.save_models_dir(first)
    runner = EngineRunner(locations.default_models_dir, threads=1)
    request = GenerationRequest(mode=Mode.TEXT2IM, prompt="a fox", steps=2, candidates=1, upsample=False)
    list(runner(request, threading.Event()))
    store = runner._store
    list(runner(request, threading.Event()))
    assert runner._store is store and store.folder == first  # the loaded network is used again
    locations.save_models_dir(second)  # chosen in Model Files meanwhile
    assert runner.models_dir == second
    list(runner(request, threading.Event()))
    assert runner._store is not store and runner._store.folder == second
