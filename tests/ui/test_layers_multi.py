"""The Layers panel with several rows chosen (Ctrl/Shift-click): dropped together in their order, deleted,
duplicated and grouped as one step; and its keyboard (Delete, F2, arrows, Left/Right folding)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from glide_desktop.document.document import Document
from glide_desktop.document.group_commands import GroupLayers
from glide_desktop.document.layer import Layer
from tests.ui.screens import SHOTS, picture
from tests.ui.test_layer_groups_ui import _click_row, _tree

CTRL = Qt.KeyboardModifier.ControlModifier


def _document(window) -> Document:
    """Top first: Group 1 [Red, Blue], Green, Photo."""
    doc = Document(96, 72)
    doc.insert_layer(Layer(picture(96, 72), name="Photo"))
    doc.insert_layer(Layer.filled(30, 30, (40, 200, 60, 255), "Green", offset=(50, 30)))
    doc.insert_layer(Layer.filled(30, 30, (40, 80, 230, 255), "Blue", offset=(10, 10)))
    doc.insert_layer(Layer.filled(30, 30, (230, 40, 40, 255), "Red", offset=(30, 20)))
    window.set_document(doc, None)
    window.push(GroupLayers([doc.layers[2].uid, doc.layers[3].uid], "Group 1"))
    window.undo.stack.clear()
    window.show()
    return doc


def _uid(doc: Document, name: str) -> int:
    return next(node.uid for node in doc.layers if node.name == name)


def _drop(window, doc, names: list[str], pos: QPointF) -> None:
    """What the view receives when a drag of the selected rows ends at pos."""
    view, model = window.layers_panel.view, window.layers_panel.model
    mime = model.mimeData([model.index_of(_uid(doc, name)) for name in names])
    view.dropEvent(QDropEvent(pos, Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier))


def _row(window, doc, name: str):
    model = window.layers_panel.model
    return window.layers_panel.view.visualRect(model.index_of(_uid(doc, name)))


def test_two_selected_rows_drop_into_a_group_in_their_order_as_one_step(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, _uid(doc, "Green"))
    _click_row(qtbot, window, _uid(doc, "Photo"), CTRL)
    _drop(window, doc, window_selection(window), QPointF(_row(window, doc, "Group 1").center()))
    assert _tree(window) == [(0, "Group 1"), (1, "Green"), (1, "Photo"), (1, "Red"), (1, "Blue")]
    assert window.undo.stack.count() == 1 and window.undo.stack.undoText() == "Move layers"
    assert sorted(window_selection(window)) == sorted(["Green", "Photo"])  # still chosen after the drop
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.layers_panel.grab().save(str(SHOTS / "layers_panel_multi_drop.png"))
    window.undo.undo()
    assert _tree(window) == [(0, "Group 1"), (1, "Red"), (1, "Blue"), (0, "Green"), (0, "Photo")]


def test_rows_from_inside_and_outside_a_group_drop_between_rows_out_of_it(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, _uid(doc, "Red"))
    _click_row(qtbot, window, _uid(doc, "Green"), CTRL)
    photo = _row(window, doc, "Photo")
    _drop(window, doc, ["Red", "Green"], QPointF(photo.center().x(), photo.top() + 1))  # above Photo
    assert _tree(window) == [(0, "Group 1"), (1, "Blue"), (0, "Red"), (0, "Green"), (0, "Photo")]
    assert doc.find_layer(_uid(doc, "Red")).parent is None
    assert window.undo.stack.count() == 1


def test_a_drop_onto_their_own_place_is_no_step(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, _uid(doc, "Red"))
    _click_row(qtbot, window, _uid(doc, "Blue"), CTRL)
    blue = _row(window, doc, "Blue")
    _drop(window, doc, ["Red", "Blue"], QPointF(blue.center().x(), blue.bottom() - 1))  # just below Blue
    assert _tree(window)[:3] == [(0, "Group 1"), (1, "Red"), (1, "Blue")]
    assert window.undo.stack.count() == 0


def window_selection(window) -> list[str]:
    model = window.layers_panel.model
    return [model.node_at(model.index_of(uid)).name for uid in window.layers_panel.selected_uids()]


def test_delete_key_in_the_panel_deletes_every_selected_row_as_one_step(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, _uid(doc, "Red"))
    _click_row(qtbot, window, _uid(doc, "Green"), CTRL)
    view = window.layers_panel.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert _tree(window) == [(0, "Group 1"), (1, "Blue"), (0, "Photo")]
    assert window.undo.stack.count() == 1 and window.undo.stack.undoText() == "Delete layers"
    window.undo.undo()
    assert len(_tree(window)) == 5


def test_delete_key_on_the_canvas_leaves_the_layers_alone(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, _uid(doc, "Green"))
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert len(_tree(window)) == 5


def test_duplicate_and_group_act_on_every_selected_row(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, _uid(doc, "Blue"))
    _click_row(qtbot, window, _uid(doc, "Photo"), CTRL)
    qtbot.keyClick(window, Qt.Key.Key_J, CTRL)
    assert _tree(window) == [(0, "Group 1"), (1, "Red"), (1, "Blue copy"), (1, "Blue"), (0, "Green"),
                             (0, "Photo copy"), (0, "Photo")]
    assert window.undo.stack.undoText() == "Duplicate layers"
    window.undo.undo()
    _click_row(qtbot, window, _uid(doc, "Blue"))
    _click_row(qtbot, window, _uid(doc, "Photo"), CTRL)
    qtbot.keyClick(window, Qt.Key.Key_G, CTRL)  # from two levels: where the topmost (Blue) was, in order
    assert _tree(window) == [(0, "Group 1"), (1, "Red"), (1, "Group 2"), (2, "Blue"), (2, "Photo"),
                             (0, "Green")]
    assert window.undo.stack.undoText() == "Group layers"


def test_panel_keyboard_arrows_choose_fold_and_f2_renames(window, qtbot):
    doc = _document(window)
    _click_row(qtbot, window, _uid(doc, "Group 1"))
    view = window.layers_panel.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert doc.active_node.name == "Red"
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert doc.active_node.name == "Group 1"
    qtbot.keyClick(view, Qt.Key.Key_Left)  # folds the group, kept by the document
    assert doc.active_node.collapsed and not view.isExpanded(view.currentIndex())
    qtbot.keyClick(view, Qt.Key.Key_Down)  # past the folded group's layers
    assert doc.active_node.name == "Green"
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert not doc.active_node.collapsed
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "Sky")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: doc.active_node.name == "Sky")  # the delegate commits on the next turn
    assert window.undo.stack.count() == 1 and window.undo.stack.undoText() != ""
