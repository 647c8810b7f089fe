"""Layer commands of the main window that reach past the Layers panel: properties, re-roll."""

from __future__ import annotations

from typing import TYPE_CHECKING

from glide_desktop.document import commands
from glide_desktop.ui.layer_properties import LayerPropertiesDialog

if TYPE_CHECKING:
    from glide_desktop.ui.main_window import MainWindow


class LayerActions:
    """Mixin for MainWindow: Layer Properties and Re-roll."""

    def layer_properties_dialog(self: MainWindow, uid: int | None = None) -> LayerPropertiesDialog | None:
        """A Layer Properties dialog for a layer (the active one by default), wired up but not shown."""
        doc = self.document
        if doc is None:
            return None
        layer = doc.active_layer if uid is None else doc.find_layer(uid)
        if layer is None:
            return None
        dialog = LayerPropertiesDialog(layer.uid, layer.name, layer.metadata, self)
        dialog.useSettingsRequested.connect(self.generate_panel.load_settings)
        dialog.rerollRequested.connect(self.generation.reroll)
        dialog.accepted.connect(lambda: self._rename_layer(layer.uid, dialog.name()))
        dialog.finished.connect(dialog.deleteLater)
        return dialog

    def show_layer_properties(self: MainWindow, uid: int | None = None) -> None:
        """Open Layer Properties (window-modal)."""
        dialog = self.layer_properties_dialog(uid)
        if dialog is not None:
            dialog.open()

    def reroll_active_layer(self: MainWindow) -> bool:
        """Generate the active generated layer again with a new seed (it is replaced on Apply)."""
        layer = self.document.active_layer if self.document is not None else None
        if layer is None or "crop" not in layer.metadata:
            self.statusBar().showMessage("Re-roll needs a generated layer: make one with Generate", 4000)
            return False
        return self.generation.reroll(layer.uid)

    def _rename_layer(self: MainWindow, uid: int, name: str) -> None:
        layer = self.document.find_layer(uid) if self.document is not None else None
        if layer is not None and name and name != layer.name:
            self.push(commands.SetLayerProperty(uid, "name", layer.name, name, text="Rename layer"))
