"""The main window: menus, docks, title with the modified mark, close prompt, Generate explanation."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMessageBox, QToolBar

from glide_desktop.document import commands


def _paint(window, value: int = 9) -> None:
    """One undoable pixel edit on the active layer."""
    layer = window.document.active_layer
    from glide_desktop.document.geometry import Rect

    rect = Rect(0, 0, 2, 2)
    before = layer.pixels[rect.slices()].copy()
    after = np.full_like(before, value)
    window.push(commands.PixelEdit(layer.uid, rect, before, after))


def test_window_has_menus_canvas_and_panels(window):
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles[:3] == ["File", "Edit", "Select"]
    assert {"Layer", "View", "Help"} <= set(titles)
    assert window.centralWidget() is window.canvas
    docks = {d.windowTitle() for d in window.findChildren(QDockWidget)}
    assert {"Layers", "History", "Generate"} <= docks
    for dock in window.findChildren(QDockWidget):
        assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert window.toolBarArea(window.toolbox.toolbar) == Qt.ToolBarArea.LeftToolBarArea
    assert any(isinstance(b, QToolBar) for b in window.findChildren(QToolBar))
    assert window.layers_panel.model.rowCount() == 1


def test_standard_shortcuts_are_set(window):
    from PySide6.QtGui import QKeySequence

    actions = window.actions_by_name
    for name, key in (("open", QKeySequence.StandardKey.Open), ("save", QKeySequence.StandardKey.Save),
                      ("undo", QKeySequence.StandardKey.Undo), ("copy", QKeySequence.StandardKey.Copy),
                      ("zoom_in", QKeySequence.StandardKey.ZoomIn)):
        assert QKeySequence.keyBindings(key)[0] in actions[name].shortcuts(), name


def test_every_menu_action_explains_itself_in_the_status_bar(window):
    silent = [name for name, action in window.actions_by_name.items() if not action.statusTip()]
    assert silent == []


def test_layer_shortcuts_work_from_the_keyboard(window, qtbot):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert [layer.name for layer in window.document.layers] == ["Background", "Background copy"]


def test_undo_shortcut_undoes_through_the_keyboard(window, qtbot):
    _paint(window)
    assert window.document.active_layer.pixels[0, 0, 0] == 9
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.active_layer.pixels[0, 0, 0] == 255


def test_title_shows_file_name_and_modified_mark(window):
    assert "Untitled" in window.windowTitle()
    assert not window.isWindowModified()
    _paint(window)
    assert window.isWindowModified()
    window.undo.undo()
    assert not window.isWindowModified()


def test_close_with_unsaved_changes_asks_and_cancel_keeps_window(window, monkeypatch):
    asked = []

    def answer(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "warning", answer)
    _paint(window)
    assert not window.close()
    assert window.isVisible()
    assert len(asked) == 1 and "Untitled" in asked[0]


def test_close_with_discard_closes(window, monkeypatch):
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Discard)
    _paint(window)
    assert window.close()


def test_close_without_changes_does_not_ask(window, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("no prompt expected")

    monkeypatch.setattr(QMessageBox, "warning", fail)
    assert window.close()


def test_generate_without_models_names_the_missing_files(window, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: shown.append(text))
    window.generate_panel.prompt_edit.setText("a fox")
    qtbot.mouseClick(window.generate_panel.generate_button, Qt.MouseButton.LeftButton)
    assert len(shown) == 1
    assert "base.pt" in shown[0] and "upsample.pt" in shown[0]
    assert str(window.generate_panel.models_dir) in shown[0]


def test_generate_with_a_selection_asks_for_the_inpainting_models(window, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: shown.append(text))
    window.select_all()
    qtbot.mouseClick(window.generate_panel.generate_button, Qt.MouseButton.LeftButton)
    assert "base_inpaint.pt" in shown[0] and "upsample_inpaint.pt" in shown[0]


def test_generate_with_models_present_emits_the_request(window, qtbot, tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    for name in ("base.pt", "upsample.pt"):
        (folder / name).write_bytes(b"x")
    window.generate_panel.prompt_edit.setText("a fox")
    window.generate_panel.seed_spin.setValue(42)
    with qtbot.waitSignal(window.generate_panel.generateRequested) as blocker:
        qtbot.mouseClick(window.generate_panel.generate_button, Qt.MouseButton.LeftButton)
    settings = blocker.args[0]
    assert (settings.prompt, settings.negative_prompt, settings.seed) == ("a fox", "", 42)
    # This window has no engine connected: it says so instead of starting anything.
    assert "not available" in window.generate_panel.status_label.text()
    assert window.generate_panel.generate_button.isEnabled()


def test_status_bar_shows_zoom_and_cursor(window):
    window.canvas.zoomChanged.emit(2.0)
    assert window.zoom_label.text() == "200%"
    window.canvas.cursorMoved.emit(10, 20)
    assert window.cursor_label.text() == "10, 20 px"
    window.canvas.cursorMoved.emit(-1, 20)
    assert window.cursor_label.text() == ""


def test_window_geometry_is_saved_on_close(window, settings):
    window.resize(900, 700)
    assert window.close()
    settings.sync()
    assert settings.value("window/geometry") is not None
    assert settings.value("window/state") is not None


def _readout(window) -> float:
    return float(window.zoom_label.text().rstrip("%"))


def test_view_actions_change_the_zoom_readout(window):
    actions = window.actions_by_name
    actions["actual_size"].trigger()
    assert _readout(window) == 100
    actions["zoom_in"].trigger()
    assert _readout(window) > 100
    actions["zoom_out"].trigger()
    actions["zoom_out"].trigger()
    assert _readout(window) < 100
    actions["actual_size"].trigger()
    assert _readout(window) == 100


def test_history_budget_comes_from_settings(qtbot, settings):
    from glide_desktop.ui.main_window import MainWindow

    settings.setValue("history/budgetMiB", 64)
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    assert win.undo.budget_bytes == 64 * 1024 * 1024


def test_big_edits_drop_the_oldest_history_in_the_window(window):
    window.undo.budget_bytes = 3 * 64 * 48 * 4 + 1000
    for _ in range(5):
        window.layers_panel.duplicate_layer()
    # Each duplicate holds one 64 x 48 RGBA layer; only three fit the budget.
    assert window.undo.stack.count() == 3
    assert len(window.document.layers) == 6
    assert window.isWindowModified()


def test_generate_panel_says_inpaint_once_something_is_selected(window, qtbot):
    label = window.generate_panel.mode_label
    assert label.text().startswith("Text to image")
    window.select_all()
    qtbot.waitUntil(lambda: label.text().startswith("Inpaint"), timeout=2000)
    window.deselect()
    qtbot.waitUntil(lambda: label.text().startswith("Text to image"), timeout=2000)


def test_the_first_edit_after_opening_another_size_keeps_the_view(window):
    from glide_desktop.document.commands import SetLayerProperty
    from glide_desktop.document.document import Document
    from glide_desktop.document.layer import Layer

    doc = Document(300, 200)  # not the window's 64 x 48
    doc.insert_layer(Layer.filled(300, 200, (255, 255, 255, 255), "Background"))
    window.set_document(doc, None)
    window.canvas.set_zoom(4.0)
    window.push(SetLayerProperty(doc.layers[0].uid, "opacity", 1.0, 0.5))
    assert window.canvas.zoom == 4.0
