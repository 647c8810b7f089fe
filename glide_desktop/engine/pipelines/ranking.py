"""Ranking candidates by how well the noised CLIP says they match the prompt (at t = 0, no noise)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from glide_desktop.engine.clip import ClipGuidance
from glide_desktop.engine.device import resolve_device
from glide_desktop.engine.models import ModelLoader
from glide_desktop.engine.pipelines.images import to_model_image
from glide_desktop.engine.tokenizers import clip_tokenizer
from glide_desktop.engine.types import InvalidRequest


@torch.no_grad()
def rank_candidates(prompt: str, images: np.ndarray, store: ModelLoader,
                    device: str = "auto") -> list[float]:
    """Each candidate's CLIP score against the prompt, in candidate order (higher = closer).

    images: N x S x S x 3 uint8 (the 64 px candidates, or results at any size: they are resized to
    CLIP's input). The score is the cosine similarity of the unit-length image and text embeddings
    of GLIDE's noised CLIP evaluated at timestep 0, in [-1, 1].
    """
    array = np.asarray(images)
    if array.dtype != np.uint8 or array.ndim != 4 or array.shape[-1] != 3 or array.shape[0] == 0:
        raise InvalidRequest(f"candidates must be N x H x W x 3 uint8, got {array.shape} {array.dtype}")
    target = resolve_device(device)
    image_encoder, text_encoder = store.load_clip(target)
    scale = image_encoder.cfg.logit_scale
    guidance = ClipGuidance(image_encoder, text_encoder, clip_tokenizer(), logit_scale=scale)
    pixels = to_model_image(np.ascontiguousarray(array), target)  # N, 3, S, S in [-1, 1]
    size = image_encoder.cfg.image_size
    if pixels.shape[-1] != size:
        pixels = F.interpolate(pixels, size=(size, size), mode="bicubic", align_corners=False).clamp(-1, 1)
    t = torch.zeros(pixels.shape[0], dtype=torch.int64, device=target)  # N: no noise
    z_image = guidance.image_embeddings(pixels, t)  # N, D
    z_text = guidance.text_embeddings([prompt])  # 1, D
    return [float(score) for score in (z_image * z_text).sum(dim=-1).cpu()]


def best_first(scores: list[float]) -> list[int]:
    """Candidate indices from the highest score to the lowest (ties keep candidate order)."""
    return sorted(range(len(scores)), key=lambda index: (-scores[index], index))
