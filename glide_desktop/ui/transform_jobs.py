"""Free Transform's heavy numpy work off the GUI thread: the preview's pictures at the start and the
resampling on apply run on one worker thread (numpy releases the GIL for its big loops), and their
results come back to the GUI thread through a polling timer. No Qt object is touched off the GUI thread.

While an apply runs, `BusyCanvas` keeps the canvas's mouse and keys away (a busy cursor says so) and
shows a busy bar in the status bar; the window itself stays responsive.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

# Work on fewer pixels than this runs at once on the GUI thread (it takes a few milliseconds; a thread
# hop would only make the first paint later).
BACKGROUND_PIXELS = 4_000_000
POLL_MS = 10

_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="free-transform")


def big(pixels: int) -> bool:
    """True when work over this many pixels should leave the GUI thread."""
    return pixels >= BACKGROUND_PIXELS


class Jobs(QObject):
    """Runs functions on the worker thread, one after another; each `done` is called on the GUI thread
    with (result, None) or (None, the exception)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._waiting: list[tuple[Future, Callable[[Any, BaseException | None], None]]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def busy(self) -> bool:
        return bool(self._waiting)

    def submit(self, work: Callable[[], Any], done: Callable[[Any, BaseException | None], None]) -> None:
        self._waiting.append((_WORKER.submit(work), done))
        self._timer.start()

    def forget(self) -> None:
        """Drop every callback still waiting (their work finishes unseen)."""
        self._waiting.clear()
        self._timer.stop()

    def wait(self) -> None:
        """Block until every job has finished and its callback ran (saving needs the result now)."""
        while self._waiting:
            self._waiting[0][0].exception()  # waits
            self._poll()

    def _poll(self) -> None:
        while self._waiting and self._waiting[0][0].done():
            future, done = self._waiting.pop(0)
            error = future.exception()
            done(None if error is not None else future.result(), error)
        if not self._waiting:
            self._timer.stop()


_BLOCKED = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
            QEvent.Type.MouseMove, QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride,
            QEvent.Type.TabletPress, QEvent.Type.TabletMove, QEvent.Type.TabletRelease}


class BusyCanvas(QObject):
    """While on: the canvas takes no mouse or keys (a busy cursor), the status bar shows a busy bar and
    what is being done, and `controls` are disabled."""

    def __init__(self, canvas: QWidget, status: QStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.canvas, self.status = canvas, status
        self._bar: QProgressBar | None = None
        self._label: QLabel | None = None
        self._controls: list[QWidget] = []
        self.since: float | None = None

    @property
    def on(self) -> bool:
        return self.since is not None

    def begin(self, text: str, controls: list[QWidget]) -> None:
        if self.on:
            return
        self.since = time.perf_counter()
        self.canvas.installEventFilter(self)
        self.canvas.setCursor(Qt.CursorShape.BusyCursor)
        self._label, self._bar = QLabel(text), QProgressBar()
        self._bar.setRange(0, 0)  # no known end: Qt animates it as busy
        self._bar.setMaximumWidth(160)
        self._bar.setTextVisible(False)
        self.status.addPermanentWidget(self._label)
        self.status.addPermanentWidget(self._bar)
        self._controls = [control for control in controls if control.isEnabled()]
        for control in self._controls:
            control.setEnabled(False)

    def end(self) -> None:
        if not self.on:
            return
        self.since = None
        self.canvas.removeEventFilter(self)
        self.canvas.unsetCursor()
        for widget in (self._label, self._bar):
            if widget is not None:
                self.status.removeWidget(widget)
                widget.deleteLater()
        self._label = self._bar = None
        for control in self._controls:
            control.setEnabled(True)
        self._controls = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _BLOCKED:
            event.accept()  # taken: no shortcut fires from the canvas either
            return True
        return False


class Afterimage(QObject):
    """A landed transform's preview stays over the canvas until the canvas has read the change (its
    catch-up runs in timer slices, on-screen first), so the old picture never flashes back meanwhile."""

    def __init__(self, canvas: Any, preview: Any, affine: Any) -> None:
        super().__init__(canvas)
        self.canvas, self.preview, self.affine = canvas, preview, affine
        canvas.overlays.append(self)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._check)
        self._timer.start()

    def paint(self, painter: Any, viewport: Any) -> None:
        self.preview.paint(painter, viewport, self.affine)

    def _check(self) -> None:
        if self.canvas.layer_drags.catching_up:
            return
        self._timer.stop()
        if self in self.canvas.overlays:
            self.canvas.overlays.remove(self)
        self.canvas.update()
        self.deleteLater()
