"""One owner of the models folder: a folder chosen in Model Files is the next Generate's, without restart."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from glide_desktop.document.geometry import Rect
from glide_desktop.engine import locations
from glide_desktop.jobs.engine_runner import EngineRunner
from glide_desktop.jobs.queue import GenerationJobs
from glide_desktop.ui.main_window import MainWindow
from tests.tiny_models import write_tiny_models
from tests.ui.generation_helpers import click, select, type_prompt

TIMEOUT = 60_000


class RecordingRunner(EngineRunner):
    """The real runner, as the app makes it, remembering the folder each job read its models from."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.folders = []

    def __call__(self, job, cancel, previews=None):
        try:
            yield from super().__call__(job, cancel, previews)
        finally:
            self.folders.append(None if self._store is None else self._store.folder)


@pytest.fixture
def app_window(qtbot, settings, tmp_path, monkeypatch):
    """The window as app.build_window makes it: the runner asks engine.locations at every request."""
    failures = []
    def remember(parent, title, text, *args, **kwargs):
        failures.append(text)

    monkeypatch.setattr(QMessageBox, "warning", remember)
    monkeypatch.setattr(QMessageBox, "information", remember)
    old = tmp_path / "old"
    old.mkdir()
    for name in locations.OFFICIAL_FILES:  # present, so Generate would not ask, but no real checkpoint
        (old / name).write_bytes(b"not a checkpoint")
    locations.save_models_dir(old)
    runner = RecordingRunner(locations.default_models_dir, threads=1)
    jobs = GenerationJobs(runner)
    win = MainWindow(settings=settings, jobs=jobs)
    jobs.setParent(win)
    qtbot.addWidget(win, before_close_func=lambda w: w.undo.mark_saved() if w.undo is not None else None)
    win.new_document(96, 80)
    win.show()
    qtbot.waitExposed(win)
    yield win, runner, failures


def test_a_folder_chosen_in_model_files_is_used_by_the_next_generate(app_window, qtbot, tmp_path):
    win, runner, failures = app_window
    assert win.generate_panel.models_dir == tmp_path / "old"
    chosen = write_tiny_models(tmp_path / "chosen", ("base_inpaint.pt", "upsample_inpaint.pt"))
    win.actions_by_name["models"].trigger()
    dialog = win.models_dialog
    assert dialog.folder == tmp_path / "old"
    dialog.set_folder(chosen)  # what Choose Folder… does with the folder picked
    dialog.reject()

    panel = win.generate_panel
    select(win, Rect(30, 20, 36, 30))
    click(qtbot, panel.preset.toggle)
    panel.advanced.steps_spin.setValue(2)
    type_prompt(qtbot, panel, "a red ball", 3)
    panel.candidates_spin.setValue(2)
    click(qtbot, panel.generate_button)
    qtbot.waitUntil(lambda: bool(runner.folders) and not win.generation.busy, timeout=TIMEOUT)
    assert failures == [], "the old folder's files are no checkpoints: reading them would have failed"
    assert runner.folders == [chosen]
    assert win.generation.shown_run.candidates is not None and len(win.generation.shown_run.candidates) == 2


def test_generate_reads_the_folder_its_owner_names_at_each_press(app_window, qtbot, tmp_path):
    win, runner, failures = app_window
    panel = win.generate_panel
    select(win, Rect(30, 20, 36, 30))
    type_prompt(qtbot, panel, "a red ball", 3)
    click(qtbot, panel.generate_button)
    qtbot.waitUntil(lambda: bool(failures) and not win.generation.busy, timeout=TIMEOUT)
    assert runner.folders == [tmp_path / "old"] and "base_inpaint.pt" in failures[0]
    # Another window or an older dialog saves a choice: the panel and the runner ask the owner again.
    chosen = write_tiny_models(tmp_path / "chosen", ("base_inpaint.pt", "upsample_inpaint.pt"))
    locations.save_models_dir(chosen)
    assert panel.models_dir == chosen
    failures.clear()
    click(qtbot, panel.preset.toggle)
    panel.advanced.steps_spin.setValue(2)
    panel.candidates_spin.setValue(2)
    click(qtbot, panel.generate_button)
    qtbot.waitUntil(lambda: len(runner.folders) == 2 and not win.generation.busy, timeout=TIMEOUT)
    assert failures == [] and runner.folders[1] == chosen


def test_model_files_cannot_choose_while_the_variable_decides(qtbot, settings, tmp_path, monkeypatch):
    from glide_desktop.ui.models_dialog import ModelsDialog

    monkeypatch.setenv(locations.MODELS_DIR_ENV, str(tmp_path / "env"))
    dialog = ModelsDialog(locations.default_models_dir(), settings)
    qtbot.addWidget(dialog)
    assert dialog.folder == tmp_path / "env"
    assert not dialog.choose_button.isEnabled() and locations.MODELS_DIR_ENV in dialog.choose_button.toolTip()
