"""Free Transform's options: width and height in percent, angle, the centre's place, Apply and Cancel.

Shown in the tool options bar while a transform runs; typing a value changes the box as dragging does.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QWidget

from glide_desktop.document.transform_box import TransformBox


def _spin(suffix: str, low: float, high: float, decimals: int, tip: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)  # change the box when a value is complete, not per keystroke
    spin.setToolTip(tip)
    return spin


class TransformBar(QWidget):
    """The numbers of a transform box; boxEdited carries the box the artist typed."""

    boxEdited = Signal(object)
    applyRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("free_transform_options")
        self._box: TransformBox | None = None
        self.width_spin = _spin(" %", -10000, 10000, 1, "Width, percent of the original (negative: flipped)")
        self.height_spin = _spin(" %", -10000, 10000, 1, "Height, percent of the original")
        self.angle_spin = _spin("°", -180, 180, 1, "Angle, clockwise")
        self.x_spin = _spin(" px", -1e6, 1e6, 1, "Centre, from the image's left edge")
        self.y_spin = _spin(" px", -1e6, 1e6, 1, "Centre, from the image's top edge")
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Apply the transform (Enter)")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Put everything back (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(QLabel("Free Transform"))
        for label, spin in (("W:", self.width_spin), ("H:", self.height_spin), ("Angle:", self.angle_spin),
                            ("X:", self.x_spin), ("Y:", self.y_spin)):
            layout.addSpacing(6)
            layout.addWidget(QLabel(label))
            layout.addWidget(spin)
            spin.valueChanged.connect(self._edited)
        layout.addSpacing(12)
        layout.addWidget(self.apply_button)
        layout.addWidget(self.cancel_button)
        layout.addStretch(1)
        self.apply_button.clicked.connect(self.applyRequested)
        self.cancel_button.clicked.connect(self.cancelRequested)

    def show_box(self, box: TransformBox) -> None:
        """Show the box's numbers (no boxEdited for them)."""
        self._box = box
        values = ((self.width_spin, box.sx * 100), (self.height_spin, box.sy * 100),
                  (self.angle_spin, box.angle), (self.x_spin, box.cx), (self.y_spin, box.cy))
        for spin, value in values:
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)

    def _edited(self) -> None:
        if self._box is None:
            return
        sx, sy = self.width_spin.value() / 100, self.height_spin.value() / 100
        box = self._box
        box = replace(box, sx=sx if abs(sx) > 1e-3 else box.sx, sy=sy if abs(sy) > 1e-3 else box.sy,
                      angle=self.angle_spin.value(), cx=self.x_spin.value(), cy=self.y_spin.value())
        if box != self._box:
            self._box = box
            self.boxEdited.emit(box)
