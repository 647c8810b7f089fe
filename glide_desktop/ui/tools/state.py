"""Settings shared by the tools and their options bar, saved to QSettings between sessions."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QSettings, Signal

from glide_desktop.document.selection import SelectionOp

MIN_SIZE, MAX_SIZE = 1, 1000
SIZE_STEPS = ((10, 1), (50, 5), (100, 10), (300, 25), (MAX_SIZE + 1, 50))  # (below, step) for [ and ]


def size_step(size: float, direction: int) -> int:
    """The next brush size for [ (direction < 0) or ] (direction > 0), in editor-like steps."""
    size = int(round(size))
    if direction > 0:
        step = next(s for below, s in SIZE_STEPS if size < below)
        return min(MAX_SIZE, (size // step + 1) * step)
    step = next(s for below, s in SIZE_STEPS if size - 1 < below)
    return max(MIN_SIZE, -(-size // step) * step - step)


@dataclass
class BrushOptions:
    """Diameter in pixels, hardness and opacity in [0, 1]."""

    size: float = 20.0
    hardness: float = 0.8
    opacity: float = 1.0


def _clamp01(value: float) -> float:
    return float(min(1.0, max(0.0, value)))


class ToolState(QObject):
    """Brush options per painting tool, the colour, the wand tolerance and the selection mode."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.brushes: dict[str, BrushOptions] = {
            "brush": BrushOptions(20.0, 0.8, 1.0),
            "eraser": BrushOptions(40.0, 0.8, 1.0),
            "selection_brush": BrushOptions(60.0, 0.5, 1.0),
        }
        self.color: tuple[int, int, int] = (0, 0, 0)
        self.tolerance = 32
        self.contiguous = True
        self.selection_mode = SelectionOp.REPLACE

    def set_brush(self, tool: str, size: float | None = None, hardness: float | None = None,
                  opacity: float | None = None) -> None:
        """Change one painting tool's options (None keeps a value)."""
        options = self.brushes[tool]
        if size is not None:
            options.size = float(min(MAX_SIZE, max(MIN_SIZE, size)))
        if hardness is not None:
            options.hardness = _clamp01(hardness)
        if opacity is not None:
            options.opacity = _clamp01(opacity)
        self.changed.emit()

    def set_color(self, rgb: tuple[int, int, int]) -> None:
        """The paint colour, 8-bit RGB."""
        self.color = tuple(int(min(255, max(0, c))) for c in rgb[:3])  # type: ignore[assignment]
        self.changed.emit()

    def set_tolerance(self, tolerance: int) -> None:
        """Magic wand tolerance, 0..255 per channel."""
        self.tolerance = int(min(255, max(0, tolerance)))
        self.changed.emit()

    def set_contiguous(self, contiguous: bool) -> None:
        """Magic wand selects only the connected region (True) or every similar pixel."""
        self.contiguous = bool(contiguous)
        self.changed.emit()

    def set_selection_mode(self, mode: SelectionOp | str) -> None:
        """How selection tools combine with the existing selection when no modifier is held."""
        self.selection_mode = SelectionOp(mode)
        self.changed.emit()

    def save(self, settings: QSettings) -> None:
        """Write everything under the "tools/" group."""
        settings.beginGroup("tools")
        for name, options in self.brushes.items():
            settings.setValue(f"{name}/size", float(options.size))
            settings.setValue(f"{name}/hardness", float(options.hardness))
            settings.setValue(f"{name}/opacity", float(options.opacity))
        settings.setValue("color", "#{:02x}{:02x}{:02x}".format(*self.color))
        settings.setValue("tolerance", int(self.tolerance))
        settings.setValue("contiguous", bool(self.contiguous))
        settings.endGroup()

    def load(self, settings: QSettings) -> None:
        """Read what save() wrote; missing or malformed values keep their defaults."""
        settings.beginGroup("tools")
        try:
            for name, options in self.brushes.items():
                size = _number(settings, f"{name}/size", options.size)
                options.size = float(min(MAX_SIZE, max(MIN_SIZE, size)))
                options.hardness = _clamp01(_number(settings, f"{name}/hardness", options.hardness))
                options.opacity = _clamp01(_number(settings, f"{name}/opacity", options.opacity))
            self.color = _parse_color(settings.value("color", ""), self.color)
            self.tolerance = int(min(255, max(0, _number(settings, "tolerance", self.tolerance))))
            contiguous = settings.value("contiguous", self.contiguous)
            if not isinstance(contiguous, bool):
                contiguous = str(contiguous).lower() == "true"
            self.contiguous = contiguous
        finally:
            settings.endGroup()
        self.changed.emit()


def _number(settings: QSettings, key: str, default: float) -> float:
    try:
        return float(settings.value(key, default))
    except (TypeError, ValueError):
        return float(default)


def _parse_color(text: object, default: tuple[int, int, int]) -> tuple[int, int, int]:
    value = str(text).lstrip("#")
    if len(value) != 6:
        return default
    try:
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except ValueError:
        return default
