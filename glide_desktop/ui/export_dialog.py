"""Export options: JPEG/WebP quality and what transparency is flattened onto (PNG needs no questions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from glide_desktop.ui.adjustments.widgets import SliderRow

DEFAULT_QUALITY = 92
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class ExportOptions:
    """How to write a flat file: quality (JPEG/WebP) and the flattening colour (None keeps transparency)."""

    quality: int = DEFAULT_QUALITY
    background: tuple[int, int, int] | None = None


class ColourButton(QPushButton):
    """A swatch button that opens the colour picker."""

    def __init__(self, rgb: tuple[int, int, int] = WHITE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(90)
        self.clicked.connect(self.choose)
        self.set_colour(rgb)

    def set_colour(self, rgb: tuple[int, int, int]) -> None:
        self.rgb = tuple(int(v) for v in rgb)
        colour = QColor(*self.rgb)
        ink = "#000" if colour.lightness() > 128 else "#fff"
        self.setText(colour.name())
        self.setStyleSheet(f"background-color: {colour.name()}; color: {ink};")

    def choose(self) -> None:
        colour = QColorDialog.getColor(QColor(*self.rgb), self, "Flatten Transparency Onto")
        if colour.isValid():
            self.set_colour((colour.red(), colour.green(), colour.blue()))


class ExportOptionsDialog(QDialog):
    """Asks JPEG or WebP quality; says how transparency is flattened (JPEG always, WebP if asked)."""

    def __init__(self, fmt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fmt = fmt
        self.setWindowTitle(f"Export {fmt.title() if fmt == 'WEBP' else fmt}")
        self.setObjectName("ExportOptionsDialog")
        self.quality = SliderRow(1, 100, DEFAULT_QUALITY)
        self.colour = ColourButton()
        self.flatten = QCheckBox("&Flatten transparency onto:")
        form = QFormLayout(self)
        form.addRow("&Quality:", self.quality)
        if fmt == "JPEG":
            note = QLabel("JPEG cannot store transparency: transparent areas will be flattened onto white "
                          "(or the colour you choose here).")
            note.setWordWrap(True)
            form.addRow(note)
            form.addRow("Background:", self.colour)
        else:
            note = QLabel("WebP keeps transparency unless you flatten it.")
            form.addRow(note)
            form.addRow(self.flatten, self.colour)
            self.colour.setEnabled(False)
            self.flatten.toggled.connect(self.colour.setEnabled)
        details = QLabel("The generation details (prompt, seed, settings) go into the EXIF description "
                         "(PNG keeps them in text chunks).")
        details.setWordWrap(True)
        form.addRow(details)
        ok, cancel = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok | cancel)
        buttons.button(ok).setText("&Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(420)

    def options(self) -> ExportOptions:
        """What the artist chose."""
        flatten = self.fmt == "JPEG" or self.flatten.isChecked()
        return ExportOptions(self.quality.value(), self.colour.rgb if flatten else None)


def _int(value: object, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def export_format(path: Path) -> str | None:
    """JPEG or WEBP when the file asks for options, None otherwise (PNG, unknown)."""
    return {".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}.get(Path(path).suffix.lower())


def ask_export_options(parent: QWidget, path: Path, chosen: Callable[[ExportOptions], object],
                       settings: QSettings | None = None) -> ExportOptionsDialog | None:
    """Open the options dialog for path (window-modal) and call chosen(options) on Export.

    PNG asks nothing: chosen is called at once and None is returned. settings remember the last quality
    and colour per format.
    """
    fmt = export_format(path)
    if fmt is None:
        chosen(ExportOptions())
        return None
    dialog = ExportOptionsDialog(fmt, parent)
    key = f"export/{fmt.lower()}"
    if settings is not None:
        dialog.quality.setValue(_int(settings.value(f"{key}Quality"), DEFAULT_QUALITY))
        dialog.colour.set_colour(QColor(str(settings.value(f"{key}Background", "#ffffff"))).getRgb()[:3])

    def finished(result: int) -> None:
        if result == QDialog.DialogCode.Accepted:
            options = dialog.options()
            if settings is not None:
                settings.setValue(f"{key}Quality", options.quality)
                settings.setValue(f"{key}Background", QColor(*dialog.colour.rgb).name())
            chosen(options)
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()
    return dialog
