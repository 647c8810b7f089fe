"""A detail pass through the real job thread and engine runner (tiny models)."""

from __future__ import annotations

import numpy as np

from glide_desktop.document.detail_plan import DetailOutput, DetailPlan
from glide_desktop.engine.detail_types import DetailProgress, DetailRequest, DetailResult
from glide_desktop.engine.tiny_models import write_tiny_models
from glide_desktop.jobs.engine_runner import EngineRunner
from glide_desktop.jobs.queue import GenerationJobs


def test_a_detail_request_runs_on_the_job_thread(qtbot, tmp_path):
    models = write_tiny_models(tmp_path / "models", ("upsample_inpaint.pt",))
    jobs = GenerationJobs(EngineRunner(models, threads=1))
    events: list[object] = []
    failures: list[str] = []
    jobs.progress.connect(lambda _ticket, event: events.append(event))
    jobs.set_previews(False)  # Live preview off, before and while the pass runs: its tiles still show
    jobs.progress.connect(lambda _ticket, _event: jobs.set_previews(False))
    jobs.result.connect(lambda _ticket, event: events.append(event))
    jobs.failed.connect(lambda _ticket, message: failures.append(message))
    original = np.full((300, 400, 3), 90, np.uint8)
    coverage = np.zeros((300, 400), np.float32)
    coverage[50:250, 100:300] = 1.0
    plan = DetailPlan.from_document(original, original, coverage, upscale=2.0)
    request = DetailRequest(prompt="moss", plan=plan, upsample_steps=2, device="cpu")
    try:
        with qtbot.waitSignal(jobs.finished, timeout=120_000) as done:
            jobs.submit(request)
    finally:
        jobs.shutdown()
    assert failures == [] and done.args[1] is False
    assert [e.step for e in events if isinstance(e, DetailProgress)] == [1, 2]
    assert all(e.preview is not None for e in events if isinstance(e, DetailProgress))
    assert isinstance(events[-1], DetailResult) and isinstance(events[-1].output, DetailOutput)
