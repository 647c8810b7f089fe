"""Shared test set-up: Qt offscreen before any QApplication, and the golden-vector folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def need_shared(path: Path, what: str) -> Path:
    """Return path, or skip (fail in CI) with a clear reason when it is absent."""
    if path.exists():
        return path
    message = f"{what} not found at {path}"
    if _in_ci():
        pytest.fail(f"{message}: CI must have it")
    pytest.skip(message)


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    """The reference vectors: $GLIDE_GOLDEN_DIR, default ../shared/glide-golden."""
    return need_shared(Path(os.environ.get("GLIDE_GOLDEN_DIR", SHARED / "glide-golden")), "golden vectors")


@pytest.fixture(scope="session")
def format_dir() -> Path:
    """Facts about the official checkpoints: ../shared/glide-format."""
    return need_shared(SHARED / "glide-format", "checkpoint format facts")


@pytest.fixture(scope="session")
def vocab_dir(format_dir: Path) -> Path:
    """The real tokenizer files, for tests only (never committed)."""
    return need_shared(format_dir / "vocab", "tokenizer vocab")


@pytest.fixture(autouse=True)
def isolated_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the shared settings file (the chosen models folder) out of the user's real config folder."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("GLIDE_CONFIG_DIR", str(folder))
    monkeypatch.delenv("GLIDE_MODELS_DIR", raising=False)  # it would win over every folder a test chooses
    return folder


def pytest_sessionfinish(session, exitstatus):
    """Empty the clipboard while Python still runs.

    A QMimeData the tests put on the clipboard is otherwise deleted by Qt's own exit code after the
    interpreter is gone, and the process dies with a segmentation fault (exit 139) after every test
    passed.
    """
    if "PySide6.QtGui" not in sys.modules:
        return
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):  # a bench test may have made a plain QCoreApplication
        app.clipboard().clear()
