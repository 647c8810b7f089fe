"""The options bar contents: one small widget per tool, kept in sync with the shared ToolState."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QColorDialog,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QToolButton,
    QWidget,
)

from glide_desktop.document.selection import SelectionOp
from glide_desktop.ui.tools.base import Tool
from glide_desktop.ui.tools.state import MAX_SIZE, MIN_SIZE, ToolState

_MODES = (
    (SelectionOp.REPLACE, "New", "Replace the selection"),
    (SelectionOp.ADD, "Add", "Add to the selection (hold Shift)"),
    (SelectionOp.SUBTRACT, "Subtract", "Subtract from the selection (hold Alt)"),
    (SelectionOp.INTERSECT, "Intersect", "Intersect with the selection (hold Shift+Alt)"),
)
# The style's sunken look for a checked button is barely visible on a dark palette: fill it instead.
_MODE_STYLE = ("QToolButton:checked { background-color: palette(highlight); color: palette(highlighted-text);"
               " border: 1px solid palette(highlight); border-radius: 3px; }")


def _row(parent: QWidget) -> QHBoxLayout:
    layout = QHBoxLayout(parent)
    layout.setContentsMargins(4, 0, 4, 0)
    layout.setSpacing(6)
    return layout


def _spin(name: str, low: int, high: int, suffix: str, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    spin.setToolTip(tip)
    spin.setKeyboardTracking(False)
    return spin


def _swatch(rgb: tuple[int, int, int]) -> QIcon:
    pixmap = QPixmap(20, 20)
    pixmap.fill(QColor(*rgb))
    return QIcon(pixmap)


class BrushOptionsWidget(QWidget):
    """Size (slider and spin box), hardness, opacity and, for the brush, the colour button."""

    def __init__(self, state: ToolState, tool: str, with_color: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.state, self.tool = state, tool
        layout = _row(self)
        layout.addWidget(QLabel("Size"))
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setObjectName("size_slider")
        self.size_slider.setRange(MIN_SIZE, 300)
        self.size_slider.setFixedWidth(120)
        self.size_slider.setToolTip("Brush diameter ([ smaller, ] larger)")
        layout.addWidget(self.size_slider)
        self.size = _spin("size", MIN_SIZE, MAX_SIZE, " px", "Brush diameter ([ smaller, ] larger)")
        layout.addWidget(self.size)
        layout.addWidget(QLabel("Hardness"))
        self.hardness = _spin("hardness", 0, 100, " %", "Edge hardness: 100 % is a crisp edge")
        layout.addWidget(self.hardness)
        layout.addWidget(QLabel("Opacity"))
        self.opacity = _spin("opacity", 0, 100, " %", "Stroke opacity")
        layout.addWidget(self.opacity)
        self.color: QToolButton | None = None
        if with_color:
            self.color = QToolButton()
            self.color.setObjectName("color")
            self.color.setToolTip("Paint colour (click to choose; I picks from the image)")
            self.color.clicked.connect(self._choose_color)
            layout.addWidget(self.color)
        layout.addStretch(1)
        self.size_slider.valueChanged.connect(lambda v: state.set_brush(tool, size=v))
        self.size.valueChanged.connect(lambda v: state.set_brush(tool, size=v))
        self.hardness.valueChanged.connect(lambda v: state.set_brush(tool, hardness=v / 100))
        self.opacity.valueChanged.connect(lambda v: state.set_brush(tool, opacity=v / 100))
        state.changed.connect(self.sync)
        self.sync()

    def sync(self) -> None:
        """Show the state's current values without echoing them back."""
        options = self.state.brushes[self.tool]
        for widget, value in ((self.size_slider, options.size), (self.size, options.size),
                              (self.hardness, options.hardness * 100), (self.opacity, options.opacity * 100)):
            with QSignalBlocker(widget):
                widget.setValue(int(round(value)))
        if self.color is not None:
            self.color.setIcon(_swatch(self.state.color))

    def _choose_color(self) -> None:
        chosen = QColorDialog.getColor(QColor(*self.state.color), self, "Paint colour")
        if chosen.isValid():
            self.state.set_color((chosen.red(), chosen.green(), chosen.blue()))


class SelectionOptionsWidget(QWidget):
    """Selection mode buttons and, for the magic wand, tolerance and contiguity."""

    def __init__(self, state: ToolState, with_wand: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        layout = _row(self)
        self.modes = QButtonGroup(self)
        self.modes.setExclusive(True)
        for op, text, tip in _MODES:
            button = QToolButton()
            button.setObjectName(f"mode_{op.value}")
            button.setText(text)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setStyleSheet(_MODE_STYLE)
            self.modes.addButton(button)
            layout.addWidget(button)
            button.toggled.connect(lambda on, op=op: on and state.set_selection_mode(op))
        self.tolerance: QSpinBox | None = None
        self.contiguous: QCheckBox | None = None
        if with_wand:
            layout.addWidget(QLabel("Tolerance"))
            self.tolerance = _spin(
                "tolerance", 0, 255, "", "How far a colour may differ, per channel (0-255)")
            self.tolerance.valueChanged.connect(state.set_tolerance)
            layout.addWidget(self.tolerance)
            self.contiguous = QCheckBox("Contiguous")
            self.contiguous.setObjectName("contiguous")
            self.contiguous.setToolTip("Only the connected region around the click")
            self.contiguous.toggled.connect(state.set_contiguous)
            layout.addWidget(self.contiguous)
        layout.addStretch(1)
        state.changed.connect(self.sync)
        self.sync()

    def sync(self) -> None:
        """Show the state's current values without echoing them back."""
        for button in self.modes.buttons():
            with QSignalBlocker(button):
                button.setChecked(button.objectName() == f"mode_{self.state.selection_mode.value}")
        if self.tolerance is not None and self.contiguous is not None:
            with QSignalBlocker(self.tolerance):
                self.tolerance.setValue(self.state.tolerance)
            with QSignalBlocker(self.contiguous):
                self.contiguous.setChecked(self.state.contiguous)


class HintWidget(QWidget):
    """A one-line hint for tools without settings; the picker also shows the current colour."""

    def __init__(self, state: ToolState, text: str, with_color: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        layout = _row(self)
        self.swatch: QLabel | None = None
        if with_color:
            self.swatch = QLabel()
            self.swatch.setObjectName("color_swatch")
            layout.addWidget(self.swatch)
            state.changed.connect(self.sync)
            self.sync()
        layout.addWidget(QLabel(text))
        layout.addStretch(1)

    def sync(self) -> None:
        """Show the current paint colour."""
        if self.swatch is not None:
            self.swatch.setPixmap(_swatch(self.state.color).pixmap(20, 20))


def options_widget(tool: Tool, state: ToolState) -> QWidget:
    """The options-bar widget for one tool (object name "options_<tool name>")."""
    widget: QWidget
    if tool.name in state.brushes:
        widget = BrushOptionsWidget(state, tool.name, with_color=tool.name == "brush")
    elif tool.name in ("rect_select", "ellipse_select", "lasso", "polygon_lasso", "magic_wand"):
        widget = SelectionOptionsWidget(state, with_wand=tool.name == "magic_wand")
    else:
        widget = HintWidget(state, tool.description[:1].upper() + tool.description[1:],
                            with_color=tool.name == "color_picker")
    widget.setObjectName(f"options_{tool.name}")
    return widget
