"""Upsampled results waiting on the canvas: flip through them, then Apply one or Discard them all."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget


class StagingBar(QWidget):
    """◀ n of m ▶, Apply, Discard; the controller owns the staged results and says what to show."""

    flipped = Signal(int)  # -1 or +1
    applyRequested = Signal()
    discardRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Staged on the canvas (the document is unchanged until you apply):")
        self.title.setWordWrap(True)
        self.previous_button = QToolButton()
        self.previous_button.setText("◀")
        self.previous_button.setToolTip("Show the previous result")
        self.previous_button.clicked.connect(lambda: self.flipped.emit(-1))
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self.next_button.setToolTip("Show the next result")
        self.next_button.clicked.connect(lambda: self.flipped.emit(+1))
        self.position_label = QLabel()
        self.position_label.setWordWrap(True)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Put the shown result into the document (one undo step)")
        self.apply_button.clicked.connect(self.applyRequested)
        self.discard_button = QPushButton("Discard")
        self.discard_button.setToolTip("Drop every staged result; the document stays as it is")
        self.discard_button.clicked.connect(self.discardRequested)
        flip = QHBoxLayout()
        flip.addWidget(self.previous_button)
        flip.addWidget(self.position_label, 1)
        flip.addWidget(self.next_button)
        decide = QHBoxLayout()
        decide.addWidget(self.apply_button, 1)
        decide.addWidget(self.discard_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(flip)
        layout.addLayout(decide)
        self.show_position(0, 0, "")

    def show_position(self, index: int, count: int, what: str) -> None:
        """Result index + 1 of count is shown (count 0 hides the bar)."""
        self.setVisible(count > 0)
        self.position_label.setText(f"{index + 1} of {count}: {what}" if count else "")
        self.previous_button.setEnabled(count > 1)
        self.next_button.setEnabled(count > 1)
