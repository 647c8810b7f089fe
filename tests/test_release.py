"""The release's entry point, selftest, bundled-models lookup, pruning rules, notices and offline promise."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import glide_desktop.__main__ as entry
from glide_desktop import __version__, selftest
from glide_desktop.engine import locations

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "packaging"))
import prune  # noqa: E402  (packaging/ is not a package: the spec imports it the same way)
import third_party_notices  # noqa: E402


def _clean_env(tmp_path: Path) -> dict[str, str]:
    """Offscreen, and HOME / XDG folders in tmp_path so nothing touches the user's settings."""
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
                XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
                GLIDE_MODELS_DIR="")


def test_version_and_help_come_from_the_one_entry_point(capsys):
    assert entry.run(["glide-desktop", "--version"]) == 0
    assert capsys.readouterr().out.strip() == f"GLIDE Desktop {__version__}"
    with pytest.raises(SystemExit) as done:
        entry.run(["glide-desktop", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "inpaint" in text and "selftest" in text and "[IMAGE ...]" in text


def test_selftest_subcommand_goes_to_the_selftest(monkeypatch):
    seen = []
    monkeypatch.setattr(selftest, "main", lambda argv: seen.append(list(argv)) or 5)
    assert entry.run(["glide-desktop", "selftest", "--keep"]) == 5
    assert seen == [["--keep"]]


@pytest.mark.slow
def test_selftest_from_source_passes_and_reports_the_installation(tmp_path):
    done = subprocess.run([sys.executable, "-m", "glide_desktop", "selftest"], cwd=REPO, capture_output=True,
                          text=True, env=_clean_env(tmp_path), timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert f"GLIDE Desktop {__version__} selftest (from source" in out
    assert "torch 2." in out and "device cpu" in out and "threads" in out
    assert "tokenizers/gpt2.tiktoken" in out and "tokenizers/clip_bpe_merges.txt" in out
    assert out.count("\nok ") == len(selftest.STEPS_IN_ORDER) and "selftest passed" in out
    assert not list(tmp_path.glob("home/**/*.ora")), "the selftest works in a temporary folder"


def test_selftest_names_the_step_that_failed_and_stops(tmp_path, capsys, monkeypatch):
    ran = []

    def broken(run):
        raise selftest.SelftestFailure("3 pixels outside the selection changed")

    monkeypatch.setattr(selftest, "STEPS_IN_ORDER", (
        ("first", ran.append), ("the broken one", broken), ("never", ran.append)))
    assert selftest._run_steps(selftest.Run(tmp_path)) == selftest.EXIT_FAILED
    out = capsys.readouterr().out
    assert "ok      first" in out
    assert "FAILED  the broken one: 3 pixels outside the selection changed" in out
    assert len(ran) == 1


def test_a_release_models_folder_beside_the_executable_comes_before_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(locations.MODELS_DIR_ENV, raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "glide-desktop"))
    assert locations.bundled_models_dir() is None  # no models/ shipped
    assert locations.default_models_dir().parts[-2:] == ("GLIDE Desktop", "models")
    (tmp_path / "models").mkdir()
    assert locations.default_models_dir() == tmp_path / "models"
    assert locations.default_models_dir(chosen=tmp_path / "mine") == tmp_path / "mine"  # a choice wins
    monkeypatch.setenv(locations.MODELS_DIR_ENV, str(tmp_path / "env"))
    assert locations.default_models_dir() == tmp_path / "env"


def test_from_source_the_interpreter_folder_is_never_a_models_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    (tmp_path / "models").mkdir()
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert locations.bundled_models_dir() is None


@pytest.mark.parametrize(("destination", "dropped"), [
    ("torch/bin/torch_shm_manager", False),
    ("torch/bin/test_api", True),
    ("torch/test/c10_Array_test", True),
    ("torch/lib/libtorchbind_test.so", True),
    ("torch/lib/libtorch_cpu.so", False),
    ("torch/include/ATen/ATen.h", True),
    ("PySide6/Qt/translations/qtbase_de.qm", True),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", True),
    ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", False),
    ("libcairo.so.2", True),
    ("pillow.libs/libharfbuzz-fb49c9fc.so.0.61450.0", False),
    ("libglib-2.0.so.0", False),
    ("setuptools/_vendor/x.py", True),
    ("torch\\bin\\torch_shm_manager", False),
    ("resources/tokenizers/gpt2.tiktoken", False),
])
def test_the_spec_prunes_only_what_the_app_never_uses(destination, dropped):
    assert prune.is_dropped(destination) is dropped


def test_prune_reports_the_bytes_it_drops(tmp_path):
    kept_file, dropped_file = tmp_path / "core.so", tmp_path / "t_test.so"
    kept_file.write_bytes(b"x" * 10)
    dropped_file.write_bytes(b"x" * 7)
    toc = [("torch/lib/core.so", str(kept_file), "BINARY"),
           ("torch/lib/t_test.so", str(dropped_file), "BINARY")]
    sizes: dict[str, int] = {}
    assert prune.prune(toc, sizes) == toc[:1]
    assert sizes == {str(dropped_file): 7}


def test_notices_name_every_runtime_package_with_its_licence_text(tmp_path):
    app = tmp_path / "app"
    (app / "_internal").mkdir(parents=True)
    (app / "_internal" / "libssl.so.3").write_bytes(b"")
    text = third_party_notices.notices(app, __version__)
    for name in ("torch", "numpy", "pillow", "tiktoken", "regex", "ftfy", "safetensors", "PySide6_Essentials",
                 "shiboken6", "qasync", "platformdirs"):
        assert f"\n{name} " in text, name
    assert "relinked" in text or "replace them with your own builds" in text  # the LGPL relinking note
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "Version 3, 29 June 2007" in text
    assert "libssl.so.3 (OpenSSL): Apache-2.0" in text
    assert "research release" in text
    assert "--- torch-" in text and "licenses/LICENSE ---" in text  # the licence files themselves


NO_SOCKETS = textwrap.dedent("""
    import socket, sys
    attempts = []

    def refuse(kind):
        def call(*args, **kwargs):
            attempts.append((kind, repr(args[:2])))
            raise OSError("network use in an offline test")
        return call

    socket.socket.connect = refuse("connect")
    socket.socket.connect_ex = refuse("connect_ex")
    socket.create_connection = refuse("create_connection")
    socket.getaddrinfo = refuse("getaddrinfo")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv[:1])

    def close_editor():
        for window in app.topLevelWidgets():
            if window.objectName() == "MainWindow" and window.isVisible():
                window.close()

    QTimer.singleShot(1500, close_editor)
    from glide_desktop import app as root, selftest
    print("EDITOR", root.main(["glide-desktop"]), "ATTEMPTS", len(attempts), attempts)
    print("SELFTEST", selftest.main([]), "ATTEMPTS", len(attempts), attempts)
    try:
        socket.create_connection(("127.0.0.1", 9))
    except OSError:
        pass
    print("CONTROL", len(attempts))
""")


@pytest.mark.slow
def test_neither_the_editor_start_nor_a_generation_opens_a_socket(tmp_path):
    done = subprocess.run([sys.executable, "-c", NO_SOCKETS], cwd=REPO, capture_output=True, text=True,
                          env=_clean_env(tmp_path), timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "EDITOR 0 ATTEMPTS 0 []" in done.stdout, done.stdout
    assert "SELFTEST 0 ATTEMPTS 0 []" in done.stdout, done.stdout
    assert "CONTROL 1" in done.stdout  # the guard does see a connection when one is made


def test_about_shows_the_version_and_the_app_carries_it(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from glide_desktop.ui.main_window import MainWindow

    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show_about()
    assert shown and f"</b> {__version__}<p>" in shown[0]
    # In a fresh interpreter: configure_application styles the whole application.
    script = ("from PySide6.QtWidgets import QApplication\n"
              "from glide_desktop.app import configure_application\n"
              "app = QApplication([]); configure_application(app)\n"
              "print(app.applicationVersion(), sorted(s.width() for s in app.windowIcon().availableSizes()))")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                          env=_clean_env(tmp_path), timeout=120)
    assert done.stdout.split()[0] == __version__, done.stderr
    assert "[16, 24, 32, 48, 64, 128, 256]" in done.stdout
