"""`inpaint --detail`: the whole image at its own size, repainted only inside the mask."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from glide_desktop import cli, cli_detail
from glide_desktop.cli_inpaint import WholePicture
from glide_desktop.engine.tiny_models import write_tiny_models


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.set_num_threads(1)
    return write_tiny_models(tmp_path_factory.mktemp("models"), ("base_inpaint.pt", "upsample_inpaint.pt"))


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 620 x 540 photo (the square GLIDE sees is 540 px: about 2.1x) with a 200 px mask in it."""
    folder = tmp_path_factory.mktemp("photo")
    rng = np.random.default_rng(2)
    source = rng.integers(0, 256, (540, 620, 3), dtype=np.uint8)
    mask = np.zeros((540, 620), np.uint8)
    mask[150:350, 200:400] = 255
    Image.fromarray(source).save(folder / "photo.png")
    Image.fromarray(mask).save(folder / "mask.png")
    return folder / "photo.png", folder / "mask.png"


def arguments(models: Path, photo: tuple[Path, Path], output: Path, *extra: str) -> list[str]:
    return ["inpaint", "--prompt", "a cat", "--image", str(photo[0]), "--mask", str(photo[1]),
            "--candidates", "1", "--seed", "5", "--models", str(models), "--steps", "2",
            "--upsample-steps", "2", "--output", str(output), "--quiet", "--device", "cpu", *extra]


def test_detail_writes_the_whole_image_changed_only_inside_the_mask(models: Path, photo: tuple[Path, Path],
                                                                    tmp_path: Path) -> None:
    assert cli.main(arguments(models, photo, tmp_path / "plain.png")) == 0
    assert cli.main(arguments(models, photo, tmp_path / "detail.png", "--detail")) == 0
    source = np.asarray(Image.open(photo[0]).convert("RGB"))
    selected = np.asarray(Image.open(photo[1])) > 0
    with Image.open(tmp_path / "detail.png") as image:
        assert image.size == (620, 540) and image.text["prompt"] == "a cat"
        detailed = np.asarray(image.convert("RGB"))
    np.testing.assert_array_equal(detailed[~selected], source[~selected])  # bit-identical outside
    # The same seed without --detail: the 256 px result stretched over the square, blended in.
    plain = np.asarray(Image.open(tmp_path / "plain.png").convert("RGB"))
    np.testing.assert_array_equal(plain[~selected], source[~selected])
    difference = np.abs(detailed[selected].astype(int) - plain[selected]).mean()
    assert difference > 1.0


def test_detail_needs_the_upsampler(models: Path, photo: tuple[Path, Path], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(arguments(models, photo, tmp_path / "x.png", "--detail", "--no-upsample"))
    assert code == cli.EXIT_BAD_INPUT and "--no-upsample" in capsys.readouterr().err


def test_a_small_image_needs_no_pass(models: Path, tmp_path: Path) -> None:
    Image.fromarray(np.full((200, 200, 3), 90, np.uint8)).save(tmp_path / "small.png")
    mask = np.zeros((200, 200), np.uint8)
    mask[50:150, 50:150] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    whole = WholePicture.load(tmp_path / "small.png", tmp_path / "mask.png")
    finish = cli_detail.whole_image_detail(whole, None, None, quiet=True)  # no pass: no request or store
    result = finish(np.full((256, 256, 3), 200, np.uint8), 0)
    assert result.shape == (200, 200, 3) and (result[100, 100] == 200).all() and (result[10, 10] == 90).all()
