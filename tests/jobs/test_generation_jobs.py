"""The worker thread runs a scripted engine and its events reach the GUI thread as signals."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QThread

from glide_desktop.engine.types import Candidates, GenerationRequest, InvalidRequest, Mode, Progress, Result
from glide_desktop.jobs.queue import GenerationJobs


class ScriptedEngine:
    """A fake engine: yields a fixed script of events, optionally waiting or failing midway."""

    def __init__(self, steps: int = 3, fail_at: int | None = None, gate: threading.Event | None = None):
        self.steps = steps
        self.fail_at = fail_at
        self.gate = gate
        self.threads: list[threading.Thread] = []
        self.steps_run = 0
        self.previews: list[tuple[str, bool]] = []  # (prompt, previews flag) at each step

    def __call__(self, request, cancel, previews=None):
        self.threads.append(threading.current_thread())
        for step in range(self.steps):
            self.previews.append((request.prompt, previews.is_set()))
            if cancel.is_set():
                return
            if self.fail_at == step:
                raise RuntimeError("the model file base_inpaint.pt is incomplete")
            if self.gate is not None:
                self.gate.wait(5)
            self.steps_run += 1
            yield Progress("base", step + 1, self.steps, np.zeros((1, 64, 64, 3), np.uint8))
        yield Candidates(np.full((2, 64, 64, 3), 7, np.uint8))
        yield Result(np.full((256, 256, 3), 9, np.uint8), candidate=1)


def _request() -> GenerationRequest:
    return GenerationRequest(mode=Mode.TEXT2IM, prompt="a corgi wearing a party hat")


class Recorder:
    def __init__(self, jobs: GenerationJobs):
        self.events: list[object] = []
        self.failures: list[str] = []
        self.finished: list[bool] = []
        self.threads: set[QThread] = set()
        self.tickets: list[int] = []
        self.started: list[int] = []
        for signal in (jobs.progress, jobs.candidates, jobs.result):
            signal.connect(self.on_event)
        jobs.failed.connect(lambda ticket, message: self.failures.append(message))
        jobs.finished.connect(lambda ticket, cancelled: self.finished.append(cancelled))
        jobs.started.connect(self.started.append)

    def on_event(self, ticket, event):
        self.threads.add(QThread.currentThread())
        self.tickets.append(ticket)
        self.events.append(event)


@pytest.fixture
def make_jobs(qapp):
    made = []

    def make(engine):
        jobs = GenerationJobs(engine)
        made.append(jobs)
        return jobs

    yield make
    for jobs in made:
        jobs.shutdown()


def test_events_arrive_in_order_on_the_gui_thread(qtbot, qapp, make_jobs):
    engine = ScriptedEngine(steps=3)
    jobs = make_jobs(engine)
    seen = Recorder(jobs)
    with qtbot.waitSignal(jobs.finished, timeout=5000):
        assert jobs.submit(_request())
    kinds = [type(e).__name__ for e in seen.events]
    assert kinds == ["Progress", "Progress", "Progress", "Candidates", "Result"]
    assert [e.step for e in seen.events[:3]] == [1, 2, 3]
    assert seen.threads == {qapp.thread()}
    assert engine.threads[0] is not threading.main_thread()
    assert seen.finished == [False] and not jobs.busy
    assert seen.events[-1].candidate == 1


def test_cancel_stops_between_steps(qtbot, make_jobs):
    gate = threading.Event()
    engine = ScriptedEngine(steps=50, gate=gate)
    jobs = make_jobs(engine)
    seen = Recorder(jobs)
    with qtbot.waitSignal(jobs.finished, timeout=5000):
        ticket = jobs.submit(_request())
        jobs.cancel(ticket)
        gate.set()
    assert seen.finished == [True]
    assert engine.steps_run < 50
    assert not any(isinstance(e, Result) for e in seen.events)


def test_a_failure_becomes_a_message_and_the_queue_is_reusable(qtbot, make_jobs, caplog):
    jobs = make_jobs(ScriptedEngine(steps=3, fail_at=1))
    seen = Recorder(jobs)
    with qtbot.waitSignal(jobs.finished, timeout=5000):
        jobs.submit(_request())
    assert seen.failures == ["the model file base_inpaint.pt is incomplete"]
    # An unexpected error is not swallowed: its traceback goes to the log for a bug report.
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [RuntimeError]
    assert len(seen.events) == 1
    with qtbot.waitSignal(jobs.finished, timeout=5000):
        assert jobs.submit(_request())
    assert seen.finished == [False, False]


def test_a_second_submit_waits_its_turn_and_runs_after_the_first(qtbot, make_jobs):
    gate = threading.Event()
    engine = ScriptedEngine(steps=2, gate=gate)
    jobs = make_jobs(engine)
    seen = Recorder(jobs)
    first = jobs.submit(_request())
    second = jobs.submit(_request())
    assert first and second and first != second
    assert jobs.running == first and jobs.waiting() == [second]
    with qtbot.waitSignals([jobs.finished, jobs.finished], timeout=5000):
        gate.set()
    qtbot.waitUntil(lambda: seen.finished == [False, False], timeout=5000)
    assert seen.started == [first, second] and not jobs.busy and jobs.waiting() == []
    assert seen.tickets[:3] == [first, first, first] and seen.tickets[-1] == second
    assert len(engine.threads) == 2


def test_a_waiting_job_cancelled_never_runs(qtbot, make_jobs):
    gate = threading.Event()
    engine = ScriptedEngine(steps=2, gate=gate)
    jobs = make_jobs(engine)
    seen = Recorder(jobs)
    first = jobs.submit(_request())
    second = jobs.submit(_request())
    with qtbot.waitSignal(jobs.finished, timeout=5000) as dropped:
        jobs.cancel(second)
    assert dropped.args == [second, True] and jobs.waiting() == []
    with qtbot.waitSignal(jobs.finished, timeout=5000) as done:
        gate.set()
    assert done.args == [first, False]
    assert seen.started == [first] and len(engine.threads) == 1


def test_a_user_error_is_shown_but_not_logged_as_a_bug(qtbot, make_jobs, caplog):
    def refusing_engine(request, cancel, previews):
        raise InvalidRequest("steps must be between 2 and 1000, got 0")
        yield  # a generator, like the engine

    jobs = make_jobs(refusing_engine)
    seen = Recorder(jobs)
    with qtbot.waitSignal(jobs.finished, timeout=5000):
        jobs.submit(_request())
    assert seen.failures == ["steps must be between 2 and 1000, got 0"]
    assert not [r for r in caplog.records if r.exc_info]


def test_live_preview_switches_the_running_job_and_the_waiting_ones(qtbot, make_jobs):
    gate = threading.Event()
    engine = ScriptedEngine(steps=2, gate=gate)
    jobs = make_jobs(engine)
    first = jobs.submit(_request())
    second = jobs.submit(GenerationRequest(mode=Mode.TEXT2IM, prompt="second"))
    qtbot.waitUntil(lambda: len(engine.previews) == 1, timeout=5000)
    jobs.set_previews(False)  # while the first job waits at its first step
    assert jobs.job(second).previews is False and jobs.job(first).previews is True
    gate.set()
    with qtbot.waitSignal(jobs.finished, timeout=5000, check_params_cb=lambda t, c: t == second):
        pass
    prompt = _request().prompt
    assert engine.previews == [(prompt, True), (prompt, False), ("second", False), ("second", False)]
