"""The Model Files dialog: file states in a folder, downloads through a local server, the folder choice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QLabel, QMessageBox

from glide_desktop.engine import locations
from glide_desktop.engine.types import Mode
from glide_desktop.jobs.model_checker import EngineModelChecker
from glide_desktop.ui.models_dialog import FOLDER_KEY, ModelsDialog, chosen_models_dir
from tests.model_server import ServerState, fake_checkpoint, model_server
from tests.tiny_models import write_tiny_models

SIGNAL_TIMEOUT_MS = 15_000
MB = 1_000_000
TINY_NAMES = ("base.pt", "base_inpaint.pt", "upsample_inpaint.pt")


@pytest.fixture
def state() -> ServerState:
    """Small fake checkpoints under every official name."""
    names = locations.OFFICIAL_FILES
    return ServerState(files={name: fake_checkpoint(20_000 + i) for i, name in enumerate(names)})


@pytest.fixture
def urls(state):
    with model_server(state) as base:
        yield {name: f"{base}/{name}" for name in locations.OFFICIAL_FILES}


def _dialog(qtbot, folder: Path, settings, urls=None, checker=None) -> ModelsDialog:
    dialog = ModelsDialog(folder, settings, urls=urls, checker=checker)
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
    assert "Done" in dialog.message()
    dialog.grab().save(str(tmp_path / "models_dialog.png"))


def test_a_failed_download_is_explained(qtbot, tmp_path, settings, state, urls):
    del state.files["base.pt"]
    dialog = _dialog(qtbot, tmp_path, settings, urls)
    with qtbot.waitSignal(dialog.downloader.allDone, timeout=SIGNAL_TIMEOUT_MS):
        assert dialog.download_for(Mode.TEXT2IM)
    assert "base.pt was not found" in dialog.message()
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


def test_yes_in_generates_prompt_starts_the_download(window, qtbot, monkeypatch, urls, state):
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.model_urls = urls
    window.generate_panel.prompt_edit.setText("a fox")
    qtbot.mouseClick(window.generate_panel.generate_button, Qt.MouseButton.LeftButton)
    dialog = window.models_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.downloader.busy, timeout=SIGNAL_TIMEOUT_MS)
    folder = window.generate_panel.models_dir
    for name in locations.required_files(window.generate_panel.mode()):
        assert (folder / name).read_bytes() == state.files[name]
    window.models_dialog.reject()


def test_sizes_are_shown_per_file_and_in_total_and_small_files_are_not_zero_mb(qtbot, tmp_path, settings):
    (tmp_path / "clip_text_enc.pt").write_bytes(b"x" * 20_000)
    dialog = _dialog(qtbot, tmp_path, settings)
    assert dialog.status_labels["clip_text_enc.pt"].text() == "present, 20 kB"
    sizes = [w.text() for w in dialog.findChildren(QLabel) if w.toolTip() == "download size"]
    assert sizes.count("1.54 GB") == 2 and "1.59 GB" in sizes and len(sizes) == 6
    assert dialog.total_label.text().startswith("All six: 6.90 GB to download; inpainting needs 3.13 GB")


def test_choosing_another_folder_clears_failed_labels(qtbot, tmp_path, settings, state, urls):
    del state.files["base.pt"]
    dialog = _dialog(qtbot, tmp_path / "a", settings, urls)
    with qtbot.waitSignal(dialog.downloader.allDone, timeout=SIGNAL_TIMEOUT_MS):
        assert dialog.download_for(Mode.TEXT2IM)
    assert dialog.status_labels["base.pt"].text().endswith("download failed")
    dialog.set_folder(tmp_path / "b")
    assert dialog.status_labels["base.pt"].text() == "missing" and dialog.message() == ""


def test_long_messages_are_selectable_and_wrap_only_between_words(qtbot, tmp_path, settings):
    dialog = _dialog(qtbot, tmp_path, settings)
    assert dialog.message_view.isReadOnly()
    assert dialog.message_view.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert dialog.message_view.wordWrapMode() == QTextOption.WrapMode.WordWrap
    assert dialog.folder_edit.isReadOnly()  # the path: a line that scrolls, never broken


def _import(qtbot, dialog, source: Path) -> None:
    with qtbot.waitSignal(dialog.task.done, timeout=60_000):
        assert dialog.import_from(source)


def test_import_refuses_a_wrong_layout_with_a_message_and_leaves_the_folder_untouched(
        qtbot, tmp_path, settings, tiny_copies):
    folder = _tiny_folder(tmp_path)
    wrong = tmp_path / "upsample_inpaint.pt"
    shutil.copyfile(tiny_copies / "base.pt", wrong)
    before = sorted(p.name for p in folder.iterdir())
    dialog = _dialog(qtbot, folder, settings, checker=EngineModelChecker())
    _import(qtbot, dialog, wrong)
    assert "this is base.pt, but upsample_inpaint.pt was expected" in dialog.message()
    assert sorted(p.name for p in folder.iterdir()) == before
    assert dialog.status_labels["upsample_inpaint.pt"].text() == "missing"


def test_import_a_folder_then_verify_notices_a_changed_file(qtbot, tmp_path, settings, tiny_copies):
    folder = _tiny_folder(tmp_path)
    dialog = _dialog(qtbot, folder, settings, checker=EngineModelChecker())
    dialog.show()
    _import(qtbot, dialog, tiny_copies)
    assert "Imported base.pt." in dialog.message() and "Imported base_inpaint.pt." in dialog.message()
    assert dialog.status_labels["base_inpaint.pt"].text().startswith("present")
    with qtbot.waitSignal(dialog.task.done, timeout=60_000):
        assert dialog.verify()
    assert dialog.status_labels["base.pt"].text().endswith(", verified")
    with open(folder / "base.pt", "r+b") as damaged:
        damaged.seek(100)
        damaged.write(b"\xff")
    with qtbot.waitSignal(dialog.task.done, timeout=60_000):
        assert dialog.verify()
    assert "CHANGED" in dialog.status_labels["base.pt"].text() and "base.pt changed" in dialog.message()
    dialog.grab().save(str(tmp_path / "models_dialog_verify.png"))


def test_without_a_checker_the_import_buttons_are_off(qtbot, tmp_path, settings):
    dialog = _dialog(qtbot, tmp_path, settings)
    assert not dialog.import_file_button.isEnabled() and not dialog.import_from(tmp_path)


@pytest.fixture(scope="module")
def tiny_copies(tmp_path_factory) -> Path:
    return write_tiny_models(tmp_path_factory.mktemp("copies"), TINY_NAMES)


def _tiny_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    manifest = {name: {"preset": "tiny"} for name in TINY_NAMES}
    (folder / "models.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder
