"""The Model Files dialog: file states in a folder, downloads through a local server, the folder choice."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from glide_desktop.engine import locations
from glide_desktop.engine.types import Mode
from glide_desktop.ui.models_dialog import FOLDER_KEY, ModelsDialog, chosen_models_dir
from tests.model_server import ServerState, fake_checkpoint, model_server

SIGNAL_TIMEOUT_MS = 15_000
MB = 1_000_000


@pytest.fixture
def state() -> ServerState:
    """Small fake checkpoints under every official name."""
    names = locations.OFFICIAL_FILES
    return ServerState(files={name: fake_checkpoint(20_000 + i) for i, name in enumerate(names)})


@pytest.fixture
def urls(state):
    with model_server(state) as base:
        yield {name: f"{base}/{name}" for name in locations.OFFICIAL_FILES}


def _dialog(qtbot, folder: Path, settings, urls=None) -> ModelsDialog:
    dialog = ModelsDialog(folder, settings, urls=urls)
    qtbot.addWidget(dialog)
    return dialog


def test_the_dialog_shows_present_missing_and_partial_files(qtbot, tmp_path, settings):
    (tmp_path / "base.pt").write_bytes(b"x" * 3 * MB)
    (tmp_path / "upsample.pt.part").write_bytes(b"x" * 2 * MB)
    dialog = _dialog(qtbot, tmp_path, settings)
    labels = {name: label.text() for name, label in dialog.status_labels.items()}
    assert labels["base.pt"] == "present, 3 MB"
    assert labels["upsample.pt"] == "partial, 2 MB downloaded"
    assert labels["base_inpaint.pt"] == "missing"
    assert set(labels) == set(locations.OFFICIAL_FILES)
    assert dialog.folder_edit.text() == str(tmp_path)
    assert dialog.text2im_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_downloading_for_inpainting_fetches_its_two_files_and_updates_the_list(
        qtbot, tmp_path, settings, state, urls):
    dialog = _dialog(qtbot, tmp_path, settings, urls)
    dialog.show()
    with qtbot.waitSignal(dialog.downloader.allDone, timeout=SIGNAL_TIMEOUT_MS):
        qtbot.mouseClick(dialog.inpaint_button, Qt.MouseButton.LeftButton)
    for name in locations.INPAINT_FILES:
        assert (tmp_path / name).read_bytes() == state.files[name]
        assert dialog.status_labels[name].text().startswith("present")
    assert dialog.status_labels["base.pt"].text() == "missing"
    assert not dialog.inpaint_button.isEnabled()  # nothing left to fetch for inpainting
    assert dialog.text2im_button.isEnabled()
    assert "Done" in dialog.message_label.text()
    dialog.grab().save(str(tmp_path / "models_dialog.png"))


def test_a_failed_download_is_explained(qtbot, tmp_path, settings, state, urls):
    del state.files["base.pt"]
    dialog = _dialog(qtbot, tmp_path, settings, urls)
    with qtbot.waitSignal(dialog.downloader.allDone, timeout=SIGNAL_TIMEOUT_MS):
        assert dialog.download_for(Mode.TEXT2IM)
    assert "base.pt was not found" in dialog.message_label.text()
    assert dialog.status_labels["base.pt"].text() == "missing; download failed"
    assert dialog.status_labels["upsample.pt"].text().startswith("present")


def test_a_chosen_folder_is_saved_and_reported(qtbot, tmp_path, settings, monkeypatch):
    monkeypatch.delenv(locations.MODELS_DIR_ENV, raising=False)
    dialog = _dialog(qtbot, tmp_path / "a", settings)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "base.pt").write_bytes(b"x" * MB)
    with qtbot.waitSignal(dialog.folderChanged) as changed:
        dialog.set_folder(tmp_path / "b")
    assert changed.args == [tmp_path / "b"]
    assert locations.saved_models_dir() == tmp_path / "b"  # shared with the command line
    assert chosen_models_dir(settings) == tmp_path / "b" == locations.default_models_dir()
    assert dialog.status_labels["base.pt"].text() == "present, 1 MB"


def test_the_environment_overrides_the_saved_folder(tmp_path, settings, monkeypatch):
    locations.save_models_dir(tmp_path / "saved")
    monkeypatch.setenv(locations.MODELS_DIR_ENV, str(tmp_path / "env"))
    assert chosen_models_dir(settings) == tmp_path / "env"


def test_a_folder_an_older_version_kept_in_qsettings_moves_to_the_shared_file(
        tmp_path, settings, monkeypatch):
    monkeypatch.delenv(locations.MODELS_DIR_ENV, raising=False)
    settings.setValue(FOLDER_KEY, str(tmp_path / "old"))
    assert chosen_models_dir(settings) == tmp_path / "old"
    assert locations.saved_models_dir() == tmp_path / "old" and settings.value(FOLDER_KEY) is None


def test_the_window_opens_the_dialog_from_the_menu_and_follows_its_folder(window, tmp_path):
    window.actions_by_name["models"].trigger()
    dialog = window.models_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.folder == window.generate_panel.models_dir
    dialog.set_folder(tmp_path / "elsewhere")
    assert window.generate_panel.models_dir == tmp_path / "elsewhere"
    dialog.reject()
    assert window.models_dialog is None


def test_generate_without_models_offers_the_download(window, qtbot, monkeypatch):
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.generate_panel.prompt_edit.setText("a fox")
    qtbot.mouseClick(window.generate_panel.generate_button, Qt.MouseButton.LeftButton)
    assert window.models_dialog is not None and window.models_dialog.isVisible()
    window.models_dialog.reject()
