"""Time estimates from per-step times measured on this machine, kept in the settings between runs.

A base step costs about the same per candidate (the batch holds two rows per candidate); an
upsampler step is per candidate, since candidates are upsampled one at a time. The stored times
start as rough guesses and are replaced by what each run measures, from its first steps on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QSettings

from glide_desktop.engine.types import STAGE_BASE, STAGE_UPSAMPLE

# Rough CPU guesses (seconds) for the official models until this machine has measured its own.
GUESSES = {STAGE_BASE: 1.2, STAGE_UPSAMPLE: 10.0}
KEYS = {STAGE_BASE: "timing/base_seconds_per_candidate_step",
        STAGE_UPSAMPLE: "timing/upsample_seconds_per_step"}
SMOOTHING = 0.5  # weight of a new measurement against the stored time


class StepTimes:
    """Seconds per step of each stage on this machine (QSettings-backed)."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def per_step(self, stage: str) -> float:
        """Seconds for one step of stage (per candidate for the base stage)."""
        try:
            value = float(self.settings.value(KEYS[stage], GUESSES[stage]))
        except (TypeError, ValueError):
            value = GUESSES[stage]
        return value if value > 0 else GUESSES[stage]

    def measured(self, stage: str) -> bool:
        """Whether stage's time was measured here rather than guessed."""
        return self.settings.contains(KEYS[stage])

    def record(self, stage: str, seconds: float) -> None:
        """Blend one measured step time (already per candidate for the base stage) into the stored one."""
        if stage not in KEYS or seconds <= 0:
            return
        old = self.per_step(stage) if self.measured(stage) else seconds
        self.settings.setValue(KEYS[stage], SMOOTHING * seconds + (1 - SMOOTHING) * old)

    def estimate(self, candidates: int, steps: int, upsample_steps: int, upsampled: int) -> float:
        """Seconds for a run: the base stage for all candidates, the upsampler for `upsampled` of them."""
        base = self.per_step(STAGE_BASE) * candidates * steps
        return base + self.per_step(STAGE_UPSAMPLE) * upsample_steps * upsampled


def format_duration(seconds: float) -> str:
    """'45 s', '3 min 20 s', '1 h 05 min'."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@dataclass
class StageClock:
    """Elapsed and remaining time of the stage that is running, from its step events."""

    times: StepTimes
    rows: int = 1  # candidates in the batch (base stage)
    stage: str = ""
    started: float = 0.0
    last: float = 0.0
    last_step: int = 0

    def step(self, stage: str, step: int, now: float | None = None) -> None:
        """A step of stage finished; measures the time since the stage's previous step."""
        now = time.monotonic() if now is None else now
        if stage != self.stage or step <= self.last_step:
            self.stage, self.started, self.last, self.last_step = stage, now, now, step
            return
        per_step = (now - self.last) / (step - self.last_step)
        self.times.record(stage, per_step / (self.rows if stage == STAGE_BASE else 1))
        self.last, self.last_step = now, step

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since the stage's first step event."""
        return (time.monotonic() if now is None else now) - self.started

    def remaining(self, step: int, total: int) -> float:
        """Seconds the stage still needs after step of total."""
        per_step = self.times.per_step(self.stage) * (self.rows if self.stage == STAGE_BASE else 1)
        return max(0, total - step) * per_step
