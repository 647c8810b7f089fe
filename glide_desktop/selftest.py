"""`glide-desktop selftest`: proves an installation works offline, from the window to a saved .ora.

The main window opens offscreen with tiny random-weight models in the official format (written to a
temporary folder), inpaints a selection in 2 steps on the job thread the editor uses, lands the result
as a layer, saves an .ora, reopens it and checks that nothing outside the selection changed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from glide_desktop import __version__
from glide_desktop.engine.locations import CONFIG_DIR_ENV, MODELS_DIR_ENV

IMAGE_SIZE = (96, 72)  # width, height of the test picture
SELECTED = (30, 20, 36, 30)  # x, y, w, h of the selection GLIDE fills
SOFT_EDGE = 5  # px inside the selection edge that softening may leave partly transparent
MARGIN = 8  # px around the selection that softening may touch; everything beyond must stay exactly
STEPS = 2
JOB_TIMEOUT_S = 600
EXIT_FAILED = 1
MODEL_FOLDER_VARIABLES = (MODELS_DIR_ENV, CONFIG_DIR_ENV)  # engine.locations' overrides


class SelftestFailure(Exception):
    """A step found something wrong; the message says what."""


@dataclass
class Run:
    """What the steps share: the temporary folder and what earlier steps made."""

    folder: Path
    app: Any = None
    window: Any = None
    models: Path | None = None
    picture: np.ndarray | None = None  # the RGBA test image as opened
    layer: np.ndarray | None = None  # the generated layer's pixels before saving
    ora: Path | None = None
    dialogs: list[str] = field(default_factory=list)  # texts of message boxes that popped up


def report(out=sys.stdout) -> None:
    """Version, Python, torch, device, thread count and the data files this installation ships."""
    import torch

    from glide_desktop.engine.device import resolve_device
    from glide_desktop.engine.locations import default_models_dir
    from glide_desktop.engine.resources import resources_root

    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    system = f"{platform.system()} {platform.machine()}"
    print(f"GLIDE Desktop {__version__} selftest ({frozen}, {system})", file=out)
    print(f"  python {platform.python_version()}; torch {torch.__version__}; device "
          f"{resolve_device('auto')}; {torch.get_num_threads()} threads", file=out)
    root = resources_root()
    files = sorted(p for p in root.rglob("*") if p.is_file())
    print(f"  data files in {root}: {len(files)}", file=out)
    for path in files:
        print(f"    {path.relative_to(root).as_posix()} ({path.stat().st_size:,} bytes)", file=out)
    print(f"  your models folder: {default_models_dir()} (not used here)", file=out)


def write_models(run: Run) -> None:
    """Tiny inpainting models in the official format, in the temporary folder."""
    from glide_desktop.engine.tiny_models import write_tiny_models

    run.models = write_tiny_models(run.folder / "models", ("base_inpaint.pt", "upsample_inpaint.pt"))


def open_window(run: Run) -> None:
    """The real main window, wired to the real engine runner, with its settings kept in the temp folder."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from glide_desktop.app import configure_application
    from glide_desktop.engine.locations import default_models_dir
    from glide_desktop.jobs.engine_runner import EngineRunner
    from glide_desktop.jobs.queue import GenerationJobs
    from glide_desktop.ui.main_window import MainWindow

    run.app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_application(run.app)
    settings = QSettings(str(run.folder / "settings.ini"), QSettings.Format.IniFormat)
    jobs = GenerationJobs(EngineRunner(default_models_dir))  # as the app: the owner names the folder
    run.window = MainWindow(settings=settings, jobs=jobs)
    if run.window.generate_panel.models_dir != run.models:
        raise SelftestFailure(f"the window reads models from {run.window.generate_panel.models_dir}, "
                              f"not the tiny models in {run.models}")
    jobs.setParent(run.window)
    run.window.show()
    _process_events(0.2)
    if not run.window.isVisible():
        raise SelftestFailure("the main window did not show")


