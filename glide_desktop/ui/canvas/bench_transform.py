"""Benchmark part for the canvas bench: Free Transform's start and a corner drag of the bottom layer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from glide_desktop.document.free_transform import lift, lifted_picture
from glide_desktop.document.transform_box import Part, TransformBox
from glide_desktop.ui.canvas.transform_preview import TransformPreview
from glide_desktop.ui.tools.state import ToolState
from glide_desktop.ui.tools.transform import FreeTransformTool


class _Host:
    """The controller's part the tool calls; the bench applies nothing."""

    def apply(self) -> bool:
        return False

    def cancel(self) -> None:
        """Nothing to drop."""

    def tool_left(self) -> None:
        """Nothing to apply."""

    def box_changed(self) -> None:
        """No options bar to update."""


@dataclass
class TransformRun:
    """The start (lift, the preview's pictures, first paint) and each move with its repaint."""

    label: str
    zoom: float
    start_ms: float
    moves_ms: list[float]
    paints: int  # paint events during the moves (one per move when every move was drawn)


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


def transform_drag(view: Any, label: str, moves: int) -> TransformRun:
    """Free Transform of the document's bottom layer: start, then drag its bottom-right handle out."""
    doc = view.document
    layer = doc.layers[0]
    t0 = time.perf_counter()
    lifted = lift(layer, None)
    picture = lifted_picture(doc, layer.uid, lifted)
    preview = TransformPreview(picture, lifted.piece, lifted.rect, layer.opacity)
    box = TransformBox.around(lifted.rect)
    tool = FreeTransformTool(ToolState(), _Host(), box, preview)
    view.set_tool(tool)
    view.repaint()
    start_ms = (time.perf_counter() - t0) * 1000
    corner = view.map_from_document(QPointF(*box.handles()[Part.BOTTOM_RIGHT]))
    _send(view, QEvent.Type.MouseButtonPress, corner, Qt.MouseButton.LeftButton)
    samples = []
    paints = _Paints(view)
    for step in range(1, moves + 1):
        pos = corner + QPointF(-3.0 * step, -2.0 * step)  # shrinking: the piece stays on screen
        t = time.perf_counter()
        _send(view, QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton)
        QApplication.processEvents()  # the repaint the move asked for (where the box was and is)
        samples.append((time.perf_counter() - t) * 1000)
    _send(view, QEvent.Type.MouseButtonRelease, pos, Qt.MouseButton.LeftButton)
    view.removeEventFilter(paints)
    paints.deleteLater()
    view.set_tool(None)
    return TransformRun(label, view.zoom, start_ms, samples, paints.count)


def _send(view: Any, kind: QEvent.Type, pos: QPointF, button: Qt.MouseButton) -> None:
    held = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseButtonRelease else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, pos, view.mapToGlobal(pos), button, held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, event)


def transform_drags(view: Any, zooms: Sequence[tuple[str, Callable[[], object]]],
                    moves: int) -> list[TransformRun]:
    """transform_drag at each (label, set_zoom)."""
    runs = []
    for label, set_zoom in zooms:
        set_zoom()
        runs.append(transform_drag(view, f"bottom layer, {label}", moves))
    return runs


def print_transforms(runs: Sequence[TransformRun]) -> None:
    """One line per run: the start, then the moves' median, p95 and worst, milliseconds."""
    print("Free Transform (start: lift, preview pictures, first paint; then each corner move + repaint), ms:")
    for run in runs:
        ordered = sorted(run.moves_ms)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(f"  {run.label:<22}{run.zoom:>8.3f}  start {run.start_ms:8.0f}"
              f"  p50 {statistics.median(ordered):7.2f}  p95 {p95:7.2f}  max {ordered[-1]:7.2f}"
              f"  ({run.paints} paints for {len(ordered)} moves)")
