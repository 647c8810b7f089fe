"""The real app on a real X server (Xvfb): the window is grabbed to a PNG and must look like an editor."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(tempfile.gettempdir()) / "glide-desktop-screenshots"

APP_SCRIPT = r"""
import json, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDockWidget
from glide_desktop.app import build_window, configure_application

app = QApplication(sys.argv[:1] + ["-platform", "xcb"])
configure_application(app)
app.setOrganizationName("GLIDE Desktop real-window test")  # keep the user's settings untouched
window = build_window(sys.argv[2:])
window.resize(1400, 900)
window.show()

def grab():
    pixmap = QGuiApplication.primaryScreen().grabWindow(window.winId())
    pixmap.save(sys.argv[1])
    canvas = window.centralWidget()
    report = {
        "platform": QGuiApplication.platformName(),
        "menus": [a.text().replace("&", "") for a in window.menuBar().actions()],
        "docks": [d.windowTitle() for d in window.findChildren(QDockWidget) if d.isVisible()],
        "canvas": type(canvas).__name__ if canvas else None,
        "canvas_size": [canvas.width(), canvas.height()] if canvas else None,
        "title": window.windowTitle(),
        "painted": PaintWatch.painted,
    }
    print(json.dumps(report))
    window.close()
    app.quit()

class PaintWatch(QObject):
    # notes when the canvas has been painted after the window was exposed

    painted = False

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and window.windowHandle().isExposed():
            PaintWatch.painted = True
        return False

watch = PaintWatch()
window.centralWidget().installEventFilter(watch)
deadline = time.monotonic() + 60  # a generous bound for a loaded machine; normally well under a second

def poll():
    exposed = window.windowHandle() is not None and window.windowHandle().isExposed()
    if (exposed and watch.painted) or time.monotonic() > deadline:
        # one more round of the event loop so every dock has flushed its paint, then grab
        QTimer.singleShot(200, grab)
    else:
        QTimer.singleShot(50, poll)

QTimer.singleShot(0, poll)
app.exec()
"""


@pytest.fixture(scope="module")
def x_display():
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Xvfb is missing: .ci/run installs it with apt")
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        display = pipe.readline().strip()
    if not display:
        server.kill()
        pytest.fail("Xvfb did not start")
    yield f":{display}"
    server.terminate()
    server.wait(10)


def _run_app(display: str, shot: Path, *files: str) -> dict:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    out = subprocess.run(
        [sys.executable, "-c", APP_SCRIPT, str(shot), *files],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_real_window_shows_menus_canvas_and_panels(x_display, tmp_path):
    SHOTS.mkdir(exist_ok=True)
    photo = tmp_path / "photo.png"
    gradient = np.linspace(0, 255, 640, dtype=np.uint8)
    pixels = np.stack(np.broadcast_arrays(gradient[None, :], gradient[:, None], 128), axis=-1)
    Image.fromarray(pixels[:480].astype(np.uint8)).save(photo)
    shot = SHOTS / "main_window.png"
    report = _run_app(x_display, shot, str(photo))

    assert report["platform"] == "xcb"
    assert report["painted"], "the canvas was never painted on an exposed window within 60 s"
    for menu in ("File", "Edit", "Select", "View", "Layer"):
        assert menu in report["menus"], report["menus"]
    for dock in ("Layers", "History"):
        assert dock in report["docks"], report["docks"]
    assert report["canvas"] and min(report["canvas_size"]) > 200
    assert "photo" in report["title"]

    image = np.asarray(Image.open(shot).convert("RGB"), dtype=np.float32)
    assert image.shape[0] >= 600 and image.shape[1] >= 900
    assert image.std() > 10, "the screenshot is blank"
    colours = np.unique(image.reshape(-1, 3)[::7].astype(np.uint8), axis=0)
    assert len(colours) > 200, "too few colours for a window showing a photo, menus and panels"
