"""Guidance helpers in the official notebooks' form: classifier-free guidance and inpainting.

Classifier-free guidance (Ho & Salimans 2021) runs one batch of 2N rows: rows 0..N-1 are the
conditional rows (the prompt's tokens and mask) and rows N..2N-1 the unconditional ones (the
empty prompt: 128 x 50256 with an all-False mask). A negative prompt needs no special code: the
pipeline puts the negative prompt's tokens and mask in the unconditional rows instead.
"""

from __future__ import annotations

import torch

from glide_desktop.engine.diffusion import DenoisedFn, ModelFn

EPS_CHANNELS = 3  # channels 0..2 are eps; 3..5 are the variance values v


def classifier_free_model_fn(model_call: ModelFn, guidance_scale: float) -> ModelFn:
    """Wrap a model so eps = uncond + s * (cond - uncond) for a [cond rows, uncond rows] batch."""

    def guided(x: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        if x.shape[0] % 2:
            raise ValueError(f"classifier-free guidance needs cond + uncond rows; odd batch {x.shape[0]}")
        half = x[: x.shape[0] // 2]  # N, C, H, W: both halves are kept identical
        output = model_call(torch.cat([half, half], dim=0), timesteps)  # 2N, 6, H, W
        eps, rest = output[:, :EPS_CHANNELS], output[:, EPS_CHANNELS:]
        cond_eps, uncond_eps = torch.split(eps, eps.shape[0] // 2, dim=0)  # N, 3, H, W each
        half_eps = uncond_eps + guidance_scale * (cond_eps - uncond_eps)
        # Each row keeps its own variance values; only eps is guided.
        return torch.cat([torch.cat([half_eps, half_eps], dim=0), rest], dim=1)  # 2N, 6, H, W

    return guided


def inpaint_denoised_fn(image: torch.Tensor, keep_mask: torch.Tensor) -> DenoisedFn:
    """Put the known pixels back into every x0 prediction: x0 * (1 - mask) + image * mask (1 = keep)."""

    def denoised(pred_xstart: torch.Tensor) -> torch.Tensor:
        return pred_xstart * (1 - keep_mask) + image * keep_mask  # N, C, H, W

    return denoised
