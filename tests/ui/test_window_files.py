"""New, open, save as .ora, reopen, export and failures, through the main window's methods."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from glide_desktop.document import commands


def _write_png(path, rgba) -> None:
    Image.fromarray(np.asarray(rgba, np.uint8), "RGBA").save(path)


def test_new_document_has_the_asked_size_and_one_layer(window):
    assert window.new_document(30, 20, background=(0, 0, 0, 255))
    assert window.document.size == (30, 20)
    assert len(window.document.layers) == 1
    assert window.document.layers[0].pixels[0, 0].tolist() == [0, 0, 0, 255]
    assert not window.isWindowModified()
    assert window.size_label.text().startswith("30 × 20")


def test_open_png_then_save_ora_and_reopen_keeps_layers(window, tmp_path):
    pixels = np.zeros((12, 16, 4), np.uint8)
    pixels[..., 0] = 200
    pixels[..., 3] = 255
    _write_png(tmp_path / "red.png", pixels)
    assert window.open_path(tmp_path / "red.png")
    assert window.document.size == (16, 12)
    assert "red.png" in window.windowTitle()

    window.layers_panel.add_layer()
    window.push(commands.SetLayerProperty(window.document.active_layer.uid, "name", "top", "Ink"))
    assert window.isWindowModified()
    assert window.save_to(tmp_path / "work.ora")
    assert not window.isWindowModified()
    assert window.path == tmp_path / "work.ora"
    assert "work.ora" in window.windowTitle()

    assert window.new_document(8, 8)
    assert window.open_path(tmp_path / "work.ora")
    names = [layer.name for layer in window.document.layers]
    assert names == ["red", "Ink"]
    assert window.document.layers[0].pixels[0, 0].tolist() == [200, 0, 0, 255]
    assert window.files.recent_files()[0] == str((tmp_path / "work.ora").resolve())


def test_failed_open_shows_the_error_and_keeps_the_document(window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png at all")
    before = window.document
    assert not window.open_path(broken)
    assert window.document is before
    assert len(shown) == 1 and "broken.png" in shown[0]
    assert window.path is None


def test_failed_save_shows_the_error_and_stays_modified(window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    window.layers_panel.add_layer()
    assert not window.save_to(tmp_path / "missing-folder" / "x.ora")
    assert len(shown) == 1 and "x.ora" in shown[0]
    assert window.isWindowModified()
    assert window.path is None


def test_open_over_unsaved_changes_asks_and_cancel_keeps_everything(window, tmp_path, monkeypatch):
    _write_png(tmp_path / "a.png", np.full((4, 4, 4), 255))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    window.layers_panel.add_layer()
    before = window.document
    assert not window.open_path(tmp_path / "a.png")
    assert window.document is before


def test_save_button_of_the_prompt_saves_first(window, tmp_path, monkeypatch):
    _write_png(tmp_path / "a.png", np.full((4, 4, 4), 255))
    assert window.save_to(tmp_path / "first.ora")
    window.layers_panel.add_layer()
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Save)
    assert window.open_path(tmp_path / "a.png")
    window.open_path(tmp_path / "first.ora")
    assert len(window.document.layers) == 2


def test_export_writes_the_flat_image_and_keeps_the_document_file(window, tmp_path):
    assert window.save_to(tmp_path / "doc.ora")
    assert window.export_to(tmp_path / "flat.png")
    with Image.open(tmp_path / "flat.png") as image:
        assert image.size == window.document.size
    assert window.path == tmp_path / "doc.ora"


def test_export_with_an_unknown_suffix_explains(window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    assert not window.export_to(tmp_path / "flat.xyz")
    assert shown and "PNG" in shown[0]


def test_dropping_an_image_file_opens_it(window, tmp_path):
    _write_png(tmp_path / "dropped.png", np.full((5, 7, 4), 255))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "dropped.png"))])
    event = QDropEvent(QPointF(QPoint(10, 10)), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.document.size == (7, 5)
    assert window.path == tmp_path / "dropped.png"


def test_recent_files_menu_lists_and_reopens(window, tmp_path):
    _write_png(tmp_path / "one.png", np.full((3, 3, 4), 255))
    _write_png(tmp_path / "two.png", np.full((6, 6, 4), 255))
    window.open_path(tmp_path / "one.png")
    window.open_path(tmp_path / "two.png")
    window.recent_menu.aboutToShow.emit()
    entries = [a for a in window.recent_menu.actions() if a.statusTip()]
    assert [a.text() for a in entries] == ["&1 two.png", "&2 one.png"]
    entries[1].trigger()
    assert window.document.size == (3, 3)


def test_new_action_uses_the_dialog_size(window, monkeypatch):
    from glide_desktop.ui import dialogs

    def accept(dialog):
        dialog.width_box.setValue(40)
        dialog.height_box.setValue(30)
        dialog.background_box.setCurrentText("Transparent")
        return 1

    monkeypatch.setattr(dialogs.NewImageDialog, "exec", accept)
    window.actions_by_name["new"].trigger()
    assert window.document.size == (40, 30)
    assert window.document.layers[0].pixels[0, 0, 3] == 0


def test_save_of_an_untitled_document_asks_for_a_name(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    asked = []

    def choose(parent, caption, suggested, filters):
        asked.append(suggested)
        return str(tmp_path / "chosen"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    window.layers_panel.add_layer()
    window.actions_by_name["save"].trigger()
    assert asked and asked[0].endswith("Untitled.ora")
    assert (tmp_path / "chosen.ora").is_file()
    assert window.path == tmp_path / "chosen.ora" and not window.isWindowModified()


def test_export_dialog_adds_the_chosen_format_suffix(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a: (str(tmp_path / "flat"), "JPEG image (*.jpg *.jpeg)"))
    window.actions_by_name["export"].trigger()
    window.files.export_dialog.accept()  # JPEG asks its quality and background first
    with Image.open(tmp_path / "flat.jpg") as image:
        assert image.format == "JPEG"
