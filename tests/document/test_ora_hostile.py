"""Crafted OpenRaster files: every failure is the project's file error naming the file, nothing decodes
past the pixel budget, and stack.xml cannot declare entities in any encoding."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image

from glide_desktop.document.files import DocumentFileError, load_ora, open_any, ora_safety
from glide_desktop.document.files import images as image_files


def _png(w: int = 4, h: int = 4, colour=(1, 2, 3, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (w, h), colour).save(out, "PNG")
    return out.getvalue()


def _png_header_only(w: int, h: int) -> bytes:
    """A PNG signature and IHDR declaring w x h, with no pixel data at all (1 KB claims 100 MP)."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk


def _ora(path, stack, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"image/openraster")
        archive.writestr("stack.xml", stack, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in members.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def _stack(layers: str, w: int = 4, h: int = 4) -> str:
    return f'<image w="{w}" h="{h}"><stack>{layers}</stack></image>'


def _damaged_deflate_png() -> bytes:
    data = bytearray(_png(16, 16, (9, 8, 7, 255)))
    start = data.index(b"IDAT") + 4
    data[start + 2: start + 10] = b"\xff" * 8  # break the deflate stream, then fix the CRC
    length = struct.unpack(">I", data[start - 8: start - 4])[0]
    crc = zlib.crc32(bytes(data[start - 4: start + length]))
    data[start + length: start + length + 4] = struct.pack(">I", crc)
    return bytes(data)


@pytest.mark.parametrize(("label", "stack", "members", "needle"), [
    ("zlib", _stack('<layer src="a.png"/>', 16, 16), {"a.png": _damaged_deflate_png()}, "damaged"),
    ("inf offset", _stack('<layer src="a.png" x="inf"/>'), {"a.png": _png()}, "position"),
    ("nan offset", _stack('<layer src="a.png" y="nan"/>'), {"a.png": _png()}, "position"),
    ("far offset", _stack('<layer src="a.png" x="1e30"/>'), {"a.png": _png()}, "far"),
    ("deep nesting", _stack("<stack>" * 1100 + '<layer src="a.png"/>' + "</stack>" * 1100),
     {"a.png": _png()}, "nest"),
    ("huge layer on a tiny canvas", _stack('<layer src="a.png"/>', 16, 16),
     {"a.png": _png_header_only(10000, 10000)}, "may hold at most 16 megapixels"),
    ("wide layer on a big canvas", _stack('<layer src="a.png"/>', 3000, 2000),
     {"a.png": _png_header_only(12500, 2000)}, "at most 24 megapixels \\(4× the canvas"),
    ("not a png", _stack('<layer src="a.png"/>'), {"a.png": b"GIF89a" + b"\x00" * 40}, "not a PNG"),
    ("bad metadata", _stack('<layer src="a.png" xmlns:g="https://github.com/glide-desktop/ns/ora" '
                            'g:metadata="[[[[[[" />'), {"a.png": _png()}, None),
])
def test_crafted_files_give_the_file_error_naming_the_file(tmp_path, label, stack, members, needle):
    path = _ora(tmp_path / "crafted.ora", stack, members)
    if needle is None:  # damaged extras cost nothing: the layer opens
        assert open_any(path).layers[0].pixels[0, 0].tolist() == [1, 2, 3, 255]
        return
    with pytest.raises(DocumentFileError, match=needle) as caught:
        open_any(path)
    assert "crafted.ora" in caught.value.message


def test_document_pixel_budget_is_checked_before_anything_is_decoded(tmp_path, monkeypatch):
    # One 1000x1000 PNG named by ten layers: 10 MP decoded from one small entry.
    layers = "".join('<layer src="a.png"/>' for _ in range(10))
    path = _ora(tmp_path / "amplified.ora", _stack(layers, 1000, 1000), {"a.png": _png(1000, 1000)})
    monkeypatch.setattr(ora_safety, "MAX_DOCUMENT_PIXELS", 9_000_000)
    decoded = []
    real_decode = image_files.decode_rgba
    monkeypatch.setattr("glide_desktop.document.files.ora.decode_rgba",
                        lambda *a, **k: decoded.append(1) or real_decode(*a, **k))
    with pytest.raises(DocumentFileError, match="10 megapixels, over the limit of 9 megapixels") as caught:
        load_ora(path)
    assert decoded == [] and "amplified.ora" in caught.value.message
    monkeypatch.setattr(ora_safety, "MAX_DOCUMENT_PIXELS", 10_000_000)
    assert len(load_ora(path).layers) == 10 and len(decoded) == 10


def test_default_budget_refuses_a_hundred_canvas_sized_layers(tmp_path):
    layers = "".join('<layer src="a.png"/>' for _ in range(100))
    path = _ora(tmp_path / "hundred.ora", _stack(layers, 4000, 4000), {"a.png": _png_header_only(4000, 4000)})
    assert path.stat().st_size < 20_000
    with pytest.raises(DocumentFileError, match="1600 megapixels, over the limit of 400"):
        load_ora(path)


@pytest.mark.parametrize(("encoding", "needle"), [
    ("utf-8", "DTD or entity"), ("utf-16", "DTD or entity"), ("utf-16-le", "malformed"),
    # expat reads none of these without a BOM, so they are refused before any entity could expand
    ("utf-16-be", "malformed"), ("utf-32", "malformed"),
])
def test_entities_are_refused_in_any_encoding(tmp_path, encoding, needle):
    xml = (f'<?xml version="1.0" encoding="{encoding}"?>'
           '<!DOCTYPE image [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
           '<image w="4" h="4"><stack><layer name="&b;" src="a.png"/></stack></image>')
    path = _ora(tmp_path / "entities.ora", xml.encode(encoding), {"a.png": _png()})
    with pytest.raises(DocumentFileError, match=needle) as caught:
        load_ora(path)
    assert "entities.ora" in caught.value.message


def test_utf16_stack_without_a_dtd_still_opens(tmp_path):
    xml = '<?xml version="1.0" encoding="utf-16"?>' + _stack('<layer name="ü" src="a.png"/>')
    doc = load_ora(_ora(tmp_path / "wide.ora", xml.encode("utf-16"), {"a.png": _png()}))
    assert doc.layers[0].name == "ü"


def test_layers_reaching_past_the_canvas_still_open(tmp_path):
    path = _ora(tmp_path / "wide.ora", _stack('<layer src="a.png" x="-3"/>', 4, 4), {"a.png": _png(8, 8)})
    doc = load_ora(path)
    assert doc.layers[0].offset == (-3, 0) and doc.layers[0].pixels.shape == (8, 8, 4)
    # a whole photo kept as a layer after the canvas was cropped to a quarter of it
    path = _ora(tmp_path / "cropped.ora", _stack('<layer src="a.png" x="-300" y="-200"/>', 300, 200),
                {"a.png": _png(1200, 800)})
    assert load_ora(path).layers[0].pixels.shape == (800, 1200, 4)


def test_memory_error_while_decoding_becomes_a_plain_message(tmp_path, monkeypatch):
    path = _ora(tmp_path / "big.ora", _stack('<layer src="a.png"/>'), {"a.png": _png()})

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(np, "array", exhausted)
    with pytest.raises(DocumentFileError, match="not enough memory") as caught:
        load_ora(path)
    assert "big.ora" in caught.value.message
