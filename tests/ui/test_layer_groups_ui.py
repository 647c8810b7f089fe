"""Layer groups in the running window: the Layers tree, Ctrl+G / Ctrl+Shift+G, folding, drag and drop
into a group, the group's blend combo, tools refusing a group, the Move tool moving a whole group."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from glide_desktop.document.document import Document
from glide_desktop.document.files import load_ora, save_ora
from glide_desktop.document.layer import Layer
from tests.ui.screens import SHOTS, picture


def _document(window) -> Document:
    """A photo with two coloured squares above it (top first: Red, Blue, Photo)."""
    doc = Document(96, 72)
    doc.insert_layer(Layer(picture(96, 72), name="Photo"))
    doc.insert_layer(Layer.filled(30, 30, (40, 80, 230, 255), "Blue", offset=(10, 10)))
    doc.insert_layer(Layer.filled(30, 30, (230, 40, 40, 255), "Red", offset=(30, 20)))
    window.set_document(doc, None)
    window.show()
    return doc


def _click_row(qtbot, window, uid: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    view = window.layers_panel.view
    rect = view.visualRect(window.layers_panel.model.index_of(uid))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _tree(window) -> list[tuple[int, str]]:
    """(depth, name) of every row the panel shows, top first, as an artist reads the tree."""
    model, out = window.layers_panel.model, []

    def walk(parent, depth: int) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            out.append((depth, index.data()))
            walk(index, depth + 1)
    walk(model.index_of(None), 0)
    return out


def test_ctrl_g_groups_the_selected_layers_and_ctrl_shift_g_ungroups(window, qtbot):
    doc = _document(window)
    red, blue = doc.layers[2], doc.layers[1]
    _click_row(qtbot, window, red.uid)
    _click_row(qtbot, window, blue.uid, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert _tree(window) == [(0, "Group 1"), (1, "Red"), (1, "Blue"), (0, "Photo")]
    assert window.undo.stack.undoText() == "Group layers"
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.layers_panel.grab().save(str(SHOTS / "layers_panel_groups.png"))
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_G, ctrl_shift)
    assert _tree(window) == [(0, "Red"), (0, "Blue"), (0, "Photo")]
    window.undo.undo()
    assert _tree(window)[0] == (0, "Group 1")


def test_folding_a_group_is_kept_by_the_document_and_the_file(window, qtbot, tmp_path):
    doc = _document(window)
    _click_row(qtbot, window, doc.layers[2].uid)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    group = doc.active_node
    view = window.layers_panel.view
    index = window.layers_panel.model.index_of(group.uid)
    assert view.isExpanded(index)
    # The branch arrow sits in the indentation left of the row's content.
    rect = view.visualRect(index)
    arrow = QPoint(rect.left() - view.indentation() // 2, rect.center().y())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=arrow)
    assert not view.isExpanded(index) and group.collapsed
    assert not window.undo.stack.undoText().startswith("Fold")  # a view state, never an undo step
    save_ora(doc, tmp_path / "folded.ora")
    assert [n.collapsed for n in load_ora(tmp_path / "folded.ora").layers if n.is_group] == [True]


def test_dropping_a_layer_onto_a_group_puts_it_inside(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, doc.layers[2].uid)  # Red
    window.layers_panel.groups.group_layers.trigger()
    group = doc.active_node
    photo = doc.layers[0]
    view, model = window.layers_panel.view, window.layers_panel.model
    target = view.visualRect(model.index_of(group.uid)).center()
    mime = model.mimeData([model.index_of(photo.uid)])
    drop = QDropEvent(QPointF(target), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    view.dropEvent(drop)  # what the view receives when the drag ends over the group's row
    assert photo.parent == group.uid
    assert _tree(window) == [(0, "Group 1"), (1, "Photo"), (1, "Red"), (0, "Blue")]  # onto a group: its top
    assert window.undo.stack.undoText() == "Move layer"


def test_group_blend_combo_offers_pass_through_and_changes_the_picture(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, doc.layers[2].uid)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    group, combo = doc.active_node, window.layers_panel.blend_combo
    assert combo.currentText() == "Pass through" and combo.model().item(0).isEnabled()
    before = doc.composite().copy()
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # keyboard: the next entry after Pass through
    while combo.currentData() not in ("normal",):  # (past the separator)
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert not group.pass_through
    window.layers_panel.opacity_box.setValue(40)
    assert group.opacity == 0.4 and not np.array_equal(doc.composite(), before)
    _click_row(qtbot, window, doc.layers[0].uid)  # a layer: Pass through is not for it
    assert not combo.model().item(0).isEnabled()


def test_the_eye_of_a_group_hides_everything_in_it(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, doc.layers[2].uid)
    _click_row(qtbot, window, doc.layers[1].uid, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    group = doc.active_node
    view = window.layers_panel.view
    index = window.layers_panel.model.index_of(group.uid)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    check = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, view)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=check.center())
    assert not group.visible
    expected = Document(96, 72)
    expected.insert_layer(doc.layers[0].copy())
    assert np.array_equal(doc.composite(), expected.composite())


def test_brush_on_a_group_says_why_and_paints_nothing(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, doc.layers[2].uid)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    before = doc.composite().copy()
    window.toolbox.set_tool("brush")
    qtbot.mouseClick(window.canvas, Qt.MouseButton.LeftButton, pos=window.canvas.rect().center())
    assert "is a group" in window.statusBar().currentMessage()
    assert np.array_equal(doc.composite(), before)


def test_move_tool_drags_a_whole_group_as_one_step(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, doc.layers[2].uid)
    _click_row(qtbot, window, doc.layers[1].uid, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    offsets = [layer.offset for layer in doc.raster_layers()]
    window.toolbox.set_tool("move")
    canvas = window.canvas
    start = canvas.rect().center()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, start + QPoint(20, 10))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=start + QPoint(20, 10))
    moved = [layer.offset for layer in doc.raster_layers()]
    assert moved[0] == offsets[0]  # the photo stays
    dx, dy = moved[1][0] - offsets[1][0], moved[1][1] - offsets[1][1]
    assert (dx, dy) != (0, 0) and moved[2] == (offsets[2][0] + dx, offsets[2][1] + dy)
    assert window.undo.stack.undoText() == "Move group"
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    window.undo.undo()
    assert [layer.offset for layer in doc.raster_layers()] == offsets
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert doc.raster_layers()[1].offset == (offsets[1][0] + 10, offsets[1][1])
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "main_window_groups.png"))


def test_move_layer_up_and_down_keys_step_into_and_out_of_a_group(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, doc.layers[1].uid)  # Blue into a group of its own
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    red = doc.layers[-1]
    _click_row(qtbot, window, red.uid)
    qtbot.keyClick(window, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)  # down: into it
    assert _tree(window) == [(0, "Group 1"), (1, "Red"), (1, "Blue"), (0, "Photo")]
    qtbot.keyClick(window, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)  # out at the bottom
    assert _tree(window) == [(0, "Group 1"), (1, "Blue"), (0, "Red"), (0, "Photo")]
    qtbot.keyClick(window, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)  # up: back in
    assert _tree(window) == [(0, "Group 1"), (1, "Blue"), (1, "Red"), (0, "Photo")]
    assert window.layers_panel.view.currentIndex().data() == "Red"  # the moved layer stays chosen


def test_duplicate_and_delete_a_group_with_its_layers(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, doc.layers[2].uid)
    _click_row(qtbot, window, doc.layers[1].uid, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert _tree(window) == [(0, "Group 1 copy"), (1, "Red"), (1, "Blue"), (0, "Group 1"), (1, "Red"),
                             (1, "Blue"), (0, "Photo")]
    assert window.undo.stack.undoText() == "Duplicate group"
    window.layers_panel.delete_action.trigger()
    assert _tree(window) == [(0, "Group 1"), (1, "Red"), (1, "Blue"), (0, "Photo")]
    assert window.undo.stack.undoText() == "Delete group"
    window.undo.undo()
    assert len(doc.layers) == 7


def test_dropping_between_rows_takes_a_layer_out_of_its_group(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, doc.layers[2].uid)
    _click_row(qtbot, window, doc.layers[1].uid, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    red = doc.children(doc.active_uid)[-1]
    view, model = window.layers_panel.view, window.layers_panel.model
    photo_row = view.visualRect(model.index_of(doc.layers[0].uid))
    mime = model.mimeData([model.index_of(red.uid)])
    drop = QDropEvent(QPointF(photo_row.center().x(), photo_row.top() + 1), Qt.DropAction.MoveAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    view.dropEvent(drop)  # on the line above Photo: out of the group, just above Photo
    assert _tree(window) == [(0, "Group 1"), (1, "Blue"), (0, "Red"), (0, "Photo")]
    assert red.parent is None


def test_move_tool_with_a_selection_moves_an_active_group_whole(window, qtbot):
    from glide_desktop.document.selection import rect_coverage

    doc = _document(window)
    _click_row(qtbot, window, doc.layers[2].uid)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)  # Red in a group
    doc.selection.combine("replace", rect_coverage(doc.size, (0, 0, 40, 40)))
    offsets = [layer.offset for layer in doc.raster_layers()]
    window.toolbox.set_tool("move")
    canvas = window.canvas
    start = canvas.rect().center()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, start + QPoint(20, 10))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=start + QPoint(20, 10))
    moved = [layer.offset for layer in doc.raster_layers()]
    assert "Floating selection" not in [node.name for node in doc.layers]  # a group has nothing to lift
    assert moved[:2] == offsets[:2] and moved[2] != offsets[2]
    assert window.undo.stack.undoText() == "Move group"
