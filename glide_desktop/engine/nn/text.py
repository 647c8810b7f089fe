"""The text encoder inside every GLIDE diffusion network: embeddings and a pre-LN transformer.

Its parameters live at the top level of the UNet's state_dict (`token_embedding`,
`positional_embedding`, `padding_embedding`, `transformer.*`, `final_ln`, `transformer_proj`),
so `add_text_encoder` registers them on the UNet itself rather than on a child module.
A model with xf_width 0 has no text encoder at all: its conditioning adds nothing to the
timestep embedding and its attention blocks see no text.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from glide_desktop.engine.config import GPT2_VOCAB_SIZE, UNetConfig
from glide_desktop.engine.nn.layers import LayerNorm32, attention, module_dtype

EMBEDDING_INIT_STD = 0.01  # the reference leaves these uninitialised; any small noise will do


@dataclass(frozen=True)
class TextConditioning:
    """The text encoder's output, computed once per prompt batch and reused at every step."""

    xf_proj: Tensor  # N, 4*num_channels: added to the timestep embedding (zeros without text)
    xf_out: Tensor | None  # N, xf_width, text_ctx: keys/values for every attention block; None without text

    @property
    def batch_size(self) -> int:
        """Number of prompts (rows) encoded."""
        return self.xf_proj.shape[0]


class SelfAttention(nn.Module):
    """Multi-head self-attention without any mask; c_qkv is laid out per head as [q|k|v]."""

    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.c_qkv = nn.Linear(width, 3 * width)
        self.c_proj = nn.Linear(width, width)

    def forward(self, x: Tensor) -> Tensor:
        n, t, width = x.shape
        head_ch = width // self.heads
        qkv = self.c_qkv(x).view(n, t, self.heads, 3 * head_ch)  # N, T, H, 3d
        # N, T, H, d -> N*H, d, T so the shared channel-first attention helper applies.
        q, k, v = (part.permute(0, 2, 3, 1).reshape(n * self.heads, head_ch, t)
                   for part in qkv.split(head_ch, dim=-1))
        out = attention(q, k, v)  # N*H, d, T
        out = out.view(n, self.heads, head_ch, t).permute(0, 3, 1, 2).reshape(n, t, width)  # N, T, W
        return self.c_proj(out)


class MLP(nn.Module):
    """Two Linears, 4x wide, with exact (erf) GELU."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.c_fc = nn.Linear(width, 4 * width)
        self.c_proj = nn.Linear(4 * width, width)

    def forward(self, x: Tensor) -> Tensor:
        return self.c_proj(nn.functional.gelu(self.c_fc(x)))


class TransformerBlock(nn.Module):
    """Pre-LN block: x + attn(ln_1(x)), then x + mlp(ln_2(x))."""

    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        # Registration order decides the state_dict order: attn, ln_1, mlp, ln_2.
        self.attn = SelfAttention(width, heads)
        self.ln_1 = LayerNorm32(width)
        self.mlp = MLP(width)
        self.ln_2 = LayerNorm32(width)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class TextTransformer(nn.Module):
    """A stack of TransformerBlocks (`transformer.resblocks.i`)."""

    def __init__(self, width: int, layers: int, heads: int) -> None:
        super().__init__()
        self.resblocks = nn.ModuleList(TransformerBlock(width, heads) for _ in range(layers))

    def forward(self, x: Tensor) -> Tensor:
        for block in self.resblocks:
            x = block(x)
        return x


def add_text_encoder(model: nn.Module, config: UNetConfig) -> None:
    """Register the text encoder's parameters and modules on the UNet, in state_dict order."""
    width = config.xf_width
    if not width:
        return  # no text conditioning: the checkpoint holds no text weights
    model.positional_embedding = nn.Parameter(torch.empty(config.text_ctx, width))
    if config.xf_padding:
        model.padding_embedding = nn.Parameter(torch.empty(config.text_ctx, width))
    model.transformer = TextTransformer(width, config.xf_layers, config.xf_heads)
    model.final_ln = LayerNorm32(width) if config.xf_final_ln else None
    model.token_embedding = nn.Embedding(GPT2_VOCAB_SIZE, width)
    model.transformer_proj = nn.Linear(width, config.time_embed_dim)
    with torch.no_grad():
        nn.init.normal_(model.positional_embedding, std=EMBEDDING_INIT_STD)
        if config.xf_padding:
            nn.init.normal_(model.padding_embedding, std=EMBEDDING_INIT_STD)


