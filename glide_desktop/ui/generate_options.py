"""The Generate panel's settings: mode, quality preset and the Advanced section that a preset fills in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from glide_desktop.engine.presets import DEFAULT_PRESET, PRESETS, Preset
from glide_desktop.engine.types import GenerationRequest, Mode, Precision, SamplerName

CUSTOM = "custom"  # the preset combo's entry once an Advanced value differs from every preset
_DEFAULTS = GenerationRequest(mode=Mode.TEXT2IM, prompt="")
MODE_LABELS = {
    Mode.INPAINT: "Inpaint selection",
    Mode.TEXT2IM: "New image from text",
    Mode.VARIATION: "Variation of the selection",
    Mode.SKETCH: "Sketch to image",
}
PRESET_LABELS = {Preset.DRAFT: "Draft", Preset.BALANCED: "Balanced", Preset.NOTEBOOK: "Notebook (official)"}
SAMPLER_LABELS = {
    SamplerName.ANCESTRAL: "Ancestral (DDPM)",
    SamplerName.DDIM: "DDIM",
    SamplerName.DPMPP_2M: "DPM++ 2M",
}
AUTO_SAMPLER = "auto"  # the upsampler's sampler left to the notebooks' choice for the mode


@dataclass(frozen=True)
class GenerationSettings:
    """What the artist chose in the panel (the seed already drawn when the box says Random)."""

    prompt: str
    negative_prompt: str
    seed: int
    sampler: SamplerName
    steps: int
    guidance: float
    mode: Mode = Mode.TEXT2IM
    preset: str = DEFAULT_PRESET.value  # a Preset's value or "custom"
    candidates: int = 4
    upsample_steps: int = 12
    upsample_sampler: SamplerName | None = None
    clip_guidance: float = 0.0
    strength: float = 0.6
    context: float = 0.25  # context on each side of the selection, fraction of its longer side
    by_region: bool = False  # separate selected regions each get their own crop
    feather: float | None = None  # document px of soft edge inside the selection; None: automatic
    match_colour: bool = False  # shift the result's colours to match the pixels around the selection
    precision: Precision = Precision.AUTO  # from Edit → Generation Settings, not the panel


def _combo(items: dict[Any, str]) -> QComboBox:
    combo = QComboBox()
    for value, label in items.items():
        combo.addItem(label, value.value if hasattr(value, "value") else value)
    return combo


class AdvancedOptions(QWidget):
    """Sampler, steps, upsampler steps, guidance and CLIP guidance; hidden behind a toggle."""

    edited = Signal()  # the artist changed a value by hand

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sampler_combo = _combo(SAMPLER_LABELS)
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(2, 1000)
        self.steps_spin.setToolTip("Sampler steps of the 64 px stage: more is slower and finer")
        self.upsample_sampler_combo = _combo({AUTO_SAMPLER: "As the notebooks", **SAMPLER_LABELS})
        self.upsample_steps_spin = QSpinBox()
        self.upsample_steps_spin.setRange(2, 1000)
        self.upsample_steps_spin.setToolTip("Sampler steps of the 256 px upsampler, per chosen candidate")
        self.guidance_spin = QDoubleSpinBox()
        self.guidance_spin.setRange(0.0, 30.0)
        self.guidance_spin.setSingleStep(0.5)
        self.guidance_spin.setDecimals(1)
        self.guidance_spin.setValue(_DEFAULTS.guidance)
        self.guidance_spin.setToolTip("How closely the picture follows the prompt (classifier-free guidance)")
        self.clip_spin = QDoubleSpinBox()
        self.clip_spin.setRange(0.0, 20.0)
        self.clip_spin.setSingleStep(0.5)
        self.clip_spin.setDecimals(1)
        self.clip_spin.setSpecialValueText("Off")
        self.clip_spin.setToolTip("CLIP guidance scale (the notebook uses 3): steers the base stage with "
                                  "the noised CLIP instead of classifier-free guidance. Needs the CLIP "
                                  "files; not for inpainting.")
        form = QFormLayout(self)
        form.setContentsMargins(12, 0, 0, 0)
        form.addRow("Sampler:", self.sampler_combo)
        form.addRow("Steps:", self.steps_spin)
        form.addRow("Upsampler:", self.upsample_sampler_combo)
        form.addRow("Upsampler steps:", self.upsample_steps_spin)
        form.addRow("Guidance:", self.guidance_spin)
        form.addRow("CLIP guidance:", self.clip_spin)
        for combo in (self.sampler_combo, self.upsample_sampler_combo):
            combo.activated.connect(self.edited)
        for spin in (self.steps_spin, self.upsample_steps_spin):
            spin.valueChanged.connect(self._on_value)
        self._filling = False

    def _on_value(self, _value: object) -> None:
        if not self._filling:
            self.edited.emit()

    def fill(self, preset: Preset) -> None:
        """Show the preset's sampler and steps (without counting as an edit)."""
        values = PRESETS[preset]
        self._filling = True
        try:
            self.sampler_combo.setCurrentIndex(self.sampler_combo.findData(values.sampler.value))
            self.steps_spin.setValue(values.steps)
            upsampler = values.upsample_sampler.value if values.upsample_sampler else AUTO_SAMPLER
            self.upsample_sampler_combo.setCurrentIndex(self.upsample_sampler_combo.findData(upsampler))
            self.upsample_steps_spin.setValue(values.upsample_steps)
        finally:
            self._filling = False

    def matching_preset(self) -> Preset | None:
        """The preset whose values the section shows, if any."""
        for preset, values in PRESETS.items():
            upsampler = values.upsample_sampler.value if values.upsample_sampler else AUTO_SAMPLER
            if (self.sampler_combo.currentData(), self.steps_spin.value(),
                    self.upsample_sampler_combo.currentData(), self.upsample_steps_spin.value()) == (
                    values.sampler.value, values.steps, upsampler, values.upsample_steps):
                return preset
        return None

    def upsample_sampler(self) -> SamplerName | None:
        """The chosen upsampler sampler; None leaves it to the notebooks' choice."""
        data = self.upsample_sampler_combo.currentData()
        return None if data == AUTO_SAMPLER else SamplerName(data)


