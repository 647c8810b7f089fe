"""CLIP guidance: the gradient of the CLIP similarity between noisy images and a prompt."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import torch
from torch import Tensor

from glide_desktop.engine.clip.model import ClipImageEncoder, ClipTextEncoder
from glide_desktop.engine.diffusion import CondFn

# Guards the normalisation of an all-zero embedding (the reference adds the same epsilon).
NORM_EPS = 1e-12


class TextTokenizer(Protocol):
    """What guidance needs from a CLIP tokenizer."""

    def encode(self, text: str) -> list[int]: ...

    def padded(self, ids: Sequence[int], ctx: int = ...) -> tuple[list[int], int]: ...


def normalise(z: Tensor) -> Tensor:
    """Scale each embedding row to unit length: z / (||z|| + 1e-12)."""
    return z / (z.norm(dim=-1, keepdim=True) + NORM_EPS)


class ClipGuidance:
    """The noised CLIP pair plus its tokenizer, giving sampler cond_fns (GLIDE, Nichol et al. 2021)."""

    def __init__(
        self,
        image_encoder: ClipImageEncoder,
        text_encoder: ClipTextEncoder,
        tokenizer: TextTokenizer,
        logit_scale: float = 100.0,
    ) -> None:
        if not logit_scale > 0:
            raise ValueError(
                f"logit_scale is the similarity multiplier and must be positive, got {logit_scale}"
            )
        # Only the image gradient is wanted: frozen weights keep autograd from tracking them.
        self.image_encoder = image_encoder.eval().requires_grad_(False)
        self.text_encoder = text_encoder.eval().requires_grad_(False)
        self.tokenizer = tokenizer
        # Stored as log() in fp32 and exponentiated per use, as the reference does.
        self.logit_scale = torch.tensor(math.log(logit_scale), dtype=torch.float32)

    @torch.no_grad()
    def text_embeddings(self, prompts: Sequence[str]) -> Tensor:
        """Unit-length text embeddings, one row per prompt (P, n_embd)."""
        if isinstance(prompts, str) or not prompts:
            raise ValueError("prompts must be a non-empty list of strings")
        ctx = self.text_encoder.cfg.max_text_len
        rows = [self.tokenizer.padded(self.tokenizer.encode(prompt), ctx) for prompt in prompts]
        device = self.text_encoder.blocks["input"].w_voc.device
        tokens = torch.tensor([tokens for tokens, _ in rows], device=device)  # P, T
        lengths = torch.tensor([length for _, length in rows], device=device)  # P
        return normalise(self.text_encoder(tokens, lengths))

    def image_embeddings(self, images: Tensor, t: Tensor) -> Tensor:
        """Unit-length embeddings of noisy images in [-1, 1] at original timesteps t (N, n_embd)."""
        return normalise(self.image_encoder(images, t))

    def cond_fn(self, prompts: Sequence[str], grad_scale: float) -> CondFn:
        """cond_fn(x, t) = grad_scale * d/dx [exp(logit_scale) * sum(z_text * z_image(x, t))]."""
        z_text = self.text_embeddings(prompts)  # P, D, computed once for every step

        def guide(x: Tensor, t: Tensor) -> Tensor:
            if z_text.shape[0] not in (1, x.shape[0]):
                raise ValueError(
                    f"{z_text.shape[0]} CLIP prompts cannot guide a batch of {x.shape[0]} images"
                )
            # Samplers may run under inference_mode; clones made outside it are tensors autograd accepts.
            with torch.inference_mode(False), torch.enable_grad():
                x_var = x.detach().clone().float().requires_grad_(True)  # N, 3, H, W
                z_image = self.image_embeddings(x_var, t.clone())  # N, D
                scale = torch.exp(self.logit_scale.to(x.device))
                similarity = scale * (z_text.to(x.device).clone() * z_image).sum()
                (grad,) = torch.autograd.grad(similarity, x_var)
            return (grad * grad_scale).to(x.dtype)

        return guide
