"""`inpaint` returns the photo: the whole image with the selection filled, outside pixels untouched; presets
reach the samplers; candidates are ranked by CLIP when its files are there."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from glide_desktop import cli
from glide_desktop.engine.models import ModelStore
from glide_desktop.engine.pipelines import generate, stages, upsample
from glide_desktop.engine.presets import PRESETS, Preset, apply_preset
from glide_desktop.engine.types import Candidates, GenerationRequest, Mode, Progress
from tests.tiny_models import write_tiny_clip, write_tiny_models

FAST = ("--steps", "2", "--upsample-steps", "2", "--quiet", "--device", "cpu", "--seed", "3")


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.set_num_threads(1)
    return write_tiny_models(tmp_path_factory.mktemp("models"), ("base_inpaint.pt", "upsample_inpaint.pt"))


def _photo(folder: Path, mode: str = "RGB") -> tuple[Path, Path, np.ndarray, np.ndarray]:
    """A 300 x 200 noisy photo and a soft round mask off its centre."""
    rng = np.random.default_rng(1)
    channels = 4 if mode == "RGBA" else 3
    pixels = rng.integers(0, 256, (200, 300, channels), dtype=np.uint8)
    yy, xx = np.mgrid[0:200, 0:300]
    mask = np.clip((40 - np.hypot(xx - 200, yy - 80)) * 40, 0, 255).astype(np.uint8)  # soft rim ~6 px
    image_path, mask_path = folder / f"photo-{mode}.png", folder / "mask.png"
    Image.fromarray(pixels, mode).save(image_path)
    Image.fromarray(mask, "L").save(mask_path)
    return image_path, mask_path, pixels, mask


def _inpaint(models: Path, image: Path, mask: Path, out: Path, *extra: str) -> int:
    return cli.main(["inpaint", "--prompt", "a cat", "--image", str(image), "--mask", str(mask),
                     "--models", str(models), "--output", str(out), *FAST, *extra])


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_inpaint_writes_the_whole_image_with_outside_pixels_unchanged(models: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str],
                                                                     mode: str) -> None:
    image, mask, pixels, coverage = _photo(tmp_path, mode)
    assert _inpaint(models, image, mask, tmp_path / "out.png", "--candidates", "2", "--preset", "draft") == 0
    written = [tmp_path / "out.png", tmp_path / "out-1.png"]
    assert capsys.readouterr().out.split() == [str(p) for p in written]
    outside = coverage == 0
    results = []
    for index, path in enumerate(written):
        with Image.open(path) as result:
            assert result.size == (300, 200) and result.mode == mode
            assert result.text["preset"] == "draft" and result.text["candidate"] == str(index)
            assert result.text["crop"].count(",") == 3
            out = np.asarray(result)
        assert np.array_equal(out[outside], pixels[outside])  # bit-identical outside the mask
        assert np.abs(out[coverage == 255].astype(int) - pixels[coverage == 255]).mean() > 5
        results.append(out)
    assert not np.array_equal(results[0], results[1])  # two different candidates


def test_crops_keep_the_generated_squares(models: Path, tmp_path: Path) -> None:
    image, mask, _, _ = _photo(tmp_path)
    assert _inpaint(models, image, mask, tmp_path / "crop.png", "--crops", "--match-colour") == 0
    with Image.open(tmp_path / "crop.png") as result:
        assert result.size == (256, 256) and result.text["preset"] == "balanced"


class _Spy:
    """Records each stage's sampler and step count, and cancels after its first step."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[tuple[str, str, int]] = []
        original = stages.run_stage

        def run_stage(plan, noise, device, cancel, *args, **kwargs):  # noqa: ANN001, ANN202
            self.seen.append((plan.name, plan.sampler, plan.steps))
            asked = iter([False])  # "go" before the first step, "stop" once it is done
            return original(plan, noise, device, lambda: next(asked, True), *args, **kwargs)

        for stage in ("base", "upsample"):  # the modules (the package re-exports a function `upsample`)
            module = importlib.import_module(f"glide_desktop.engine.pipelines.{stage}")
            monkeypatch.setattr(module, "run_stage", run_stage)


@pytest.mark.parametrize("preset", list(Preset))
def test_each_preset_reaches_both_stages_samplers(models: Path, monkeypatch: pytest.MonkeyPatch,
                                                  preset: Preset) -> None:
    spy = _Spy(monkeypatch)
    source = np.full((256, 256, 3), 128, np.uint8)
    selection = np.zeros((64, 64), np.float32)
    selection[20:40, 20:40] = 1.0
    request = apply_preset(GenerationRequest(mode=Mode.INPAINT, prompt="a cat", candidates=1, device="cpu",
                                             source256=source, selection64=selection), preset)
    store = ModelStore(models)
    events = list(generate(request, store))
    assert [e.total for e in events if isinstance(e, Progress)] == [PRESETS[preset].steps]
    list(upsample(request, store, np.zeros((1, 64, 64, 3), np.uint8), [0]))
    settings = PRESETS[preset]
    upsampler = settings.upsample_sampler.value if settings.upsample_sampler else "ancestral"  # notebooks'
    assert spy.seen == [("base", settings.sampler.value, settings.steps),
                        ("upsample", upsampler, settings.upsample_steps)]
    assert not any(isinstance(e, Candidates) for e in events)  # cancelled after one step


def test_the_cli_preset_and_overrides_reach_the_request(models: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[GenerationRequest] = []
    monkeypatch.setattr(cli, "run", lambda request, *args: seen.append(request) or [])
    image, mask, _, _ = _photo(tmp_path)
    base = ["inpaint", "--prompt", "x", "--image", str(image), "--mask", str(mask), "--models", str(models)]
    assert cli.main([*base, "--preset", "notebook"]) == 0
    assert cli.main([*base, "--preset", "draft", "--steps", "7", "--upsample-sampler", "ddim"]) == 0
    assert cli.main(base) == 0
    notebook, draft, default = seen
    assert (notebook.sampler.value, notebook.steps, notebook.upsample_steps) == ("ancestral", 100, 27)
    assert notebook.upsample_sampler is None and notebook.candidates == 1
    assert draft.steps == 7 and draft.sampler is PRESETS[Preset.DRAFT].sampler
    assert draft.upsample_sampler.value == "ddim"
    assert draft.upsample_steps == PRESETS[Preset.DRAFT].upsample_steps
    balanced = PRESETS[Preset.BALANCED]
    assert (default.sampler, default.steps) == (balanced.sampler, balanced.steps)


def test_candidates_are_ranked_by_clip_when_its_files_are_there(models: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_tiny_clip(write_tiny_models(tmp_path / "m", ("base_inpaint.pt",)))
    image, mask, _, _ = _photo(tmp_path)
    assert _inpaint(folder, image, mask, tmp_path / "o.png", "--candidates", "3", "--no-upsample") == 0
    err = capsys.readouterr().err
    assert "CLIP score against the prompt, best first:" in err
    assert sorted(err.count(f"#{i}:") for i in range(3)) == [1, 1, 1]
    assert _inpaint(models, image, mask, tmp_path / "p.png", "--candidates", "2", "--no-upsample") == 0
    assert "CLIP score" not in capsys.readouterr().err  # no CLIP files in that folder


def test_a_mask_of_another_size_exits_2(models: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    image, _, _, _ = _photo(tmp_path)
    Image.new("L", (30, 20), 255).save(tmp_path / "small.png")
    assert _inpaint(models, image, tmp_path / "small.png", tmp_path / "x.png") == 2
    assert "the mask is 30x20 but the image is 300x200" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
