"""Small modal dialogs: new image size, selection grow/shrink/feather amount."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

MAX_SIDE = 16384

BACKGROUNDS = {"White": (255, 255, 255, 255), "Black": (0, 0, 0, 255), "Transparent": (0, 0, 0, 0)}


class NewImageDialog(QDialog):
    """Asks for the new image's width, height and background."""

    def __init__(self, width: int = 1024, height: int = 768, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Image")
        self.width_box = pixel_box(width, 1, MAX_SIDE)
        self.height_box = pixel_box(height, 1, MAX_SIDE)
        self.background_box = QComboBox()
        self.background_box.addItems(list(BACKGROUNDS))
        form = QFormLayout(self)
        form.addRow("&Width:", self.width_box)
        form.addRow("&Height:", self.height_box)
        form.addRow("&Background:", self.background_box)
        form.addRow(ok_cancel(self))

    def image_size(self) -> tuple[int, int]:
        """The chosen (width, height) in pixels."""
        return self.width_box.value(), self.height_box.value()

    def background(self) -> tuple[int, int, int, int]:
        """The chosen background colour as RGBA."""
        return BACKGROUNDS[self.background_box.currentText()]


class AmountDialog(QDialog):
    """Asks for a pixel amount (grow, shrink or feather the selection)."""

    def __init__(self, title: str, label: str, value: int = 4, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.amount_box = pixel_box(value, 1, 500)
        form = QFormLayout(self)
        form.addRow(label, self.amount_box)
        form.addRow(ok_cancel(self))

    def amount(self) -> int:
        """The chosen amount in pixels."""
        return self.amount_box.value()


def pixel_box(value: int, low: int, high: int) -> QSpinBox:
    """A spin box of whole pixels between low and high."""
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(int(value))
    box.setSuffix(" px")
    return box


def ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    """OK and Cancel buttons that accept or reject dialog."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons
