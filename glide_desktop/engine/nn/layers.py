"""Small building blocks shared by the UNet and the text transformer."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from glide_desktop.engine.config import GROUPNORM_GROUPS

MAX_PERIOD = 10000.0
NORM_EPS = 1e-5
ATTENTION_CHUNK_ELEMENTS = 1 << 23  # attention weights computed at once (32 MB in fp32)


class GroupNorm32(nn.GroupNorm):
    """GroupNorm (32 groups) computed in fp32, cast back, then an optional fused SiLU."""

    def __init__(self, channels: int, swish: bool = False) -> None:
        super().__init__(GROUPNORM_GROUPS, channels, eps=NORM_EPS)
        self.swish = swish

    def forward(self, x: Tensor) -> Tensor:
        if x.dtype == torch.bfloat16 and self.weight.dtype == torch.float32:
            # The CPU kernel takes bf16 in with fp32 weights, accumulates the statistics in fp32
            # and rounds once: the same values as casting around it, without two copies.
            y = F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)
        else:
            y = super().forward(x.float()).to(x.dtype)
        # The reference applies the SiLU after the cast, so in fp16 mode it runs in fp16.
        # In place: y is this call's own fresh tensor (to() of an fp32 input returns it as is).
        return F.silu(y, inplace=True) if self.swish else y


    def modulated(self, x: Tensor, scale: Tensor, shift: Tensor) -> Tensor:
        """norm(x) * (1 + scale) + shift, with scale and shift N, C, 1, 1 in fp32 (scale-shift norm).

        A bf16 row folds scale and shift into the norm's affine, so the kernel writes the result
        in one pass with one rounding; fp32 (and several rows, whose affines differ) multiply and
        add after the norm, in the reference's order.
        """
        if x.dtype == torch.bfloat16 and x.shape[0] == 1 and self.weight.dtype == torch.float32:
            gain = 1 + scale.reshape(-1)  # C
            weight, bias = self.weight * gain, torch.addcmul(shift.reshape(-1), self.bias, gain)
            return F.group_norm(x, self.num_groups, weight, bias, self.eps)
        return torch.addcmul(shift.to(x.dtype), self(x), 1 + scale.to(x.dtype))


class LayerNorm32(nn.LayerNorm):
    """LayerNorm computed in fp32 and cast back to the input dtype."""

    def __init__(self, width: int) -> None:
        super().__init__(width, eps=NORM_EPS)

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(x.float()).to(x.dtype)


def timestep_embedding(timesteps: Tensor, dim: int) -> Tensor:
    """Sinusoidal embedding of (original-scale) timesteps: [cos | sin], N x dim, fp32."""
    half = dim // 2
    exponents = torch.arange(half, dtype=torch.float32, device=timesteps.device)
    # Multiply before dividing, as the reference does, for bit-level agreement.
    freqs = torch.exp(-math.log(MAX_PERIOD) * exponents / half)  # half
    angles = timesteps.float()[:, None] * freqs[None]  # N, half
    embedding = torch.cat([torch.cos(angles), torch.sin(angles)], dim=-1)  # N, 2*half
    if dim % 2:
        embedding = F.pad(embedding, (0, 1))
    return embedding


def attention(q: Tensor, k: Tensor, v: Tensor) -> Tensor:
    """Softmax attention over channel-first heads: q B,C,T; k,v B,C,S -> B,C,T.

    q and k are each scaled by C^-1/4 before the product (steadier in fp16) and the softmax
    runs in fp32, as in the reference. Heads are taken a few at a time so the B x T x S weights
    never exist all at once (the base model's 32 px attention would hold ~450 MB in fp32).
    """
    per_head = q.shape[2] * k.shape[2]
    chunk = max(1, ATTENTION_CHUNK_ELEMENTS // per_head)
    if q.shape[0] <= chunk:
        return _attention(q, k, v)
    out = torch.empty_like(q)  # B, C, T
    for start in range(0, q.shape[0], chunk):
        rows = slice(start, start + chunk)
        out[rows] = _attention(q[rows], k[rows], v[rows])
    return out


def _attention(q: Tensor, k: Tensor, v: Tensor) -> Tensor:
    if q.dtype == torch.bfloat16 and q.device.type == "cpu":
        # The CPU's batched bf16 matmul on these strided heads measured no faster than fp32 (slower, loaded):
        # the products run in fp32, which also keeps the logits exact; only the result is rounded.
        return _attention(q.float(), k.float(), v.float()).to(q.dtype)
    scale = 1.0 / math.sqrt(math.sqrt(q.shape[1]))
    logits = torch.bmm((q * scale).transpose(1, 2), k * scale)  # B, T, S
    weights = torch.softmax(logits.float(), dim=-1).to(logits.dtype)  # B, T, S
    del logits
    return torch.bmm(v, weights.transpose(1, 2))  # B, C, T


def module_dtype(module: nn.Module) -> torch.dtype:
    """The dtype of a module's first parameter (the dtype its computation runs in)."""
    return next(module.parameters()).dtype
