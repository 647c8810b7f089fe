"""The Layers panel: list model, opacity slider, blend combo, reorder and layer operations with undo."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionSlider

from glide_desktop.document.layer import BlendMode
from glide_desktop.ui.layers_model import UID_ROLE


def _names(window) -> list[str]:
    """Layer names as the panel shows them, top first."""
    model = window.layers_panel.model
    return [model.index(row).data() for row in range(model.rowCount())]


def _three_layers(window) -> None:
    panel = window.layers_panel
    panel.add_layer()
    panel.add_layer()
    assert _names(window) == ["Layer 3", "Layer 2", "Background"]


def test_model_lists_layers_top_first_with_thumbnails(window):
    _three_layers(window)
    model = window.layers_panel.model
    index = model.index(0)
    assert index.data(UID_ROLE) == window.document.layers[-1].uid
    thumb = index.data(Qt.ItemDataRole.DecorationRole).pixmap(40)
    assert not thumb.isNull() and thumb.width() == 40
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked


def test_the_active_layers_thumbnail_is_not_tinted(window):
    from PySide6.QtGui import QIcon

    icon = window.layers_panel.model.index(0).data(Qt.ItemDataRole.DecorationRole)
    normal = icon.pixmap(40, QIcon.Mode.Normal).toImage()
    selected = icon.pixmap(40, QIcon.Mode.Selected).toImage()
    assert selected.pixelColor(20, 20) == normal.pixelColor(20, 20)


def _handle_point(slider) -> QPoint:
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    handle = slider.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                           QStyle.SubControl.SC_SliderHandle, slider)
    return handle.center()


def test_opacity_slider_drag_is_one_undo_step(window, qtbot):
    slider = window.layers_panel.opacity_slider
    layer = window.document.active_layer
    steps_before = window.undo.stack.count()
    start = _handle_point(slider)
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=start)
    for dx in (-20, -40, -60, -80):
        qtbot.mouseMove(slider, QPoint(start.x() + dx, start.y()))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=QPoint(start.x() - 80, start.y()))
    assert layer.opacity < 1.0
    assert slider.value() == round(layer.opacity * 100)
    assert window.undo.stack.count() == steps_before + 1
    window.undo.undo()
    assert layer.opacity == 1.0
    assert slider.value() == 100


def test_two_slider_drags_are_two_steps(window):
    slider = window.layers_panel.opacity_slider
    layer = window.document.active_layer
    for values in ((90, 80, 70), (60, 50)):
        slider.setSliderDown(True)
        for value in values:
            slider.setValue(value)
        slider.setSliderDown(False)
    assert layer.opacity == 0.5
    window.undo.undo()
    assert layer.opacity == 0.7
    window.undo.undo()
    assert layer.opacity == 1.0


def test_blend_combo_sets_the_mode_as_one_step(window, qtbot):
    combo = window.layers_panel.blend_combo
    layer = window.document.active_layer
    combo.setFocus()
    combo.setCurrentIndex(combo.findData(BlendMode.SCREEN))
    combo.activated.emit(combo.currentIndex())
    assert layer.blend is BlendMode.SCREEN
    window.undo.undo()
    assert layer.blend is BlendMode.NORMAL
    assert combo.currentData() == BlendMode.NORMAL


def test_visibility_checkbox_and_rename_go_through_undo(window):
    model = window.layers_panel.model
    layer = window.document.active_layer
    assert model.setData(model.index(0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert not layer.visible
    assert model.setData(model.index(0), "Paper", Qt.ItemDataRole.EditRole)
    assert layer.name == "Paper"
    window.undo.undo()
    window.undo.undo()
    assert layer.visible and layer.name == "Background"


def test_move_rows_reorders_layers_and_undo_restores(window):
    _three_layers(window)
    model = window.layers_panel.model
    # Take the top layer ("Layer 3") below "Layer 2": Qt counts the destination before the move.
    assert model.moveRows(QModelIndex(), 0, 1, QModelIndex(), 2)
    assert _names(window) == ["Layer 2", "Layer 3", "Background"]
    assert [layer.name for layer in window.document.layers] == ["Background", "Layer 3", "Layer 2"]
    assert model.moveRow(QModelIndex(), 2, QModelIndex(), 0)
    assert _names(window) == ["Background", "Layer 2", "Layer 3"]
    window.undo.undo()
    window.undo.undo()
    assert _names(window) == ["Layer 3", "Layer 2", "Background"]


def test_drop_handler_moves_the_dragged_row(window):
    from PySide6.QtWidgets import QAbstractItemView

    _three_layers(window)
    model = window.layers_panel.model
    # The tree hands every drop of a row to dropMimeData (moveRows serves programmatic moves).
    assert window.layers_panel.view.dragDropMode() == QAbstractItemView.DragDropMode.DragDrop
    assert model.supportedDropActions() == Qt.DropAction.MoveAction
    mime = model.mimeData([model.index(2)])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert _names(window) == ["Background", "Layer 3", "Layer 2"]


def test_selecting_a_row_makes_its_layer_active(window, qtbot):
    _three_layers(window)
    view = window.layers_panel.view
    rect = view.visualRect(window.layers_panel.model.index(2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.document.active_layer.name == "Background"


def test_add_duplicate_delete_with_undo(window):
    panel = window.layers_panel
    background = window.document.active_layer
    background.pixels[0, 0] = (1, 2, 3, 255)
    panel.duplicate_layer()
    assert _names(window) == ["Background copy", "Background"]
    twin = window.document.active_layer
    assert twin is not background and twin.pixels[0, 0].tolist() == [1, 2, 3, 255]
    panel.delete_layer()
    assert _names(window) == ["Background"]
    window.undo.undo()
    assert _names(window) == ["Background copy", "Background"]
    window.undo.undo()
    assert _names(window) == ["Background"]


def test_merge_down_and_flatten_with_undo(window):
    panel = window.layers_panel
    panel.add_layer()
    top = window.document.active_layer
    top.pixels[:4, :4] = (0, 0, 255, 255)
    panel.merge_down()
    assert _names(window) == ["Background"]
    assert window.document.layers[0].pixels[0, 0].tolist() == [0, 0, 255, 255]
    window.undo.undo()
    assert _names(window) == ["Layer 2", "Background"]
    assert window.document.layers[0].pixels[0, 0].tolist() == [255, 255, 255, 255]

    panel.add_layer()
    panel.flatten()
    assert len(window.document.layers) == 1
    flat = window.document.layers[0].pixels
    assert np.array_equal(flat[0, 0], [0, 0, 255, 255])
    window.undo.undo()
    assert len(window.document.layers) == 3


def test_buttons_follow_what_applies(window):
    panel = window.layers_panel
    assert not panel.merge_button.isEnabled() and not panel.flatten_button.isEnabled()
    assert not panel.delete_button.isEnabled()
    panel.delete_layer()
    assert len(window.document.layers) == 1
    panel.add_layer()
    assert panel.merge_button.isEnabled() and panel.flatten_button.isEnabled()
    assert panel.delete_button.isEnabled()


def test_layer_menu_is_enabled_like_the_buttons(window):
    menu = window.actions_by_name
    assert not menu["merge_down"].isEnabled() and not menu["flatten"].isEnabled()
    assert not menu["delete_layer"].isEnabled()
    menu["new_layer"].trigger()
    assert len(window.document.layers) == 2
    assert menu["merge_down"].isEnabled() and menu["flatten"].isEnabled()
    window.document.set_active(window.document.layers[0].uid)
    assert not menu["merge_down"].isEnabled()
    menu["merge_down"].trigger()
    assert len(window.document.layers) == 2


def test_thumbnail_follows_pixel_edits(window, qtbot):
    from glide_desktop.document import commands
    from glide_desktop.document.geometry import Rect

    model = window.layers_panel.model
    before = model.index(0).data(Qt.ItemDataRole.DecorationRole).pixmap(40).toImage()
    layer = window.document.active_layer
    rect = Rect(0, 0, 64, 48)
    after = np.zeros((48, 64, 4), np.uint8)
    after[..., 3] = 255
    with qtbot.waitSignal(model.dataChanged, timeout=2000):
        window.push(commands.PixelEdit(layer.uid, rect, layer.pixels.copy(), after))
    image = model.index(0).data(Qt.ItemDataRole.DecorationRole).pixmap(40).toImage()
    centre = image.pixelColor(20, 20)
    assert before.pixelColor(20, 20).lightness() > 200
    assert centre.lightness() < 30

