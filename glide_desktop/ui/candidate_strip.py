"""The candidates of a run as a strip of thumbnails: live previews while sampling, then pick to upsample."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from glide_desktop.ui.images import rgb_to_qimage

THUMB = 64  # on-screen size of a candidate's thumbnail
COLUMNS = 4


class CandidateStrip(QWidget):
    """One checkable thumbnail per candidate; Upsample chosen asks for the checked ones."""

    upsampleRequested = Signal(list)  # candidate indices, in strip order
    candidateClicked = Signal(int)  # the artist clicked a thumbnail: show that candidate on the canvas

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        # A checked candidate must be obvious at a glance: the theme's checked state is too subtle.
        self.setStyleSheet("QToolButton:checked { border: 2px solid #4aa3ff; background: #23415f; }")
        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        self.upsample_button = QPushButton("Upsample chosen")
        self.upsample_button.setToolTip("Run the 256 px upsampler for the checked candidates only")
        self.upsample_button.clicked.connect(self._request)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.upsample_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(self.grid)
        layout.addLayout(buttons)
        self.buttons: list[QToolButton] = []
        self.scores: dict[int, float] = {}
        self._final = False
        self.clear()

    def clear(self) -> None:
        """No run to show."""
        self._make_buttons(0)
        self.title.setText("")
        self.setVisible(False)

    def begin(self, count: int, title: str) -> None:
        """A base run of count candidates started: blank thumbnails until the first preview."""
        self.scores = {}
        self._make_buttons(count)
        self._final = False
        self.title.setText(title)
        self.setVisible(True)
        self._update_button()

    def show_previews(self, images: np.ndarray, first: int = 0) -> None:
        """Predicted images (N x h x w x 3 uint8) of candidates first, first + 1, ..."""
        for offset, image in enumerate(images):
            if 0 <= first + offset < len(self.buttons):
                self._set_image(self.buttons[first + offset], image)

    def show_candidates(self, images64: np.ndarray, title: str) -> None:
        """The base stage's final candidates: they can be checked and upsampled now."""
        if len(images64) != len(self.buttons):
            self._make_buttons(len(images64))
        self.show_previews(images64)
        self._final = True
        self.title.setText(title)
        for button in self.buttons:
            button.setCheckable(True)
        self.setVisible(True)
        self._update_button()

    def show_scores(self, scores: dict[int, float]) -> None:
        """CLIP scores against the prompt, shown under each thumbnail."""
        self.scores = dict(scores)
        self._label_all()

    def mark(self, index: int, text: str) -> None:
        """A word under one thumbnail (e.g. "upsampled")."""
        if 0 <= index < len(self.buttons):
            self.buttons[index].setProperty("note", text)
            self._label_all()

    def chosen(self) -> list[int]:
        """The checked candidates."""
        return [i for i, button in enumerate(self.buttons) if button.isChecked()]

    def set_chosen(self, indices: list[int]) -> None:
        """Check exactly the given candidates."""
        for i, button in enumerate(self.buttons):
            button.setChecked(i in indices)

    # --- internals -------------------------------------------------------------------------------
    def _make_buttons(self, count: int) -> None:
        for button in self.buttons:
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        for index in range(count):
            button = QToolButton()
            button.setCheckable(False)  # candidates are picked once the base stage is done
            button.setIconSize(QSize(THUMB, THUMB))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setToolTip("Check to upsample this candidate")
            button.toggled.connect(self._update_button)
            button.clicked.connect(lambda _checked=False, i=index: self.candidateClicked.emit(i))
            self.grid.addWidget(button, index // COLUMNS, index % COLUMNS)
            self.buttons.append(button)
        self._label_all()

    def _label_all(self) -> None:
        for index, button in enumerate(self.buttons):
            parts = [f"#{index + 1}"]
            if index in self.scores:
                parts.append(f"CLIP {self.scores[index]:.2f}")
            note = button.property("note")
            if note:
                parts.append(str(note))
            button.setText("\n".join(parts) if len(parts) > 1 else parts[0])

    def _set_image(self, button: QToolButton, image: np.ndarray) -> None:
        picture = rgb_to_qimage(np.asarray(image, np.uint8)).scaled(
            THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
        button.setIcon(QIcon(QPixmap.fromImage(picture)))

    def _update_button(self, *_args: object) -> None:
        count = len(self.chosen())
        self.upsample_button.setEnabled(self._final and count > 0)
        self.upsample_button.setText(f"Upsample chosen ({count})" if count else "Upsample chosen")

    def _request(self) -> None:
        if self.chosen():
            self.upsampleRequested.emit(self.chosen())
