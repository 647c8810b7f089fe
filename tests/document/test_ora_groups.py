"""OpenRaster groups: nested <stack> elements read as groups (Krita's attributes) and round-trip."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from glide_desktop.document.document import Document
from glide_desktop.document.files import DocumentFileError, load_ora, save_ora
from glide_desktop.document.group import check_structure
from glide_desktop.document.group_commands import GroupLayers, NewGroup, SetGroupMode
from glide_desktop.document.history import History
from glide_desktop.document.layer import BlendMode, Layer
from tests.document.conftest import gradient_layer


def _png(w: int, h: int, colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (w, h), colour).save(out, "PNG")
    return out.getvalue()


def _krita_file(path, stack: str, members: dict[str, bytes]):
    """An .ora laid out the way Krita's exporter writes one (root stack, top first, groups as stacks)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"image/openraster")
        xml = '<?xml version="1.0" encoding="UTF-8"?>' \
              '<image version="0.0.1" w="8" h="6" xres="72" yres="72">' \
              f'<stack name="root" isolation="isolate" x="0" y="0" opacity="1" visibility="visible" ' \
              f'composite-op="svg:src-over">{stack}</stack></image>'
        archive.writestr("stack.xml", xml)
        for name, data in members.items():
            archive.writestr(name, data)
    return path


KRITA_STACK = (
    '<stack name="Inked" isolation="isolate" x="1" y="2" opacity="0.5" visibility="hidden" '
    'composite-op="svg:multiply">'
    '<layer name="lines" src="data/layer2.png" x="1" y="0" opacity="1" visibility="visible" '
    'composite-op="svg:src-over"/>'
    '<stack name="Shading" isolation="auto" x="0" y="0" opacity="0.8" visibility="visible" '
    'composite-op="svg:src-over">'
    '<layer name="shade" src="data/layer1.png" x="0" y="0" opacity="1" visibility="visible" '
    'composite-op="svg:multiply"/>'
    '</stack></stack>'
    '<layer name="paper" src="data/layer0.png" x="0" y="0" opacity="1" visibility="visible" '
    'composite-op="svg:src-over"/>'
)


def test_krita_groups_keep_their_opacity_visibility_blend_and_isolation(tmp_path):
    members = {"data/layer0.png": _png(8, 6, (250, 250, 240, 255)),
               "data/layer1.png": _png(4, 4, (90, 90, 90, 128)),
               "data/layer2.png": _png(3, 3, (0, 0, 0, 255))}
    doc = load_ora(_krita_file(tmp_path / "k.ora", KRITA_STACK, members))
    check_structure(doc.layers)
    names = {node.uid: node.name for node in doc.layers}
    assert [(node.name, names.get(node.parent)) for node in doc.layers] == [
        ("paper", None), ("shade", "Shading"), ("Shading", "Inked"), ("lines", "Inked"), ("Inked", None)]
    inked, shading = doc.layers[4], doc.layers[2]
    assert inked.is_group and not inked.pass_through and not inked.visible
    assert inked.opacity == 0.5 and inked.blend is BlendMode.MULTIPLY
    assert shading.pass_through and shading.opacity == pytest.approx(0.8) and shading.visible
    assert doc.layers[3].offset == (2, 2) and doc.layers[1].offset == (1, 2)  # the stack's x, y carried
    assert np.array_equal(doc.composite(), np.broadcast_to([250, 250, 240, 255], (6, 8, 4)))  # Inked hidden


def test_groups_round_trip_with_structure_and_pixels(tmp_path):
    doc, history = Document(20, 14), History()
    doc.insert_layer(Layer.filled(20, 14, (30, 60, 90, 255), "bg"))
    for i in range(3):
        doc.insert_layer(gradient_layer(12, 9, f"L{i}", seed=i))
    history.push(doc, GroupLayers([doc.layers[1].uid, doc.layers[2].uid]))
    outer = doc.active_node
    history.push(doc, SetGroupMode(outer.uid, False, BlendMode.SCREEN))
    doc.set_active(doc.layers[1].uid)
    history.push(doc, NewGroup("empty"))
    doc.set_collapsed(outer.uid, True)
    outer.opacity = 0.7
    save_ora(doc, tmp_path / "g.ora")
    back = load_ora(tmp_path / "g.ora")
    assert [node.state()[2:8] if node.is_group else node.state()[1:-1] for node in back.layers] == \
           [node.state()[2:8] if node.is_group else node.state()[1:-1] for node in doc.layers]
    by_uid = {n.uid: n.name for n in back.layers}
    assert [by_uid.get(n.parent) for n in back.layers] == [
        {n.uid: n.name for n in doc.layers}.get(n.parent) for n in doc.layers]
    assert back.find_layer(back.layers[4].uid).collapsed
    assert np.array_equal(back.composite(), doc.composite())
    with zipfile.ZipFile(tmp_path / "g.ora") as archive:
        root = ET.fromstring(archive.read("stack.xml"))
    group = root.find("stack/stack")
    assert group.get("isolation") == "isolate" and group.get("composite-op") == "svg:screen"
    assert group.find("stack").get("isolation") == "auto"  # the new group: pass-through


def test_groups_nested_past_the_limit_are_refused(tmp_path):
    stack = "<stack>" * 70 + '<layer src="a.png"/>' + "</stack>" * 70
    with pytest.raises(DocumentFileError, match="nest"):
        load_ora(_krita_file(tmp_path / "deep.ora", stack, {"a.png": _png(2, 2, (1, 2, 3, 255))}))
