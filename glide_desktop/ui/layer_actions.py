"""Layer Properties and Re-roll as a controller: they reach past the Layers panel into Generate."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject

from glide_desktop.document import commands
from glide_desktop.ui.editor_host import EditorHost, as_parent, tell
from glide_desktop.ui.layer_properties import LayerPropertiesDialog


class SettingsTarget(Protocol):
    """Where "Use these settings" puts a generated layer's settings (the Generate panel)."""

    def load_settings(self, values: dict) -> None: ...


class Reroller(Protocol):
    """What re-rolls a generated layer (the generation controller)."""

    def reroll(self, layer_uid: int, prompt: str | None = None) -> bool: ...


class LayerActions(QObject):
    """Opens Layer Properties for a layer and re-rolls generated layers of the host's document."""

    def __init__(self, host: EditorHost, panel: SettingsTarget, reroller: Reroller,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host, self.panel, self.reroller = host, panel, reroller

    def properties_dialog(self, uid: int | None = None) -> LayerPropertiesDialog | None:
        """A Layer Properties dialog for a layer (the active one by default), wired up but not shown."""
        doc = self.host.document
        if doc is None:
            return None
        layer = doc.active_node if uid is None else doc.find_layer(uid)  # a group: its name
        if layer is None:
            return None
        dialog = LayerPropertiesDialog(layer.uid, layer.name, layer.metadata, as_parent(self.host))
        dialog.useSettingsRequested.connect(self.panel.load_settings)
        dialog.rerollRequested.connect(self.reroller.reroll)
        dialog.accepted.connect(lambda: self.rename(layer.uid, dialog.name()))
        dialog.finished.connect(dialog.deleteLater)
        return dialog

    def show_properties(self, uid: int | None = None) -> None:
        """Open Layer Properties (window-modal)."""
        dialog = self.properties_dialog(uid)
        if dialog is not None:
            dialog.open()

    def reroll_active(self) -> bool:
        """Generate the active generated layer again with a new seed (it is replaced on Apply)."""
        doc = self.host.document
        layer = doc.active_layer if doc is not None else None
        if layer is None or "crop" not in layer.metadata:
            tell(self.host, "Re-roll needs a generated layer: make one with Generate")
            return False
        return self.reroller.reroll(layer.uid)

    def rename(self, uid: int, name: str) -> None:
        """Rename a layer as one undo step (nothing when the name is empty or the same)."""
        doc = self.host.document
        layer = doc.find_layer(uid) if doc is not None else None
        if layer is not None and name and name != layer.name:
            self.host.push(commands.SetLayerProperty(uid, "name", layer.name, name, text="Rename layer"))
