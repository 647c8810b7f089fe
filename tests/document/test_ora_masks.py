"""Layer masks in OpenRaster: other readers see the mask applied; we read mask and pixels back exactly."""

from __future__ import annotations

import io
import zipfile

import numpy as np
from PIL import Image

from glide_desktop.document.document import Document
from glide_desktop.document.files import load_ora, save_ora
from glide_desktop.document.layer import Layer


def _doc(enabled: bool) -> Document:
    doc = Document(20, 12)
    doc.insert_layer(Layer.filled(20, 12, (255, 255, 255, 255), "background"))
    rng = np.random.default_rng(5)
    top = Layer(rng.integers(0, 256, (9, 14, 4), dtype=np.uint8), "masked", offset=(3, 2))
    top.mask, top.mask_enabled = rng.integers(0, 256, (9, 14), dtype=np.uint8), enabled
    doc.insert_layer(top)
    return doc


def test_masks_round_trip_exactly(tmp_path):
    for enabled in (True, False):
        doc = _doc(enabled)
        save_ora(doc, tmp_path / "m.ora")
        back = load_ora(tmp_path / "m.ora")
        assert [layer.state()[1:] for layer in back.layers] == [layer.state()[1:] for layer in doc.layers]
        assert np.array_equal(back.composite_uncached(), doc.composite_uncached())


def test_the_plain_stack_shows_the_mask_applied_to_other_readers(tmp_path):
    doc = _doc(True)
    save_ora(doc, tmp_path / "m.ora")
    with zipfile.ZipFile(tmp_path / "m.ora") as archive:
        stack = archive.read("stack.xml").decode()
        src = stack.split('name="masked" src="')[1].split('"')[0]
        plain = np.asarray(Image.open(io.BytesIO(archive.read(src))).convert("RGBA"))
    top = doc.layers[1]
    assert np.array_equal(plain, top.shown_pixels((slice(None), slice(None))))
    assert not np.array_equal(plain, top.pixels)


def test_a_mask_of_the_wrong_size_or_missing_is_refused_with_a_message(tmp_path):
    import pytest

    from glide_desktop.document.files import DocumentFileError

    save_ora(_doc(True), tmp_path / "m.ora")
    with zipfile.ZipFile(tmp_path / "m.ora") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    mask_name = next(name for name in members if name.endswith("-mask.png"))
    small = io.BytesIO()
    Image.new("L", (3, 3)).save(small, "PNG")
    for name, data, needle in ((mask_name, small.getvalue(), "does not match"), (mask_name, None, "")):
        broken = dict(members)
        if data is None:
            del broken[name]
        else:
            broken[name] = data
        with zipfile.ZipFile(tmp_path / "b.ora", "w") as archive:
            for member, payload in broken.items():
                archive.writestr(member, payload)
        with pytest.raises(DocumentFileError) as caught:
            load_ora(tmp_path / "b.ora")
        assert "b.ora" in str(caught.value) and needle in str(caught.value)
