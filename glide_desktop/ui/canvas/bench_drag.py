"""Benchmark parts for the canvas bench: a Move-tool layer drag, and the editor window's launch time."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

# Run in a fresh interpreter: what an artist waits for between launching and seeing the window.
_LAUNCH = """
import sys
from PySide6.QtWidgets import QApplication
from glide_desktop.app import build_window, configure_application
app = QApplication(sys.argv[:1])
configure_application(app)
window = build_window()
window.show()
app.processEvents()
window.repaint()
print("shown", flush=True)
"""


@dataclass
class DragRun:
    """One layer drag: preparation after the press, the moves, the catch-up after the release."""

    label: str
    zoom: float
    follow_ms: float  # press until the layer alone follows the mouse (over the old composite)
    prepare_ms: float  # press until the preview can be drawn (in slices; the loop keeps running)
    prepare_block_ms: float  # the longest single turn of the event loop meanwhile
    moves_ms: list[float]  # each mouse move until its repaint was drawn
    moves_cpu_ms: list[float]  # the GUI thread's CPU time for the same (no waiting for a busy core)
    catch_up_ms: float  # release until the exact composite is everywhere
    catch_up_block_ms: float  # the longest single turn of the event loop meanwhile


def drain(app, done) -> tuple[float, float]:
    """Turn the event loop until done(); returns (total ms, longest turn ms)."""
    started = time.perf_counter()
    longest = 0.0
    while not done():
        turn = time.perf_counter()
        app.processEvents()
        longest = max(longest, (time.perf_counter() - turn) * 1000.0)
    return (time.perf_counter() - started) * 1000.0, longest


def layer_drag(app, view, counter, label: str, moves: int) -> DragRun:
    """Drag the active layer with the Move tool (set by the caller) by `moves` mouse moves."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    left = Qt.MouseButton.LeftButton
    start = QPointF(view.width() / 2, view.height() / 2)
    step = max(2.0, 2.0 * view.zoom)  # at least two document pixels per move: every move shifts it
    drags = view.layer_drags

    def send(kind, pos, button, buttons) -> None:
        app.sendEvent(view, QMouseEvent(kind, pos, view.mapToGlobal(pos), button, buttons,
                                        Qt.KeyboardModifier.NoModifier))

    send(QEvent.Type.MouseButtonPress, start, left, left)
    follow_ms, _ = drain(app, lambda: drags.preview is not None and drags.preview.layer_ready)
    prepare_ms, prepare_block = drain(app, lambda: drags.ready)
    prepare_ms += follow_ms
    began = time.perf_counter()
    app.processEvents()  # the first picture of the preview (repaints the whole widget once)
    prepare_ms += (time.perf_counter() - began) * 1000.0
    samples, cpu = [], []
    for i in range(1, moves + 1):
        before = counter.count
        began, began_cpu = time.perf_counter(), time.thread_time()
        send(QEvent.Type.MouseMove, start + QPointF(i * step, i * step / 2), Qt.MouseButton.NoButton, left)
        app.processEvents()
        samples.append((time.perf_counter() - began) * 1000.0)
        cpu.append((time.thread_time() - began_cpu) * 1000.0)
        if counter.count == before or not drags.showing:
            raise RuntimeError("a move did not repaint the drag preview: nothing would be measured")
    send(QEvent.Type.MouseButtonRelease, start + QPointF(moves * step, moves * step / 2), left,
         Qt.MouseButton.NoButton)
    catch_up_ms, catch_up_block = drain(
        app, lambda: not drags.busy and not view.composite_image.pending_under(None))
    return DragRun(label, view.zoom, follow_ms, prepare_ms, prepare_block, samples, cpu, catch_up_ms,
                   catch_up_block)


def print_drags(runs: list[DragRun], moves: int, target_ms: float) -> float:
    """Print the drag table; returns the worst per-move p95 in milliseconds."""
    print(f"dragging a layer with the Move tool ({moves} mouse moves), milliseconds:")
    print(f"  {'view':<26}{'zoom':>7}{'move p50':>10}{'move p95':>10}{'move max':>10}{'cpu p50':>9}"
          f"{'follows':>9}{'prepare':>9}{'(turn)':>8}{'catch-up':>10}{'(turn)':>8}")
    worst = 0.0
    for run in runs:
        p95 = sorted(run.moves_ms)[min(len(run.moves_ms) - 1, round(0.95 * (len(run.moves_ms) - 1)))]
        worst = max(worst, p95)
        print(f"  {run.label:<26}{run.zoom:>7.3f}{statistics.median(run.moves_ms):>10.2f}{p95:>10.2f}"
              f"{max(run.moves_ms):>10.2f}{statistics.median(run.moves_cpu_ms):>9.2f}{run.follow_ms:>9.0f}{run.prepare_ms:>9.0f}{run.prepare_block_ms:>8.1f}"
              f"{run.catch_up_ms:>10.0f}{run.catch_up_block_ms:>8.1f}")
    print(f"  per move: target {target_ms:g} ms; 'cpu': the GUI thread's own time (no waiting for a core).")
    print("  After a press the layer 'follows' the mouse over the old composite, then the full preview is "
          "'prepare'd (once per layer and view: the Move tool starts it when chosen, a drag reuses it); "
          "'catch-up' reads the exact composite after the release; both run in slices, '(turn)' is the "
          "longest event-loop turn")
    return worst


def launch_seconds(runs: int = 3) -> list[float]:
    """Seconds from starting a fresh interpreter until the editor window is shown (temporary settings).

    Bytecode is cached in a temporary folder by one unmeasured run first, as an installed app has it
    (this environment may set PYTHONDONTWRITEBYTECODE, which would compile every module each launch).
    """
    times = []
    with tempfile.TemporaryDirectory() as home:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"), XDG_CONFIG_HOME=home,
                   HOME=home, PYTHONPYCACHEPREFIX=os.path.join(home, "pycache"))
        for run in range(runs + 1):
            elapsed = _launch_once(env)
            if run:
                times.append(elapsed)
    return times


def _launch_once(env: dict[str, str]) -> float:
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", _LAUNCH], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    line = child.stdout.readline() if child.stdout is not None else ""
    elapsed = time.perf_counter() - started
    child.kill()
    child.wait()
    if line.strip() != "shown":
        raise RuntimeError("the editor window did not open in the launch probe")
    return elapsed
