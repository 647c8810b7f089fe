"""The headless CLI: PNGs with their prompt and seed, any-size sources, and exit code 2 for bad input."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from glide_desktop import cli, cli_io
from glide_desktop.engine.tiny_models import write_tiny_models


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.set_num_threads(1)
    return write_tiny_models(tmp_path_factory.mktemp("models"))


def fast(models: Path, output: Path, *extra: str) -> list[str]:
    return ["--models", str(models), "--steps", "2", "--upsample-steps", "2", "--output", str(output),
            "--quiet", "--device", "cpu", *extra]


def test_generate_writes_pngs_with_prompt_and_seed(models: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fox-{seed}-{index}.png"
    code = cli.main(["generate", "--prompt", "a red fox", "--seed", "7", "--candidates", "2", "--no-upsample",
                     *fast(models, out)])
    assert code == 0
    paths = [tmp_path / "fox-7-0.png", tmp_path / "fox-7-1.png"]
    assert capsys.readouterr().out.split() == [str(p) for p in paths]
    for index, path in enumerate(paths):
        with Image.open(path) as image:
            assert image.size == (64, 64) and image.mode == "RGB"
            assert image.text["prompt"] == "a red fox"
            assert image.text["seed"] == "7" and image.text["candidate"] == str(index)


def test_inpaint_crops_are_the_square_around_the_mask(models: Path, tmp_path: Path) -> None:
    # A 300x200 image: red side bands around a blue centre; the square around the mask is all blue.
    source = np.zeros((200, 300, 3), np.uint8)
    source[:, :, 0] = 255
    source[:, 50:250] = (0, 0, 255)
    Image.fromarray(source).save(tmp_path / "photo.png")
    mask = np.zeros((200, 300), np.uint8)
    mask[60:140, 110:190] = 255  # white = regenerate, in the middle of the square
    Image.fromarray(mask).save(tmp_path / "mask.png")
    code = cli.main(["inpaint", "--prompt", "a cat", "--image", str(tmp_path / "photo.png"),
                     "--mask", str(tmp_path / "mask.png"), "--candidates", "1",
                     "--negative-prompt", "blurry", "--crops", *fast(models, tmp_path / "out.png")])
    assert code == 0
    with Image.open(tmp_path / "out.png") as image:
        assert image.size == (256, 256)
        assert image.text["negative_prompt"] == "blurry"
        pixels = np.asarray(image.convert("RGB")).astype(int)
    assert np.abs(pixels[:40, :40] - (0, 0, 255)).max() <= 1  # the kept corner is the blue square's
    assert np.abs(pixels[100:150, 100:150] - (0, 0, 255)).mean() > 10  # the hole was regenerated


def test_missing_models_exit_2_with_where_to_get_them(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["generate", "--prompt", "x", "--models", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "base.pt" in err and "dec-2021/upsample.pt" in err and "Traceback" not in err


def test_no_upsample_needs_only_the_base_model(models: Path, tmp_path: Path) -> None:
    only_base = tmp_path / "m"
    write_tiny_models(only_base, ("base.pt",))
    code = cli.main(["generate", "--prompt", "x", "--candidates", "1", "--no-upsample",
                     *fast(only_base, tmp_path / "o.png")])
    assert code == 0 and (tmp_path / "o.png").is_file()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing-image", "does not exist"),
        ("not-an-image", "is not a supported image"),
        ("mask-size", "the mask is 10x10 but the image is 20x20"),
        ("black-mask", "is all black"),
        ("bad-steps", "steps must be between"),
    ],
)
def test_bad_input_exit_2_without_traceback(models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            setup: str, message: str) -> None:
    image, mask = tmp_path / "image.png", tmp_path / "mask.png"
    Image.new("RGB", (20, 20), "gray").save(image)
    mask_size = (10, 10) if setup == "mask-size" else (20, 20)
    Image.new("L", mask_size, 0 if setup == "black-mask" else 255).save(mask)
    if setup == "missing-image":
        image = tmp_path / "nope.png"
    if setup == "not-an-image":
        image.write_text("hello")
    steps = ["--steps", "0"] if setup == "bad-steps" else []
    code = cli.main(["inpaint", "--prompt", "x", "--image", str(image), "--mask", str(mask),
                     "--models", str(models), "--quiet", *steps])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err


def test_output_names() -> None:
    assert cli_io.output_path("out.png", 5, 1, 3) == Path("out-1.png")
    assert cli_io.output_path("out.png", 5, 0, 1) == Path("out.png")
    assert cli_io.output_path("x/{seed}_{index}", 5, 2, 3) == Path("x/5_2.png")
    with pytest.raises(cli_io.InvalidRequest, match="bad --output pattern"):
        cli_io.output_path("{prompt}.png", 5, 0, 1)


def test_progress_bar_writes_a_line_per_tenth_when_not_a_terminal() -> None:
    stream = io.StringIO()
    bar = cli_io.ProgressBar(stream)
    for step in range(1, 101):
        bar.update("base", step, 100)
    bar.finish()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11  # the first step, then one per tenth
    assert lines[0].endswith(" 1/100") and lines[1].endswith(" 10/100")
    assert lines[-1].startswith("base") and lines[-1].endswith("100/100") and "#" * 30 in lines[-1]


def test_bench_reports_load_and_step_times(models: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["bench", "--models", str(models), "--device", "cpu", "--steps", "2", "--candidates", "1",
                     "--no-upsample"])
    out = capsys.readouterr().out
    assert code == 0
    assert "load base.pt" in out and "base        2 steps" in out and "s/step" in out


def test_an_unwritable_output_exits_2_naming_the_path(models: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").write_text("a file where a folder should be")
    out = tmp_path / "taken" / "out.png"
    code = cli.main(["generate", "--prompt", "x", "--candidates", "1", "--no-upsample", *fast(models, out)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"cannot write {out}" in err and "Traceback" not in err


def test_an_unexpected_error_is_one_plain_line_unless_debugging(models: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    def broken_run(*args: object) -> list[Path]:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(cli, "run", broken_run)
    argv = ["generate", "--prompt", "x", "--models", str(models)]
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert "unexpected ZeroDivisionError: float division by zero" in err and cli.DEBUG_ENV in err
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(argv)


def test_a_huge_image_is_refused_with_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.png"
    Image.new("RGB", (40, 40), "gray").save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 1600 pixels is then over twice the limit
    with pytest.raises(cli_io.InvalidRequest, match="too large to open safely"):
        cli_io.load_source(path)
