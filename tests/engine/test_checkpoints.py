"""Safe checkpoint reading and strict loading, with small stand-in modules."""

from __future__ import annotations

import os
import pickle
import re
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file
from torch import nn

from glide_desktop.engine.checkpoints import (
    CheckpointError,
    check_state_dict,
    load_into,
    read_state_dict,
)


class Plain(nn.Module):
    """A stand-in for base.pt: a first conv, a norm and a head."""

    def __init__(self, in_channels: int = 3, width: int = 8) -> None:
        super().__init__()
        self.first = nn.Conv2d(in_channels, width, 3)
        self.norm = nn.GroupNorm(2, width)
        self.head = nn.Linear(width, 4)


class Upsampler(Plain):
    """A stand-in for upsample.pt: a different first conv and one more layer."""

    def __init__(self, in_channels: int = 6) -> None:
        super().__init__(in_channels)
        self.extra = nn.Linear(4, 4)


CANDIDATES = {
    "base.pt": lambda: Plain(3),
    "base_inpaint.pt": lambda: Plain(7),
    "upsample.pt": lambda: Upsampler(6),
}


def random_state(module: nn.Module, seed: int = 0) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return {k: torch.randn(v.shape, generator=generator) for k, v in module.state_dict().items()}


def assert_loaded(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, state[name].to(value.dtype), rtol=0, atol=0)


# ------------------------------------------------------------------ good files


@pytest.mark.parametrize("file_dtype", ["fp32", "fp16", "mixed"])
def test_file_dtypes_load_and_cast_to_parameter_dtype(tmp_path: Path, file_dtype: str) -> None:
    state = random_state(Plain())
    if file_dtype == "fp16":
        state = {k: v.half() for k, v in state.items()}
    elif file_dtype == "mixed":
        state = {k: v.half() if "weight" in k else v for k, v in state.items()}
    torch.save(state, tmp_path / "base.pt")
    model = Plain()
    model.first.half()  # the model itself mixed, as after convert_to_fp16
    load_into(model, tmp_path / "base.pt")
    assert model.first.weight.dtype == torch.float16
    assert model.head.weight.dtype == torch.float32
    assert_loaded(model, state)


def test_meta_model_gets_real_tensors_with_its_own_dtypes(tmp_path: Path) -> None:
    state = random_state(Plain())
    torch.save(state, tmp_path / "base.pt")
    with torch.device("meta"):
        model = Plain()
    model.first.half()
    load_into(model, tmp_path / "base.pt")
    assert not any(p.is_meta for p in model.parameters())
    assert model.first.weight.dtype == torch.float16 and model.norm.weight.dtype == torch.float32
    assert_loaded(model, state)
    assert isinstance(model.first.weight, nn.Parameter)


def test_safetensors_file_loads(tmp_path: Path) -> None:
    state = random_state(Plain(), seed=3)
    save_file(state, tmp_path / "base.safetensors")
    model = load_into(Plain(), tmp_path / "base.safetensors")
    assert_loaded(model, state)


def test_legacy_non_zip_file_loads(tmp_path: Path) -> None:
    state = random_state(Plain(), seed=4)
    torch.save(state, tmp_path / "base.pt", _use_new_zipfile_serialization=False)
    assert_loaded(load_into(Plain(), tmp_path / "base.pt"), state)


def test_state_dict_wrapper_is_unwrapped(tmp_path: Path) -> None:
    state = random_state(Plain(), seed=5)
    torch.save({"state_dict": state, "epoch": 7}, tmp_path / "wrapped.pt")
    assert read_state_dict(tmp_path / "wrapped.pt").keys() == state.keys()


# ------------------------------------------------------------------ the wrong checkpoint


def test_wrong_checkpoint_names_the_resembling_layout_and_first_bad_keys(tmp_path: Path) -> None:
    torch.save(random_state(Upsampler()), tmp_path / "upsample.pt")
    with pytest.raises(CheckpointError) as caught:
        load_into(Plain(7), tmp_path / "upsample.pt", candidates=CANDIDATES)
    message = str(caught.value)
    assert "upsample.pt" in message
    assert "this is upsample.pt, but base_inpaint.pt was expected" in message
    assert "Unexpected weights (2): extra.weight, extra.bias" in message
    assert "first.weight is [8, 6, 3, 3] in the file, the model needs [8, 7, 3, 3]" in message


def test_near_twin_is_told_apart_by_one_shape(tmp_path: Path) -> None:
    torch.save(random_state(Plain(3)), tmp_path / "base.pt")
    with pytest.raises(CheckpointError, match="this is base.pt, but base_inpaint.pt was expected"):
        load_into(Plain(7), tmp_path / "base.pt", candidates=CANDIDATES)


def test_missing_keys_are_listed_with_a_count(tmp_path: Path) -> None:
    state = random_state(Plain(7))
    del state["head.bias"], state["norm.weight"]
    torch.save(state, tmp_path / "cut.pt")
    with pytest.raises(CheckpointError) as caught:
        load_into(Plain(7), tmp_path / "cut.pt", candidates=CANDIDATES, expected="base_inpaint.pt")
    message = str(caught.value)
    assert "Missing weights (2 of 6): norm.weight, head.bias" in message
    assert "resembles base_inpaint.pt but does not match it" in message


def test_unrelated_layout_resembles_nothing(tmp_path: Path) -> None:
    torch.save({"something.else": torch.ones(2)}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="does not look like any known checkpoint"):
        load_into(Plain(3), tmp_path / "other.pt", candidates=CANDIDATES)


