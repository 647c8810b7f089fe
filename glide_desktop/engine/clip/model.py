"""GLIDE's noised CLIP: a timestep-conditioned ViT image encoder and a causal text encoder.

Parameter names and layouts follow the released clip_image_enc.pt / clip_text_enc.pt exactly
(`blocks.input.*`, `blocks.block_{i}.f_attn.*`, `blocks.block_{i}.f_mlp.*`, `blocks.output.*`;
affine weights stored [out, in]), so those files load with a strict load_state_dict.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from glide_desktop.engine.clip.config import ClipConfig

# Per-channel statistics of CLIP's training images on the 0..255 scale (R, G, B).
PIXEL_MEANS = (122.77093945, 116.74601272, 104.09373519)
PIXEL_STDS = (68.50053285, 66.63215831, 70.32316309)
LN_EPS = 1e-5
# Attention runs on contexts padded to whole blocks of this many tokens; the pads are masked out.
ATTENTION_BLOCK = 32
MASKED_BIAS = -1e10


class LayerNorm(nn.Module):
    """LayerNorm over the last axis with parameters named g (gain) and b (bias)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.g = nn.Parameter(torch.ones(width))
        self.b = nn.Parameter(torch.zeros(width))

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.g.shape, self.g, self.b, eps=LN_EPS)


class Affine(nn.Module):
    """A linear map with weight w stored [out, in] and an optional bias b."""

    def __init__(self, n_in: int, n_out: int, bias: bool = True) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.empty(n_out, n_in))
        nn.init.normal_(self.w, std=n_in**-0.5)
        self.b = nn.Parameter(torch.zeros(n_out)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.w, self.b)


def attention_bias(n_padded: int, n_real: int, causal: bool, device: torch.device) -> Tensor:
    """Additive mask [n_padded, n_padded]: MASKED_BIAS on padding keys (and on future keys when causal)."""
    keys = torch.arange(n_padded, device=device)
    masked = (keys >= n_real)[None, :].expand(n_padded, n_padded)  # queries, keys
    if causal:
        masked = masked | (keys[None, :] > keys[:, None])
    return torch.zeros(n_padded, n_padded, device=device).masked_fill(masked, MASKED_BIAS)


class Attention(nn.Module):
    """Pre-LN multi-head self-attention; f_k has no bias, q and k are each scaled by d^-1/4."""

    def __init__(self, n_heads: int, head_width: int, causal: bool) -> None:
        super().__init__()
        width = n_heads * head_width
        self.n_heads, self.head_width, self.causal = n_heads, head_width, causal
        self.ln = LayerNorm(width)
        self.f_q = Affine(width, width)
        self.f_k = Affine(width, width, bias=False)
        self.f_v = Affine(width, width)
        self.f_c = Affine(width, width)

    def _heads(self, z: Tensor, n_pad: int) -> Tensor:
        z = F.pad(z, (0, 0, 0, n_pad))  # N, T+pad, C
        n, t, _ = z.shape
        return z.view(n, t, self.n_heads, self.head_width).transpose(1, 2)  # N, H, T+pad, D

    def forward(self, x: Tensor) -> Tensor:
        n, t, width = x.shape
        n_pad = -t % ATTENTION_BLOCK
        h = self.ln(x)
        q, k, v = (self._heads(f(h), n_pad) for f in (self.f_q, self.f_k, self.f_v))  # N, H, Tp, D
        scale = self.head_width**-0.25
        logits = (q * scale) @ (k * scale).transpose(-1, -2)  # N, H, Tp, Tp
        logits = logits + attention_bias(t + n_pad, t, self.causal, x.device)
        weights = torch.softmax(logits.float(), dim=-1).to(v.dtype)
        out = (weights @ v).transpose(1, 2).reshape(n, t + n_pad, width)[:, :t]  # N, T, C
        return self.f_c(out)


