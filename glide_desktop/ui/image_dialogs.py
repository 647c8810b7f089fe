"""Canvas Size (new size and where the old image sits) and Image Size (scale, aspect ratio kept)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QWidget,
)

from glide_desktop.document.transform_ops import ANCHORS
from glide_desktop.ui.dialogs import MAX_SIDE, ok_cancel, pixel_box

ARROWS = {  # what each anchor cell shows: the old image's dot, arrows pointing where the canvas grows
    (-1, -1): "↖", (0, -1): "↑", (1, -1): "↗", (-1, 0): "←", (1, 0): "→",
    (-1, 1): "↙", (0, 1): "↓", (1, 1): "↘",
}


class CanvasSizeDialog(QDialog):
    """Asks for the canvas's new width and height and the anchor (a 3 × 3 grid of buttons)."""

    def __init__(self, width: int, height: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Canvas Size")
        self.setObjectName("CanvasSizeDialog")
        self.old_size = (width, height)
        self.width_box, self.height_box = pixel_box(width, 1, MAX_SIDE), pixel_box(height, 1, MAX_SIDE)
        self.anchor_buttons: dict[str, QToolButton] = {}
        self.group = QButtonGroup(self)
        grid = QGridLayout()
        grid.setSpacing(2)
        for name, (fx, fy) in ANCHORS.items():
            button = QToolButton()
            button.setCheckable(True)
            button.setFixedSize(30, 30)
            button.setToolTip(f"Keep the image at the {name.replace('-', ' ')}")
            button.setObjectName(f"anchor-{name}")
            self.group.addButton(button)
            self.anchor_buttons[name] = button
            grid.addWidget(button, int(fy * 2), int(fx * 2))
        self.group.buttonToggled.connect(self._show_arrows)
        anchor = QWidget()
        anchor.setLayout(grid)
        self.anchor_buttons["center"].setChecked(True)
        form = QFormLayout(self)
        form.addRow(QLabel(f"Now {width} × {height} px"))
        form.addRow("&Width:", self.width_box)
        form.addRow("&Height:", self.height_box)
        form.addRow("&Anchor:", anchor)
        form.addRow(ok_cancel(self))

    def anchor(self) -> str:
        """The chosen anchor's name (a key of transform_ops.ANCHORS)."""
        return next(name for name, button in self.anchor_buttons.items() if button.isChecked())

    def set_anchor(self, name: str) -> None:
        self.anchor_buttons[name].setChecked(True)

    def canvas_size(self) -> tuple[int, int]:
        return self.width_box.value(), self.height_box.value()

    def _show_arrows(self, *_args: object) -> None:
        ax, ay = ANCHORS[self.anchor()]
        for name, button in self.anchor_buttons.items():
            fx, fy = ANCHORS[name]
            dx, dy = round((fx - ax) * 2), round((fy - ay) * 2)
            if (dx, dy) == (0, 0):
                button.setText("●")
            elif abs(dx) <= 1 and abs(dy) <= 1:
                button.setText(ARROWS[(dx, dy)])
            else:
                button.setText("")


class ImageSizeDialog(QDialog):
    """Asks for the image's new size; with Keep aspect ratio on, width and height follow each other."""

    def __init__(self, width: int, height: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Image Size")
        self.setObjectName("ImageSizeDialog")
        self.old_size = (width, height)
        self.width_box, self.height_box = pixel_box(width, 1, MAX_SIDE), pixel_box(height, 1, MAX_SIDE)
        self.keep_aspect = QCheckBox("&Keep aspect ratio")
        self.keep_aspect.setChecked(True)
        self.width_box.valueChanged.connect(self._width_changed)
        self.height_box.valueChanged.connect(self._height_changed)
        note = QLabel("Resampled with Lanczos (sharp, no halo on transparent edges).")
        note.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout(self)
        form.addRow(QLabel(f"Now {width} × {height} px"))
        form.addRow("&Width:", self.width_box)
        form.addRow("&Height:", self.height_box)
        form.addRow(self.keep_aspect)
        form.addRow(note)
        form.addRow(ok_cancel(self))
        self._syncing = False

    def image_size(self) -> tuple[int, int]:
        return self.width_box.value(), self.height_box.value()

    def _follow(self, box: QSpinBox, value: float) -> None:
        if not self.keep_aspect.isChecked() or self._syncing:
            return
        self._syncing = True
        box.setValue(max(1, min(MAX_SIDE, round(value))))
        self._syncing = False

    def _width_changed(self, width: int) -> None:
        old_w, old_h = self.old_size
        self._follow(self.height_box, width * old_h / old_w)

    def _height_changed(self, height: int) -> None:
        old_w, old_h = self.old_size
        self._follow(self.width_box, height * old_w / old_h)
