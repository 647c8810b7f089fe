"""Saving over a read-only file asks first; only Yes overwrites it."""

from __future__ import annotations

import os
import stat

import pytest
from PySide6.QtWidgets import QMessageBox

from glide_desktop.document.files import load_ora

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
def test_read_only_file_is_overwritten_only_on_yes(window, tmp_path, monkeypatch, answer):
    path = tmp_path / "locked.ora"
    assert window.save_to(path)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    window.layers_panel.add_layer()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *a: asked.append(text) or answer)
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: pytest.fail("no error dialog expected"))
    saved = window.save_to(path)
    assert asked == ["“locked.ora” is read-only. Overwrite it anyway?"]
    if answer == QMessageBox.StandardButton.Yes:
        assert saved and len(load_ora(path).layers) == 2 and not window.isWindowModified()
    else:
        assert not saved and path.read_bytes() == before and window.isWindowModified()
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
