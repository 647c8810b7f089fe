"""Opening flat images safely and exporting flattened ones."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from glide_desktop.document.files import DocumentFileError, export_flat, open_any, open_image
from glide_desktop.document.layer import Layer


def _rgba(w=6, h=4) -> np.ndarray:
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    pixels[..., 3] = 255
    return pixels


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".tif", ".bmp"])
def test_open_each_supported_format(tmp_path, suffix):
    path = tmp_path / f"img{suffix}"
    Image.fromarray(_rgba()[..., :3], "RGB").save(path)
    doc = open_any(path)
    assert doc.size == (6, 4) and len(doc.layers) == 1
    assert doc.layers[0].pixels.dtype == np.uint8 and doc.layers[0].pixels.shape == (4, 6, 4)


def test_lossless_png_opens_exactly(tmp_path):
    pixels = _rgba()
    pixels[0, 0, 3] = 17
    Image.fromarray(pixels, "RGBA").save(tmp_path / "a.png")
    assert np.array_equal(open_image(tmp_path / "a.png").layers[0].pixels, pixels)


def test_exif_orientation_is_applied(tmp_path):
    image = Image.new("RGB", (16, 8), (0, 0, 0))
    image.paste((255, 255, 255), (0, 0, 4, 4))  # top-left marker, big enough to survive JPEG
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display needs a 90° clockwise turn
    image.save(tmp_path / "rot.jpg", exif=exif, quality=100)
    pixels = open_image(tmp_path / "rot.jpg").layers[0].pixels
    assert pixels.shape == (16, 8, 4)
    assert pixels[1, 6, 0] > 200 and pixels[1, 1, 0] < 60  # marker moved to the top-right


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path):
    grey = np.array([[0, 32896, 65535]], np.uint16)
    Image.fromarray(grey).save(tmp_path / "g16.png")
    pixels = open_image(tmp_path / "g16.png").layers[0].pixels
    assert pixels[0, :, 0].tolist() == [0, 128, 255] and (pixels[..., 3] == 255).all()


def test_palette_with_transparency_grey_and_cmyk(tmp_path):
    palette = Image.new("P", (2, 1))
    palette.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette.putpixel((1, 0), 1)
    palette.save(tmp_path / "p.png", transparency=0)
    assert open_image(tmp_path / "p.png").layers[0].pixels.tolist() == [[[255, 0, 0, 0], [0, 0, 255, 255]]]
    Image.new("L", (2, 2), 77).save(tmp_path / "l.png")
    assert open_image(tmp_path / "l.png").layers[0].pixels[0, 0].tolist() == [77, 77, 77, 255]
    Image.new("CMYK", (2, 2), (0, 255, 255, 0)).save(tmp_path / "c.jpg")
    red = open_image(tmp_path / "c.jpg").layers[0].pixels[0, 0]
    assert red[0] > 200 and red[1] < 60 and red[3] == 255


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def test_huge_declared_size_is_refused_before_decoding(tmp_path):
    (tmp_path / "bomb.png").write_bytes(_png_header_only(30000, 30000))
    with pytest.raises(DocumentFileError, match="megapixels"):
        open_image(tmp_path / "bomb.png")


def test_pixel_limit_is_configurable(tmp_path):
    Image.new("RGB", (10, 10)).save(tmp_path / "s.png")
    with pytest.raises(DocumentFileError, match="limit"):
        open_image(tmp_path / "s.png", max_pixels=50)


def test_truncated_and_corrupt_and_unsupported_files(tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (64, 64, 3), np.uint8)).save(buffer, "PNG")
    (tmp_path / "cut.png").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    (tmp_path / "noise.jpg").write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 4)
    (tmp_path / "text.png").write_text("hello")
    for name in ("cut.png", "noise.jpg", "text.png", "missing.png"):
        with pytest.raises(DocumentFileError) as info:
            open_any(tmp_path / name)
        assert name in info.value.message


def test_png_export_carries_prompt_and_seed(tmp_path):
    from glide_desktop.document.document import Document

    doc = Document(4, 4)
    doc.insert_layer(Layer.filled(4, 4, (9, 9, 9, 255), "bg"))
    generated = {"prompt": "a red barn", "seed": 42}
    doc.insert_layer(Layer.filled(4, 4, (200, 0, 0, 255), "gen", metadata=generated))
    export_flat(doc, tmp_path / "out.png")
    with Image.open(tmp_path / "out.png") as image:
        assert image.text["prompt"] == "a red barn" and image.text["seed"] == "42"
        assert np.asarray(image)[0, 0].tolist() == [200, 0, 0, 255]
    export_flat(doc, tmp_path / "out.jpg")
    export_flat(doc, tmp_path / "out.webp")
    assert Image.open(tmp_path / "out.jpg").format == "JPEG"
    assert Image.open(tmp_path / "out.webp").format == "WEBP"
    with pytest.raises(DocumentFileError):
        export_flat(doc, tmp_path / "out.xyz")


def test_failed_open_leaves_the_open_document_untouched(tmp_path, small_doc):
    from tests.document.conftest import snapshot

    before = snapshot(small_doc)
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(DocumentFileError):
        small_doc = open_any(tmp_path / "bad.png")
    assert snapshot(small_doc) == before
