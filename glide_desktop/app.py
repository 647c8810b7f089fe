"""Composition root: builds the application and main window and runs the qasync event loop."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from glide_desktop.ui.main_window import MainWindow

APP_NAME = "GLIDE Desktop"
ORGANISATION = "GLIDE Desktop"


def configure_application(app: QApplication) -> None:
    """Names (they decide where QSettings live), version, style and icon."""
    from glide_desktop import __version__
    from glide_desktop.ui.icons import icon
    from glide_desktop.ui.theme import apply_dark_theme

    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    apply_dark_theme(app)
    app.setWindowIcon(icon("app"))


def build_window(paths: Sequence[str] = ()) -> MainWindow:
    """The main window, wired to the engine, with the given files opened (the last one stays shown)."""
    from glide_desktop.engine.locations import default_models_dir
    from glide_desktop.jobs.engine_runner import EngineRunner
    from glide_desktop.jobs.model_checker import EngineModelChecker
    from glide_desktop.jobs.queue import GenerationJobs
    from glide_desktop.ui.main_window import MainWindow

    # The runner asks engine.locations for the folder at each request (the one chosen in Model Files,
    # shared with the CLI); it imports torch in the worker thread on the first one, so the window opens fast.
    jobs = GenerationJobs(EngineRunner(default_models_dir))
    window = MainWindow(jobs=jobs)
    window.model_checker = EngineModelChecker()  # Model Files checks imported files with the engine
    jobs.setParent(window)
    for path in paths:
        window.open_path(path)
    return window


def main(argv: Sequence[str] | None = None) -> int:
    """Start the editor; files on the command line are opened. Returns the exit code."""
    import qasync

    argv = list(sys.argv if argv is None else argv)
    app = QApplication.instance() or QApplication(argv)
    configure_application(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    window = build_window()
    # Closing the window stops the job thread; this covers quitting any other way.
    app.aboutToQuit.connect(window.generation.shutdown)
    window.show()
    # Opened after show: a file that cannot be read leaves the empty window up with the message over it.
    for path in (arg for arg in argv[1:] if not arg.startswith("-")):
        window.open_path(path)
    with loop:
        loop.run_until_complete(closed.wait())
    return 0


if __name__ == "__main__":
    sys.exit(main())
