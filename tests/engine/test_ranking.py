"""Ranking candidates by the noised CLIP's score against the prompt (tiny CLIP in the official format)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from glide_desktop.engine.clip.guidance import normalise
from glide_desktop.engine.models import ModelStore
from glide_desktop.engine.pipelines import best_first, rank_candidates
from glide_desktop.engine.tokenizers import clip_tokenizer
from glide_desktop.engine.types import InvalidRequest
from tests.tiny_models import write_tiny_clip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ModelStore:
    return ModelStore(write_tiny_clip(tmp_path_factory.mktemp("clip")))


def test_scores_are_the_cosine_of_clip_embeddings_at_t0(store: ModelStore) -> None:
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (3, 64, 64, 3), dtype=np.uint8)
    scores = rank_candidates("a red fox", images, store, device="cpu")
    image, text = store.load_clip("cpu")
    tokenizer = clip_tokenizer()
    tokens, length = tokenizer.padded(tokenizer.encode("a red fox"), text.cfg.max_text_len)
    with torch.no_grad():
        z_text = normalise(text(torch.tensor([tokens]), torch.tensor([length])))
        pixels = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1.0
        z_image = normalise(image(pixels, torch.zeros(3, dtype=torch.int64)))
    expected = (z_image * z_text).sum(-1).tolist()
    assert scores == pytest.approx(expected, rel=1e-4, abs=1e-5)
    assert all(-1.0 <= s <= 1.0 for s in scores) and len(set(scores)) == 3
    assert best_first(scores) == sorted(range(3), key=lambda i: -scores[i])


def test_results_of_another_size_are_resized_to_clips_input(store: ModelStore) -> None:
    images = np.random.default_rng(0).integers(0, 256, (2, 256, 256, 3), dtype=np.uint8)
    assert len(rank_candidates("a cat", images, store, device="cpu")) == 2


def test_bad_candidates_are_refused(store: ModelStore, tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="N x H x W x 3 uint8"):
        rank_candidates("a cat", np.zeros((64, 64, 3), np.uint8), store, device="cpu")
    assert best_first([0.1, 0.3, 0.3]) == [1, 2, 0]
