"""The model inputs that stay fixed during a stage: prompt tokens and the known (kept) image."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from glide_desktop.engine.diffusion import DenoisedFn, ModelFn
from glide_desktop.engine.guidance import inpaint_denoised_fn
from glide_desktop.engine.nn.text import TextConditioning
from glide_desktop.engine.pipelines.images import keep_mask_tensor, resize_image, to_model_image
from glide_desktop.engine.tokenizers import gpt2_tokenizer


def prompt_rows(prompt: str, rows: int, text_ctx: int, device: torch.device,
                negative_prompt: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Tokens and mask for `rows` copies of a prompt, then (when negative_prompt is not None) as many
    unconditional rows: the negative prompt's tokens, or the empty prompt when it is blank."""
    tokenizer = gpt2_tokenizer()
    tokens, mask = tokenizer.padded(tokenizer.encode(prompt), text_ctx)
    all_tokens, all_masks = [tokens] * rows, [mask] * rows
    if negative_prompt is not None:
        if negative_prompt.strip():
            uncond = tokenizer.padded(tokenizer.encode(negative_prompt), text_ctx)
        else:
            uncond = tokenizer.uncond(text_ctx)
        all_tokens += [uncond[0]] * rows
        all_masks += [uncond[1]] * rows
    token_tensor = torch.tensor(all_tokens, dtype=torch.int64, device=device)  # R, text_ctx
    mask_tensor = torch.tensor(all_masks, dtype=torch.bool, device=device)  # R, text_ctx
    return token_tensor, mask_tensor


def encode_prompt(model: torch.nn.Module, prompt: str, rows: int, device: torch.device,
                  negative_prompt: str | None = None) -> TextConditioning:
    """The text conditioning of prompt_rows(prompt, rows, ...), each distinct row encoded only once.

    The rows of one prompt are identical, and the text transformer costs the same for every row:
    with classifier-free guidance and 4 candidates that is 2 encodings instead of 8.
    """
    tokens, mask = prompt_rows(prompt, 1, model.config.text_ctx, device,
                               negative_prompt=negative_prompt)  # 1 or 2 rows, T each
    with torch.no_grad():
        text = model.encode_text(tokens, mask)
    return repeat_rows(text, rows)


def repeat_rows(text: TextConditioning, rows: int) -> TextConditioning:
    """Each row of text repeated `rows` times in place: [a, b] -> [a] * rows + [b] * rows."""
    index = torch.arange(text.batch_size, device=text.xf_proj.device).repeat_interleave(rows)  # R
    return TextConditioning(xf_proj=text.xf_proj[index],
                            xf_out=None if text.xf_out is None else text.xf_out[index])


@dataclass(frozen=True)
class KnownImage:
    """The source pixels to keep at one resolution: image in [-1, 1] and keep-mask (1 = keep)."""

    image: torch.Tensor  # 1, 3, S, S
    keep: torch.Tensor  # 1, 1, S, S

    @classmethod
    def at_size(cls, source256: np.ndarray, keep64: np.ndarray, size: int,
                device: torch.device) -> KnownImage:
        """Resize the 256 px source (bicubic) and the 64 px keep-mask (nearest) to size x size."""
        image = resize_image(to_model_image(source256, device), size)  # 1, 3, S, S
        return cls(image=image, keep=keep_mask_tensor(keep64, size, device))

    def model_inputs(self, rows: int) -> dict[str, torch.Tensor]:
        """inpaint_image (already times the mask, as the notebook passes it) and inpaint_mask for rows."""
        image = (self.image * self.keep).expand(rows, -1, -1, -1)  # R, 3, S, S
        return {"inpaint_image": image, "inpaint_mask": self.keep.expand(rows, -1, -1, -1)}

    def denoised_fn(self) -> DenoisedFn:
        """Puts the known pixels back into every x0 prediction."""
        return inpaint_denoised_fn(self.image, self.keep)


def inpaint_inputs(known: KnownImage | None, model: torch.nn.Module, rows: int) -> dict[str, torch.Tensor]:
    """The known image as model inputs for an inpaint-trained model; none for the others."""
    if known is None or not model.config.inpaint:
        return {}
    return known.model_inputs(rows)


def bind_model(model: torch.nn.Module, **inputs: object) -> ModelFn:
    """model_call(x, t) with the fixed inputs (text, inpaint_image, low_res, cancel...) bound, bar None."""
    given = {name: value for name, value in inputs.items() if value is not None}

    def call(x: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        return model(x, timesteps, **given)

    return call
