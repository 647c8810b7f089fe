"""Drives a document AdjustmentPreview from the event loop: one band per turn, restarting on each change."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from glide_desktop.document.adjust_preview import AdjustmentPreview
from glide_desktop.document.adjustments import Adjustment


class PreviewSession(QObject):
    """Shows the newest setting on the canvas band by band; commit() makes it one undo step."""

    caughtUp = Signal()  # every band shows the newest setting

    def __init__(self, preview: AdjustmentPreview, undo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.preview, self.undo = preview, undo
        self.enabled = True
        self._timer = QTimer(self)
        self._timer.setInterval(0)  # a band per event-loop turn: sliders and repaints interleave
        self._timer.timeout.connect(self._step)
        self._latest: Adjustment | None = None

    def show(self, adjustment: Adjustment) -> None:
        """Preview adjustment (when the preview is on)."""
        self._latest = adjustment
        if self.enabled:
            self.preview.show(adjustment)
            self._timer.start()

    def set_enabled(self, on: bool) -> None:
        """Preview on: show the latest setting; off: show the original pixels."""
        self.enabled = bool(on)
        if not on:
            self._timer.stop()
            self.preview.cancel()
        elif self._latest is not None:
            self.show(self._latest)

    def _step(self) -> None:
        if not self.preview.step():
            self._timer.stop()
            self.caughtUp.emit()

    def commit(self, text: str) -> bool:
        """Apply the latest setting as one undo step; False when it changes nothing."""
        self._timer.stop()
        if self._latest is None:
            self.preview.cancel()
            return False
        if self.preview.adjustment != self._latest or not self.enabled:
            self.preview.show(self._latest)
        command = self.preview.commit(text)
        if command is None:
            return False
        self.undo.push(command, applied=True, close=True)
        return True

    def cancel(self) -> None:
        """Put the original pixels back."""
        self._timer.stop()
        self.preview.cancel()
