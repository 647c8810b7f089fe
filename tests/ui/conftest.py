"""UI test set-up: settings in a temporary folder and a ready main window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, qapp):
    """Keep every QSettings() the code makes out of the user's real settings."""
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    qapp.setOrganizationName("GLIDE Desktop Tests")
    qapp.setApplicationName("GLIDE Desktop Tests")
    yield folder


@pytest.fixture
def settings(tmp_path) -> QSettings:
    """A settings file of this test's own."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings, tmp_path):
    """The main window with a small blank document, models folder empty."""
    from glide_desktop.engine import locations
    from glide_desktop.ui.main_window import MainWindow

    locations.save_models_dir(tmp_path / "models")  # in the test's own settings file (isolated_config)
    win = MainWindow(settings=settings)
    # Closing with unsaved changes would open a modal prompt and hang the teardown.
    qtbot.addWidget(win, before_close_func=_forget_changes)
    win.new_document(64, 48)
    win.show()
    qtbot.waitExposed(win)
    return win


def _forget_changes(win) -> None:
    if win.undo is not None:
        win.undo.mark_saved()


# The offscreen platform cannot pass window size hints on and says so whenever a shown window's
# minimum size changes (docks, status bar); real platforms (xcb, Windows, macOS) do not warn.
OFFSCREEN_ONLY_WARNING = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(config, items):
    """Ignore the offscreen platform's size-hint warning in the UI tests only."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_ONLY_WARNING))


@pytest.fixture
def make_window(qtbot, settings, tmp_path):
    """A main window whose Generate runs the given runner on a real job thread (model files faked)."""
    from glide_desktop.engine.locations import CLIP_FILES, INPAINT_FILES, TEXT2IM_FILES, save_models_dir
    from glide_desktop.jobs.queue import GenerationJobs
    from glide_desktop.ui.main_window import MainWindow

    models = tmp_path / "models"
    models.mkdir()
    for name in INPAINT_FILES + TEXT2IM_FILES + CLIP_FILES:
        (models / name).write_bytes(b"only checked for presence")

    def make(runner, models_dir=models, size=(96, 80)) -> MainWindow:
        save_models_dir(models_dir)  # the folder's owner, in the test's own settings file
        jobs = GenerationJobs(runner)
        win = MainWindow(settings=settings, jobs=jobs)
        jobs.setParent(win)
        qtbot.addWidget(win, before_close_func=_forget_changes)
        win.new_document(*size)
        win.show()
        qtbot.waitExposed(win)
        return win

    return make
