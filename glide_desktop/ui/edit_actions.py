"""Edit commands of the main window: selection changes (the clipboard lives in clipboard.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from glide_desktop.document import commands
from glide_desktop.document.selection import Selection
from glide_desktop.ui.dialogs import AmountDialog

if TYPE_CHECKING:
    from glide_desktop.ui.main_window import MainWindow


class EditActions:
    """Mixin for MainWindow: clipboard and selection commands."""

    def copy(self: MainWindow) -> bool:
        """Copy the selected part of the active layer (or all of it) to the clipboard."""
        return self.clipboard.copy()

    def paste_as_layer(self: MainWindow) -> bool:
        """Add the clipboard image as a new layer above the active one."""
        return self.clipboard.paste_as_layer()

    def change_selection(self: MainWindow, change: Callable[[Selection], object], text: str) -> bool:
        """Apply change to a copy of the selection and push it as one step (nothing when unchanged)."""
        if self.document is None:
            return False
        command = commands.SetSelection.from_change(self.document, change, text)
        if command.rect.is_empty():
            return False
        self.push(command)
        return True

    def select_all(self: MainWindow) -> bool:
        """Select the whole document."""
        return self.change_selection(Selection.select_all, "Select all")

    def deselect(self: MainWindow) -> bool:
        """Select nothing."""
        return self.change_selection(Selection.clear, "Deselect")

    def invert_selection(self: MainWindow) -> bool:
        """Select what was not selected."""
        return self.change_selection(Selection.invert, "Invert selection")

    def grow_selection(self: MainWindow, px: int) -> bool:
        """Grow the selection by px pixels."""
        return self.change_selection(lambda s: s.grow(px), f"Grow selection {px} px")

    def shrink_selection(self: MainWindow, px: int) -> bool:
        """Shrink the selection by px pixels."""
        return self.change_selection(lambda s: s.shrink(px), f"Shrink selection {px} px")

    def feather_selection(self: MainWindow, px: int) -> bool:
        """Soften the selection's edge over about px pixels."""
        return self.change_selection(lambda s: s.feather(px), f"Feather selection {px} px")

    def _ask_amount(self: MainWindow, title: str, label: str, apply: Callable[[int], bool]) -> None:
        if self.document is None or self.document.selection.is_empty():
            self.statusBar().showMessage("Select something first", 4000)
            return
        dialog = AmountDialog(title, label, 4, self)
        if dialog.exec():
            apply(dialog.amount())

    def grow_with_dialog(self: MainWindow) -> None:
        """Ask how far to grow the selection."""
        self._ask_amount("Grow Selection", "Grow by:", self.grow_selection)

    def shrink_with_dialog(self: MainWindow) -> None:
        """Ask how far to shrink the selection."""
        self._ask_amount("Shrink Selection", "Shrink by:", self.shrink_selection)

    def feather_with_dialog(self: MainWindow) -> None:
        """Ask for the feather radius."""
        self._ask_amount("Feather Selection", "Feather radius:", self.feather_selection)
