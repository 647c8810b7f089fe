"""Layer Properties: a layer's name, and for a generated layer what made it, to reuse or re-roll."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

SHOWN = (  # metadata key, label; in this order
    ("mode", "Mode"), ("negative_prompt", "Negative prompt"), ("seed", "Seed"), ("candidate", "Candidate"),
    ("preset", "Quality"), ("sampler", "Sampler"), ("steps", "Steps"), ("upsample_sampler", "Upsampler"),
    ("upsample_steps", "Upsampler steps"), ("guidance", "Guidance"), ("clip_guidance", "CLIP guidance"),
    ("strength", "Strength"), ("context", "Context"), ("crop", "Crop"), ("model_files", "Model files"),
)


def describe_value(key: str, value: Any) -> str:
    """A metadata value as the dialog shows it."""
    if key == "crop" and isinstance(value, list) and len(value) == 4:
        x, y, w, h = value
        return f"{w} × {h} px at ({x}, {y})"
    if key == "candidate" and isinstance(value, int):
        return f"#{value + 1}"
    if key == "context" and isinstance(value, (int, float)):
        return f"{value * 100:.0f} % on each side"
    if value in ("", None, []):
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (dict, tuple)):
        return json.dumps(value)
    return str(value)


class LayerPropertiesDialog(QDialog):
    """Name (editable), and for a generated layer its prompt (editable for a re-roll) and settings."""

    useSettingsRequested = Signal(dict)  # the layer's metadata, for the Generate panel
    rerollRequested = Signal(int, str)  # layer uid, prompt (edited or not)

    def __init__(self, uid: int, name: str, metadata: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Layer Properties")
        self.uid, self.metadata = uid, dict(metadata)
        self.name_edit = QLineEdit(name)
        self.prompt_edit = QLineEdit(str(metadata.get("prompt", "")))
        form = QFormLayout()
        form.addRow("Name:", self.name_edit)
        generated = "crop" in metadata and "prompt" in metadata
        if generated:
            form.addRow("Prompt:", self.prompt_edit)
            for key, label in SHOWN:
                if key in metadata:
                    value = QLabel(describe_value(key, metadata[key]))
                    value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                    value.setWordWrap(True)
                    value.setObjectName(f"value-{key}")
                    form.addRow(f"{label}:", value)
        else:
            form.addRow(QLabel("This layer was not generated, so it has no generation settings."))
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Ok | standard.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.use_button = QPushButton("Use these settings")
        self.use_button.setToolTip("Put this layer's prompt, seed and settings into the Generate panel")
        self.use_button.clicked.connect(self._use)
        self.reroll_button = QPushButton("Re-roll")
        self.reroll_button.setToolTip("Generate this layer again: same area and settings, a new seed and the "
                                      "prompt above; the new result replaces the layer when you apply it")
        self.reroll_button.clicked.connect(self._reroll)
        for button in (self.use_button, self.reroll_button):
            button.setVisible(generated)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def name(self) -> str:
        """The name typed in the dialog."""
        return self.name_edit.text().strip()

    def _use(self) -> None:
        self.useSettingsRequested.emit(dict(self.metadata, prompt=self.prompt_edit.text().strip()))
        self.accept()

    def _reroll(self) -> None:
        self.rerollRequested.emit(self.uid, self.prompt_edit.text().strip())
        self.accept()
