"""Group masks: an isolated group's mask cuts its composited result (both compositors agree), pass-through
groups refuse one, it follows image transforms, Merge Group keeps the look, it is painted with the brush,
.ora keeps it (and other readers see the same picture), and random sequences undo and redo exactly."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glide_desktop.document.affine import Affine
from glide_desktop.document.brush import BrushSettings
from glide_desktop.document.compositing import composite, composite_reference
from glide_desktop.document.document import Document
from glide_desktop.document.files import load_ora, save_ora
from glide_desktop.document.free_transform_group import FreeTransformGroup
from glide_desktop.document.geometry import Rect
from glide_desktop.document.group import check_structure
from glide_desktop.document.group_commands import GroupLayers, MergeGroup, OffsetLayers, SetGroupMode
from glide_desktop.document.group_masks import refit, transformed_mask
from glide_desktop.document.history import History
from glide_desktop.document.layer import BlendMode, Layer, apply_mask
from glide_desktop.document.mask_brush import MaskStroke
from glide_desktop.document.mask_commands import (
    add_mask,
    apply_mask_step,
    delete_mask,
    invert_mask,
    toggle_mask,
)
from glide_desktop.document.selection import rect_coverage
from glide_desktop.document.transform_commands import TransformImage
from glide_desktop.document.transform_ops import Axis, Crop, Flip, Resize, Rotate, canvas_crop
from tests.document.conftest import gradient_layer, snapshot, undo_all_then_redo_all

W, H = 40, 30


def _doc() -> tuple[Document, History, int]:
    """A background under an isolated group of two overlapping translucent layers; returns the group."""
    doc, history = Document(W, H), History()
    doc.insert_layer(Layer.filled(W, H, (200, 120, 40, 255), "background"))
    for i in (1, 2):
        layer = gradient_layer(24, 18, f"L{i}", seed=i)
        layer.offset = (6 * i, 3 * i)
        doc.insert_layer(layer)
    history.push(doc, GroupLayers([doc.layers[1].uid, doc.layers[2].uid], "G"))
    group = doc.active_uid
    history.push(doc, SetGroupMode(group, False, BlendMode.MULTIPLY))
    return doc, history, group


def _select_left(doc: Document) -> None:
    doc.selection.combine("replace", rect_coverage(doc.size, (0, 0, 22, H)))


def test_an_isolated_groups_mask_cuts_its_projection_before_it_blends():
    doc, history, uid = _doc()
    _select_left(doc)
    history.push(doc, add_mask(doc, uid, "selection"))
    group = doc.layer_by_uid(uid)
    assert group.mask.shape == (H, W) and group.masked
    # By hand: the group's layers alone, alpha x mask, multiplied over the background.
    projection = composite(doc.descendants(uid), W, H)
    cut = Layer(apply_mask(projection, group.mask), blend=BlendMode.MULTIPLY)
    expected = composite([doc.layers[0], cut], W, H)
    assert np.array_equal(doc.composite(), expected)
    assert np.array_equal(doc.composite_uncached(), composite_reference(doc.layers, Rect(0, 0, W, H)))
    right = doc.composite()[:, 24:]
    assert np.array_equal(right, doc.layers[0].pixels[:, 24:])  # the mask hides the group there


def test_moving_a_group_moves_its_mask_and_undo_puts_the_very_mask_back():
    doc, history, uid = _doc()
    _select_left(doc)
    history.push(doc, add_mask(doc, uid, "selection"))
    group, before = doc.layer_by_uid(uid), doc.layer_by_uid(uid).mask.copy()
    shown = doc.composite().copy()
    step = OffsetLayers.for_node(doc, uid, (5, 2), "Move group")
    history.push(doc, step)
    moved = doc.layer_by_uid(uid).mask
    assert np.array_equal(moved[2:, 5:], before[:-2, :-5])  # the mask went with the layers
    assert np.array_equal(moved[:2, 5:], np.repeat(before[:1, :-5], 2, axis=0))  # the edge repeats
    assert np.array_equal(moved[:, :5], np.repeat(moved[:, 5:6], 5, axis=1))
    # What the group shows moved by the same delta (where the background is plain, away from edges).
    after = doc.composite()
    assert np.array_equal(after[2 + 3: H - 1, 5 + 6: W - 1], shown[3: H - 3, 6: W - 6])
    assert step.nbytes >= before.nbytes
    history.undo(doc)
    assert np.array_equal(group.mask, before) and np.array_equal(doc.composite(), shown)
    history.redo(doc)
    assert np.array_equal(doc.layer_by_uid(uid).mask, moved)


def test_a_group_mask_moves_exactly_by_whole_pixels_and_quarter_turns():
    rng = np.random.default_rng(3)
    mask = rng.integers(0, 256, (H, W), dtype=np.uint8)
    assert np.array_equal(transformed_mask(mask, Affine.translation(3, -2), rows_per_chunk=7),
                          refit(mask, Rect(3, -2, W, H), W, H))
    square = mask[:, :H]
    turned = transformed_mask(square, Affine.rotation(90, H / 2, H / 2))
    assert np.array_equal(turned, np.rot90(square, k=-1))  # clockwise on screen
    halfway = transformed_mask(np.tile(np.array([0, 200], np.uint8), (H, W // 2)), Affine.translation(0.5, 0))
    assert set(np.unique(halfway[:, 1:])) == {100}  # bilinear between neighbours


def test_free_transform_of_a_masked_group_takes_the_mask_along_and_undoes_exactly():
    doc, history, uid = _doc()
    _select_left(doc)
    history.push(doc, add_mask(doc, uid, "selection"))
    start, before = snapshot(doc), doc.layer_by_uid(uid).mask.copy()
    history.push(doc, FreeTransformGroup(uid, Affine.translation(4, 2)))
    assert np.array_equal(doc.layer_by_uid(uid).mask, refit(before, Rect(4, 2, W, H), W, H))
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    end = snapshot(doc)
    history.undo(doc)
    assert snapshot(doc) == start
    history.redo(doc)
    assert snapshot(doc) == end


def test_disable_invert_and_delete_a_group_mask_each_one_step():
    doc, history, uid = _doc()
    plain = doc.composite().copy()
    history.push(doc, add_mask(doc, uid, "black"))
    assert np.array_equal(doc.composite(), composite([doc.layers[0]], W, H))
    history.push(doc, toggle_mask(doc, uid))
    assert np.array_equal(doc.composite(), plain)
    history.push(doc, toggle_mask(doc, uid))
    history.push(doc, invert_mask(doc, uid))
    assert np.array_equal(doc.composite(), plain)  # white: everything shows
    history.push(doc, delete_mask(doc, uid))
    assert doc.layer_by_uid(uid).mask is None
    for _ in range(5):
        history.undo(doc)
    assert doc.layer_by_uid(uid).mask is None and np.array_equal(doc.composite(), plain)


def test_pass_through_groups_refuse_a_mask_and_a_masked_group_stays_isolated():
    doc, history, uid = _doc()
    history.push(doc, SetGroupMode(uid, True, BlendMode.NORMAL))
    with pytest.raises(ValueError, match="isolated group"):
        add_mask(doc, uid, "white")
    history.push(doc, SetGroupMode(uid, False, BlendMode.NORMAL))
    history.push(doc, add_mask(doc, uid, "white"))
    before = snapshot(doc)
    with pytest.raises(ValueError, match="delete its mask"):
        history.push(doc, SetGroupMode(uid, True, BlendMode.NORMAL))
    assert snapshot(doc) == before


def test_apply_is_refused_and_merge_group_keeps_what_the_group_showed():
    doc, history, uid = _doc()
    _select_left(doc)
    history.push(doc, add_mask(doc, uid, "selection"))
    with pytest.raises(ValueError, match="Merge Group"):
        apply_mask_step(doc, uid)
    shown = doc.composite().copy()
    history.push(doc, MergeGroup(uid))
    assert not doc.active_node.is_group and doc.active_node.blend is BlendMode.MULTIPLY
    assert np.array_equal(doc.composite(), shown)


def test_painting_a_group_mask_with_the_eraser_hides_the_group_there():
    doc, history, uid = _doc()
    history.push(doc, add_mask(doc, uid, "white"))
    stroke = MaskStroke(doc, uid, BrushSettings(size=8, hardness=1.0, eraser=True))
    stroke.dab(20, 15)
    stroke.dab(30, 15)
    history.push(doc, stroke.finish())
    group = doc.layer_by_uid(uid)
    assert group.mask[15, 25] == 0 and group.mask[2, 2] == 255
    assert np.array_equal(doc.composite()[15, 25], doc.layers[0].pixels[15, 25])
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    history.undo(doc)
    assert (group.mask == 255).all()


@pytest.mark.parametrize("op", [Rotate(1), Rotate(2), Flip(Axis.HORIZONTAL), Crop(Rect(5, 4, 20, 16)),
                                canvas_crop(W, H, W + 10, H + 6, "center"), Resize(80, 60)],
                         ids=["rot90", "rot180", "flip", "crop", "canvas", "resize"])
def test_a_group_mask_follows_image_transforms_and_undoes_exactly(op):
    doc, history, uid = _doc()
    _select_left(doc)
    history.push(doc, add_mask(doc, uid, "selection"))
    before = snapshot(doc)
    history.push(doc, TransformImage(op, "transform"))
    group = doc.layer_by_uid(uid)
    assert group.mask.shape == (doc.height, doc.width)
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    if not isinstance(op, Resize):
        assert set(np.unique(group.mask)) <= {0, 255}  # whole-pixel ops keep the hard edge
    history.undo(doc)
    assert snapshot(doc) == before


def test_rotating_the_image_turns_the_masked_picture_exactly():
    doc, history, uid = _doc()
    _select_left(doc)
    history.push(doc, add_mask(doc, uid, "selection"))
    shown = doc.composite().copy()
    history.push(doc, TransformImage(Rotate(1), "Rotate"))
    turned = doc.composite()
    assert any(np.array_equal(turned, np.rot90(shown, k)) for k in (1, -1))


def _strip_glide(path: Path, out: Path) -> None:
    """The file as a reader that knows nothing of our glide: attributes sees it."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "stack.xml":
                data = re.sub(rb'\s(glide|ns\d+):[\w-]+="[^"]*"', b"", data)
            dst.writestr(item, data)


