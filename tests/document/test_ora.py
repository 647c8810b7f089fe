"""OpenRaster round trip, zip layout, hostile archives and atomic saves."""

import io
import os
import zipfile

import numpy as np
import pytest
from PIL import Image

from glide_desktop.document.document import Document
from glide_desktop.document.files import DocumentFileError, atomic_write, load_ora, open_any, save_ora
from glide_desktop.document.layer import BlendMode, Layer
from tests.document.conftest import gradient_layer


def _layered() -> Document:
    doc = Document(300, 100)
    doc.insert_layer(Layer.filled(300, 100, (250, 240, 230, 255), "paper"))
    for index, mode in enumerate(BlendMode):
        layer = gradient_layer(40, 30, f"layer {mode.value}", seed=index)
        layer.blend, layer.offset = mode, (index * 45 - 10, index * 7)
        layer.opacity = 0.25 + (index % 7) * 0.1
        layer.visible = index != 2
        doc.insert_layer(layer)
    doc.layers[-1].metadata = {"prompt": "a lighthouse at dusk", "seed": 1234, "settings": {"steps": 50}}
    return doc


def test_round_trip_keeps_every_layer_property(tmp_path):
    doc = _layered()
    save_ora(doc, tmp_path / "doc.ora")
    loaded = load_ora(tmp_path / "doc.ora")
    assert loaded.size == doc.size
    assert [(l.name, l.visible, l.opacity, l.blend, l.offset, l.metadata) for l in loaded.layers] == \
        [(l.name, l.visible, l.opacity, l.blend, l.offset, l.metadata) for l in doc.layers]
    for ours, theirs in zip(doc.layers, loaded.layers):
        assert np.array_equal(ours.pixels, theirs.pixels)
    assert np.array_equal(loaded.composite(), doc.composite())


def test_zip_layout_follows_openraster(tmp_path):
    doc = _layered()
    save_ora(doc, tmp_path / "doc.ora")
    with zipfile.ZipFile(tmp_path / "doc.ora") as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"image/openraster"
        names = archive.namelist()
        assert {"stack.xml", "mergedimage.png", "Thumbnails/thumbnail.png"} <= set(names)
        xml = archive.read("stack.xml").decode()
        for op in ("svg:src-over", "svg:multiply", "svg:screen", "svg:overlay", "svg:darken", "svg:lighten"):
            assert f'composite-op="{op}"' in xml
        assert 'visibility="hidden"' in xml
        assert xml.index("layer lighten") < xml.index("paper")  # top layer listed first
        thumb = Image.open(io.BytesIO(archive.read("Thumbnails/thumbnail.png")))
        assert max(thumb.size) == 256
        merged = np.asarray(Image.open(io.BytesIO(archive.read("mergedimage.png"))))
        assert np.array_equal(merged, doc.composite())
    # the raw bytes start with the stored mimetype, as the spec requires for sniffing
    assert (tmp_path / "doc.ora").read_bytes()[30:46] == b"mimetypeimage/op"[:16]


def _png(w=4, h=4) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (w, h), (1, 2, 3, 255)).save(out, "PNG")
    return out.getvalue()


def _ora(path, stack: str | None, extra: dict | None = None, mimetype=b"image/openraster"):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        if stack is not None:
            archive.writestr("stack.xml", stack)
        for name, data in (extra or {}).items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


GOOD_STACK = '<image w="4" h="4"><stack><layer src="data/a.png" name="a"/></stack></image>'


def test_a_minimal_foreign_ora_opens(tmp_path):
    doc = open_any(_ora(tmp_path / "ok.ora", GOOD_STACK, {"data/a.png": _png()}))
    assert doc.layers[0].name == "a" and doc.layers[0].pixels[0, 0].tolist() == [1, 2, 3, 255]


@pytest.mark.parametrize(("stack", "extra", "needle"), [
    (GOOD_STACK, {"data/a.png": _png(), "../evil.png": b"x"}, "outside"),
    (GOOD_STACK.replace("data/a.png", "/etc/passwd"), {}, "outside"),
    (GOOD_STACK.replace("data/a.png", "data/../../a.png"), {}, "outside"),
    ('<image w="4" h="4"><stack><layer src="data/a.png"</stack>', {"data/a.png": _png()}, "malformed"),
    ('<?xml version="1.0"?><!DOCTYPE image [<!ENTITY x "xxxxxxxx">]><image w="4" h="4">&x;</image>', {},
     "DTD"),
    (None, {"data/a.png": _png()}, "stack.xml"),
    (GOOD_STACK, {}, "missing data/a.png"),
    ('<image w="99999" h="99999"><stack/></image>', {}, "megapixels"),
    (GOOD_STACK, {"data/a.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40}, "damaged"),
    ('<image w="4" h="x"><stack/></image>', {}, "width and height"),
])
def test_hostile_or_broken_ora_is_refused(tmp_path, stack, extra, needle):
    path = _ora(tmp_path / "bad.ora", stack, extra)
    with pytest.raises(DocumentFileError, match=needle):
        load_ora(path)


def test_zip_bomb_is_refused_from_its_declared_sizes(tmp_path):
    path = _ora(tmp_path / "bomb.ora", GOOD_STACK, {"data/a.png": b"\x00" * (16 << 20)})
    assert os.path.getsize(path) < 100_000
    with pytest.raises(DocumentFileError, match="zip bomb"):
        load_ora(path)


def test_wrong_mimetype_and_not_a_zip(tmp_path):
    with pytest.raises(DocumentFileError, match="not an OpenRaster"):
        load_ora(_ora(tmp_path / "m.ora", GOOD_STACK, {"data/a.png": _png()}, mimetype=b"application/x"))
    (tmp_path / "junk.ora").write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(DocumentFileError, match="damaged zip"):
        load_ora(tmp_path / "junk.ora")


def test_failed_save_leaves_previous_file_intact(tmp_path):
    target = tmp_path / "doc.ora"
    save_ora(_layered(), target)
    original = target.read_bytes()

    def half_then_fail(handle):
        handle.write(b"partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, half_then_fail)
    assert target.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.ora"]  # no temp file left behind


def test_save_into_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DocumentFileError, match="Cannot save"):
        save_ora(_layered(), tmp_path / "no" / "such" / "doc.ora")