class Mlp(nn.Module):
    """Pre-LN feed-forward layer, 4x wide, exact GELU."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.ln = LayerNorm(width)
        self.f_1 = Affine(width, 4 * width)
        self.f_2 = Affine(4 * width, width)

    def forward(self, x: Tensor) -> Tensor:
        return self.f_2(F.gelu(self.f_1(self.ln(x))))


class TransformerBlock(nn.Module):
    """Residual attention then residual MLP."""

    def __init__(self, n_heads: int, head_width: int, causal: bool) -> None:
        super().__init__()
        self.f_attn = Attention(n_heads, head_width, causal)
        self.f_mlp = Mlp(n_heads * head_width)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.f_attn(x)
        return x + self.f_mlp(x)


class OutputHead(nn.Module):
    """Final LayerNorm and bias-free projection to the shared embedding space."""

    def __init__(self, width: int, n_embd: int) -> None:
        super().__init__()
        self.ln = LayerNorm(width)
        self.f = Affine(width, n_embd, bias=False)

    def forward(self, features: Tensor) -> Tensor:
        return self.f(self.ln(features))


class ImageInput(nn.Module):
    """Pixels (0..255) and timesteps to tokens: normalise, patchify, prepend w_t[t], add w_pos, LayerNorm."""

    def __init__(self, cfg: ClipConfig) -> None:
        super().__init__()
        width, self.patch_size = cfg.image_width, cfg.patch_size
        self.w_t = nn.Parameter(torch.empty(cfg.n_timesteps, width))
        self.patch_proj = nn.Parameter(torch.empty(width, 3, cfg.patch_size, cfg.patch_size))
        self.w_pos = nn.Parameter(torch.empty(cfg.n_patches + 1, width))
        self.ln = LayerNorm(width)
        for weight in (self.w_t, self.w_pos):
            nn.init.normal_(weight, std=0.02)
        nn.init.normal_(self.patch_proj, std=(3 * cfg.patch_size**2) ** -0.5)

    def forward(self, pixels: Tensor, t: Tensor) -> Tensor:
        means = torch.tensor(PIXEL_MEANS, dtype=torch.float32, device=pixels.device).view(1, 3, 1, 1)
        stds = torch.tensor(PIXEL_STDS, dtype=torch.float32, device=pixels.device).view(1, 3, 1, 1)
        x = (pixels - means) / stds  # N, 3, H, W
        x = F.conv2d(x, self.patch_proj, stride=self.patch_size)  # N, C, H/p, W/p
        x = x.flatten(2).transpose(1, 2)  # N, P, C
        x = torch.cat([self.w_t[t][:, None], x], dim=1)  # N, 1+P, C
        return self.ln(x + self.w_pos[None])


class TextInput(nn.Module):
    """Token ids to token embeddings plus learned positions."""

    def __init__(self, cfg: ClipConfig) -> None:
        super().__init__()
        self.w_voc = nn.Parameter(torch.empty(cfg.n_vocab, cfg.text_width))
        self.w_pos = nn.Parameter(torch.empty(cfg.max_text_len, cfg.text_width))
        for weight in (self.w_voc, self.w_pos):
            nn.init.normal_(weight, std=0.02)

    def forward(self, tokens: Tensor) -> Tensor:
        return self.w_voc[tokens] + self.w_pos[None]  # N, T, C


def _blocks(
    input_block: nn.Module, n_blocks: int, block: Callable[[], nn.Module], output: nn.Module
) -> nn.ModuleDict:
    """The encoder's module tree in checkpoint order: input, block_0..block_{n-1}, output."""
    modules: dict[str, nn.Module] = {"input": input_block}
    modules.update({f"block_{i}": block() for i in range(n_blocks)})
    modules["output"] = output
    return nn.ModuleDict(modules)