def test_ora_keeps_the_group_mask_and_other_readers_see_the_same_picture(tmp_path):
    doc, history, uid = _doc()
    _select_left(doc)
    history.push(doc, add_mask(doc, uid, "selection"))
    shown = doc.composite().copy()
    save_ora(doc, tmp_path / "masked.ora")
    back = load_ora(tmp_path / "masked.ora")
    group = next(node for node in back.layers if node.is_group)
    assert np.array_equal(group.mask, doc.layer_by_uid(uid).mask) and group.mask_enabled
    assert [n.name for n in back.layers] == [n.name for n in doc.layers]  # the stand-in layer is not read
    assert np.array_equal(back.composite(), shown)
    _strip_glide(tmp_path / "masked.ora", tmp_path / "plain.ora")
    other = load_ora(tmp_path / "plain.ora")
    assert any(node.blend is BlendMode.DST_IN for node in other.layers)  # the mask as a dst-in layer
    assert np.abs(other.composite().astype(int) - shown.astype(int)).max() <= 1


def test_ora_keeps_a_disabled_group_mask_without_the_stand_in(tmp_path):
    doc, history, uid = _doc()
    history.push(doc, add_mask(doc, uid, "black"))
    history.push(doc, toggle_mask(doc, uid))
    save_ora(doc, tmp_path / "off.ora")
    back = load_ora(tmp_path / "off.ora")
    group = next(node for node in back.layers if node.is_group)
    assert group.mask is not None and not group.mask_enabled
    assert np.array_equal(back.composite(), doc.composite())
    assert b"dst-in" not in zipfile.ZipFile(tmp_path / "off.ora").read("stack.xml")


