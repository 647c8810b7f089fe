"""Layer masks in the window: Mask actions, clicking the mask thumbnail, painting the mask with the mouse."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from glide_desktop.document.commands import AddLayer
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import Layer
from glide_desktop.document.mask_commands import MaskEdit
from tests.ui.screens import SHOTS, picture_document
from tests.ui.test_canvas_support import drag

LEFT = Qt.MouseButton.LeftButton


def _masked_window(window):
    doc = picture_document(window)
    panel = window.layers_panel
    window.undo.push(AddLayer(Layer.filled(64, 48, (255, 0, 0, 255), "Red")), close=True)
    panel.masks.add_white.trigger()
    return doc, panel, doc.layers[1]


def _click_row(qtbot, panel, row: int, on_mask: bool) -> None:
    view = panel.view
    rect = view.visualRect(panel.model.index(row))
    point = panel.mask_delegate.mask_rect(rect).center() if on_mask else rect.center()
    qtbot.mouseClick(view.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, point)


def test_mask_actions_are_one_undo_step_each(window):
    doc, panel, red = _masked_window(window)
    assert red.mask is not None and (red.mask == 255).all() and doc.edits_mask
    steps = window.undo.stack.count()
    panel.masks.invert.trigger()
    assert (red.mask == 0).all() and doc.composite()[10, 10, 0] != 255
    panel.masks.disable.trigger()
    assert not red.mask_enabled and panel.masks.disable.isChecked()
    assert tuple(doc.composite()[10, 10]) == (255, 0, 0, 255)
    panel.masks.disable.trigger()
    panel.masks.apply.trigger()
    assert red.mask is None and not red.pixels[..., 3].any()
    assert window.undo.stack.count() == steps + 4
    for _ in range(4):
        window.undo.undo()
    assert (red.mask == 255).all() and red.mask_enabled and red.pixels[..., 3].min() == 255
    panel.masks.delete.trigger()
    assert red.mask is None and red.pixels[..., 3].min() == 255


def test_brush_paints_the_mask_after_its_thumbnail_is_clicked(qtbot, window):
    doc, panel, red = _masked_window(window)
    pixels = red.pixels.copy()
    _click_row(qtbot, panel, 0, on_mask=False)
    assert not doc.edits_mask
    _click_row(qtbot, panel, 0, on_mask=True)
    assert doc.edits_mask
    window.toolbox.set_tool("brush")
    window.toolbox.state.set_color((0, 0, 0))
    window.toolbox.state.set_brush("brush", size=8, hardness=1.0, opacity=1.0)
    drag(qtbot, window.canvas, [(10, 20), (30, 20), (50, 20)])
    assert np.array_equal(red.pixels, pixels)  # the layer's pixels are untouched
    assert red.mask[20, 10:51].max() == 0 and red.mask[5, :].min() == 255
    assert tuple(doc.composite()[20, 30][:3]) != (255, 0, 0)  # the photo shows through the hole
    window.toolbox.set_tool("eraser")
    window.toolbox.state.set_brush("eraser", size=6, hardness=1.0, opacity=1.0)
    drag(qtbot, window.canvas, [(30, 40), (40, 40)])
    assert red.mask[40, 30:41].max() == 0 and np.array_equal(red.pixels, pixels)
    window.undo.undo()
    window.undo.undo()
    assert (red.mask == 255).all()
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.undo.redo()
    panel.grab().save(str(SHOTS / "layers-panel-mask.png"))
    _click_row(qtbot, panel, 0, on_mask=False)
    assert not doc.edits_mask
    drag(qtbot, window.canvas, [(10, 5), (30, 5)])  # the brush is the eraser now: pixels this time
    assert red.pixels[5, 15, 3] == 0 and red.mask[5, 15] == 255


def test_a_reroll_takes_its_area_from_what_the_masked_layer_shows():
    from glide_desktop.document.document import Document
    from glide_desktop.document.mask_commands import alpha_as_mask
    from glide_desktop.engine.types import Mode, SamplerName
    from glide_desktop.ui.generate_options import GenerationSettings
    from glide_desktop.ui.generation_runs import reroll_run

    doc = Document(64, 48)
    doc.insert_layer(Layer.filled(64, 48, (200, 200, 200, 255), "Photo"))
    placed = np.zeros((48, 64, 4), np.uint8)
    placed[8:40, 16:48] = (9, 9, 9, 255)
    placed[8:40, 16:20, 3] = 128  # a soft edge
    pixels, mask = alpha_as_mask(placed, Rect(16, 8, 32, 32))
    mask[20:24, 30:34] = 0  # the artist painted a hole into the blend
    crop = [16, 8, 32, 32]
    generated = Layer(pixels, "GLIDE: x", mask=mask, metadata={"crop": crop, "mode": Mode.TEXT2IM.value})
    doc.insert_layer(generated)
    settings = GenerationSettings("x", "", 1, SamplerName("ddim"), 10, 3.0, mode=Mode.TEXT2IM)
    run = reroll_run(doc, generated, settings)
    assert np.array_equal(np.rint(run.placement.alpha * 255).astype(np.uint8), mask[8:40, 16:48])


def test_add_mask_from_selection_follows_the_selection(window):
    from glide_desktop.document.commands import SetSelection
    from glide_desktop.document.selection import rect_coverage

    doc = picture_document(window)
    masks = window.layers_panel.masks
    menu = masks.menu(window)
    menu.aboutToShow.emit()
    assert not masks.add_selection.isEnabled()  # nothing selected
    window.undo.push(SetSelection.from_change(doc, lambda sel: sel.combine(
        "replace", rect_coverage((64, 48), Rect(10, 5, 20, 12)))), close=True)
    menu.aboutToShow.emit()
    assert masks.add_selection.isEnabled()
    masks.add_selection.trigger()
    photo = doc.layers[0]
    assert photo.mask[5:17, 10:30].min() == 255 and photo.mask.sum() == 255 * 20 * 12
    assert not masks.add_white.isEnabled() and masks.invert.isEnabled()


def test_the_mask_thumbnail_follows_painting(qtbot, window):
    doc, panel, red = _masked_window(window)
    first = panel.mask_delegate._thumb(red).toImage()
    box = first.width()
    assert first.pixelColor(box // 2, box // 2).getRgb()[:3] == (255, 255, 255)
    window.undo.push(MaskEdit(red.uid, Rect(0, 0, 64, 48), red.mask.copy(), np.zeros((48, 64), np.uint8)),
                     close=True)
    qtbot.waitUntil(lambda: panel.mask_delegate._thumb(red).toImage().pixelColor(box // 2, box // 2)
                    .getRgb()[:3] == (0, 0, 0), timeout=3000)
