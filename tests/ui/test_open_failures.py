"""File→Open and start-up with files that cannot be read: a dialog naming the file, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile

import pytest
from PySide6.QtWidgets import QMessageBox


def _crafted(path, stack: str, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"image/openraster")
        archive.writestr("stack.xml", stack)
        for name, data in members.items():
            archive.writestr(name, data)
    return path


HOSTILE = {
    "inf.ora": ('<image w="4" h="4"><stack><layer src="a.png" x="inf"/></stack></image>', {"a.png": b""}),
    "deep.ora": ('<image w="4" h="4">' + "<stack>" * 1100 + "</stack>" * 1100 + "</image>", {}),
    "deflate.ora": ('<image w="4" h="4"><stack><layer src="a.png"/></stack></image>',
                    {"a.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x04\x00\x00\x00\x04\x08\x06"
                              b"\x00\x00\x00\xa9\xf1\x9e~\x00\x00\x00\x05IDATxxxxx\x00\x00\x00\x00"}),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_open_of_a_hostile_file_shows_a_dialog_and_keeps_the_document(window, tmp_path, monkeypatch, name):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append((title, text)))
    before, before_layers = window.document, [layer.state() for layer in window.document.layers]
    assert not window.open_path(_crafted(tmp_path / name, *HOSTILE[name]))
    assert window.document is before
    assert [layer.state() for layer in window.document.layers] == before_layers
    assert len(shown) == 1 and shown[0][0] == "Could not open" and name in shown[0][1]


START_WITH_BAD_FILE = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    from glide_desktop.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])

    def critical(parent, title, text, *args):
        print("DIALOG", title, "|", text, "| window shown:", parent.isVisible(), flush=True)

    QMessageBox.critical = critical

    def report():
        window = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()][0]
        print("LAYERS", len(window.document.layers), "PATH", window.path)
        window.close()

    QTimer.singleShot(300, report)
    from glide_desktop import app as root
    print("EXIT", root.main(sys.argv))
""")


def test_start_up_with_a_hostile_file_opens_empty_and_shows_the_message(tmp_path):
    path = _crafted(tmp_path / "deep.ora", *HOSTILE["deep.ora"])
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-c", START_WITH_BAD_FILE, str(path)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "DIALOG Could not open | Cannot open deep.ora:" in done.stdout
    assert "window shown: True" in done.stdout
    assert "PATH None" in done.stdout and "EXIT 0" in done.stdout


def test_a_multi_frame_file_opens_its_first_frame_and_says_so(window, tmp_path, monkeypatch):
    from PIL import Image

    frames = [Image.new("RGB", (6, 5), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(tmp_path / "two.gif", save_all=True, append_images=frames[1:], duration=50)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda _, title, text, *a: told.append((title, text)))
    assert window.open_path(tmp_path / "two.gif")
    assert window.document.size == (6, 5)
    assert window.document.layers[0].pixels[0, 0].tolist() == [255, 0, 0, 255]
    assert told == [("Opened two.gif", "two.gif has 2 frames; only the first one was opened.")]
