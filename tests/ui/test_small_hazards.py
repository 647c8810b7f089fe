"""Typing an opacity is one undo step; a stroke outside the selection adds none; the flatten button
says what it does."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from glide_desktop.document.geometry import Rect
from glide_desktop.document.selection import SelectionOp, rect_coverage


def test_typing_an_opacity_makes_one_undo_step(window, qtbot):
    panel = window.layers_panel
    stack = window.undo.stack
    before = stack.count()
    box = panel.opacity_box
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "55")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.document.active_layer.opacity == 0.55
    assert stack.count() == before + 1
    stack.undo()
    assert window.document.active_layer.opacity == 1.0


def test_a_brush_stroke_outside_the_selection_adds_no_step(window):
    from glide_desktop.document.brush import BrushSettings, Stroke
    from glide_desktop.ui.tools.base import push

    doc = window.document
    doc.selection.combine(SelectionOp.REPLACE, rect_coverage(doc.size, Rect(0, 0, 8, 8)))
    before = window.undo.stack.count()
    stroke = Stroke(doc, doc.active_uid, BrushSettings(size=5, hardness=1.0, color=(255, 0, 0)))
    stroke.dab(40, 30)
    edit = stroke.finish()
    if edit is not None:
        push(window.canvas, edit, applied=True)
    assert window.undo.stack.count() == before


def test_the_flatten_button_has_a_clear_icon_and_tooltip(window, tmp_path):
    button = window.layers_panel.flatten_button
    assert "Flatten image" in button.toolTip() and "Undo" in button.toolTip()
    image: QImage = button.icon().pixmap(32, 32).toImage()
    filled = sum(image.pixelColor(x, 25).alpha() > 0 for x in range(32))
    assert filled > 12  # the solid sheet at the bottom, not three thin bars
    window.layers_panel.grab().save(str(tmp_path / "layers_panel.png"))


def test_a_layer_with_a_foreign_mode_says_so_in_its_tooltip(window):
    from glide_desktop.document import commands
    from glide_desktop.document.layer import Layer
    from glide_desktop.ui.layers_model import LayersModel

    layer = Layer.filled(4, 4, (1, 2, 3, 255), "krita", foreign_op="krita:linear_light")
    window.push(commands.AddLayer(layer))
    model: LayersModel = window.layers_panel.model
    tip = model.data(model.index(model.row_of(layer.uid)), Qt.ItemDataRole.ToolTipRole)
    assert tip == "krita — shown as Normal; its own mode krita:linear_light is kept when saved, 100%"
    assert window.layers_panel.blend_combo.currentText() == "Normal"
