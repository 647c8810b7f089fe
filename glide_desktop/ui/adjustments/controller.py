"""Opens an adjustment dialog on the active layer, previews it on the canvas, applies it as one step."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu

from glide_desktop.document.adjust_preview import AdjustmentPreview
from glide_desktop.document.adjustments import histogram
from glide_desktop.ui.adjustments.dialogs import (
    AdjustmentDialog,
    BrightnessContrastDialog,
    CurvesDialog,
    HueSaturationDialog,
    LevelsDialog,
)
from glide_desktop.ui.adjustments.session import PreviewSession
from glide_desktop.ui.editor_host import EditorHost, as_parent, tell
from glide_desktop.ui.group_guard import group_refusal

# name: (menu text, shortcut, dialog factory taking (histograms, parent))
KINDS: dict[str, tuple[str, str | None, Callable[..., AdjustmentDialog]]] = {
    "hue_saturation": ("&Hue/Saturation…", "Ctrl+U", lambda _h, parent: HueSaturationDialog(parent)),
    "brightness_contrast": ("&Brightness/Contrast…", None,
                            lambda _h, parent: BrightnessContrastDialog(parent)),
    "levels": ("&Levels…", "Ctrl+L", LevelsDialog),
    "curves": ("&Curves…", "Ctrl+M", CurvesDialog),
}


class AdjustmentsMenu(QObject):
    """The Adjustments actions and the one dialog (with its preview session) open at a time."""

    def __init__(self, host: EditorHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.dialog: AdjustmentDialog | None = None
        self.session: PreviewSession | None = None
        self.actions: dict[str, QAction] = {}
        for name, (text, shortcut, _factory) in KINDS.items():
            action = QAction(text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.setStatusTip(f"Adjust the active layer's colours inside the selection: {text.strip('&…')}")
            action.triggered.connect(lambda _checked=False, kind=name: self.open(kind))
            self.actions[name] = action

    def menu(self, parent: QMenu) -> QMenu:
        """The Adjustments submenu, added to parent."""
        menu = parent.addMenu("&Adjustments")
        menu.addActions(list(self.actions.values()))
        return menu

    def open(self, kind: str) -> AdjustmentDialog | None:
        """Open kind's dialog (window-modal), previewing on the active layer; None: nothing to adjust."""
        doc = self.host.document
        if self.dialog is not None or doc is None:
            return self.dialog
        refusal = group_refusal(doc, "adjust")
        if refusal is not None:
            tell(self.host, refusal)
            return None
        preview = AdjustmentPreview.for_active_layer(doc)
        if preview is None:
            tell(self.host, "Nothing to adjust: the selection misses the active layer")
            return None
        counts = histogram(preview.before, preview.coverage)
        dialog = KINDS[kind][2](counts, as_parent(self.host))
        session = PreviewSession(preview, self.host.undo, self)
        dialog.adjustmentChanged.connect(session.show)
        dialog.previewToggled.connect(session.set_enabled)
        dialog.finished.connect(self._finished)
        self.dialog, self.session = dialog, session
        dialog.open()
        return dialog

    def _finished(self, result: int) -> None:
        dialog, session = self.dialog, self.session
        self.dialog = self.session = None
        if session is not None:
            if result == QDialog.DialogCode.Accepted and self.host.document is session.preview.doc:
                session.commit(dialog.title)
            else:
                session.cancel()
            session.deleteLater()
        if dialog is not None:
            dialog.deleteLater()