def check_tokens(tokens: Tensor, mask: Tensor | None, config: UNetConfig) -> None:
    """Raise a ValueError unless tokens/mask are N x text_ctx ids and booleans."""
    if not isinstance(tokens, Tensor) or tokens.dim() != 2 or tokens.shape[1] != config.text_ctx:
        shape = tuple(tokens.shape) if isinstance(tokens, Tensor) else type(tokens).__name__
        raise ValueError(f"tokens must be an N x {config.text_ctx} tensor, got {shape}")
    if tokens.dtype.is_floating_point or tokens.dtype == torch.bool or tokens.is_complex():
        raise ValueError(f"tokens must be integer ids, got dtype {tokens.dtype}")
    if tokens.numel() and (int(tokens.min()) < 0 or int(tokens.max()) >= GPT2_VOCAB_SIZE):
        raise ValueError(f"token ids must lie in [0, {GPT2_VOCAB_SIZE}), got "
                         f"[{int(tokens.min())}, {int(tokens.max())}]")
    if mask is None:
        if config.xf_padding:
            raise ValueError("mask is required: True for real tokens, False for padding")
        return
    if not isinstance(mask, Tensor) or mask.shape != tokens.shape or mask.dtype != torch.bool:
        got = (tuple(mask.shape), mask.dtype) if isinstance(mask, Tensor) else type(mask).__name__
        raise ValueError(f"mask must be a bool tensor shaped like tokens {tuple(tokens.shape)}, got {got}")


def encode_text(
    model: nn.Module, config: UNetConfig, tokens: Tensor, mask: Tensor | None
) -> TextConditioning:
    """Run the text encoder; conditioning comes from the last position (text_ctx-1).

    Without a text encoder (xf_width 0) tokens only give the row count, as the reference ignores them.
    """
    if not config.has_text:
        return _no_text(model, config, _row_count(tokens))
    check_tokens(tokens, mask, config)
    xf_in = model.token_embedding(tokens.long()) + model.positional_embedding[None]  # N, T, W
    if config.xf_padding:
        # Masked-out positions take the learned padding embedding; attention itself is unmasked.
        xf_in = torch.where(mask[..., None], xf_in, model.padding_embedding[None])  # N, T, W
    xf_out = model.transformer(xf_in.to(module_dtype(model.transformer)))  # N, T, W
    if model.final_ln is not None:
        xf_out = model.final_ln(xf_out)
    xf_proj = model.transformer_proj(xf_out[:, -1])  # N, 4C
    return TextConditioning(xf_proj=xf_proj, xf_out=xf_out.permute(0, 2, 1))  # N, W, T


def _row_count(tokens: Tensor | int) -> int:
    """The number of rows: an int itself, or the first dimension of the tokens."""
    if isinstance(tokens, int) and not isinstance(tokens, bool):
        return tokens
    if not isinstance(tokens, Tensor) or tokens.dim() < 1:
        raise ValueError(f"tokens must be an N x text_ctx tensor, got {type(tokens).__name__}")
    return tokens.shape[0]


def _no_text(model: nn.Module, config: UNetConfig, rows: int) -> TextConditioning:
    """The conditioning of a model without text: x + 0 leaves the timestep embedding unchanged."""
    reference = next(model.time_embed.parameters())
    zeros = torch.zeros(rows, config.time_embed_dim, dtype=reference.dtype, device=reference.device)  # N, 4C
    return TextConditioning(xf_proj=zeros, xf_out=None)
