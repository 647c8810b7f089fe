"""The composition root: starts without torch, opens command-line files, dispatches CLI subcommands."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
from PIL import Image

import glide_desktop.__main__ as entry

START_AND_QUIT = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from glide_desktop.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])

    def report():
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        doc = windows[0].document
        print("SIZE", doc.width, doc.height, "TITLE", windows[0].windowTitle())
        print("TORCH", "torch" in sys.modules)
        windows[0].close()

    QTimer.singleShot(300, report)
    from glide_desktop import app as root
    code = root.main(sys.argv)
    print("EXIT", code)
""")


def test_main_starts_without_torch_and_opens_command_line_files(tmp_path):
    image = tmp_path / "start.png"
    Image.fromarray(np.full((9, 13, 4), 255, np.uint8), "RGBA").save(image)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-c", START_AND_QUIT, str(image)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "SIZE 13 9 TITLE start.png" in done.stdout
    assert "TORCH False" in done.stdout
    assert "EXIT 0" in done.stdout


def test_cli_subcommands_go_to_the_cli(monkeypatch):
    import glide_desktop.cli as cli

    seen = []
    monkeypatch.setattr(cli, "main", lambda argv: seen.append(list(argv)) or 3)
    assert entry.run(["glide", "bench", "--steps", "2"]) == 3
    assert seen == [["bench", "--steps", "2"]]


def test_other_arguments_start_the_editor(monkeypatch):
    import glide_desktop.app as app

    seen = []
    monkeypatch.setattr(app, "main", lambda argv: seen.append(list(argv)) or 0)
    assert entry.run(["glide", "picture.png"]) == 0
    assert seen == [["glide", "picture.png"]]
