"""Run the editor with tiny models: generate into a 1000 px selection of a large photo, then detail it.

Not a test (it takes minutes): `QT_QPA_PLATFORM=offscreen python -m tests.manual.detail_demo OUT`
writes before/after canvas grabs at 100 % zoom and prints the tile count, the estimate and the time.
Tiny random-weight models paint noise: the pictures show the mechanics, not GLIDE's quality.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QSettings
from PySide6.QtWidgets import QApplication

from glide_desktop.document.commands import SetSelection
from glide_desktop.document.selection import SelectionOp
from glide_desktop.engine.tiny_models import write_tiny_models
from glide_desktop.jobs.engine_runner import EngineRunner
from glide_desktop.jobs.queue import GenerationJobs
from glide_desktop.ui.main_window import MainWindow

SIZES = {  # photo width, height; ellipse centre and radii
    "large": ((3000, 2000), (1500, 1000), (500, 450)),  # a 1000 x 900 px selection: two rounds
    "small": ((1200, 900), (600, 450), (200, 180)),  # 400 x 360 px: one round of four tiles
}
(WIDTH, HEIGHT), CENTRE, RADII = SIZES["large"]


def photo() -> np.ndarray:
    """Smooth colour waves with fine grain: detail that a stretched 256 px result lacks."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    rgb = np.stack([120 + 80 * np.sin(x / 300), 100 + 60 * np.cos(y / 250),
                    140 + 50 * np.sin((x + y) / 400)], -1)
    rgb += np.random.default_rng(0).normal(0, 12, rgb.shape)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def wait(app: QApplication, jobs: GenerationJobs) -> None:
    while jobs.busy:
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()


def show_at_100(win: MainWindow, app: QApplication) -> None:
    """100 % zoom with the selection's centre in the middle of the canvas."""
    win.canvas.actual_size()
    at = win.canvas.map_from_document(QPointF(*CENTRE))
    win.canvas.pan_by(win.canvas.width() / 2 - at.x(), win.canvas.height() / 2 - at.y())
    app.processEvents()


def main(out: Path, base_steps: int = 10, upsample_steps: int = 6) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    work = Path(tempfile.mkdtemp())
    models = write_tiny_models(work / "models", ("base_inpaint.pt", "upsample_inpaint.pt"))
    os.environ["GLIDE_MODELS_DIR"] = str(models)  # this process only: the window and the job use them
    jobs = GenerationJobs(EngineRunner(models, threads=1))
    win = MainWindow(settings=QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat), jobs=jobs)
    win.resize(1400, 1000)
    win.show()
    from PIL import Image

    Image.fromarray(photo()).save(work / "photo.png")
    win.open_path(work / "photo.png")
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    inside = ((x - CENTRE[0]) / RADII[0]) ** 2 + ((y - CENTRE[1]) / RADII[1]) ** 2 <= 1
    ellipse = inside.astype(np.float32)
    win.push(SetSelection.from_change(win.document, lambda s: s.combine(SelectionOp.REPLACE, ellipse)))
    panel = win.generate_panel
    panel.prompt_edit.setText("a stone fountain")
    panel.candidates_spin.setValue(1)  # one candidate goes straight on to the upsampler
    panel.advanced.steps_spin.setValue(base_steps)
    panel.advanced.upsample_steps_spin.setValue(upsample_steps)
    started = time.monotonic()
    panel.generate_button.click()
    app.processEvents()
    wait(app, jobs)
    assert win.generation.apply(), "no staged result to apply"
    crop = win.document.layers[-1].metadata["crop"]
    print(f"generated and applied in {time.monotonic() - started:.1f} s; layer crop {crop}")
    win.push(SetSelection.from_change(win.document, lambda s: s.combine(SelectionOp.REPLACE, 0 * ellipse)))
    show_at_100(win, app)
    win.canvas.grab().save(str(out / "detail-before.png"))
    asked: list[str] = []
    win.detail_pass.confirm = lambda text: asked.append(text) or True
    estimate_per_step = win.detail_pass.times.per_step("upsample")
    grabbed = False
    started = time.monotonic()
    assert win.detail_pass.start(), "the detail pass did not start"
    while jobs.busy:
        app.processEvents()
        if not grabbed and len(win.detail_pass.preview.tiles) >= 3:
            win.canvas.grab().save(str(out / "detail-during.png"))
            grabbed = True
        time.sleep(0.01)
    app.processEvents()
    measured = time.monotonic() - started
    staged = win.generation.staging.current
    show_at_100(win, app)
    win.canvas.grab().save(str(out / "detail-staged.png"))
    assert win.generation.apply(), "the detail pass was not staged"
    app.processEvents()
    win.canvas.grab().save(str(out / "detail-after.png"))
    note = win.document.layers[-1].metadata["detail_pass"][-1]
    estimate = win.detail_pass.last_estimate
    print(asked[0].replace("\n\n", " "))
    print(f"staged: {staged.describe()}; applied as one undo step")
    print(f"detail pass: {note['tiles']} tiles in {note['rounds']} round(s), {note['steps']} steps each; "
          f"estimate {estimate:.1f} s from {estimate_per_step:.3f} s/step, measured {measured:.1f} s "
          f"({100 * (estimate / measured - 1):+.0f} %)")
    win.undo.mark_saved()
    win.close()


if __name__ == "__main__":
    if len(sys.argv) > 2:  # python -m tests.manual.detail_demo OUT small: a quick run for the time estimate
        (WIDTH, HEIGHT), CENTRE, RADII = SIZES[sys.argv[2]]
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "detail-demo"))