group_mask_op = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(["white", "black", "selection"])),
    st.tuples(st.just("change"), st.sampled_from(["invert", "toggle", "delete", "apply"])),
    st.tuples(st.just("paint"), st.integers(0, W - 1), st.integers(0, H - 1), st.booleans()),
    st.tuples(st.just("mode"), st.booleans()),
    st.tuples(st.just("image"), st.sampled_from(["rot90", "flip", "crop", "canvas", "resize"])),
    st.tuples(st.just("merge"),),
    st.tuples(st.just("offset"), st.integers(-4, 4), st.integers(-4, 4)),
    st.tuples(st.just("free-transform"), st.integers(-4, 4), st.sampled_from([0.0, 90.0, 17.0])),
)
_CHANGES = {"invert": invert_mask, "toggle": toggle_mask, "delete": delete_mask, "apply": apply_mask_step}


def _image_op(doc: Document, name: str):
    w, h = doc.size
    return {"rot90": Rotate(1), "flip": Flip(Axis.VERTICAL),
            "crop": Crop(Rect(1, 1, max(1, w - 3), max(1, h - 2))),
            "canvas": canvas_crop(w, h, w + 3, h + 2, "top-left"), "resize": Resize(w + 5, h + 3)}[name]


def _group_mask_command(doc: Document, op):
    group = next((node for node in doc.layers if node.is_group), None)
    kind = op[0]
    if kind == "image":
        return TransformImage(_image_op(doc, op[1]), "image")
    if group is None:
        return None
    if kind == "add":
        return add_mask(doc, group.uid, op[1]) if group.mask is None else None
    if kind == "change":
        return _CHANGES[op[1]](doc, group.uid) if group.mask is not None else None
    if kind == "mode":
        return SetGroupMode(group.uid, op[1], BlendMode.SCREEN)
    if kind == "merge":
        return MergeGroup(group.uid)
    if kind == "offset":
        return OffsetLayers.for_node(doc, group.uid, (op[1], op[2]), "Move group")
    if kind == "free-transform":
        return FreeTransformGroup(group.uid, Affine.rotation(op[2], W / 2, H / 2).then(
            Affine.translation(op[1], -op[1])))
    if group.mask is None:
        return None
    stroke = MaskStroke(doc, group.uid, BrushSettings(size=6, eraser=op[3], color=(90, 90, 90)))
    stroke.dab(op[1], op[2])
    stroke.dab(op[1] + 3, op[2] + 2)
    return stroke.finish()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(group_mask_op, min_size=1, max_size=10))
