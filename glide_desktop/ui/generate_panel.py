"""The Generate dock: prompt, negative prompt and a Generate button (the job wiring comes later)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from glide_desktop.engine import locations
from glide_desktop.engine.types import Mode


class GeneratePanel(QWidget):
    """Collects the prompt; Generate checks the model files first and explains what is missing."""

    generateRequested = Signal(str, str)  # prompt, negative prompt; emitted when every model file is there

    def __init__(self, mode_for_request: Callable[[], Mode] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._mode_for_request = mode_for_request or (lambda: Mode.TEXT2IM)
        self.models_dir: Path = locations.default_models_dir()
        self.prompt_edit = QLineEdit()
        self.prompt_edit.setPlaceholderText("a red fox sitting in the snow")
        self.negative_edit = QLineEdit()
        self.negative_edit.setPlaceholderText("blurry, text")
        self.generate_button = QPushButton("Generate")
        self.generate_button.setDefault(True)
        self.generate_button.clicked.connect(self.generate)
        self.prompt_edit.returnPressed.connect(self.generate)
        self.mode_label = QLabel()
        self.mode_label.setWordWrap(True)
        self.mode_label.setEnabled(False)  # drawn in the muted colour: a hint, not a control

        form = QFormLayout()
        form.addRow("Prompt:", self.prompt_edit)
        form.addRow("Negative:", self.negative_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.generate_button)
        layout.addWidget(self.mode_label)
        layout.addStretch(1)
        self.refresh_mode()

    def mode(self) -> Mode:
        """Inpaint when the document has a selection, otherwise text to image."""
        return self._mode_for_request()

    def refresh_mode(self) -> None:
        """Say what Generate will do with the current document."""
        if self.mode() is Mode.INPAINT:
            self.mode_label.setText("Inpaint: the selected area will be repainted to match the prompt.")
        else:
            self.mode_label.setText("Text to image: the result becomes a new layer. "
                                    "Select an area first to inpaint it instead.")

    def generate(self) -> None:
        """Start a generation, or explain which model files must be downloaded first."""
        mode = self.mode()
        missing = locations.missing_files(self.models_dir, mode)
        if missing:
            text = locations.describe_missing(self.models_dir, missing)
            QMessageBox.information(self, "Model files missing", text)
            return
        prompt = self.prompt_edit.text().strip()
        if not prompt:
            QMessageBox.information(self, "Generate", "Type a prompt describing the picture first.")
            return
        self.generateRequested.emit(prompt, self.negative_edit.text().strip())
