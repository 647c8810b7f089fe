"""Edit → Preferences…: the Precision setting (Auto / fp32 / bf16), kept in QSettings."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from glide_desktop.engine.cpu_features import cpu_model, native_bf16_flags
from glide_desktop.engine.types import Precision

PRECISION_KEY = "generation/precision"
PRECISION_LABELS = {
    Precision.AUTO: "Auto (bf16 where this CPU computes it natively, else fp32)",
    Precision.FP32: "fp32 (exact, as the official notebooks)",
    Precision.BF16: "bf16 (about 2–3× faster on CPUs with AMX or AVX512-BF16)",
}


def precision_setting(settings: QSettings) -> Precision:
    """The saved Precision, Auto when none (or an unknown value) is saved."""
    try:
        return Precision(str(settings.value(PRECISION_KEY, Precision.AUTO.value)))
    except ValueError:
        return Precision.AUTO


def bf16_note() -> str:
    """One line saying whether this machine's CPU computes bf16 natively."""
    flags = native_bf16_flags()
    if flags:
        return f"{cpu_model()} computes bf16 natively ({', '.join(flags)})."
    return f"{cpu_model()} has no native bf16: Auto uses fp32, and bf16 is not offered."


class PreferencesDialog(QDialog):
    """Settings that apply to every generation; OK saves them."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings
        self.precision = QComboBox()
        for value, label in PRECISION_LABELS.items():
            self.precision.addItem(label, value.value)
        if not native_bf16_flags():
            # Emulated bf16 runs many times slower than fp32: never offer it there.
            self.precision.model().item(list(PRECISION_LABELS).index(Precision.BF16)).setEnabled(False)
        self.precision.setCurrentIndex(self.precision.findData(precision_setting(settings).value))
        note = QLabel(bf16_note() + " The Notebook preset always computes in fp32.")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Precision:", self.precision)
        choice = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(choice.Ok | choice.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def accept(self) -> None:
        """Save the choices, then close."""
        self.settings.setValue(PRECISION_KEY, self.precision.currentData())
        super().accept()
