"""Change events say whether pixels, the selection or neither changed, so views redraw only what moved."""

import numpy as np

from glide_desktop.document.commands import AddLayer, RemoveLayer, SetLayerProperty, SetSelection
from glide_desktop.document.document import Change
from glide_desktop.document.geometry import Rect
from glide_desktop.document.history import History
from glide_desktop.document.layer import Layer
from glide_desktop.document.selection import SelectionOp, rect_coverage


def _flags(change: Change) -> tuple[bool, bool, bool]:
    return change.structure, change.pixels, change.selection


def _last(doc, action) -> Change:
    seen = []
    unsubscribe = doc.subscribe(seen.append)
    action()
    unsubscribe()
    assert seen, "the mutation sent no change event"
    return seen[-1]


def test_a_bare_change_assumes_pixels_and_selection_may_have_changed():
    assert _flags(Change(Rect(0, 0, 1, 1))) == (False, True, True)


def test_pixel_writes_are_pixel_changes_only(small_doc):
    uid = small_doc.active_uid
    patch = np.full((2, 3, 4), 9, np.uint8)
    change = _last(small_doc, lambda: small_doc.write_pixels(uid, Rect(1, 1, 3, 2), patch))
    assert _flags(change) == (False, True, False) and change.rect == Rect(1, 1, 3, 2)


def test_selection_edits_are_selection_changes_only(small_doc):
    command = SetSelection.from_change(
        small_doc, lambda sel: sel.combine(SelectionOp.REPLACE, rect_coverage((24, 16), (2, 3, 5, 4))))
    change = _last(small_doc, lambda: History().push(small_doc, command))
    assert _flags(change) == (False, False, True) and change.rect == Rect(2, 3, 5, 4)


def test_a_selection_edit_keeps_the_cached_composite(small_doc, monkeypatch):
    small_doc.composite()
    rendered = []
    monkeypatch.setattr(small_doc._cache, "_render", lambda rect: rendered.append(rect))
    small_doc.write_selection(Rect(0, 0, 4, 4), np.ones((4, 4), np.float32))
    small_doc.composite()
    assert rendered == []


def test_layer_list_changes_touch_pixels_not_the_selection(small_doc):
    history = History()
    layer = small_doc.new_layer("new")
    assert _flags(_last(small_doc, lambda: history.push(small_doc, AddLayer(layer)))) == (True, True, False)
    remove = RemoveLayer(layer.uid)
    assert _flags(_last(small_doc, lambda: history.push(small_doc, remove))) == (True, True, False)


def test_layer_properties_touch_pixels_only_when_they_show(small_doc):
    uid = small_doc.active_uid
    rename = SetLayerProperty(uid, "name", "gradient", "renamed")
    assert _flags(_last(small_doc, lambda: rename.redo(small_doc))) == (True, False, False)
    fade = SetLayerProperty(uid, "opacity", 1.0, 0.5)
    assert _flags(_last(small_doc, lambda: fade.redo(small_doc))) == (True, True, False)


def test_choosing_the_active_layer_changes_neither(small_doc):
    below = small_doc.layers[0].uid
    assert _flags(_last(small_doc, lambda: small_doc.set_active(below))) == (True, False, False)


def test_content_bounds_hold_every_visible_pixel():
    layer = Layer.blank(30, 20)
    assert layer.content_bounds().is_empty()
    layer.pixels[4, 7, 3] = 1
    layer.pixels[11, 2, :3] = 255  # colour without alpha is not content
    layer.pixels[9, 12, 3] = 255
    assert layer.content_bounds() == Rect(7, 4, 6, 6)


def test_an_offset_with_known_content_repaints_only_the_content(small_doc):
    layer = small_doc.new_layer("patch")
    layer.pixels[2:5, 3:7] = (250, 0, 0, 255)
    History().push(small_doc, AddLayer(layer))
    small_doc.composite()  # fill the tile cache
    content = layer.content_bounds()
    change = _last(small_doc, lambda: small_doc.set_layer_property(layer.uid, "offset", (5, 1),
                                                                    content=content))
    assert change.rect == Rect(3, 2, 9, 4)  # columns 3..11, rows 2..5: where the patch was and is
    assert np.array_equal(small_doc.composite(), small_doc.composite_uncached())
