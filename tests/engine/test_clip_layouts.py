"""The official noised CLIP built on the meta device has exactly the released checkpoints' layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from glide_desktop.engine.clip import (
    OFFICIAL,
    TINY,
    ClipConfig,
    ClipGuidance,
    ClipImageEncoder,
    ClipTextEncoder,
)
from glide_desktop.engine.tokenizers import ClipTokenizer

ENCODERS = {"clip_image_enc": ClipImageEncoder, "clip_text_enc": ClipTextEncoder}


def read_keys_tsv(path: Path) -> list[tuple[str, tuple[int, ...]]]:
    """(key, shape) per line of a <checkpoint>.keys.tsv, in file order."""
    rows = []
    for line in path.read_text().splitlines()[1:]:
        if line.startswith("#") or not line.strip():
            continue
        key, shape = line.split("\t")[:2]
        rows.append((key, tuple(json.loads(shape))))
    return rows


def test_official_preset_is_the_released_config(format_dir: Path) -> None:
    options = json.loads((format_dir / "options.json").read_text())
    assert ClipConfig.from_dict(options["clip_config.yaml"]) == OFFICIAL


@pytest.mark.parametrize("name", sorted(ENCODERS))
def test_official_layout_matches_keys_tsv(format_dir: Path, name: str) -> None:
    with torch.device("meta"):
        model = ENCODERS[name](OFFICIAL)
    ours = [(key, tuple(value.shape)) for key, value in model.state_dict().items()]
    assert ours == read_keys_tsv(format_dir / f"{name}.keys.tsv")
    counts = json.loads((format_dir / "options.json").read_text())["param_counts"][f"{name}.pt"]
    assert sum(p.numel() for p in model.parameters()) == counts["params"]
    assert len(ours) == counts["keys"]


def test_config_rejects_bad_dicts() -> None:
    options = {field: getattr(TINY, field) for field in TINY.__dataclass_fields__}
    with pytest.raises(ValueError, match="missing keys \\['n_embd'\\]"):
        ClipConfig.from_dict({k: v for k, v in options.items() if k != "n_embd"})
    with pytest.raises(ValueError, match="unknown keys \\['extra'\\]"):
        ClipConfig.from_dict({**options, "extra": 1})
    with pytest.raises(ValueError, match="patch_size"):
        ClipConfig.from_dict({**options, "patch_size": 5})
    with pytest.raises(ValueError, match="n_head_text must be a positive integer"):
        ClipConfig.from_dict({**options, "n_head_text": 0})


def test_bad_inputs_give_clear_errors() -> None:
    torch.manual_seed(0)
    image, text = ClipImageEncoder(TINY), ClipTextEncoder(TINY)
    images = torch.zeros(2, 3, 64, 64)
    with pytest.raises(ValueError, match="N x 3 x 64 x 64"):
        image(torch.zeros(2, 3, 32, 32), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="0..999"):
        image(images, torch.tensor([0, 1000]))
    with pytest.raises(ValueError, match="2 integers"):
        image(images, torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="N x 77"):
        text(torch.zeros(1, 10, dtype=torch.long), torch.tensor([2]))
    with pytest.raises(ValueError, match="lengths must lie in 1..77"):
        text(torch.zeros(1, 77, dtype=torch.long), torch.tensor([0]))
    guide = ClipGuidance(image, text, ClipTokenizer()).cond_fn(["a", "b", "c"], 1.0)
    with pytest.raises(ValueError, match="3 CLIP prompts cannot guide a batch of 2"):
        guide(images, torch.tensor([0, 1]))


def test_text_embedding_ignores_tokens_after_the_end() -> None:
    torch.manual_seed(0)
    text = ClipTextEncoder(TINY).eval()
    tokens = torch.randint(0, TINY.n_vocab, (2, 77))
    tokens[1, :5] = tokens[0, :5]  # same first 5 tokens, different tails
    with torch.no_grad():
        z = text(tokens, torch.tensor([5, 5]))
    torch.testing.assert_close(z[0], z[1])
