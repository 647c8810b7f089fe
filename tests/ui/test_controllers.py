"""The menu controllers work against any object with their narrow host protocol, not only the window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QStatusBar

from glide_desktop.document.document import Document
from glide_desktop.document.layer import Layer
from glide_desktop.ui.file_actions import FileActions
from glide_desktop.ui.layer_actions import LayerActions
from glide_desktop.ui.selection_actions import SelectionActions


class Host:
    """The smallest host: a document, a list standing in for the history, a status bar."""

    def __init__(self, tmp_path: Path) -> None:
        self.document = Document(8, 6)
        self.document.insert_layer(Layer.filled(8, 6, (10, 20, 30, 255), name="Background"))
        self.pushed, self.path, self.titles = [], None, 0
        self.undo = type("Undo", (), {"modified": False, "mark_saved": lambda self: None})()
        self.settings = QSettings(str(tmp_path / "host.ini"), QSettings.Format.IniFormat)
        self.bar = QStatusBar()

    def push(self, command) -> None:
        command.redo(self.document)
        self.pushed.append(command)

    def statusBar(self) -> QStatusBar:  # noqa: N802 - Qt's name
        return self.bar

    def set_document(self, doc, path) -> None:
        self.document, self.path = doc, path

    def update_title(self) -> None:
        self.titles += 1

    def document_name(self) -> str:
        return "host"


class Panel:
    def __init__(self) -> None:
        self.loaded = []

    def load_settings(self, values) -> None:
        self.loaded.append(values)


class Generation:
    def __init__(self) -> None:
        self.rerolled = []

    def reroll(self, uid, prompt=None) -> bool:
        self.rerolled.append((uid, prompt))
        return True


def test_selection_actions_push_one_step_each(qapp, tmp_path):
    host = Host(tmp_path)
    actions = SelectionActions(host)
    assert actions.select_all() and host.document.selection.coverage.min() == 1.0
    assert not actions.select_all(), "no change, no step"
    assert actions.invert_selection() and host.document.selection.is_empty()
    assert [c.text for c in host.pushed] == ["Select all", "Invert selection"]
    actions.grow_with_dialog()  # nothing selected: says so instead of asking
    assert host.bar.currentMessage() == "Select something first"


def test_layer_actions_rename_and_reroll_only_generated_layers(qapp, tmp_path):
    host, generation = Host(tmp_path), Generation()
    actions = LayerActions(host, Panel(), generation)
    layer = host.document.layers[0]
    actions.rename(layer.uid, "Paper")
    assert layer.name == "Paper" and len(host.pushed) == 1
    assert not actions.reroll_active() and "generated layer" in host.bar.currentMessage()
    layer.metadata.update(prompt="a cat", crop=[0, 0, 8, 8])
    assert actions.reroll_active() and generation.rerolled == [(layer.uid, None)]


def test_file_actions_save_and_open_through_the_host(qapp, tmp_path):
    host = Host(tmp_path)
    files = FileActions(host)
    assert files.save_to(tmp_path / "picture")
    assert host.path == tmp_path / "picture.ora" and host.titles == 1
    assert files.recent_files() == [str((tmp_path / "picture.ora").resolve())]
    assert files.new_document(4, 3) and host.document.size == (4, 3)
    assert files.open_path(tmp_path / "picture.ora")
    assert host.document.size == (8, 6)
    assert np.array_equal(host.document.layers[0].pixels[..., :3], np.full((6, 8, 3), (10, 20, 30)))
