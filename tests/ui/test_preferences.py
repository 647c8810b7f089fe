"""Edit → Preferences…: the Precision setting is saved and reaches every request the window makes."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from glide_desktop.engine import cpu_features
from glide_desktop.engine.types import Precision
from glide_desktop.ui.preferences import PRECISION_KEY, PreferencesDialog, precision_setting
from tests.ui.generation_helpers import ScriptedRunner, select
from tests.ui.test_generate import SELECTED, _generate


def _choose(dialog: PreferencesDialog, precision: Precision) -> None:
    dialog.precision.setCurrentIndex(dialog.precision.findData(precision.value))
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def test_the_choice_is_saved_on_ok_and_unknown_values_read_as_auto(qtbot, settings):
    assert precision_setting(settings) is Precision.AUTO
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    _choose(dialog, Precision.FP32)
    assert settings.value(PRECISION_KEY) == "fp32" and precision_setting(settings) is Precision.FP32
    settings.setValue(PRECISION_KEY, "fp8")
    assert precision_setting(settings) is Precision.AUTO


@pytest.mark.parametrize(("flags", "offered"), [("avx2 amx_bf16", True), ("avx2", False)])
def test_bf16_is_offered_only_where_the_cpu_has_it(qtbot, settings, monkeypatch, tmp_path, flags, offered):
    info = tmp_path / "cpuinfo"
    info.write_text(f"model name\t: Some CPU\nflags\t\t: {flags}\n", encoding="utf-8")
    monkeypatch.setattr(cpu_features, "CPUINFO", info)
    cpu_features.cpu_flags.cache_clear()
    cpu_features.cpu_model.cache_clear()
    try:
        dialog = PreferencesDialog(settings)
        qtbot.addWidget(dialog)
        item = dialog.precision.model().item(dialog.precision.findData("bf16"))
        assert item.isEnabled() is offered
        notes = " ".join(label.text() for label in dialog.findChildren(QLabel))
        assert ("Some CPU computes bf16 natively" in notes) is offered
    finally:
        cpu_features.cpu_flags.cache_clear()
        cpu_features.cpu_model.cache_clear()


def test_the_window_menu_opens_it_and_generate_sends_the_setting(make_window, qtbot):
    runner = ScriptedRunner()
    win = make_window(runner)
    action = next(a for a in win.menuBar().actions() if a.text() == "&Edit").menu().actions()
    dialog = None
    for item in action:
        if item.text() == "Pre&ferences…":
            item.trigger()
            dialog = win.findChild(PreferencesDialog)
    assert dialog is not None and dialog.isVisible()
    _choose(dialog, Precision.FP32)
    select(win, SELECTED)
    with qtbot.waitSignal(win.generation.jobs.finished, timeout=10_000):
        _generate(win, qtbot)
    assert runner.requests[0].precision is Precision.FP32
