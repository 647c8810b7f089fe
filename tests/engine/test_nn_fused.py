"""The bf16 fast paths of the UNet layers against the straightforward computation (tiny shapes).

bf16 keeps 8 bits of mantissa, so each check compares with a relative tolerance on the layer's own
contribution and also shows that a wrong layout (heads, channels) would miss by far more.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
import torch.nn.functional as F

from glide_desktop.engine.config import TINY_PRESETS
from glide_desktop.engine.nn import build_unet
from glide_desktop.engine.nn.blocks import SpatialAttention
from glide_desktop.engine.nn.layers import GroupNorm32

BF16_RTOL = 2e-2  # a few bf16 roundings of each value, relative to the contribution's size


def _relative(got: torch.Tensor, want: torch.Tensor) -> float:
    return ((got.float() - want.float()).norm() / want.float().norm()).item()


def _plain_attention(layer: SpatialAttention, x: torch.Tensor, text: torch.Tensor | None) -> torch.Tensor:
    """GLIDE's attention block written out in fp32: norm, 1x1 qkv, per-head softmax, 1x1 projection."""
    weights = {name: p.float() for name, p in layer.named_parameters()}
    n, c, height, width = x.shape
    d = c // layer.heads
    normed = F.group_norm(x.float(), 32, weights["norm.weight"], weights["norm.bias"], 1e-5)
    qkv = F.conv1d(normed.reshape(n, c, -1), weights["qkv.weight"], weights["qkv.bias"])
    q, k, v = qkv.reshape(n, layer.heads, 3, d, -1).unbind(2)  # N, H, d, T each
    if text is not None:
        kv = F.conv1d(text.float(), weights["encoder_kv.weight"], weights["encoder_kv.bias"])
        text_k, text_v = kv.reshape(n, layer.heads, 2, d, -1).unbind(2)
        k, v = torch.cat([text_k, k], dim=-1), torch.cat([text_v, v], dim=-1)
    probabilities = torch.softmax(q.transpose(-1, -2) @ k / math.sqrt(d), dim=-1)  # N, H, T, S
    h = (probabilities @ v.transpose(-1, -2)).transpose(-1, -2).reshape(n, c, -1)  # N, C, T
    out = F.conv1d(h, weights["proj_out.weight"], weights["proj_out.bias"])
    return x.float() + out.reshape(n, c, height, width)


def _bf16_attention(channels: int, heads: int, text_width: int | None) -> SpatialAttention:
    torch.manual_seed(3)
    layer = SpatialAttention(channels, heads, text_width)
    with torch.no_grad():
        for p in layer.parameters():
            p.normal_(0.0, 0.2)
    for conv in (layer.qkv, layer.encoder_kv, layer.proj_out):
        if conv is not None:
            conv.to(torch.bfloat16)  # as convert_to_fp16 does: the norm stays fp32
    return layer.eval()


@pytest.mark.parametrize("text_width", [8, None])
@pytest.mark.parametrize("channels_last", [True, False])
def test_bf16_attention_matches_the_plain_fp32_computation(text_width: int | None,
                                                            channels_last: bool) -> None:
    layer = _bf16_attention(64, 4, text_width)
    x = torch.randn(2, 64, 4, 6).to(torch.bfloat16)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    text = None if text_width is None else torch.randn(2, text_width, 5).to(torch.bfloat16)
    with torch.inference_mode():
        got = layer(x, text)
    want = _plain_attention(layer, x, text)
    assert got.dtype == torch.bfloat16 and got.shape == x.shape
    error = _relative(got.float() - x.float(), want - x.float())
    assert error < BF16_RTOL


def test_the_tolerance_tells_a_wrong_head_split() -> None:
    """The same weights read with another head split miss by far more than the tolerance (it can fail)."""
    layer = _bf16_attention(64, 4, 8)
    x = torch.randn(1, 64, 4, 4).to(torch.bfloat16)
    text = torch.randn(1, 8, 5).to(torch.bfloat16)
    with torch.inference_mode():
        got = layer(x, text)
    layer.heads = 2
    assert _relative(got - x.float(), _plain_attention(layer, x, text) - x.float()) > 10 * BF16_RTOL


@pytest.mark.parametrize("rows", [1, 2])
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float32])
def test_the_scale_shift_norm_matches_norm_then_multiply_add(rows: int, dtype: torch.dtype) -> None:
    torch.manual_seed(5)
    norm = GroupNorm32(64)
    with torch.no_grad():
        norm.weight.normal_(1.0, 0.3)
        norm.bias.normal_(0.0, 0.3)
    x = (torch.randn(rows, 64, 5, 3) * 4 + 2).to(dtype).contiguous(memory_format=torch.channels_last)
    scale, shift = torch.randn(rows, 64, 1, 1), torch.randn(rows, 64, 1, 1)
    with torch.inference_mode():
        got = norm.modulated(x, scale, shift)
    plain = F.group_norm(x.float(), 32, norm.weight, norm.bias, 1e-5) * (1 + scale) + shift
    assert got.dtype == dtype and got.shape == x.shape
    if dtype == torch.float32:  # the reference's order of operations, bit for bit
        torch.testing.assert_close(got, torch.addcmul(shift, norm(x), 1 + scale), rtol=0, atol=0)
    assert _relative(got, plain) < (BF16_RTOL / 4 if dtype == torch.bfloat16 else 1e-6)
    assert _relative(got, plain - shift) > 10 * BF16_RTOL  # leaving out the shift would show


def test_the_unet_still_runs_with_autograd_on() -> None:
    """Outside no_grad (the bench's FLOP count, any caller) the network runs and differentiates."""
    torch.manual_seed(11)
    model = build_unet(dataclasses.replace(TINY_PRESETS["base"], text_ctx=4))
    x, steps = torch.randn(1, 3, 64, 64), torch.tensor([10])
    tokens, mask = torch.zeros(1, 4, dtype=torch.long), torch.ones(1, 4, dtype=torch.bool)
    out = model(x, steps, tokens, mask)
    out.sum().backward()
    assert model.input_blocks[0][0].weight.grad is not None
    with torch.no_grad():
        assert torch.equal(model(x, steps, tokens, mask), out.detach())
