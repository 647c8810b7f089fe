"""Seeded mutations of valid .ora and image files: opening either succeeds or raises DocumentFileError."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from glide_desktop.document.document import Document
from glide_desktop.document.files import DocumentFileError, open_any, save_ora
from glide_desktop.document.layer import BlendMode, Layer

CASES_PER_SEED = 100
SEEDS = range(5)  # 500 cases; a few seconds


def _sample_ora() -> bytes:
    doc = Document(12, 10)
    rng = np.random.default_rng(7)
    for index, mode in enumerate(list(BlendMode)[:3]):
        layer = Layer(rng.integers(0, 256, (6 + index, 8, 4), dtype=np.uint8), f"l{index}", blend=mode)
        layer.offset, layer.metadata = (index, -index), {"prompt": "p", "seed": index}
        doc.insert_layer(layer)
    out = io.BytesIO()
    from glide_desktop.document.files.ora import write_ora

    write_ora(doc, out)
    return out.getvalue()


def _sample_images() -> dict[str, bytes]:
    rng = np.random.default_rng(3)
    rgba = Image.fromarray(rng.integers(0, 256, (9, 11, 4), dtype=np.uint8), "RGBA")
    found = {}
    for suffix, fmt, image in ((".png", "PNG", rgba), (".jpg", "JPEG", rgba.convert("RGB")),
                               (".bmp", "BMP", rgba.convert("RGB")), (".tif", "TIFF", rgba),
                               (".webp", "WEBP", rgba), (".gif", "GIF", rgba.convert("P"))):
        out = io.BytesIO()
        image.save(out, fmt)
        found[suffix] = out.getvalue()
    return found


def _mutate_bytes(data: bytes, rng: np.random.Generator) -> bytes:
    buf = bytearray(data)
    kind = rng.integers(4)
    if kind == 0:  # flip a few bytes
        for at in rng.integers(0, len(buf), rng.integers(1, 8)):
            buf[at] = int(rng.integers(256))
    elif kind == 1:  # truncate
        del buf[int(rng.integers(1, len(buf))):]
    elif kind == 2:  # repeat a slice
        a = int(rng.integers(len(buf)))
        b = min(len(buf), a + int(rng.integers(1, 64)))
        buf[a:a] = buf[a:b] * int(rng.integers(1, 4))
    else:  # set a run to an extreme value
        a = int(rng.integers(len(buf)))
        buf[a:a + int(rng.integers(1, 16))] = bytes([0xFF if rng.integers(2) else 0]) * 16
    return bytes(buf)


def _mutate_member(ora: bytes, rng: np.random.Generator) -> bytes:
    """Rewrite the archive with one member mutated but valid CRCs, so the damage reaches the parsers."""
    with zipfile.ZipFile(io.BytesIO(ora)) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    target = int(rng.integers(len(members)))
    name, data = members[target]
    if name == "stack.xml" and rng.integers(2):
        text = data.decode()
        swaps = [('x="1"', 'x="inf"'), ('opacity="1.0"', 'opacity="-nan"'), ('w="12"', 'w="-5"'),
                 ("<stack>", "<stack><stack>"), ('src="data/layer000.png"', 'src="data/layer001.png"'),
                 ('composite-op="svg:multiply"', 'composite-op="svg:weird"'), ('h="10"', 'h="1e9"')]
        old, new = swaps[int(rng.integers(len(swaps)))]
        data = text.replace(old, new).encode()
    else:
        data = _mutate_bytes(data, rng)
    members[target] = (name, data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member, content in members:
            archive.writestr(member, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_files_open_or_give_the_file_error(tmp_path, seed):
    rng = np.random.default_rng(seed)
    samples = {".ora": _sample_ora(), **_sample_images()}
    suffixes = sorted(samples)
    outcomes = {"opened": 0, "refused": 0}
    for case in range(CASES_PER_SEED):
        suffix = suffixes[int(rng.integers(len(suffixes)))]
        data = samples[suffix]
        if suffix == ".ora" and rng.integers(3):
            data = _mutate_member(data, rng)
        else:
            data = _mutate_bytes(data, rng)
        path = tmp_path / f"case{case}{suffix}"
        path.write_bytes(data)
        try:
            doc = open_any(path)
        except DocumentFileError as error:
            assert path.name in error.message, error.message
            outcomes["refused"] += 1
        else:
            assert isinstance(doc, Document) and doc.width > 0
            outcomes["opened"] += 1
    assert outcomes["refused"] > 0  # the mutations do reach the error paths


def test_the_unmutated_samples_open(tmp_path):
    for suffix, data in {".ora": _sample_ora(), **_sample_images()}.items():
        (tmp_path / f"ok{suffix}").write_bytes(data)
        assert open_any(tmp_path / f"ok{suffix}").width in (11, 12)
    save_ora(open_any(tmp_path / "ok.ora"), tmp_path / "again.ora")
