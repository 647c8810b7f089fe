"""Benchmark part for the canvas bench: Free Transform of the bottom layer through the real controller:
start, a corner drag, apply."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QStatusBar

from glide_desktop.document.transform_box import Part
from glide_desktop.ui.canvas.bench_drag import drain
from glide_desktop.ui.free_transform import FreeTransformController


class _BenchHost:
    """What the Free Transform controller needs of a window, around the bench's canvas."""

    def __init__(self, view: Any) -> None:
        self.canvas = view
        self._status = QStatusBar()

    @property
    def document(self) -> Any:
        return self.canvas.document

    @property
    def undo(self) -> Any:
        return self.canvas.undo

    def push(self, command: Any) -> None:
        self.undo.push(command)

    def statusBar(self) -> QStatusBar:  # noqa: N802 - Qt's name
        return self._status


@dataclass
class TransformRun:
    """Ctrl+T until the box is drawn and until the preview's pictures arrived (made on a worker thread
    meanwhile), each corner move with its repaint, then Enter until the result landed."""

    label: str
    zoom: float
    box_ms: float  # start until the box is on screen
    ready_ms: float  # start until the preview's pictures arrived
    ready_turn_ms: float  # the longest event-loop turn meanwhile
    moves_ms: list[float]
    paints: int  # paint events during the moves (one per move when every move was drawn)
    apply_ms: float  # Enter until the resampled layer landed (one undo step)
    apply_stall_ms: float  # the GUI thread's longest stall meanwhile (a 5 ms timer's worst lateness)


class _Paints(QObject):
    """Counts a widget's paint events."""

    def __init__(self, widget: Any) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def transform_drag(view: Any, toolbox: Any, label: str, moves: int) -> TransformRun:
    """Free Transform of the document's bottom layer: Ctrl+T, drag its bottom-right handle in, Enter;
    the landed step is undone afterwards."""
    doc = view.document
    active = doc.active_uid
    doc.set_active(doc.layers[0].uid)
    controller = FreeTransformController(_BenchHost(view), toolbox)
    paints = _Paints(view)
    t0 = time.perf_counter()
    if not controller.start():
        raise RuntimeError("Free Transform did not start: nothing would be measured")
    drawn = paints.count
    box_ms, _ = drain(QApplication.instance(), lambda: paints.count > drawn)
    box_ms = (time.perf_counter() - t0) * 1000
    tool = controller.tool
    _, ready_turn = drain(QApplication.instance(), lambda: tool.preview.ready)
    ready_ms = (time.perf_counter() - t0) * 1000
    corner = view.map_from_document(QPointF(*tool.box.handles()[Part.BOTTOM_RIGHT]))
    _send(view, QEvent.Type.MouseButtonPress, corner, Qt.MouseButton.LeftButton)
    samples = []
    drawn = paints.count
    for step in range(1, moves + 1):
        pos = corner + QPointF(-3.0 * step, -2.0 * step)  # shrinking: the piece stays on screen
        t = time.perf_counter()
        _send(view, QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton)
        QApplication.processEvents()  # the repaint the move asked for (where the box was and is)
        samples.append((time.perf_counter() - t) * 1000)
    move_paints = paints.count - drawn
    _send(view, QEvent.Type.MouseButtonRelease, pos, Qt.MouseButton.LeftButton)
    steps = view.undo.stack.index()
    apply_ms, stall_ms = _timed_apply(controller)
    if view.undo.stack.index() != steps + 1:
        raise RuntimeError("Free Transform's apply did not land one step")
    view.undo.undo()
    if active is not None:
        doc.set_active(active)
    view.removeEventFilter(paints)
    paints.deleteLater()
    controller.deleteLater()
    return TransformRun(label, view.zoom, box_ms, ready_ms, ready_turn, samples, move_paints, apply_ms,
                        stall_ms)


def _timed_apply(controller: Any) -> tuple[float, float]:
    """Apply, turning the event loop until it landed: (ms, the longest gap between 5 ms timer ticks)."""
    ticks = [time.perf_counter()]
    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    probe.start()
    t0 = time.perf_counter()
    controller.apply()
    while controller.session is not None:
        QApplication.processEvents()
        time.sleep(0.001)  # an idle loop, as a window waiting for input
    apply_ms = (time.perf_counter() - t0) * 1000
    ticks.append(time.perf_counter())
    probe.stop()
    return apply_ms, max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) * 1000


def _send(view: Any, kind: QEvent.Type, pos: QPointF, button: Qt.MouseButton) -> None:
    held = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseButtonRelease else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, pos, view.mapToGlobal(pos), button, held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, event)


def transform_drags(view: Any, toolbox: Any, zooms: Sequence[tuple[str, Callable[[], object]]],
                    moves: int) -> list[TransformRun]:
    """transform_drag at each (label, set_zoom)."""
    runs = []
    for label, set_zoom in zooms:
        set_zoom()
        runs.append(transform_drag(view, toolbox, f"bottom layer, {label}", moves))
    return runs


def print_transforms(runs: Sequence[TransformRun]) -> None:
    """One line per run: box shown, preview ready, the moves' median, p95 and worst, apply, ms."""
    print("Free Transform (Ctrl+T until the box shows and until the preview is ready; "
          "each corner move + repaint; Enter until it landed, and the GUI's longest stall meanwhile), ms:")
    print(f"  {'view':<22}{'zoom':>7}{'box':>7}{'ready':>7}{'(turn)':>8}{'move p50':>10}{'p95':>8}"
          f"{'max':>8}{'apply':>8}{'(stall)':>9}")
    for run in runs:
        ordered = sorted(run.moves_ms)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(f"  {run.label:<22}{run.zoom:>7.3f}{run.box_ms:>7.0f}{run.ready_ms:>7.0f}"
              f"{run.ready_turn_ms:>8.1f}{statistics.median(ordered):>10.2f}{p95:>8.2f}{ordered[-1]:>8.2f}{run.apply_ms:>8.0f}"
              f"{run.apply_stall_ms:>9.1f}  ({run.paints} paints for {len(ordered)} moves)")
