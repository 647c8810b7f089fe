"""Every OpenRaster composite-op opens as its blend mode and survives a save; an unknown one is kept
verbatim and the user is told that the layer is shown as Normal."""

from __future__ import annotations

import io
import zipfile

import numpy as np
from PIL import Image

from glide_desktop.document.files import load_ora, open_any, save_ora
from glide_desktop.document.layer import BlendMode

SPEC_OPS = {  # the OpenRaster 0.0.5 list, and what each must open as
    "svg:src-over": BlendMode.NORMAL, "svg:multiply": BlendMode.MULTIPLY, "svg:screen": BlendMode.SCREEN,
    "svg:overlay": BlendMode.OVERLAY, "svg:darken": BlendMode.DARKEN, "svg:lighten": BlendMode.LIGHTEN,
    "svg:color-dodge": BlendMode.COLOR_DODGE, "svg:color-burn": BlendMode.COLOR_BURN,
    "svg:hard-light": BlendMode.HARD_LIGHT, "svg:soft-light": BlendMode.SOFT_LIGHT,
    "svg:difference": BlendMode.DIFFERENCE, "svg:color": BlendMode.COLOR,
    "svg:luminosity": BlendMode.LUMINOSITY, "svg:hue": BlendMode.HUE, "svg:saturation": BlendMode.SATURATION,
    "svg:plus": BlendMode.PLUS, "svg:dst-in": BlendMode.DST_IN, "svg:dst-out": BlendMode.DST_OUT,
    "svg:src-atop": BlendMode.SRC_ATOP, "svg:dst-atop": BlendMode.DST_ATOP,
}


def _png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (4, 4), colour).save(out, "PNG")
    return out.getvalue()


def _krita_like(path, ops: list[str]):
    """Layers listed top first, each with its own composite-op, over an opaque paper layer."""
    layers = "".join(f'<layer name="l{i}" src="data/l{i}.png" composite-op="{op}" opacity="0.8"/>'
                     for i, op in enumerate(ops))
    stack = f'<image w="4" h="4"><stack>{layers}<layer name="paper" src="data/paper.png"/></stack></image>'
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"image/openraster")
        archive.writestr("stack.xml", stack)
        for i in range(len(ops)):
            archive.writestr(f"data/l{i}.png", _png((40 * i % 256, 90, 200, 150)))
        archive.writestr("data/paper.png", _png((230, 220, 200, 255)))
    return path


def _ops_in(path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("stack.xml").decode()
    return [part.split('"')[0] for part in xml.split('composite-op="')[1:]]


def test_every_spec_op_opens_as_its_mode_and_is_saved_back(tmp_path):
    ops = list(SPEC_OPS)
    notes: list[str] = []
    doc = open_any(_krita_like(tmp_path / "krita.ora", ops), notes=notes)
    assert notes == []
    top_first = list(reversed(doc.layers))[: len(ops)]
    assert [layer.blend for layer in top_first] == [SPEC_OPS[op] for op in ops]
    save_ora(doc, tmp_path / "again.ora")
    assert _ops_in(tmp_path / "again.ora")[: len(ops)] == ops
    again = load_ora(tmp_path / "again.ora")
    assert np.array_equal(again.composite(), doc.composite())


def test_lighter_is_read_as_plus():
    from glide_desktop.document.files.ora import BLEND_BY_OP

    assert BLEND_BY_OP["svg:lighter"] is BlendMode.PLUS


def test_every_mode_of_ours_round_trips(tmp_path):
    from glide_desktop.document.document import Document
    from glide_desktop.document.layer import Layer

    doc = Document(4, 4)
    for mode in BlendMode:
        doc.insert_layer(Layer.filled(4, 4, (10, 20, 30, 100), mode.value, blend=mode))
    save_ora(doc, tmp_path / "all.ora")
    assert [layer.blend for layer in load_ora(tmp_path / "all.ora").layers] == list(BlendMode)


def test_an_unknown_op_is_kept_verbatim_and_the_user_is_told(tmp_path):
    ops = ["krita:linear_light", "svg:multiply", "krita:pin_light"]
    notes: list[str] = []
    doc = open_any(_krita_like(tmp_path / "krita.ora", ops), notes=notes)
    assert [layer.blend for layer in doc.layers[::-1][:3]] == [BlendMode.NORMAL, BlendMode.MULTIPLY,
                                                                 BlendMode.NORMAL]
    assert len(notes) == 2
    notes.sort()
    assert "“l0” uses the blend mode “krita:linear_light”" in notes[0] and "shown as Normal" in notes[0]
    assert "“l2” uses the blend mode “krita:pin_light”" in notes[1]
    save_ora(doc, tmp_path / "again.ora")
    assert _ops_in(tmp_path / "again.ora") == [*ops, "svg:src-over"]
    # once the user picks a mode of ours, that one is saved
    doc.layers[-1].blend = BlendMode.SCREEN
    save_ora(doc, tmp_path / "changed.ora")
    assert _ops_in(tmp_path / "changed.ora")[0] == "svg:screen"
