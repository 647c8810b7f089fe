"""One image decoder: the CLI reads every test image to the editor's pixels, orientation and limits."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from glide_desktop import cli_io
from glide_desktop.document.files import DocumentFileError, open_any, open_image


def _grey16_ramp(path: Path) -> None:
    Image.fromarray(np.linspace(0, 65535, 64).astype(np.uint16).reshape(8, 8)).save(path)


def _grey16_dark(path: Path) -> None:
    Image.fromarray(np.full((8, 8), 32768 // 4, np.uint16)).save(path)  # a quarter grey in 16 bits


def _float_tiff(path: Path) -> None:
    Image.fromarray(np.linspace(0.0, 1.0, 64, dtype=np.float32).reshape(8, 8)).save(path)


def _exif_rotated(path: Path) -> None:
    image = Image.new("RGB", (16, 8), (0, 0, 0))
    image.paste((255, 255, 255), (0, 0, 4, 4))
    exif = Image.Exif()
    exif[0x0112] = 6
    image.save(path, exif=exif, quality=100)


def _animated_gif(path: Path) -> None:
    frames = [Image.new("RGB", (6, 5), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=50)


def _palette_alpha(path: Path) -> None:
    palette = Image.new("P", (3, 2))
    palette.putpalette([255, 0, 0, 0, 0, 255, 10, 200, 30] + [0] * 759)
    palette.putpixel((1, 0), 1)
    palette.putpixel((2, 1), 2)
    palette.save(path, transparency=0)


def _rgba_png(path: Path) -> None:
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 256, (5, 7, 4), dtype=np.uint8), "RGBA").save(path)


MAKERS = {"ramp16.png": _grey16_ramp, "dark16.png": _grey16_dark, "float.tif": _float_tiff,
          "turned.jpg": _exif_rotated, "three.gif": _animated_gif, "palette.png": _palette_alpha,
          "noise.png": _rgba_png}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_cli_and_editor_decode_to_the_same_pixels(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    MAKERS[name](path)
    editor = open_any(path).layers[0].pixels
    cli = cli_io.read_rgba(path, "source image")
    assert cli.dtype == np.uint8 and np.array_equal(cli, editor)


def test_high_bit_depths_are_scaled_not_saturated(tmp_path: Path) -> None:
    for name in ("ramp16.png", "dark16.png", "float.tif"):
        MAKERS[name](tmp_path / name)
    ramp = cli_io.read_rgba(tmp_path / "ramp16.png", "x")[..., 0].ravel()
    assert ramp[0] == 0 and ramp[-1] == 255 and np.all(np.diff(ramp.astype(int)) >= 0)
    assert len(np.unique(ramp)) > 50  # a ramp, not all white
    assert np.all(cli_io.read_rgba(tmp_path / "dark16.png", "x")[..., 0] == 32)
    floats = cli_io.read_rgba(tmp_path / "float.tif", "x")[..., 0].ravel()
    assert floats[0] == 0 and floats[-1] == 255 and abs(int(floats[31]) - 126) <= 1  # not all black
    source, size = cli_io.load_source(tmp_path / "ramp16.png")
    assert size == (8, 8) and source.min() < 30 and source.max() > 225


def test_float_highlights_clip_instead_of_darkening_the_picture(tmp_path: Path) -> None:
    values = np.array([[0.0, 0.5, 1.0, 1.7, np.nan]], np.float32)  # a render with a highlight and a hole
    Image.fromarray(values).save(tmp_path / "render.tif")
    pixels = cli_io.read_rgba(tmp_path / "render.tif", "x")
    assert pixels[0, :, 0].tolist() == [0, 128, 255, 255, 0]
    assert np.array_equal(pixels, open_any(tmp_path / "render.tif").layers[0].pixels)


def test_exif_turned_photo_takes_a_mask_of_its_displayed_size(tmp_path: Path) -> None:
    _exif_rotated(tmp_path / "photo.jpg")
    source, size = cli_io.load_source(tmp_path / "photo.jpg")
    assert size == (8, 16)  # displayed: turned a quarter
    Image.new("L", (8, 16), 255).save(tmp_path / "mask.png")
    assert cli_io.load_selection(tmp_path / "mask.png", size).shape == (64, 64)


def test_multi_frame_files_open_their_first_frame_and_say_so(tmp_path: Path) -> None:
    _animated_gif(tmp_path / "three.gif")
    notes: list[str] = []
    doc = open_any(tmp_path / "three.gif", notes=notes)
    assert doc.layers[0].pixels[0, 0].tolist() == [255, 0, 0, 255]
    assert notes == ["three.gif has 3 frames; only the first one was opened."]
    said = io.StringIO()
    pixels = cli_io.read_rgba(tmp_path / "three.gif", "source image", notes=said)
    assert pixels[0, 0].tolist() == [255, 0, 0, 255]
    assert "has 3 frames; only the first one was opened" in said.getvalue()
    single: list[str] = []
    _rgba_png(tmp_path / "one.png")
    open_any(tmp_path / "one.png", notes=single)
    assert single == []


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header_only(w: int, h: int) -> bytes:
    """A PNG that declares w x h but holds almost no pixel data: its size shows before decoding."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def test_the_cli_has_the_editors_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(_png_header_only(12000, 9000))  # 108 MP, over the editor's 100 MP
    with pytest.raises(DocumentFileError, match="more than the limit of 100 megapixels"):
        open_image(path)
    with pytest.raises(cli_io.InvalidRequest, match="more than the limit of 100 megapixels"):
        cli_io.load_source(path)