def test_integer_tensors_where_weights_belong_are_refused(tmp_path: Path) -> None:
    state = {k: torch.zeros(v.shape, dtype=torch.int64) for k, v in Plain().state_dict().items()}
    torch.save(state, tmp_path / "ints.pt")
    with pytest.raises(CheckpointError, match="torch.int64 values where floating-point"):
        load_into(Plain(), tmp_path / "ints.pt")


def test_check_state_dict_accepts_an_exact_match_on_meta() -> None:
    with torch.device("meta"):
        model = Plain()
    check_state_dict(random_state(Plain()), model, "base.pt", CANDIDATES)


# ------------------------------------------------------------------ broken files


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match=r"base\.pt was not found"):
        read_state_dict(tmp_path / "base.pt")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "base.pt").write_bytes(b"")
    with pytest.raises(CheckpointError, match=r"base\.pt is empty"):
        read_state_dict(tmp_path / "base.pt")


@pytest.mark.parametrize("legacy", [False, True])
def test_truncated_torch_file(tmp_path: Path, legacy: bool) -> None:
    torch.save(random_state(Plain()), tmp_path / "full.pt", _use_new_zipfile_serialization=not legacy)
    data = (tmp_path / "full.pt").read_bytes()
    cut = len(data) // 2
    (tmp_path / "base.pt").write_bytes(data[:cut])
    pattern = re.escape(f"base.pt: the file is incomplete: {cut:,} bytes, re-download it")
    with pytest.raises(CheckpointError, match=pattern):
        read_state_dict(tmp_path / "base.pt")


def test_truncated_safetensors_file(tmp_path: Path) -> None:
    save_file(random_state(Plain()), tmp_path / "full.safetensors")
    data = (tmp_path / "full.safetensors").read_bytes()
    (tmp_path / "base.safetensors").write_bytes(data[:-10])
    with pytest.raises(CheckpointError, match="the file is incomplete"):
        read_state_dict(tmp_path / "base.safetensors")


@pytest.mark.parametrize("name", ["base.pt", "base.safetensors"])
def test_random_bytes_are_not_a_checkpoint(tmp_path: Path, name: str) -> None:
    data = bytes(range(7, 256)) * 8  # starts with neither zip, pickle nor safetensors markers
    (tmp_path / name).write_bytes(data)
    with pytest.raises(CheckpointError, match=re.escape(name) + " is (not a model checkpoint|damaged)"):
        read_state_dict(tmp_path / name)


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="is not a file"):
        read_state_dict(tmp_path)


class RunsCode:
    """Unpickling this would call os.system and create a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("container", ["torch.save", "pickle.dump"])
def test_pickle_that_runs_code_is_refused_and_never_runs(tmp_path: Path, container: str) -> None:
    marker = tmp_path / "ran"
    content = {"first.weight": torch.ones(2), "payload": RunsCode(marker)}
    path = tmp_path / "evil.pt"
    if container == "torch.save":
        torch.save(content, path)
    else:
        with path.open("wb") as handle:
            pickle.dump(content, handle, protocol=2)
    with pytest.raises(CheckpointError, match="evil.pt (holds code and was not loaded|is damaged)"):
        read_state_dict(path)
    assert not marker.exists()


class Settings:
    """A plain Python object that is not a tensor."""

    def __init__(self) -> None:
        self.steps = 100


def test_pickled_custom_object_is_refused(tmp_path: Path) -> None:
    torch.save({"first.weight": torch.ones(2), "settings": Settings()}, tmp_path / "obj.pt")
    with pytest.raises(CheckpointError, match="obj.pt holds code and was not loaded: besides tensors"):
        read_state_dict(tmp_path / "obj.pt")


def test_plain_non_tensor_values_are_refused(tmp_path: Path) -> None:
    torch.save({"first.weight": torch.ones(2), "steps": [1, 2]}, tmp_path / "list.pt")
    with pytest.raises(CheckpointError, match="not a flat name -> tensor mapping: 'steps' holds a list"):
        read_state_dict(tmp_path / "list.pt")


def test_a_bare_tensor_is_not_a_state_dict(tmp_path: Path) -> None:
    torch.save(torch.ones(3), tmp_path / "tensor.pt")
    with pytest.raises(CheckpointError, match="holds a Tensor, not a mapping"):
        read_state_dict(tmp_path / "tensor.pt")


def test_nested_state_without_a_known_wrapper_is_refused(tmp_path: Path) -> None:
    torch.save({"net": {"w": torch.ones(1)}}, tmp_path / "nested.pt")
    with pytest.raises(CheckpointError, match="'net' holds a dict"):
        read_state_dict(tmp_path / "nested.pt")


# ------------------------------------------------------------------ the real network layouts


def test_tiny_variant_file_is_identified_when_loaded_against_another(tmp_path: Path) -> None:
    from glide_desktop.engine.config import TINY_PRESETS
    from glide_desktop.engine.nn.unet import build_unet

    candidates = {
        f"{variant}.pt": (lambda config=config: build_unet(config, device="meta"))
        for variant, config in TINY_PRESETS.items()
    }
    torch.manual_seed(0)
    torch.save(build_unet(TINY_PRESETS["upsample_inpaint"]).state_dict(), tmp_path / "file.pt")
    target = build_unet(TINY_PRESETS["upsample"], device="meta")
    with pytest.raises(CheckpointError) as caught:
        load_into(target, tmp_path / "file.pt", candidates=candidates)
    message = str(caught.value)
    assert "this is upsample_inpaint.pt, but upsample.pt was expected" in message
    assert "Wrong shapes (1): input_blocks.0.0.weight is [32, 10, 3, 3] in the file" in message
    assert "Missing weights" not in message and "Unexpected weights" not in message
