"""How late the Qt event loop runs a 5 ms timer while other threads work: the GUI's responsiveness."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer, Slot

TICK_MS = 5


class LatenessMonitor(QObject):
    """A precise 5 ms timer in the calling (GUI) thread that records how late each tick came."""

    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.late_ms: list[float] = []

    def start(self) -> None:
        """Begin a fresh phase."""
        self.late_ms = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> dict[str, float]:
        """End the phase: p99 and max lateness in ms, and how many ticks were seen."""
        self._timer.stop()
        return summarise(self.late_ms)

    @Slot()
    def _tick(self) -> None:
        now = time.perf_counter()
        self.late_ms.append(max(0.0, (now - self._last) * 1000 - TICK_MS))
        self._last = now


def summarise(late_ms: list[float]) -> dict[str, float]:
    """p99 and max of the lateness samples (0 for none), and their count."""
    if not late_ms:
        return {"p99_ms": 0.0, "max_ms": 0.0, "ticks": 0}
    ordered = sorted(late_ms)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {"p99_ms": round(p99, 2), "max_ms": round(ordered[-1], 2), "ticks": len(ordered)}


def wait_for(condition, timeout_s: float) -> bool:  # noqa: ANN001 - a zero-argument callable
    """Run the event loop until condition() is true or the time is up; True when it came true."""
    loop = QEventLoop()
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            return False
        loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)
    return True


def application() -> QCoreApplication:
    """The running Qt application, or a new QCoreApplication for a headless bench."""
    return QCoreApplication.instance() or QCoreApplication([])
