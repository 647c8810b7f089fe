"""The editor's look: Fusion style with a dark palette, like most professional image editors."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

_WINDOW = QColor(45, 45, 48)
_BASE = QColor(30, 30, 32)
_ALTERNATE = QColor(52, 52, 56)
_TEXT = QColor(220, 220, 220)
_DISABLED_TEXT = QColor(120, 120, 120)
_HIGHLIGHT = QColor(58, 110, 165)


def dark_palette() -> QPalette:
    """A dark palette that keeps enough contrast for text, selections and disabled items."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: _WINDOW,
        QPalette.ColorRole.WindowText: _TEXT,
        QPalette.ColorRole.Base: _BASE,
        QPalette.ColorRole.AlternateBase: _ALTERNATE,
        QPalette.ColorRole.ToolTipBase: _ALTERNATE,
        QPalette.ColorRole.ToolTipText: _TEXT,
        QPalette.ColorRole.PlaceholderText: _DISABLED_TEXT,
        QPalette.ColorRole.Text: _TEXT,
        QPalette.ColorRole.Button: _WINDOW,
        QPalette.ColorRole.ButtonText: _TEXT,
        QPalette.ColorRole.BrightText: QColor(255, 90, 90),
        QPalette.ColorRole.Link: QColor(100, 160, 230),
        QPalette.ColorRole.Highlight: _HIGHLIGHT,
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Mid: QColor(35, 35, 38),
        QPalette.ColorRole.Dark: QColor(25, 25, 27),
        QPalette.ColorRole.Light: QColor(70, 70, 74),
    }
    for role, colour in roles.items():
        palette.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, _DISABLED_TEXT)
    return palette


def apply_dark_theme(app: QApplication) -> None:
    """Switch the application to Fusion with the dark palette."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