class PresetChooser(QWidget):
    """The quality combo and the Advanced toggle; choosing a preset fills the Advanced section."""

    changed = Signal()

    def __init__(self, advanced: AdvancedOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.advanced = advanced
        self.combo = _combo(PRESET_LABELS)
        self.combo.addItem("Custom", CUSTOM)
        self.combo.setToolTip("Draft: quick look. Balanced: the default. Notebook: OpenAI's notebook recipe "
                              "(100 ancestral steps, then 27 upsampler steps), slowest.")
        self.toggle = QToolButton()
        self.toggle.setText("Advanced")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.toggled.connect(self._show_advanced)
        self.combo.activated.connect(self._on_chosen)
        advanced.edited.connect(self._on_edited)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        advanced.setVisible(False)
        self.set_preset(DEFAULT_PRESET.value)

    def preset(self) -> str:
        """The chosen preset's value, or "custom"."""
        return str(self.combo.currentData())

    def set_preset(self, value: str) -> None:
        """Choose a preset by value (custom keeps the Advanced values)."""
        index = self.combo.findData(value)
        self.combo.setCurrentIndex(index if index >= 0 else self.combo.findData(CUSTOM))
        if value != CUSTOM and index >= 0:
            self.advanced.fill(Preset(value))
        self.changed.emit()

    def _on_chosen(self, _index: int) -> None:
        self.set_preset(self.preset())

    def _on_edited(self) -> None:
        match = self.advanced.matching_preset()
        self.combo.setCurrentIndex(self.combo.findData(match.value if match else CUSTOM))
        self.changed.emit()

    def _show_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        arrow = Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        self.toggle.setArrowType(arrow)


def run_precision(preset: str, chosen: Precision) -> Precision:
    """The precision a run uses: the preset's own where it fixes one (Notebook: fp32), else the setting."""
    fixed = PRESETS[Preset(preset)].precision if preset in Preset.__members__.values() else None
    return chosen if fixed is None else fixed

