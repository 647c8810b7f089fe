"""The model store: which files are there, the models.json manifest, and loading tiny models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from glide_desktop.engine.checkpoint_layouts import closest_layout, layout_of
from glide_desktop.engine.checkpoints import CheckpointError
from glide_desktop.engine.clip.config import TINY as CLIP_TINY
from glide_desktop.engine.clip.model import ClipImageEncoder, ClipTextEncoder
from glide_desktop.engine.config import TINY_PRESETS
from glide_desktop.engine.locations import OFFICIAL_FILES, missing_files, required_files
from glide_desktop.engine.models import MissingModelError, ModelStore
from glide_desktop.engine.nn.unet import build_unet
from glide_desktop.engine.types import Mode


def touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_bytes(b"x")


def write_manifest(folder: Path, content: dict) -> None:
    (folder / "models.json").write_text(json.dumps(content), encoding="utf-8")


TINY_CLIP_MANIFEST = {"clip_image_enc.pt": {"preset": "tiny"}, "clip_text_enc.pt": {"preset": "tiny"}}


def tiny_unet_state(variant: str, seed: int = 0) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    return build_unet(TINY_PRESETS[variant]).state_dict()


# ------------------------------------------------------------------ which files are there


def test_missing_present_and_explain(tmp_path: Path) -> None:
    touch(tmp_path, "base_inpaint.pt")
    store = ModelStore(tmp_path)
    assert store.present() == ["base_inpaint.pt"]
    assert store.missing(["base_inpaint.pt", "upsample_inpaint.pt"]) == ["upsample_inpaint.pt"]
    text = store.explain_missing(Mode.INPAINT)
    assert f"GLIDE needs upsample_inpaint.pt in {tmp_path}" in text
    assert OFFICIAL_FILES["upsample_inpaint.pt"] in text
    assert "base_inpaint.pt" not in text.replace("upsample_inpaint.pt", "")


def test_explain_names_both_files_and_both_addresses(tmp_path: Path) -> None:
    text = ModelStore(tmp_path).explain_missing("text2im")
    assert text.startswith(f"GLIDE needs base.pt and upsample.pt in {tmp_path}; download them from")
    assert "dec-2021/base.pt" in text and "dec-2021/upsample.pt" in text


def test_safetensors_with_the_same_stem_counts_as_present(tmp_path: Path) -> None:
    touch(tmp_path, "upsample.safetensors")
    store = ModelStore(tmp_path)
    assert store.path("upsample.pt") == tmp_path / "upsample.safetensors"
    assert store.path("base.pt") == tmp_path / "base.pt"
    assert missing_files(tmp_path, Mode.TEXT2IM) == ["base.pt"]


def test_clip_guidance_needs_the_two_encoders(tmp_path: Path) -> None:
    assert required_files(Mode.VARIATION, clip_guidance=True) == (
        "base.pt", "upsample.pt", "clip_image_enc.pt", "clip_text_enc.pt"
    )
    touch(tmp_path, "base.pt", "upsample.pt", "clip_text_enc.pt")
    assert missing_files(tmp_path, "text2im", clip_guidance=True) == ["clip_image_enc.pt"]
    assert missing_files(tmp_path, "text2im") == []


def test_unknown_names_and_modes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown checkpoint 'base.ckpt'"):
        ModelStore(tmp_path).path("base.ckpt")
    with pytest.raises(ValueError, match="unknown mode 'paint'"):
        missing_files(tmp_path, "paint")


def test_loading_a_missing_file_says_where_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(MissingModelError, match=f"GLIDE needs base.pt in {tmp_path}"):
        ModelStore(tmp_path).load_unet("base.pt")
    touch(tmp_path, "clip_text_enc.pt")
    with pytest.raises(MissingModelError, match=f"GLIDE needs clip_image_enc.pt in {tmp_path}"):
        ModelStore(tmp_path).load_clip()


def test_default_models_dir_honours_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from glide_desktop.engine.locations import default_models_dir

    monkeypatch.setenv("GLIDE_MODELS_DIR", str(tmp_path / "m"))
    assert default_models_dir() == tmp_path / "m"
    monkeypatch.delenv("GLIDE_MODELS_DIR")
    assert default_models_dir().parts[-2:] == ("GLIDE Desktop", "models")


# ------------------------------------------------------------------ manifest and loading


def test_manifest_selects_tiny_presets_and_overrides(tmp_path: Path) -> None:
    write_manifest(tmp_path, {
        "base.pt": {"preset": "tiny"},
        "upsample.pt": {"preset": "tiny", "options": {"num_res_blocks": 2}},
        "clip_text_enc.pt": {"preset": "tiny", "options": {"n_xf_blocks_text": 2}},
    })
    store = ModelStore(tmp_path)
    assert store.unet_config("base.pt") == TINY_PRESETS["base"]
    assert store.unet_config("upsample.pt").num_res_blocks == 2
    assert store.unet_config("upsample.pt").num_channels == TINY_PRESETS["upsample"].num_channels
    assert store.unet_config("base_inpaint.pt").num_channels == 192  # not listed: official
    assert store.clip_config("clip_text_enc.pt").n_xf_blocks_text == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot be read as JSON"),
        ('{"base.ckpt": {}}', "'base.ckpt' is not one of GLIDE's files"),
        ('{"base.pt": {"preset": "huge"}}', "preset must be one of official, tiny"),
        ('{"base.pt": {"size": 3}}', "only 'preset' and 'options'"),
    ],
)
def test_bad_manifest_is_explained(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "models.json").write_text(content, encoding="utf-8")
    with pytest.raises(CheckpointError, match=message):
        ModelStore(tmp_path)


def test_bad_manifest_option_is_explained(tmp_path: Path) -> None:
    write_manifest(tmp_path, {"base.pt": {"preset": "tiny", "options": {"colour": 1}}})
    with pytest.raises(CheckpointError, match="base.pt: unknown GLIDE model options: colour"):
        ModelStore(tmp_path).unet_config("base.pt")


@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_tiny_unet_loads_through_the_store(tmp_path: Path, suffix: str) -> None:
    state = tiny_unet_state("base_inpaint", seed=1)
    path = tmp_path / f"base_inpaint{suffix}"
    torch.save(state, path) if suffix == ".pt" else save_file(state, path)
    write_manifest(tmp_path, {"base_inpaint.pt": {"preset": "tiny"}})
    model = ModelStore(tmp_path).load_unet("base_inpaint.pt", device="cpu")
    assert model.config == TINY_PRESETS["base_inpaint"]
    assert not model.training
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, state[name], rtol=0, atol=0)


def test_fp16_load_gives_the_mixed_layout_from_an_fp32_file(tmp_path: Path) -> None:
    state = tiny_unet_state("base", seed=2)
    torch.save(state, tmp_path / "base.pt")
    write_manifest(tmp_path, {"base.pt": {"preset": "tiny"}})
    model = ModelStore(tmp_path).load_unet("base.pt", device="cpu", dtype=torch.float16)
    loaded = model.state_dict()
    assert loaded["token_embedding.weight"].dtype == torch.float16
    assert loaded["positional_embedding"].dtype == torch.float32  # the reference never converts it
    for name, value in loaded.items():
        torch.testing.assert_close(value, state[name].to(value.dtype), rtol=0, atol=0)


def test_wrong_tiny_file_is_identified_as_its_variant(tmp_path: Path) -> None:
    torch.save(tiny_unet_state("upsample"), tmp_path / "base_inpaint.pt")
    write_manifest(tmp_path, {"base_inpaint.pt": {"preset": "tiny"}})
    with pytest.raises(CheckpointError, match="this is upsample.pt, but base_inpaint.pt was expected"):
        ModelStore(tmp_path).load_unet("base_inpaint.pt")


def test_tiny_clip_loads_through_the_store(tmp_path: Path) -> None:
    torch.manual_seed(3)
    image_state = ClipImageEncoder(CLIP_TINY).state_dict()
    text_state = ClipTextEncoder(CLIP_TINY).state_dict()
    torch.save(image_state, tmp_path / "clip_image_enc.pt")
    save_file(text_state, tmp_path / "clip_text_enc.safetensors")
    write_manifest(tmp_path, TINY_CLIP_MANIFEST)
    image, text = ModelStore(tmp_path).load_clip("cpu")
    for model, state in ((image, image_state), (text, text_state)):
        for name, value in model.state_dict().items():
            torch.testing.assert_close(value, state[name], rtol=0, atol=0)


def test_swapped_clip_files_are_named(tmp_path: Path) -> None:
    torch.save(ClipTextEncoder(CLIP_TINY).state_dict(), tmp_path / "clip_image_enc.pt")
    torch.save(ClipTextEncoder(CLIP_TINY).state_dict(), tmp_path / "clip_text_enc.pt")
    write_manifest(tmp_path, TINY_CLIP_MANIFEST)
    with pytest.raises(CheckpointError, match="this is clip_text_enc.pt, but clip_image_enc.pt was expected"):
        ModelStore(tmp_path).load_clip()


# ------------------------------------------------------------------ the official layouts


def read_keys_tsv(path: Path) -> dict[str, tuple[int, ...]]:
    layout = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.startswith("#") or not line.strip():
            continue
        key, shape = line.split("\t")[:2]
        layout[key] = tuple(json.loads(shape))
    return layout


def test_official_candidates_match_the_published_layouts(tmp_path: Path, format_dir: Path) -> None:
    candidates = ModelStore(tmp_path).candidates()
    for name in OFFICIAL_FILES:
        published = read_keys_tsv(format_dir / f"{Path(name).stem}.keys.tsv")
        assert layout_of(candidates[name]()) == published, name
        assert closest_layout(published, candidates) == (name, 1.0)