class ClipImageEncoder(nn.Module):
    """Embeds noisy images x_t in [-1, 1] at original diffusion timesteps t (the noised CLIP)."""

    def __init__(self, cfg: ClipConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.blocks = _blocks(
            ImageInput(cfg),
            cfg.n_xf_blocks_image,
            lambda: TransformerBlock(cfg.n_head_image, cfg.n_head_state_image, causal=False),
            OutputHead(cfg.image_width, cfg.n_embd),
        )

    def forward(self, images: Tensor, t: Tensor) -> Tensor:
        """images N, 3, S, S in [-1, 1]; t N original timesteps -> N, n_embd (not normalised)."""
        t = _check_images(images, t, self.cfg)
        x = self.blocks["input"]((images + 1) * 127.5, t)  # N, 1+P, C
        for i in range(self.cfg.n_xf_blocks_image):
            x = self.blocks[f"block_{i}"](x)
        return self.blocks["output"](x[:, 0])  # N, n_embd


class ClipTextEncoder(nn.Module):
    """Embeds CLIP token rows; reads the causal features at each row's end token (position len-1)."""

    def __init__(self, cfg: ClipConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.blocks = _blocks(
            TextInput(cfg),
            cfg.n_xf_blocks_text,
            lambda: TransformerBlock(cfg.n_head_text, cfg.n_head_state_text, causal=True),
            OutputHead(cfg.text_width, cfg.n_embd),
        )

    def forward(self, tokens: Tensor, lengths: Tensor) -> Tensor:
        """tokens N, max_text_len; lengths N (non-pad tokens incl. start/end) -> N, n_embd."""
        _check_tokens(tokens, lengths, self.cfg)
        x = self.blocks["input"](tokens)  # N, T, C
        for i in range(self.cfg.n_xf_blocks_text):
            x = self.blocks[f"block_{i}"](x)
        ends = x[torch.arange(x.shape[0], device=x.device), lengths - 1]  # N, C
        return self.blocks["output"](ends)  # N, n_embd


def _check_images(images: Tensor, t: Tensor, cfg: ClipConfig) -> Tensor:
    """Validate the image encoder's inputs; returns t as int64 of shape [N]."""
    size = cfg.image_size
    if images.ndim != 4 or tuple(images.shape[1:]) != (3, size, size):
        raise ValueError(f"CLIP images must be N x 3 x {size} x {size}, got {tuple(images.shape)}")
    t = torch.as_tensor(t, device=images.device)
    if t.ndim == 0:
        t = t.expand(images.shape[0])
    if t.shape != images.shape[:1] or t.is_floating_point():
        raise ValueError(f"CLIP timesteps must be {images.shape[0]} integers, got {t.dtype} {tuple(t.shape)}")
    if t.numel() and (int(t.min()) < 0 or int(t.max()) >= cfg.n_timesteps):
        raise ValueError(f"CLIP timesteps must lie in 0..{cfg.n_timesteps - 1}, got {t.tolist()}")
    return t.long()


def _check_tokens(tokens: Tensor, lengths: Tensor, cfg: ClipConfig) -> None:
    """Validate the text encoder's inputs."""
    if tokens.ndim != 2 or tokens.shape[1] != cfg.max_text_len or tokens.is_floating_point():
        raise ValueError(f"CLIP tokens must be N x {cfg.max_text_len} integers, got {tuple(tokens.shape)}")
    if lengths.shape != tokens.shape[:1]:
        raise ValueError(f"CLIP lengths must have shape [{tokens.shape[0]}], got {tuple(lengths.shape)}")
    if tokens.numel() and (int(lengths.min()) < 1 or int(lengths.max()) > cfg.max_text_len):
        raise ValueError(f"CLIP lengths must lie in 1..{cfg.max_text_len}, got {lengths.tolist()}")
    if tokens.numel() and (int(tokens.min()) < 0 or int(tokens.max()) >= cfg.n_vocab):
        raise ValueError(f"CLIP token ids must lie in 0..{cfg.n_vocab - 1}")
