"""The detail pass on a generated layer: its upscale, its plan from the document, one undo step."""

from __future__ import annotations

import numpy as np
import pytest

from glide_desktop.document.commands import AddLayer
from glide_desktop.document.detail_layer import (
    DETAIL_KEY,
    DetailApplied,
    detail_preview,
    generated_upscale,
    plan_for_layer,
)
from glide_desktop.document.detail_tiles import TILE
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.inpaint_crop import Placement, place_result
from glide_desktop.document.layer import Layer


def generated_document(width: int = 1400, height: int = 1000) -> tuple[Document, Layer]:
    """A photo layer and a generated layer: a 256 px image stretched over a 700 px crop, a disc selected."""
    rng = np.random.default_rng(3)
    doc = Document(width, height)
    photo = np.concatenate([rng.integers(0, 256, (height, width, 3), dtype=np.uint8),
                            np.full((height, width, 1), 255, np.uint8)], axis=2)
    AddLayer(Layer(photo, name="photo")).redo(doc)
    rect = Rect(400, 200, 700, 700)
    yy, xx = np.mgrid[0:700, 0:700]
    alpha = (((xx - 350) ** 2 + (yy - 350) ** 2) <= 250 ** 2).astype(np.float32)
    result = np.full((256, 256, 3), (30, 140, 60), np.uint8)
    pixels = place_result(result, Placement(rect, alpha), width, height)
    layer = Layer(pixels, name="GLIDE: a bush", metadata={"generator": "GLIDE", "crop": [400, 200, 700, 700]})
    AddLayer(layer).redo(doc)
    return doc, layer


def test_the_upscale_comes_from_the_crop() -> None:
    _, layer = generated_document()
    assert generated_upscale(layer) == pytest.approx(700 / 256)
    assert generated_upscale(Layer.blank(10, 10)) is None
    assert generated_upscale(Layer.blank(10, 10, metadata={"crop": "nonsense"})) is None


def test_the_plan_reads_the_original_below_and_the_layer_as_selection() -> None:
    doc, layer = generated_document()
    plan = plan_for_layer(doc, layer.uid)
    assert plan.region == Rect(500, 300, 501, 501)  # the disc's box
    assert plan.rounds == 1 and plan.total_tiles == 9  # 3 x 3 tiles over 501 px, all touch the disc
    tile = plan.tiles(0, plan.start(), 0)[0]  # the top left one: painted first
    x, y, w, h = tile.rect
    photo = doc.layers[0].pixels[..., :3]
    np.testing.assert_array_equal(tile.known, photo[y:y + h, x:x + w])
    np.testing.assert_array_equal(tile.selection, layer.pixels[y:y + h, x:x + w, 3] / np.float32(255))
    np.testing.assert_array_equal(tile.low_res[60, 60], (30, 140, 60))  # the stretched result, reduced
    with pytest.raises(ValueError, match="not generated"):
        plan_for_layer(doc, doc.layers[0].uid)


def test_applying_is_one_step_that_undoes_exactly() -> None:
    doc, layer = generated_document()
    plan = plan_for_layer(doc, layer.uid)
    working = plan.start()
    for group, tiles in enumerate(plan.groups(0)):
        painted = [np.full((TILE, TILE, 3), (200, 10, 200), np.uint8)] * len(tiles)
        working = plan.paint(0, working, group, painted)
    output = plan.finish(plan.next_round(0, working))
    before = layer.state()
    old = layer.pixels.copy()
    rect, preview = detail_preview(doc, layer.uid, output)
    assert rect == plan.region and np.all(preview[preview[..., 3] > 0][:, :3] == (200, 10, 200))
    assert layer.state() == before  # a preview changes nothing
    command = DetailApplied(doc, layer.uid, output, {"tiles": plan.total_tiles})
    command.redo(doc)
    new = doc.layer_by_uid(layer.uid)
    visible = old[..., 3] > 0
    assert np.all(new.pixels[visible][:, :3] == (200, 10, 200))
    np.testing.assert_array_equal(new.pixels[~visible], old[~visible])  # bit-identical outside
    np.testing.assert_array_equal(new.pixels[..., 3], old[..., 3])
    assert new.metadata[DETAIL_KEY] == [{"tiles": 9}] and new.metadata["crop"] == [400, 200, 700, 700]
    command.undo(doc)
    assert doc.layer_by_uid(layer.uid).state() == before
    command.redo(doc)
    command.redo(doc)  # safe to repeat
    assert len(doc.layer_by_uid(layer.uid).metadata[DETAIL_KEY]) == 1
