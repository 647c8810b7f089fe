"""The Generate dock: prompt, negative prompt, seed, steps, guidance, sampler, Generate/Cancel, progress."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from glide_desktop.engine import locations
from glide_desktop.engine.types import (
    STAGE_BASE,
    STAGE_UPSAMPLE,
    GenerationRequest,
    Mode,
    Progress,
    SamplerName,
)
from glide_desktop.ui.icons import icon

RANDOM_SEED = -1  # the seed box's lowest value, shown as "Random": a fresh seed every time
MAX_SEED = 2**31 - 1  # QSpinBox holds a C int
_DEFAULTS = GenerationRequest(mode=Mode.TEXT2IM, prompt="")
SAMPLER_LABELS = {
    SamplerName.ANCESTRAL: "Ancestral (DDPM)",
    SamplerName.DDIM: "DDIM",
    SamplerName.DPMPP_2M: "DPM++ 2M",
}
STAGE_LABELS = {STAGE_BASE: "Sampling 64 px", STAGE_UPSAMPLE: "Upscaling to 256 px"}


@dataclass(frozen=True)
class GenerationSettings:
    """What the artist chose in the panel (the seed already drawn when the box says Random)."""

    prompt: str
    negative_prompt: str
    seed: int
    sampler: SamplerName
    steps: int
    guidance: float


class GeneratePanel(QWidget):
    """Collects the settings; Generate checks the model files first and explains what is missing."""

    generateRequested = Signal(object)  # GenerationSettings; emitted when every model file is there
    cancelRequested = Signal()
    modelsRequested = Signal()  # the artist wants to download the missing model files

    def __init__(self, mode_for_request: Callable[[], Mode] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._mode_for_request = mode_for_request or (lambda: Mode.TEXT2IM)
        self.models_dir: Path = locations.default_models_dir()
        self._busy = False
        self._build_inputs()
        self._build_actions()
        form = QFormLayout()
        form.addRow("Prompt:", self.prompt_edit)
        form.addRow("Negative:", self.negative_edit)
        form.addRow("Seed:", self._seed_row())
        form.addRow("Steps:", self.steps_spin)
        form.addRow("Guidance:", self.guidance_spin)
        form.addRow("Sampler:", self.sampler_combo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate_button, 1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.mode_label)
        layout.addStretch(1)
        self.refresh_mode()
        self.set_busy(False)

    # --- construction ----------------------------------------------------------------------------
    def _build_inputs(self) -> None:
        self.prompt_edit = QLineEdit()
        self.prompt_edit.setPlaceholderText("a red fox sitting in the snow")
        self.prompt_edit.returnPressed.connect(self.generate)
        self.negative_edit = QLineEdit()
        self.negative_edit.setPlaceholderText("blurry, text")
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(RANDOM_SEED, MAX_SEED)
        self.seed_spin.setSpecialValueText("Random")
        self.seed_spin.setValue(RANDOM_SEED)
        self.seed_spin.setToolTip("The same seed and settings make the same picture; Random draws a new one.")
        self.dice_button = QToolButton()
        self.dice_button.setIcon(icon("dice"))
        self.dice_button.setToolTip("Pick a random seed and keep it")
        self.dice_button.clicked.connect(self.roll_seed)
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(2, 1000)
        self.steps_spin.setValue(_DEFAULTS.steps)
        self.steps_spin.setToolTip("Sampler steps of the 64 px stage: more is slower and finer")
        self.guidance_spin = QDoubleSpinBox()
        self.guidance_spin.setRange(0.0, 30.0)
        self.guidance_spin.setSingleStep(0.5)
        self.guidance_spin.setDecimals(1)
        self.guidance_spin.setValue(_DEFAULTS.guidance)
        self.guidance_spin.setToolTip("How closely the picture follows the prompt (classifier-free guidance)")
        self.sampler_combo = QComboBox()
        for name, label in SAMPLER_LABELS.items():
            self.sampler_combo.addItem(label, name.value)
        self.sampler_combo.setCurrentIndex(self.sampler_combo.findData(_DEFAULTS.sampler.value))

    def _seed_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.seed_spin, 1)
        layout.addWidget(self.dice_button)
        return row

    def _build_actions(self) -> None:
        self.generate_button = QPushButton("Generate")
        self.generate_button.setDefault(True)
        self.generate_button.clicked.connect(self.generate)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        policy = self.progress_bar.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # showing it must not make the panel jump
        self.progress_bar.setSizePolicy(policy)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.mode_label = QLabel()
        self.mode_label.setWordWrap(True)
        self.mode_label.setEnabled(False)  # drawn in the muted colour: a hint, not a control

    # --- state -----------------------------------------------------------------------------------
    def mode(self) -> Mode:
        """Inpaint when the document has a selection, otherwise text to image."""
        return self._mode_for_request()

    @property
    def busy(self) -> bool:
        """True while a generation runs."""
        return self._busy

    def refresh_mode(self) -> None:
        """Say what Generate will do with the current document."""
        if self.mode() is Mode.INPAINT:
            self.mode_label.setText("Inpaint: the selected area will be repainted to match the prompt.")
        else:
            self.mode_label.setText("Text to image: the result becomes a new layer. "
                                    "Select an area first to inpaint it instead.")

    def roll_seed(self) -> None:
        """Put a fresh random seed in the seed box."""
        self.seed_spin.setValue(secrets.randbelow(MAX_SEED + 1))

    def settings(self) -> GenerationSettings:
        """The panel's values; a Random seed is drawn here, so the caller can record it."""
        seed = self.seed_spin.value()
        return GenerationSettings(
            prompt=self.prompt_edit.text().strip(),
            negative_prompt=self.negative_edit.text().strip(),
            seed=secrets.randbelow(MAX_SEED + 1) if seed == RANDOM_SEED else seed,
            sampler=SamplerName(self.sampler_combo.currentData()),
            steps=self.steps_spin.value(),
            guidance=self.guidance_spin.value(),
        )

    def set_busy(self, busy: bool) -> None:
        """Generate is off and Cancel and the progress bar are on while a job runs."""
        self._busy = busy
        self.generate_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.progress_bar.setVisible(busy)
        if busy:
            self.progress_bar.setRange(0, 0)  # busy indicator until the first step: models are loading
            self.progress_bar.setFormat("Loading the models…")

    def show_progress(self, progress: Progress) -> None:
        """One sampler step: the stage's name and step / total."""
        stage = STAGE_LABELS.get(progress.stage, progress.stage)
        self.progress_bar.setRange(0, max(1, progress.total))
        self.progress_bar.setValue(progress.step)
        self.progress_bar.setFormat(f"{stage}: step %v of %m")

    def show_status(self, text: str) -> None:
        """A line under the buttons saying what happens or what happened."""
        self.status_label.setText(text)

    # --- actions ---------------------------------------------------------------------------------
    def generate(self) -> None:
        """Start a generation, or explain which model files must be downloaded first."""
        if self._busy:
            return
        mode = self.mode()
        missing = locations.missing_files(self.models_dir, mode)
        if missing:
            text = locations.describe_missing(self.models_dir, missing) + "\n\nDownload them now?"
            buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
            answer = QMessageBox.information(self, "Model files missing", text, buttons,
                                             QMessageBox.StandardButton.Yes)
            if answer == QMessageBox.StandardButton.Yes:
                self.modelsRequested.emit()
            return
        settings = self.settings()
        if not settings.prompt:
            QMessageBox.information(self, "Generate", "Type a prompt describing the picture first.")
            return
        self.generateRequested.emit(settings)

    def cancel(self) -> None:
        """Ask the running generation to stop."""
        if self._busy:
            self.cancel_button.setEnabled(False)
            self.show_status("Cancelling…")
            self.cancelRequested.emit()
