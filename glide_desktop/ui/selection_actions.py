"""Select menu commands as a small controller: select all, deselect, invert, grow, shrink, feather."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from glide_desktop.document import commands
from glide_desktop.document.selection import Selection
from glide_desktop.ui.dialogs import AmountDialog
from glide_desktop.ui.editor_host import EditorHost, as_parent, tell


class SelectionActions(QObject):
    """Changes the host document's selection, each change one undo step."""

    def __init__(self, host: EditorHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host

    def change_selection(self, change: Callable[[Selection], object], text: str) -> bool:
        """Apply change to a copy of the selection and push it as one step (nothing when unchanged)."""
        doc = self.host.document
        if doc is None:
            return False
        command = commands.SetSelection.from_change(doc, change, text)
        if command.rect.is_empty():
            return False
        self.host.push(command)
        return True

    def select_all(self) -> bool:
        """Select the whole document."""
        return self.change_selection(Selection.select_all, "Select all")

    def deselect(self) -> bool:
        """Select nothing."""
        return self.change_selection(Selection.clear, "Deselect")

    def invert_selection(self) -> bool:
        """Select what was not selected."""
        return self.change_selection(Selection.invert, "Invert selection")

    def grow_selection(self, px: int) -> bool:
        """Grow the selection by px pixels."""
        return self.change_selection(lambda s: s.grow(px), f"Grow selection {px} px")

    def shrink_selection(self, px: int) -> bool:
        """Shrink the selection by px pixels."""
        return self.change_selection(lambda s: s.shrink(px), f"Shrink selection {px} px")

    def feather_selection(self, px: int) -> bool:
        """Soften the selection's edge over about px pixels."""
        return self.change_selection(lambda s: s.feather(px), f"Feather selection {px} px")

    def grow_with_dialog(self) -> None:
        """Ask how far to grow the selection."""
        self._ask_amount("Grow Selection", "Grow by:", self.grow_selection)

    def shrink_with_dialog(self) -> None:
        """Ask how far to shrink the selection."""
        self._ask_amount("Shrink Selection", "Shrink by:", self.shrink_selection)

    def feather_with_dialog(self) -> None:
        """Ask for the feather radius."""
        self._ask_amount("Feather Selection", "Feather radius:", self.feather_selection)

    def _ask_amount(self, title: str, label: str, apply: Callable[[int], bool]) -> None:
        doc = self.host.document
        if doc is None or doc.selection.is_empty():
            tell(self.host, "Select something first")
            return
        dialog = AmountDialog(title, label, 4, as_parent(self.host))
        if dialog.exec():
            apply(dialog.amount())
