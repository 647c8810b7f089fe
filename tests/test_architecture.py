"""The layers' import boundaries, checked in fresh interpreters (import-linter checks the static graph)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys
import {package} as root
names = [root.__name__]
for info in pkgutil.walk_packages(root.__path__, root.__name__ + "."):
    if info.name.endswith(".bench") or info.name.endswith("__main__"):
        continue  # entry points, run as scripts
    importlib.import_module(info.name)
    names.append(info.name)
print(json.dumps({{"imported": names, "modules": sorted(sys.modules)}}))
"""


def _loaded_by(code: str, env: dict[str, str] | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=240,
        env={**os.environ, **(env or {})},
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _qt(modules: list[str]) -> list[str]:
    return [m for m in modules if m == "PySide6" or m.startswith(("PySide6.", "shiboken6"))]


def test_engine_loads_no_qt():
    seen = _loaded_by(IMPORT_EVERY_MODULE.format(package="glide_desktop.engine"))
    assert len(seen["imported"]) > 5, "the engine's modules were not found"
    assert _qt(seen["modules"]) == []
    assert not any(m.startswith("glide_desktop.document") for m in seen["modules"])


def test_document_loads_no_qt_and_no_torch():
    seen = _loaded_by(IMPORT_EVERY_MODULE.format(package="glide_desktop.document"))
    assert len(seen["imported"]) > 3, "the document's modules were not found"
    assert _qt(seen["modules"]) == []
    assert "torch" not in seen["modules"]


def test_jobs_load_no_widgets_and_no_torch_until_a_model_is_needed():
    seen = _loaded_by(IMPORT_EVERY_MODULE.format(package="glide_desktop.jobs"))
    assert "PySide6.QtWidgets" not in seen["modules"]
    assert "torch" not in seen["modules"]


def test_engine_types_and_locations_load_no_torch():
    code = (
        "import json, sys\nimport glide_desktop.engine.types, glide_desktop.engine.locations\n"
        "print(json.dumps({'modules': sorted(sys.modules)}))"
    )
    assert "torch" not in _loaded_by(code)["modules"]


def test_main_window_starts_without_torch():
    code = """
import json, sys
from PySide6.QtWidgets import QApplication
from glide_desktop.app import build_window
app = QApplication([])
app.setOrganizationName("GLIDE Desktop tests")  # keep the user's settings out of it
window = build_window()
window.show()
app.processEvents()
print(json.dumps({"visible": window.isVisible(), "modules": sorted(sys.modules)}))
window.close()
"""
    seen = _loaded_by(code, {"QT_QPA_PLATFORM": "offscreen"})
    assert seen["visible"]
    assert "torch" not in seen["modules"], "the window imported torch before any model was needed"
