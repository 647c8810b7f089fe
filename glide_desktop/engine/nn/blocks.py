"""UNet blocks: the timestep-conditioned ResBlock, plain resamplers and the text-conditioned attention."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from glide_desktop.engine.nn.layers import GroupNorm32, attention

Check = Callable[[], None]  # raises (engine.cancel.Cancelled) to stop a forward pass between blocks


class ResBlock(nn.Module):
    """Residual block with scale-shift conditioning on the embedding, optionally resampling.

    Module indices match the checkpoints: in_layers = [norm+SiLU, -, conv],
    emb_layers = [SiLU, Linear], out_layers = [norm, SiLU, dropout, conv].
    """

    def __init__(self, channels: int, emb_channels: int, out_channels: int, *, dropout: float,
                 scale_shift: bool, resample: str | None = None) -> None:
        super().__init__()
        if resample not in (None, "up", "down"):
            raise ValueError(f"resample must be None, 'up' or 'down', got {resample!r}")
        self.resample = resample
        self.scale_shift = scale_shift
        self.in_layers = nn.Sequential(
            GroupNorm32(channels, swish=True),
            nn.Identity(),
            nn.Conv2d(channels, out_channels, 3, padding=1),
        )
        self.emb_layers = nn.Sequential(
            nn.SiLU(),
            nn.Linear(emb_channels, 2 * out_channels if scale_shift else out_channels),
        )
        self.out_layers = nn.Sequential(
            # Without scale-shift the SiLU is fused into the norm instead.
            GroupNorm32(out_channels, swish=not scale_shift),
            nn.SiLU() if scale_shift else nn.Identity(),
            nn.Dropout(p=dropout),
            nn.Conv2d(out_channels, out_channels, 3, padding=1),
        )
        if out_channels == channels:
            self.skip_connection: nn.Module = nn.Identity()
        else:
            self.skip_connection = nn.Conv2d(channels, out_channels, 1)

    def _resample(self, x: Tensor) -> Tensor:
        if self.resample == "up":
            return F.interpolate(x, scale_factor=2, mode="nearest")  # N, C, 2H, 2W
        if self.resample == "down":
            return F.avg_pool2d(x, kernel_size=2, stride=2)  # N, C, H/2, W/2
        return x

    def forward(self, x: Tensor, emb: Tensor, check: Check | None = None) -> Tensor:
        """x N, C, H, W; emb N, E. check (cancel) runs between the two convolutions."""
        norm_act, conv = self.in_layers[0], self.in_layers[2]
        # Resample after norm+SiLU and before the conv; the skip input is resampled the same way.
        h = conv(self._resample(norm_act(x)))  # N, C_out, H', W'
        if check is not None:
            check()
        x = self._resample(x)
        emb_out = self.emb_layers(emb)[..., None, None]  # N, 2*C_out or C_out, 1, 1 (fp32)
        if self.scale_shift:
            scale, shift = emb_out.chunk(2, dim=1)  # N, C_out, 1, 1 each
            # shift + norm(h) * (1 + scale) in one pass; the SiLU then works in place.
            h = self.out_layers[0].modulated(h, scale, shift)
            h = self.out_layers[3](self.out_layers[2](F.silu(h, inplace=True)))  # SiLU, dropout, conv
        else:
            h = self.out_layers(h + emb_out.to(h.dtype))
        return h.add_(self.skip_connection(x))  # h is this block's own tensor


class Downsample(nn.Module):
    """Halve H and W without a ResBlock (resblock_updown=False): a stride-2 3x3 conv `op`.

    GLIDE's create_model always resamples with convolutions (conv_resample defaults to True).
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.op = nn.Conv2d(channels, channels, 3, stride=2, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.op(x)  # N, C, H/2, W/2


class Upsample(nn.Module):
    """Double H and W without a ResBlock (resblock_updown=False): nearest x2, then a 3x3 conv `conv`."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(F.interpolate(x, scale_factor=2, mode="nearest"))  # N, C, 2H, 2W


class SpatialAttention(nn.Module):
    """Self-attention over H*W positions with the text tokens' keys/values placed in front.

    encoder_channels None (a model without text conditioning, xf_width 0) gives plain
    self-attention and no `encoder_kv`.
    """

    def __init__(self, channels: int, heads: int, encoder_channels: int | None) -> None:
        super().__init__()
        self.heads = heads
        self.norm = GroupNorm32(channels)
        self.qkv = nn.Conv1d(channels, 3 * channels, 1)
        if encoder_channels:
            self.encoder_kv: nn.Conv1d | None = nn.Conv1d(encoder_channels, 2 * channels, 1)
        else:
            self.encoder_kv = None
        self.proj_out = nn.Conv1d(channels, channels, 1)

    def forward(self, x: Tensor, text_features: Tensor | None) -> Tensor:
        if x.dtype == torch.bfloat16:
            return self._forward_fused(x, text_features)
        n, c, height, width = x.shape
        head_ch = c // self.heads
        qkv = self.qkv(self.norm(x).reshape(n, c, height * width))  # N, 3C, T (a copy if channels-last)
        # Per head, channels are [q | k | v] (and [k | v] for the text) of width head_ch each.
        q, k, v = qkv.reshape(n * self.heads, 3 * head_ch, -1).split(head_ch, dim=1)  # N*H, d, T
        if self.encoder_kv is not None:
            text_kv = self.encoder_kv(text_features)  # N, 2C, S
            text_k, text_v = text_kv.reshape(n * self.heads, 2 * head_ch, -1).split(head_ch, dim=1)
            k = torch.cat([text_k, k], dim=-1)  # N*H, d, S+T
            v = torch.cat([text_v, v], dim=-1)  # N*H, d, S+T
        h = attention(q, k, v).reshape(n, c, -1)  # N, C, T
        return x + self.proj_out(h).reshape(n, c, height, width)

    def _forward_fused(self, x: Tensor, text_features: Tensor | None) -> Tensor:
        """bf16: position-major matmuls and torch's fused attention (bf16 products, fp32 softmax).

        The 1x1 convs run as plain matmuls on the N, T, C view of the channels-last activation,
        so Q, K and V come out in the N, heads, T, d layout the fused kernel reads without copies,
        and the T x S weights are never stored. Only for bf16: fp32 keeps the reference's order
        of operations (q and k scaled separately, bit-level parity with the golden outputs).
        """
        n, c, height, width = x.shape
        head_ch = c // self.heads
        tokens = self.norm(x).permute(0, 2, 3, 1).reshape(n, height * width, c)  # N, T, C (a view if NHWC)
        qkv = F.linear(tokens, _matrix(self.qkv), self.qkv.bias)  # N, T, 3C
        # Per head, channels are [q | k | v] (and [k | v] for the text) of width head_ch each.
        q, k, v = qkv.view(n, -1, self.heads, 3, head_ch).permute(3, 0, 2, 1, 4).unbind(0)  # N, H, T, d
        if self.encoder_kv is not None:
            text_kv = F.linear(text_features.transpose(1, 2), _matrix(self.encoder_kv), self.encoder_kv.bias)
            text_k, text_v = text_kv.view(n, -1, self.heads, 2, head_ch).permute(3, 0, 2, 1, 4).unbind(0)
            k = torch.cat([text_k, k], dim=2)  # N, H, S+T, d
            v = torch.cat([text_v, v], dim=2)  # N, H, S+T, d
        h = F.scaled_dot_product_attention(q, k, v)  # N, H, T, d; scale d^-1/2 = (d^-1/4)^2
        h = h.transpose(1, 2).reshape(n, -1, c)  # N, T, C
        h = F.linear(h, _matrix(self.proj_out), self.proj_out.bias)  # N, T, C
        return h.view(n, height, width, c).permute(0, 3, 1, 2).add_(x)  # N, C, H, W (channels-last)


def _matrix(conv: nn.Conv1d) -> Tensor:
    """A 1x1 Conv1d's weight as the out x in matrix of a linear layer (a view)."""
    return conv.weight.squeeze(-1)


class BlockSequence(nn.ModuleList):
    """One UNet stage (`input_blocks.i`, `middle_block`, ...): a conv, ResBlocks, attention."""

    def forward(self, h: Tensor, emb: Tensor, text_features: Tensor | None,  # type: ignore[override]
                check: Check | None = None) -> Tensor:
        """Run the layers in order; check (cancel) runs before each layer after the first."""
        for position, layer in enumerate(self):
            if position and check is not None:
                check()
            if isinstance(layer, ResBlock):
                h = layer(h, emb, check)
            elif isinstance(layer, SpatialAttention):
                h = layer(h, text_features)
            else:
                h = layer(h)
        return h