def test_group_mask_steps_undo_and_redo_exactly(ops):
    doc, _, _ = _doc()
    history = History()  # the set-up's steps stay done
    _select_left(doc)
    start = snapshot(doc)
    for op in ops:
        before = snapshot(doc)
        try:
            command = _group_mask_command(doc, op)
            if command is not None:
                history.push(doc, command)
        except ValueError:  # refused: a pass-through group, apply on a group, pass-through while masked
            assert snapshot(doc) == before
        check_structure(doc.layers)
    end, end_pixels = snapshot(doc), doc.composite().copy()
    assert np.array_equal(end_pixels, doc.composite_uncached())
    undo_all_then_redo_all(doc, history, start, end, end_pixels)


def test_a_group_mask_of_the_wrong_size_is_refused_by_name(tmp_path):
    import io

    from PIL import Image

    from glide_desktop.document.files.errors import DocumentFileError

    doc, history, uid = _doc()
    history.push(doc, add_mask(doc, uid, "white"))
    save_ora(doc, tmp_path / "good.ora")
    small = io.BytesIO()
    Image.new("L", (5, 5), 255).save(small, "PNG")
    with zipfile.ZipFile(tmp_path / "good.ora") as src, zipfile.ZipFile(tmp_path / "bad.ora", "w") as dst:
        for item in src.infolist():
            data = small.getvalue() if item.filename.endswith("-mask.png") else src.read(item)
            dst.writestr(item, data)
    with pytest.raises(DocumentFileError, match="group mask image .* does not match the canvas"):
        load_ora(tmp_path / "bad.ora")
