"""The CLI's --clip-guidance: CLIP-guided PNGs, their metadata, and clear errors for missing CLIP files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from glide_desktop import cli
from glide_desktop.engine.tiny_models import write_tiny_clip, write_tiny_models


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.set_num_threads(1)
    return write_tiny_clip(write_tiny_models(tmp_path_factory.mktemp("models"), ("base.pt", "upsample.pt")))


def generate_args(models: Path, output: Path, *extra: str) -> list[str]:
    return ["generate", "--prompt", "a red fox", "--seed", "5", "--candidates", "1", "--models", str(models),
            "--steps", "2", "--upsample-steps", "2", "--output", str(output), "--quiet", "--device", "cpu",
            *extra]


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def test_clip_guided_generate_writes_pngs_that_record_the_clip_scale(models: Path, tmp_path: Path) -> None:
    assert cli.main(generate_args(models, tmp_path / "clip.png", "--clip-guidance", "3")) == 0
    with Image.open(tmp_path / "clip.png") as image:
        assert image.size == (256, 256)
        assert image.text["clip_guidance"] == "3.0"
        assert "guidance" not in image.text  # classifier-free guidance did not run
    assert cli.main(generate_args(models, tmp_path / "plain.png")) == 0
    with Image.open(tmp_path / "plain.png") as image:
        assert "clip_guidance" not in image.text and image.text["guidance"] == "3.0"
    assert not np.array_equal(pixels(tmp_path / "clip.png"), pixels(tmp_path / "plain.png"))


def test_clip_guided_generate_is_reproducible(models: Path, tmp_path: Path) -> None:
    for name in ("a.png", "b.png"):
        assert cli.main(generate_args(models, tmp_path / name, "--clip-guidance", "3", "--no-upsample")) == 0
    assert np.array_equal(pixels(tmp_path / "a.png"), pixels(tmp_path / "b.png"))


def test_missing_clip_files_exit_2_naming_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_tiny_models(tmp_path / "models", ("base.pt", "upsample.pt"))
    code = cli.main(generate_args(folder, tmp_path / "out.png", "--clip-guidance", "3"))
    err = capsys.readouterr().err
    assert code == 2
    assert "clip_image_enc.pt and clip_text_enc.pt" in err and str(folder) in err
    assert "https://openaipublic.blob.core.windows.net/diffusion/dec-2021/clip_text_enc.pt" in err
    assert "--clip-guidance" in err and "Traceback" not in err
    assert not (tmp_path / "out.png").exists()


def test_without_clip_guidance_the_clip_files_are_not_needed(tmp_path: Path) -> None:
    folder = write_tiny_models(tmp_path / "models", ("base.pt",))
    assert cli.main(generate_args(folder, tmp_path / "out.png", "--no-upsample")) == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--clip-guidance", "3", "--negative-prompt", "blurry"), "negative prompt needs classifier-free"),
        (("--clip-guidance", "-2"), "CLIP guidance must be a number >= 0"),
    ],
)
def test_bad_clip_settings_exit_2(models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  extra: tuple[str, ...], message: str) -> None:
    assert cli.main(generate_args(models, tmp_path / "out.png", *extra)) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_inpaint_has_no_clip_guidance_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["inpaint", "--prompt", "a cat", "--image", "x.png", "--mask", "m.png",
                  "--clip-guidance", "3"])
    assert caught.value.code == 2 and "--clip-guidance" in capsys.readouterr().err


def test_bench_times_clip_guided_text2im(models: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["bench", "--models", str(models), "--device", "cpu", "--steps", "2", "--candidates", "1",
                     "--no-upsample", "--clip-guidance", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert "load CLIP encoders" in out and "1 rows, CLIP-guided" in out
