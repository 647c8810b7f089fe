"""The Generate dock: what to make (mode, prompt, quality, candidates), progress, candidates, staging."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
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
from glide_desktop.engine.presets import PRESETS, Preset
from glide_desktop.engine.types import STAGE_BASE, STAGE_UPSAMPLE, Mode, Progress, SamplerName
from glide_desktop.ui.candidate_strip import CandidateStrip
from glide_desktop.ui.generate_options import (
    CUSTOM,
    MODE_LABELS,
    AdvancedOptions,
    GenerationSettings,
    PresetChooser,
)
from glide_desktop.ui.icons import icon
from glide_desktop.ui.queue_view import QueueView
from glide_desktop.ui.staging_bar import StagingBar
from glide_desktop.ui.timing import format_duration

__all__ = ["GeneratePanel", "GenerationSettings"]

RANDOM_SEED = -1  # the seed box's lowest value, shown as "Random": a fresh seed every time
MAX_SEED = 2**31 - 1  # QSpinBox holds a C int
MAX_CANDIDATES = 8
STAGE_LABELS = {STAGE_BASE: "Sampling 64 px", STAGE_UPSAMPLE: "Upscaling to 256 px"}
CROP_MODES = (Mode.INPAINT, Mode.VARIATION, Mode.SKETCH)
MODE_HINTS = {
    Mode.INPAINT: "Inpaint: the selected area will be repainted to match the prompt.",
    Mode.TEXT2IM: "Text to image: the result becomes a new layer. Select an area first to inpaint it.",
    Mode.VARIATION: "Variation: the selection (or the whole picture) is redrawn; Strength sets how freely.",
    Mode.SKETCH: "Sketch: the active layer's rough painting becomes a picture; Strength sets how freely.",
}


class GeneratePanel(QWidget):
    """Collects the settings and shows what the controller reports; Generate checks the model files."""

    generateRequested = Signal(object)  # GenerationSettings; emitted when every model file is there
    cancelRequested = Signal()
    modelsRequested = Signal()  # the artist wants to download the missing model files
    settingsChanged = Signal()  # something the estimate or the resolution frame depends on changed

    def __init__(self, has_selection: Callable[[], bool] | None = None, parent: QWidget | None = None,
                 models_folder: Callable[[], Path] = locations.default_models_dir):
        super().__init__(parent)
        self._has_selection = has_selection or (lambda: False)
        self._models_folder = models_folder
        self._busy = False
        self._mode_chosen = False  # the artist picked a mode: stop following the selection
        self._build_inputs()
        self._build_actions()
        self.strip = CandidateStrip()
        self.staging = StagingBar()
        self.queue = QueueView()
        layout = QVBoxLayout(self)
        layout.addLayout(self._form())
        layout.addWidget(self.advanced)
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate_button, 1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        layout.addWidget(self.preview_check)
        for widget in (self.progress_bar, self.time_label, self.status_label, self.strip,
                       self.staging, self.queue):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.refresh_mode()
        self.set_busy(False)

    # --- construction ----------------------------------------------------------------------------
    def _build_inputs(self) -> None:
        self.mode_label = QLabel()
        self.mode_label.setWordWrap(True)
        self.mode_label.setEnabled(False)  # drawn in the muted colour: a hint, not a control
        self.mode_combo = QComboBox()
        for mode, label in MODE_LABELS.items():
            self.mode_combo.addItem(label, mode.value)
        self.mode_combo.activated.connect(self._on_mode_chosen)
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
        self.candidates_spin = QSpinBox()
        self.candidates_spin.setRange(1, MAX_CANDIDATES)
        self.candidates_spin.setValue(4)
        self.candidates_spin.setToolTip("Pictures made at 64 px per run; you pick which to upsample")
        self.strength_spin = QDoubleSpinBox()
        self.strength_spin.setRange(0.05, 1.0)
        self.strength_spin.setSingleStep(0.05)
        self.strength_spin.setValue(0.6)
        self.strength_spin.setToolTip("How far from the source the picture may go: 1 ignores it")
        self.context_spin = QSpinBox()
        self.context_spin.setRange(0, 200)
        self.context_spin.setSingleStep(5)
        self.context_spin.setValue(25)
        self.context_spin.setSuffix(" %")
        self.context_spin.setToolTip("Surroundings the model sees on each side of the selection, as a share "
                                     "of its size: more context fits better but costs resolution")
        self.feather_spin = QSpinBox()
        self.feather_spin.setRange(-1, 200)
        self.feather_spin.setSpecialValueText("Auto")
        self.feather_spin.setValue(-1)
        self.feather_spin.setSuffix(" px")
        self.feather_spin.setToolTip("Soft edge inside the selection where the result fades into the picture "
                                     "(Auto: about one generated pixel); a soft selection stays soft")
        self.match_check = QCheckBox("Match colours to the surroundings")
        self.match_check.setToolTip("Shift the result's colours by how the model's picture differs from "
                                    "yours just outside the selection")
        self.regions_check = QCheckBox("One crop per separate region")
        self.regions_check.setToolTip("A selection of separate areas is generated area by area, each at full "
                                      "resolution, instead of as one crop around all of them")
        self.advanced = AdvancedOptions()
        self.preset = PresetChooser(self.advanced)
        self.estimate_label = QLabel()
        self.estimate_label.setWordWrap(True)
        self.resolution_label = QLabel()
        self.resolution_label.setWordWrap(True)
        for signal in (self.preset.changed, self.candidates_spin.valueChanged, self.context_spin.valueChanged,
                       self.mode_combo.currentIndexChanged, self.regions_check.toggled):
            signal.connect(self.settingsChanged)

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.addRow("Mode:", self.mode_combo)
        form.addRow("", self.mode_label)
        form.addRow("Prompt:", self.prompt_edit)
        form.addRow("Negative:", self.negative_edit)
        quality = QHBoxLayout()
        quality.addWidget(self.preset, 1)
        quality.addWidget(self.preset.toggle)
        form.addRow("Quality:", quality)
        form.addRow("", self.estimate_label)
        form.addRow("Candidates:", self.candidates_spin)
        form.addRow("Seed:", self._seed_row())
        self.strength_row = QLabel("Strength:")
        form.addRow(self.strength_row, self.strength_spin)
        self.context_row = QLabel("Context:")
        form.addRow(self.context_row, self.context_spin)
        form.addRow("", self.regions_check)
        self.feather_row = QLabel("Feather:")
        form.addRow(self.feather_row, self.feather_spin)
        form.addRow("", self.match_check)
        form.addRow("", self.resolution_label)
        return form

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
        self.cancel_button.setToolTip("Stop the running job (waiting ones stay in the queue)")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        policy = self.progress_bar.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # showing it must not make the panel jump
        self.progress_bar.setSizePolicy(policy)
        self.time_label = QLabel()
        self.preview_check = QCheckBox("Live preview")
        self.preview_check.setChecked(True)
        self.preview_check.setToolTip("Show each step's predicted picture in the thumbnails and over the "
                                      "crop on the canvas (off: nothing is converted or drawn meanwhile)")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

    # --- state -----------------------------------------------------------------------------------
    def mode(self) -> Mode:
        """The mode Generate will use."""
        return Mode(self.mode_combo.currentData())

    def set_mode(self, mode: Mode) -> None:
        """Choose a mode as if the artist had (it then stays until they change it)."""
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(Mode(mode).value))
        self._mode_chosen = True
        self.refresh_mode()

    def _on_mode_chosen(self, _index: int) -> None:
        self._mode_chosen = True
        self.refresh_mode()

    @property
    def busy(self) -> bool:
        """True while a job runs."""
        return self._busy

    def refresh_mode(self) -> None:
        """Follow the selection (inpaint with one, text to image without) until a mode is chosen."""
        if not self._mode_chosen:
            mode = Mode.INPAINT if self._has_selection() else Mode.TEXT2IM
            self.mode_combo.setCurrentIndex(self.mode_combo.findData(mode.value))
        mode = self.mode()
        self.mode_label.setText(MODE_HINTS[mode])
        sdedit = mode in (Mode.VARIATION, Mode.SKETCH)
        self.strength_row.setVisible(sdedit)
        self.strength_spin.setVisible(sdedit)
        self.context_row.setVisible(mode in CROP_MODES)
        self.context_spin.setVisible(mode in CROP_MODES)
        self.regions_check.setVisible(mode in CROP_MODES)
        for widget in (self.feather_row, self.feather_spin, self.match_check):
            widget.setVisible(mode in CROP_MODES)
        self.advanced.clip_spin.setEnabled(mode is not Mode.INPAINT)

    def roll_seed(self) -> None:
        """Put a fresh random seed in the seed box."""
        self.seed_spin.setValue(secrets.randbelow(MAX_SEED + 1))

    def settings(self) -> GenerationSettings:
        """The panel's values; a Random seed is drawn here, so the caller can record it."""
        self.refresh_mode()  # the selection may have changed since the last refresh
        seed = self.seed_spin.value()
        mode = self.mode()
        return GenerationSettings(
            prompt=self.prompt_edit.text().strip(),
            negative_prompt=self.negative_edit.text().strip(),
            seed=secrets.randbelow(MAX_SEED + 1) if seed == RANDOM_SEED else seed,
            sampler=SamplerName(self.advanced.sampler_combo.currentData()),
            steps=self.advanced.steps_spin.value(),
            guidance=self.advanced.guidance_spin.value(),
            mode=mode,
            preset=self.preset.preset(),
            candidates=self.candidates_spin.value(),
            upsample_steps=self.advanced.upsample_steps_spin.value(),
            upsample_sampler=self.advanced.upsample_sampler(),
            clip_guidance=0.0 if mode is Mode.INPAINT else self.advanced.clip_spin.value(),
            strength=self.strength_spin.value(),
            context=self.context_spin.value() / 100.0,
            by_region=self.regions_check.isChecked(),
            feather=None if self.feather_spin.value() < 0 else float(self.feather_spin.value()),
            match_colour=self.match_check.isChecked(),
        )

    def load_settings(self, values: dict[str, Any]) -> None:
        """Fill the panel from a generated layer's metadata ("Use these settings")."""
        text = {"prompt": self.prompt_edit, "negative_prompt": self.negative_edit}
        for key, edit in text.items():
            if isinstance(values.get(key), str):
                edit.setText(values[key])
        if values.get("mode") in [m.value for m in Mode]:
            self.set_mode(Mode(values["mode"]))
        if isinstance(values.get("seed"), int):
            self.seed_spin.setValue(min(MAX_SEED, max(0, values["seed"])))
        if isinstance(values.get("candidates"), int):
            self.candidates_spin.setValue(values["candidates"])
        self._load_quality(values)

    def _load_quality(self, values: dict[str, Any]) -> None:
        preset = values.get("preset")
        if preset in [p.value for p in PRESETS]:
            self.preset.set_preset(Preset(preset).value)
        advanced = self.advanced
        if values.get("sampler") in [s.value for s in SamplerName]:
            advanced.sampler_combo.setCurrentIndex(advanced.sampler_combo.findData(values["sampler"]))
        for key, spin in (("steps", advanced.steps_spin), ("upsample_steps", advanced.upsample_steps_spin)):
            if isinstance(values.get(key), int):
                spin.setValue(values[key])
        for key, box in (("guidance", advanced.guidance_spin), ("clip_guidance", advanced.clip_spin),
                         ("strength", self.strength_spin)):
            if isinstance(values.get(key), (int, float)):
                box.setValue(float(values[key]))
        if isinstance(values.get("context"), (int, float)):
            self.context_spin.setValue(round(values["context"] * 100))
        if "feather" in values:
            feather = values["feather"]
            self.feather_spin.setValue(-1 if not isinstance(feather, (int, float)) else round(feather))
        if isinstance(values.get("match_colour"), bool):
            self.match_check.setChecked(values["match_colour"])
        if preset == CUSTOM or preset not in [p.value for p in PRESETS]:
            self.preset.combo.setCurrentIndex(self.preset.combo.findData(CUSTOM))

    def set_busy(self, busy: bool) -> None:
        """Cancel and the progress bar are on while a job runs; Generate stays on (requests queue)."""
        self._busy = busy
        self.cancel_button.setEnabled(busy)
        self.progress_bar.setVisible(busy)
        self.time_label.setVisible(busy)
        self.generate_button.setText("Add to queue" if busy else "Generate")
        if busy:
            self.progress_bar.setRange(0, 0)  # busy indicator until the first step: models are loading
            self.progress_bar.setFormat("Loading the models…")
            self.time_label.setText("")

    def show_progress(self, progress: Progress, elapsed: float, remaining: float) -> None:
        """One sampler step: the stage's name, step / total, elapsed and remaining time."""
        stage = STAGE_LABELS.get(progress.stage, progress.stage)
        self.progress_bar.setRange(0, max(1, progress.total))
        self.progress_bar.setValue(progress.step)
        self.progress_bar.setFormat(f"{stage}: step %v of %m")
        self.time_label.setText(f"{stage}: {format_duration(elapsed)} so far, "
                                f"about {format_duration(remaining)} left")

    def show_estimate(self, text: str) -> None:
        """The quality preset's expected time."""
        self.estimate_label.setText(text)

    def show_resolution(self, text: str, warning: bool) -> None:
        """The crop's effective resolution; a warning is drawn in an alert colour."""
        self.resolution_label.setText(text)
        self.resolution_label.setStyleSheet("color: #f0a040;" if warning else "")

    @property
    def models_dir(self) -> Path:
        """The models folder, asked of its owner (engine.locations) each time: a new choice applies now."""
        return Path(self._models_folder())

    def show_status(self, text: str) -> None:
        """A line under the buttons saying what happens or what happened."""
        self.status_label.setText(text)

    # --- actions ---------------------------------------------------------------------------------
    def generate(self) -> None:
        """Start (or queue) a generation, or explain which model files must be downloaded first."""
        settings, folder = self.settings(), self.models_dir
        missing = locations.missing_files(folder, settings.mode, settings.clip_guidance > 0)
        if missing:
            text = locations.describe_missing(folder, missing) + "\n\nDownload them now?"
            buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
            answer = QMessageBox.information(self, "Model files missing", text, buttons,
                                             QMessageBox.StandardButton.Yes)
            if answer == QMessageBox.StandardButton.Yes:
                self.modelsRequested.emit()
            return
        if not settings.prompt:
            QMessageBox.information(self, "Generate", "Type a prompt describing the picture first.")
            return
        self.generateRequested.emit(settings)

    def cancel(self) -> None:
        """Ask the running generation to stop."""
        if self._busy:
            self.show_status("Cancelling…")
            self.cancelRequested.emit()
