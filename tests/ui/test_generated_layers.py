"""Generated layers remember how they were made: Layer Properties, Use these settings, re-roll, .ora."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from glide_desktop.document.geometry import Rect
from glide_desktop.engine.types import Mode
from glide_desktop.ui.layer_properties import LayerPropertiesDialog
from tests.ui.generation_helpers import COLOURS, ScriptedRunner, click, document_state, select, type_prompt

SELECTED = Rect(30, 20, 36, 30)


def _generate_and_apply(win, qtbot, prompt="a red ball", seed=7, pick=2):
    panel = win.generate_panel
    type_prompt(qtbot, panel, prompt, seed)
    panel.candidates_spin.setValue(4)
    click(qtbot, panel.generate_button)
    qtbot.waitUntil(lambda: len(panel.strip.buttons) == 4 and panel.strip.upsample_button.text()
                    == "Upsample chosen", timeout=10_000)
    qtbot.waitUntil(lambda: not win.generation.busy, timeout=10_000)
    click(qtbot, panel.strip.buttons[pick])
    click(qtbot, panel.strip.upsample_button)
    qtbot.waitUntil(lambda: len(win.generation.staging) == 1 and not win.generation.busy, timeout=10_000)
    click(qtbot, panel.staging.apply_button)
    return win.document.layers[-1]


def _open_properties(win, qtbot, layer) -> LayerPropertiesDialog:
    """Double-click the layer's row in the Layers panel, as an artist does."""
    view = win.layers_panel.view
    row = win.layers_panel.model.row_of(layer.uid)
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double-click's press
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialogs = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, LayerPropertiesDialog) and w.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def test_layer_properties_show_the_settings_rename_and_use_them(make_window, qtbot):
    win = make_window(ScriptedRunner())
    select(win, SELECTED)
    layer = _generate_and_apply(win, qtbot)
    dialog = _open_properties(win, qtbot, layer)
    assert dialog.prompt_edit.text() == "a red ball"
    keys = ("seed", "candidate", "preset", "crop", "model_files")
    shown = {key: dialog.findChild(QLabel, f"value-{key}") for key in keys}
    assert shown["seed"].text() == "7" and shown["candidate"].text() == "#3"
    assert shown["preset"].text() == "balanced" and shown["crop"].text() == "96 × 96 px at (0, -8)"
    assert shown["model_files"].text() == "base_inpaint.pt, upsample_inpaint.pt"
    dialog.name_edit.setText("ball")
    steps = win.undo.stack.count()
    click(qtbot, dialog.use_button)  # Use these settings also closes the dialog with OK
    assert layer.name == "ball" and win.undo.stack.count() == steps + 1
    panel = win.generate_panel
    panel.prompt_edit.clear()
    panel.seed_spin.setValue(99)
    dialog = _open_properties(win, qtbot, layer)
    click(qtbot, dialog.use_button)
    assert panel.prompt_edit.text() == "a red ball" and panel.seed_spin.value() == 7
    assert panel.mode() is Mode.INPAINT and panel.preset.preset() == "balanced"
    assert panel.negative_edit.text() == ""


def test_reroll_replaces_the_layer_in_one_step_after_staging(make_window, qtbot):
    runner = ScriptedRunner()
    win = make_window(runner)
    select(win, SELECTED)
    layer = _generate_and_apply(win, qtbot, pick=2)
    win.deselect()  # the re-roll uses the layer's own crop and mask, not the selection
    before = document_state(win)
    first_request = runner.requests[0]
    dialog = _open_properties(win, qtbot, layer)
    dialog.prompt_edit.setText("a blue ball")
    click(qtbot, dialog.reroll_button)
    qtbot.waitUntil(lambda: len(runner.requests) == 2 and not win.generation.busy, timeout=10_000)
    request = runner.requests[1]
    assert request.prompt == "a blue ball" and request.seed != 7 and request.mode is Mode.INPAINT
    assert np.array_equal(request.selection64, first_request.selection64)
    assert np.array_equal(request.source256, first_request.source256), "the source is read without the layer"
    assert document_state(win) == before, "nothing changes before Apply"
    panel = win.generate_panel
    click(qtbot, panel.strip.buttons[1])
    click(qtbot, panel.strip.upsample_button)
    qtbot.waitUntil(lambda: len(win.generation.staging) == 1 and not win.generation.busy, timeout=10_000)
    assert document_state(win) == before
    click(qtbot, panel.staging.apply_button)

    layers = win.document.layers
    assert len(layers) == len(before[0]) and win.undo.stack.count() == before[1] + 1
    new = layers[-1]
    assert new.uid != layer.uid and new.metadata["prompt"] == "a blue ball"
    assert new.metadata["seed"] == request.seed and new.metadata["crop"] == layer.metadata["crop"]
    assert (new.pixels[SELECTED.expand(-5).slices()][..., :3] == COLOURS[1]).all()
    assert np.array_equal(new.pixels[..., 3], layer.pixels[..., 3]), "same mask, same place"
    win.undo.undo()
    assert document_state(win)[0] == before[0]
    win.undo.redo()
    assert win.document.layers[-1] is new


def test_reroll_from_the_layer_menu_keeps_the_prompt(make_window, qtbot):
    runner = ScriptedRunner()
    win = make_window(runner)
    select(win, SELECTED)
    _generate_and_apply(win, qtbot)
    win.actions_by_name["reroll"].trigger()
    qtbot.waitUntil(lambda: len(runner.requests) == 2, timeout=10_000)
    assert runner.requests[1].prompt == "a red ball" and runner.requests[1].seed != 7


def test_the_metadata_survives_saving_and_reopening_the_ora(make_window, qtbot, tmp_path):
    win = make_window(ScriptedRunner())
    select(win, SELECTED)
    layer = _generate_and_apply(win, qtbot)
    meta = dict(layer.metadata)
    path = tmp_path / "picture.ora"
    assert win.save_to(path)
    assert win.new_document(20, 20)
    assert win.open_path(path)
    reopened = win.document.layers[-1]
    assert reopened.metadata == meta and reopened.name == layer.name
    assert np.array_equal(reopened.pixels, layer.pixels)
