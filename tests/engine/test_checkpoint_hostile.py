"""Bad model files: each gets CheckpointError naming the file and a plain reason, nothing else leaks."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch
from torch import nn

from glide_desktop.engine.checkpoints import CheckpointError, load_into, read_state_dict
from tests.engine.test_checkpoints import CANDIDATES, Plain, random_state


@pytest.mark.parametrize("legacy", [False, True])
def test_a_pytorch_checkpoint_named_safetensors_is_told_so(tmp_path: Path, legacy: bool) -> None:
    path = tmp_path / "base.safetensors"
    torch.save(random_state(Plain(3)), path, _use_new_zipfile_serialization=not legacy)
    with pytest.raises(CheckpointError) as caught:
        read_state_dict(path)
    assert str(path) in str(caught.value)
    assert "this is a PyTorch checkpoint with a .safetensors name" in str(caught.value)


def _mutations(data: bytes, count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        buf = bytearray(data)
        if rng.random() < 0.2:
            del buf[rng.randrange(1, len(buf)):]
        for _ in range(rng.randint(1, 4)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        yield bytes(buf)


@pytest.mark.parametrize(("suffix", "legacy"), [(".pt", True), (".pt", False), (".safetensors", None)])
def test_mutated_checkpoints_load_or_give_the_checkpoint_error(tmp_path: Path, suffix, legacy) -> None:
    state = random_state(Plain(3))
    source = tmp_path / f"source{suffix}"
    if legacy is None:
        from safetensors.torch import save_file

        save_file(state, source)
    else:
        torch.save(state, source, _use_new_zipfile_serialization=not legacy)
    refused = 0
    for index, data in enumerate(_mutations(source.read_bytes(), 150, seed=len(suffix) + bool(legacy))):
        path = tmp_path / f"m{index}{suffix}"
        path.write_bytes(data)
        try:
            read_state_dict(path)
        except CheckpointError as error:
            assert str(path) in str(error)
            refused += 1
    assert refused > 0


def test_one_wrong_shape_in_the_expected_file_names_it_not_its_twin(tmp_path: Path) -> None:
    # first.weight with 5 input channels is as far from base.pt (3) as from base_inpaint.pt (7).
    state = random_state(Plain(7))
    state["first.weight"] = torch.zeros(8, 5, 3, 3)
    torch.save(state, tmp_path / "base_inpaint.pt")
    with pytest.raises(CheckpointError) as caught:
        load_into(Plain(7), tmp_path / "base_inpaint.pt", candidates=CANDIDATES, expected="base_inpaint.pt")
    message = str(caught.value)
    assert "it resembles base_inpaint.pt but does not match it" in message
    assert "base.pt," not in message and "looks like base.pt" not in message
    assert "Wrong shapes (1): first.weight is [8, 5, 3, 3] in the file, the model needs [8, 7, 3, 3]" \
        in message


def test_without_a_tie_the_closer_layout_still_wins(tmp_path: Path) -> None:
    torch.save(random_state(Plain(3)), tmp_path / "file.pt")
    with pytest.raises(CheckpointError, match="this is base.pt, but base_inpaint.pt was expected"):
        load_into(Plain(7), tmp_path / "file.pt", candidates=CANDIDATES, expected="base_inpaint.pt")


def test_a_module_is_not_needed_to_refuse_code(tmp_path: Path) -> None:
    torch.save({"first.weight": torch.ones(2), "layer": nn.Linear(2, 2)}, tmp_path / "module.pt")
    with pytest.raises(CheckpointError, match="module.pt holds code and was not loaded"):
        read_state_dict(tmp_path / "module.pt")