def open_picture(run: Run) -> None:
    """A small gradient PNG, opened like a file from the command line."""
    from PIL import Image

    width, height = IMAGE_SIZE
    y, x = np.mgrid[0:height, 0:width]
    rgba = np.stack([x * 255 // width, y * 255 // height, (x + y) % 256, np.full_like(x, 255)], -1)
    path = run.folder / "picture.png"
    Image.fromarray(rgba.astype(np.uint8), "RGBA").save(path)
    if not run.window.open_path(path):
        raise SelftestFailure(f"could not open {path}")
    run.picture = run.window.document.composite().copy()
    mask = np.zeros((height, width), np.uint8)
    mask[_selected_rect().slices()] = 255
    Image.fromarray(mask, "L").save(run.folder / "mask.png")  # for trying the CLI on the kept files


def inpaint(run: Run) -> None:
    """Select a rectangle and press Generate (one candidate, 2 steps per stage, on the job thread);
    the result is staged, then Apply lands it as one new layer."""
    from glide_desktop.document.commands import SetSelection
    from glide_desktop.document.selection import SelectionOp, rect_coverage

    win = run.window
    doc = win.document
    cover = rect_coverage(doc.size, _selected_rect())
    win.push(SetSelection.from_change(doc, lambda s: s.combine(SelectionOp.REPLACE, cover)))
    layers_before = len(doc.layers)
    panel = win.generate_panel
    panel.prompt_edit.setText("a red ball")
    panel.seed_spin.setValue(1)
    panel.candidates_spin.setValue(1)  # one candidate goes straight on to the upsampler
    panel.advanced.steps_spin.setValue(STEPS)
    panel.advanced.upsample_steps_spin.setValue(STEPS)
    watch = _watch_dialogs(run)  # started first: Generate itself may ask about missing files
    panel.generate()
    _wait_for(lambda: len(win.generation.staging) == 1 or not win.generation.busy, JOB_TIMEOUT_S, run,
              "the generation")
    watch.stop()
    if len(win.generation.staging) != 1:
        raise SelftestFailure("the generation ended without a result to apply")
    if not win.generation.apply():  # staged on the canvas, then applied as one undo step
        raise SelftestFailure("the staged result could not be applied")
    if len(doc.layers) != layers_before + 1:
        raise SelftestFailure(f"expected one new layer, found {len(doc.layers) - layers_before}")
    steps = doc.layers[-1].metadata.get("steps")
    if steps != STEPS:
        raise SelftestFailure(f"the layer was made with {steps} steps, not {STEPS}")
    run.layer = doc.layers[-1].pixels.copy()
    inside = run.layer[_selected_rect().expand(-SOFT_EDGE).slices()]
    if not (inside[..., 3] == 255).all():
        raise SelftestFailure("the generated layer does not cover the selection")


def save_ora(run: Run) -> None:
    """Save the document as OpenRaster through the window."""
    run.ora = run.folder / "selftest.ora"
    if not run.window.save_to(run.ora) or not run.ora.is_file():
        raise SelftestFailure(f"could not save {run.ora}")


def reopen_and_check(run: Run) -> None:
    """Reopen the .ora: the layers come back exactly and pixels outside the selection are the original's."""
    win = run.window
    if not win.open_path(run.ora):
        raise SelftestFailure(f"could not reopen {run.ora}")
    doc = win.document
    if len(doc.layers) != 2:
        raise SelftestFailure(f"the reopened file has {len(doc.layers)} layers, expected 2")
    if not np.array_equal(doc.layers[-1].pixels, run.layer):
        raise SelftestFailure("the generated layer changed on the way through the .ora file")
    outside = np.ones(doc.composite().shape[:2], bool)
    outside[_selected_rect().expand(MARGIN).clip(doc.width, doc.height).slices()] = False
    changed = np.any(doc.composite()[outside] != run.picture[outside], axis=-1)
    if changed.any():
        raise SelftestFailure(f"{int(changed.sum())} pixels outside the selection changed")


STEPS_IN_ORDER: tuple[tuple[str, Callable[[Run], None]], ...] = (
    ("write tiny models in the official format", write_models),
    ("open the main window offscreen", open_window),
    ("open a picture", open_picture),
    (f"inpaint a selection ({STEPS} steps) on the job thread", inpaint),
    ("save an .ora", save_ora),
    ("reopen the .ora and check the pixels outside the selection", reopen_and_check),
)


def main(argv: Sequence[str] = ()) -> int:
    """Run every step; 0 when all pass, else 1 after naming the step that failed."""
    parser = argparse.ArgumentParser(prog="glide-desktop selftest", description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (tiny models, "
                        "picture.png, mask.png, selftest.ora) and print where it is")
    args = parser.parse_args(list(argv))
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no display needed, and no window flashes up
    started = time.perf_counter()
    try:
        report()
    except Exception as error:  # noqa: BLE001 - a broken installation is reported, not raised
        return _failed("report the installation", error)
    folder = tempfile.mkdtemp(prefix="glide-selftest-")
    run = Run(Path(folder))
    saved = _use_temporary_folders(run.folder)
    try:
        code = _run_steps(run)
    finally:
        _close(run)
        os.environ.update(saved)
        for name in (name for name in MODEL_FOLDER_VARIABLES if name not in saved):
            os.environ.pop(name, None)
        if args.keep:
            print(f"  files kept in {folder}")
        else:
            _remove(Path(folder))
    if code == 0:
        print(f"selftest passed in {time.perf_counter() - started:.1f} s")
    return code


def _use_temporary_folders(folder: Path) -> dict[str, str]:
    """Point the models folder's owner (engine.locations) at the tiny models and a settings file in
    folder, so the window and the job use them and the user's own choice is neither read nor changed;
    returns the variables' values before."""
    saved = {name: os.environ[name] for name in MODEL_FOLDER_VARIABLES if name in os.environ}
    os.environ.update(dict(zip(MODEL_FOLDER_VARIABLES, (str(folder / "models"), str(folder / "config")))))
    return saved


def _run_steps(run: Run) -> int:
    for label, step in STEPS_IN_ORDER:
        began = time.perf_counter()
        try:
            step(run)
        except Exception as error:  # noqa: BLE001 - every failure names its step
            return _failed(label, error)
        print(f"ok      {label} ({time.perf_counter() - began:.1f} s)", flush=True)
    return 0


def _failed(label: str, error: Exception) -> int:
    if os.environ.get("GLIDE_DEBUG"):
        import traceback

        traceback.print_exception(error)
    detail = str(error) if isinstance(error, SelftestFailure) else f"{type(error).__name__}: {error}"
    print(f"FAILED  {label}: {detail}", flush=True)
    print("selftest failed", flush=True)
    return EXIT_FAILED


def _selected_rect():
    from glide_desktop.document.geometry import Rect

    return Rect(*SELECTED)


def _process_events(seconds: float) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def _wait_for(done: Callable[[], bool], timeout: float, run: Run, what: str) -> None:
    """Run the event loop until done(), failing on a time-out or on a message box run.dialogs caught."""
    end = time.monotonic() + timeout
    while not done():
        if run.dialogs:
            raise SelftestFailure(f"{what} showed a message: {run.dialogs[0]}")
        if time.monotonic() > end:
            raise SelftestFailure(f"{what} did not finish within {timeout:.0f} s")
        _process_events(0.05)
    if run.dialogs:
        raise SelftestFailure(f"{what} showed a message: {run.dialogs[0]}")


def _watch_dialogs(run: Run) -> Any:
    """A timer that closes any modal message box (nobody is there to answer it) and records its text.

    A timer, not a check in the waiting loop: a message box runs its own event loop inside ours.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def close_modal() -> None:
        modal = QApplication.activeModalWidget()
        if modal is not None:
            text = modal.text() if hasattr(modal, "text") else modal.windowTitle()
            run.dialogs.append(text)
            modal.close()

    timer = QTimer()
    timer.setInterval(100)
    timer.timeout.connect(close_modal)
    timer.start()
    return timer


def _close(run: Run) -> None:
    """Close the window without the unsaved-changes prompt; its close stops the job thread."""
    if run.window is None:
        return
    if run.window.undo is not None:
        run.window.undo.mark_saved()
    run.window.close()
    _process_events(0.05)


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
