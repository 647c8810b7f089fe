"""The four adjustment dialogs; each says what it would do through adjustmentChanged (previewed live)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from glide_desktop.document.adjustments import (
    CHANNELS,
    IDENTITY_POINTS,
    Adjustment,
    BrightnessContrast,
    Curves,
    HueSaturation,
    Levels,
    LevelsChannel,
)
from glide_desktop.ui.adjustments.widgets import CHANNEL_COLOURS, CurveEditor, HistogramView, SliderRow

CHANNEL_NAMES = {"rgb": "RGB", "red": "Red", "green": "Green", "blue": "Blue"}


class AdjustmentDialog(QDialog):
    """Base: a Preview switch, Reset, OK and Cancel around the subclass's controls."""

    title = ""
    adjustmentChanged = Signal(object)
    previewToggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.title)
        self.setObjectName(type(self).__name__)
        self.body = QVBoxLayout()
        self.preview_box = QCheckBox("&Preview")
        self.preview_box.setChecked(True)
        self.preview_box.toggled.connect(self.previewToggled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.Reset)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Reset).clicked.connect(self.reset)
        self.buttons = buttons
        footer = QHBoxLayout()
        footer.addWidget(self.preview_box)
        footer.addStretch(1)
        footer.addWidget(buttons)
        outer = QVBoxLayout(self)
        outer.addLayout(self.body)
        outer.addLayout(footer)

    def adjustment(self) -> Adjustment:
        raise NotImplementedError

    def reset(self) -> None:
        """Back to the setting that changes nothing."""
        raise NotImplementedError

    def changed(self, *_args: object) -> None:
        self.adjustmentChanged.emit(self.adjustment())


class HueSaturationDialog(AdjustmentDialog):
    """Hue (degrees), saturation and lightness (percent)."""

    title = "Hue/Saturation"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hue = SliderRow(-180, 180, 0, "°")
        self.saturation = SliderRow(-100, 100, 0)
        self.lightness = SliderRow(-100, 100, 0)
        form = QFormLayout()
        form.addRow("&Hue:", self.hue)
        form.addRow("&Saturation:", self.saturation)
        form.addRow("&Lightness:", self.lightness)
        self.body.addLayout(form)
        for row in (self.hue, self.saturation, self.lightness):
            row.valueChanged.connect(self.changed)

    def adjustment(self) -> HueSaturation:
        return HueSaturation(self.hue.value(), self.saturation.value(), self.lightness.value())

    def reset(self) -> None:
        for row in (self.hue, self.saturation, self.lightness):
            row.setValue(0)


class BrightnessContrastDialog(AdjustmentDialog):
    """Brightness and contrast (-100..100)."""

    title = "Brightness/Contrast"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.brightness = SliderRow(-100, 100, 0)
        self.contrast = SliderRow(-100, 100, 0)
        form = QFormLayout()
        form.addRow("&Brightness:", self.brightness)
        form.addRow("&Contrast:", self.contrast)
        self.body.addLayout(form)
        for row in (self.brightness, self.contrast):
            row.valueChanged.connect(self.changed)

    def adjustment(self) -> BrightnessContrast:
        return BrightnessContrast(self.brightness.value(), self.contrast.value())

    def reset(self) -> None:
        self.brightness.setValue(0)
        self.contrast.setValue(0)


def _channel_box() -> QComboBox:
    box = QComboBox()
    for key in CHANNELS:
        box.addItem(CHANNEL_NAMES[key], key)
    return box


def _histogram_for(histograms: np.ndarray, channel: str) -> np.ndarray:
    return histograms[CHANNELS.index(channel)]


class LevelsDialog(AdjustmentDialog):
    """Input black, gamma and white, output black and white, per channel over its histogram."""

    title = "Levels"

    def __init__(self, histograms: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.histograms = histograms
        self.settings = {key: LevelsChannel() for key in CHANNELS}
        self.channel = _channel_box()
        self.histogram = HistogramView()
        self.black, self.white = _level_box(0), _level_box(255)
        self.gamma = QDoubleSpinBox()
        self.gamma.setRange(0.10, 9.99)
        self.gamma.setSingleStep(0.05)
        self.gamma.setValue(1.0)
        self.out_black, self.out_white = _level_box(0), _level_box(255)
        inputs, outputs = QHBoxLayout(), QHBoxLayout()
        for layout, boxes in ((inputs, (self.black, self.gamma, self.white)),
                              (outputs, (self.out_black, self.out_white))):
            for box in boxes:
                layout.addWidget(box)
        form = QFormLayout()
        form.addRow("&Channel:", self.channel)
        form.addRow(self.histogram)
        form.addRow("Input levels:", inputs)
        form.addRow("Output levels:", outputs)
        self.body.addLayout(form)
        self._loading = False
        self.channel.currentIndexChanged.connect(self._show_channel)
        for box in (self.black, self.white, self.out_black, self.out_white, self.gamma):
            box.valueChanged.connect(self._edited)
        self._show_channel()

    def current_channel(self) -> str:
        return self.channel.currentData()

    def _show_channel(self, *_args: object) -> None:
        key = self.current_channel()
        self.histogram.set_counts(_histogram_for(self.histograms, key), CHANNEL_COLOURS[key])
        setting = self.settings[key]
        self._loading = True
        for box, value in ((self.black, setting.black), (self.white, setting.white),
                           (self.gamma, setting.gamma), (self.out_black, setting.out_black),
                           (self.out_white, setting.out_white)):
            box.setValue(value)
        self._loading = False

    def _edited(self, *_args: object) -> None:
        if self._loading:
            return
        black = min(self.black.value(), self.white.value() - 1)
        self.settings[self.current_channel()] = LevelsChannel(
            black, max(black + 1, self.white.value()), round(self.gamma.value(), 2),
            self.out_black.value(), self.out_white.value())
        self.changed()

    def adjustment(self) -> Levels:
        return Levels(dict(self.settings))

    def reset(self) -> None:
        self.settings = {key: LevelsChannel() for key in CHANNELS}
        self._show_channel()
        self.changed()


def _level_box(value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, 255)
    box.setValue(value)
    return box


class CurvesDialog(AdjustmentDialog):
    """A curve per channel (the composite RGB curve applies after the colour ones)."""

    title = "Curves"

    def __init__(self, histograms: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.histograms = histograms
        self.curves = {key: IDENTITY_POINTS for key in CHANNELS}
        self.channel = _channel_box()
        self.editor = CurveEditor()
        hint = QLabel("Click to add a point, drag to move it, drag it off the graph to remove it.")
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Channel:", self.channel)
        self.body.addLayout(form)
        self.body.addWidget(self.editor, 1)
        self.body.addWidget(hint)
        self.channel.currentIndexChanged.connect(self._show_channel)
        self.editor.pointsChanged.connect(self._edited)
        self._show_channel()

    def current_channel(self) -> str:
        return self.channel.currentData()

    def _show_channel(self, *_args: object) -> None:
        key = self.current_channel()
        self.editor.set_points(list(self.curves[key]), CHANNEL_COLOURS[key],
                               _histogram_for(self.histograms, key))

    def _edited(self) -> None:
        self.curves[self.current_channel()] = tuple(self.editor.points)
        self.changed()

    def adjustment(self) -> Curves:
        return Curves(dict(self.curves))

    def reset(self) -> None:
        self.curves = {key: IDENTITY_POINTS for key in CHANNELS}
        self._show_channel()
        self.changed()
