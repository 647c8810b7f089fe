"""Export asks JPEG/WebP quality and the flattening colour; PNG keeps generation details in text chunks."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel

from glide_desktop.document import commands
from glide_desktop.document.document import Document
from glide_desktop.document.layer import Layer
from glide_desktop.ui.export_dialog import ExportOptionsDialog
from tests.ui.screens import SHOTS


def _half_transparent(window) -> None:
    doc = Document(40, 30)
    pixels = np.zeros((30, 40, 4), np.uint8)
    pixels[:, :20] = (20, 160, 40, 255)
    doc.insert_layer(Layer(pixels, name="GLIDE: fox", metadata={"prompt": "a fox", "seed": 7,
                                                                "crop": [0, 0, 40, 30]}))
    window.set_document(doc, None)


def _choose_file(monkeypatch, path, kind: str) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(path), kind))


def test_jpeg_export_asks_quality_and_flattens_onto_the_chosen_colour(qtbot, window, tmp_path, monkeypatch):
    _half_transparent(window)
    _choose_file(monkeypatch, tmp_path / "out.jpg", "JPEG image (*.jpg *.jpeg)")
    window.actions_by_name["export"].trigger()
    dialog = window.files.export_dialog
    assert dialog.isVisible()
    assert "flattened onto white" in " ".join(label.text() for label in dialog.findChildren(QLabel))
    dialog.quality.box.selectAll()
    qtbot.keyClicks(dialog.quality.box, "60")
    dialog.colour.set_colour((255, 0, 0))  # what the colour picker would hand back
    SHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SHOTS / "export_jpeg_dialog.png"))
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    with Image.open(tmp_path / "out.jpg") as image:
        rgb = np.asarray(image.convert("RGB"), dtype=int)
        assert json.loads(image.getexif()[0x010E])["prompt"] == "a fox"
    assert np.abs(rgb[15, 35] - (255, 0, 0)).max() < 12  # the transparent half became red
    assert np.abs(rgb[15, 5] - (20, 160, 40)).max() < 12


def test_jpeg_quality_changes_the_file(window, tmp_path):
    _half_transparent(window)
    noisy = np.random.default_rng(0).integers(0, 256, (30, 40, 4), dtype=np.uint8)
    noisy[..., 3] = 255
    window.push(commands.AddLayer(Layer(noisy)))
    for quality in (30, 95):
        dialog = ExportOptionsDialog("JPEG", window)
        dialog.quality.setValue(quality)
        window.export_to(tmp_path / f"q{quality}.jpg", dialog.options())
    assert (tmp_path / "q30.jpg").stat().st_size < (tmp_path / "q95.jpg").stat().st_size


def test_webp_keeps_transparency_unless_flattened(qtbot, window, tmp_path, monkeypatch):
    _half_transparent(window)
    _choose_file(monkeypatch, tmp_path / "keep.webp", "WebP image (*.webp)")
    window.actions_by_name["export"].trigger()
    dialog = window.files.export_dialog
    assert not dialog.colour.isEnabled()
    dialog.accept()
    with Image.open(tmp_path / "keep.webp") as image:
        assert np.asarray(image.convert("RGBA"))[15, 35, 3] == 0
    _choose_file(monkeypatch, tmp_path / "flat.webp", "WebP image (*.webp)")
    window.actions_by_name["export"].trigger()
    dialog = window.files.export_dialog
    qtbot.mouseClick(dialog.flatten, Qt.MouseButton.LeftButton, pos=dialog.flatten.rect().center())
    assert dialog.flatten.isChecked() and dialog.colour.isEnabled()
    SHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SHOTS / "export_webp_dialog.png"))
    dialog.accept()
    with Image.open(tmp_path / "flat.webp") as image:
        assert np.asarray(image.convert("RGBA"))[15, 35].tolist() == [255, 255, 255, 255]


def test_png_export_asks_nothing_and_keeps_generation_text_chunks(window, tmp_path, monkeypatch):
    _half_transparent(window)
    _choose_file(monkeypatch, tmp_path / "out.png", "PNG image (*.png)")
    window.actions_by_name["export"].trigger()
    assert window.files.export_dialog is None
    with Image.open(tmp_path / "out.png") as image:
        assert image.text["prompt"] == "a fox" and image.text["seed"] == "7"
        assert json.loads(image.text["glide:generation"])[0]["crop"] == [0, 0, 40, 30]
        assert np.asarray(image)[15, 35, 3] == 0


def test_the_last_quality_and_colour_are_remembered(window, tmp_path, monkeypatch):
    _half_transparent(window)
    _choose_file(monkeypatch, tmp_path / "a.jpg", "JPEG image (*.jpg *.jpeg)")
    window.actions_by_name["export"].trigger()
    window.files.export_dialog.quality.setValue(55)
    window.files.export_dialog.colour.set_colour((10, 20, 30))
    window.files.export_dialog.accept()
    _choose_file(monkeypatch, tmp_path / "b.jpg", "JPEG image (*.jpg *.jpeg)")
    window.actions_by_name["export"].trigger()
    dialog = window.files.export_dialog
    assert dialog.quality.value() == 55 and dialog.colour.rgb == (10, 20, 30)
    window.files.export_dialog.reject()
    assert not (tmp_path / "b.jpg").exists()
