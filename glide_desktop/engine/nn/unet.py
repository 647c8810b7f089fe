"""GLIDE's text-conditioned diffusion UNet: one class for base, inpaint and super-res variants."""

from __future__ import annotations

from functools import partial

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from glide_desktop.engine.cancel import CancelFlag, raise_if_cancelled
from glide_desktop.engine.config import IMAGE_CHANNELS, UNetConfig
from glide_desktop.engine.nn.blocks import (
    BlockSequence,
    Check,
    Downsample,
    ResBlock,
    SpatialAttention,
    Upsample,
)
from glide_desktop.engine.nn.layers import GroupNorm32, module_dtype, timestep_embedding
from glide_desktop.engine.nn.text import TextConditioning, add_text_encoder, encode_text

SUPPORTED_DTYPES = (torch.float32, torch.float16, torch.bfloat16)


class GlideUNet(nn.Module):
    """The diffusion network of one GLIDE checkpoint; its state_dict matches the official file."""

    def __init__(self, config: UNetConfig) -> None:
        super().__init__()
        self.config = config
        ch = config.num_channels
        emb_dim = config.time_embed_dim
        self.time_embed = nn.Sequential(nn.Linear(ch, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        skip_channels = self._build_encoder()
        width = self._build_middle(skip_channels[-1])
        width = self._build_decoder(width, skip_channels)
        self.out = nn.Sequential(
            GroupNorm32(width, swish=True),
            nn.Identity(),
            nn.Conv2d(width, config.out_channels, 3, padding=1),
        )
        add_text_encoder(self, config)  # registered last: the checkpoints list it after `out`

    # ---- construction ---------------------------------------------------------------------
    def _res_block(self, channels: int, out_channels: int, resample: str | None = None) -> ResBlock:
        c = self.config
        return ResBlock(channels, c.time_embed_dim, out_channels, dropout=c.dropout,
                        scale_shift=c.use_scale_shift_norm, resample=resample)

    def _attention(self, channels: int, upsample: bool = False) -> SpatialAttention:
        c = self.config
        return SpatialAttention(channels, c.heads_for(channels, upsample), c.xf_width if c.has_text else None)

    def _resampler(self, channels: int, direction: str) -> nn.Module:
        """A resampling ResBlock (every official checkpoint), else a plain Downsample/Upsample.

        The plain layers (keys `input_blocks.i.0.op.*`, `output_blocks.i.j.conv.*`) follow the
        reference's UNet; no released checkpoint or golden vector uses them, so their bit parity
        with the reference is unchecked.
        """
        if self.config.resblock_updown:
            return self._res_block(channels, channels, resample=direction)
        return Downsample(channels) if direction == "down" else Upsample(channels)

    def _build_encoder(self) -> list[int]:
        """Create input_blocks; return the channel count of every skip they push."""
        c = self.config
        width = c.channel_mult[0] * c.num_channels
        self.input_blocks = nn.ModuleList([BlockSequence([nn.Conv2d(c.in_channels, width, 3, padding=1)])])
        skips = [width]
        rate = 1
        for level, mult in enumerate(c.channel_mult):
            for _ in range(c.num_res_blocks):
                layers: list[nn.Module] = [self._res_block(width, mult * c.num_channels)]
                width = mult * c.num_channels
                if rate in c.attention_downsample_rates:
                    layers.append(self._attention(width))
                self.input_blocks.append(BlockSequence(layers))
                skips.append(width)
            if level != len(c.channel_mult) - 1:
                self.input_blocks.append(BlockSequence([self._resampler(width, "down")]))
                skips.append(width)
                rate *= 2
        return skips

    def _build_middle(self, width: int) -> int:
        self.middle_block = BlockSequence(
            [self._res_block(width, width), self._attention(width), self._res_block(width, width)]
        )
        return width

    def _build_decoder(self, width: int, skips: list[int]) -> int:
        """Create output_blocks, consuming the skips in reverse; return the final width."""
        c = self.config
        skips = list(skips)
        rate = 2 ** (len(c.channel_mult) - 1)
        self.output_blocks = nn.ModuleList()
        for level, mult in reversed(list(enumerate(c.channel_mult))):
            for i in range(c.num_res_blocks + 1):
                layers: list[nn.Module] = [self._res_block(width + skips.pop(), mult * c.num_channels)]
                width = mult * c.num_channels
                if rate in c.attention_downsample_rates:
                    layers.append(self._attention(width, upsample=True))
                if level and i == c.num_res_blocks:
                    layers.append(self._resampler(width, "up"))
                    rate //= 2
                self.output_blocks.append(BlockSequence(layers))
        return width

    # ---- running --------------------------------------------------------------------------
    @property
    def torso_dtype(self) -> torch.dtype:
        """The dtype the UNet torso computes in: fp16/bf16 after convert_to_fp16, else fp32."""
        return module_dtype(self.input_blocks)

    def encode_text(self, tokens: Tensor | int, mask: Tensor | None) -> TextConditioning:
        """Encode N x text_ctx tokens once; pass the result as `text=` at every step.

        A model without text (xf_width 0) ignores the tokens; it also accepts the row count N.
        """
        return encode_text(self, self.config, tokens, mask)

    def forward(
        self,
        x: Tensor,
        timesteps: Tensor,
        tokens: Tensor | None = None,
        mask: Tensor | None = None,
        inpaint_image: Tensor | None = None,
        inpaint_mask: Tensor | None = None,
        low_res: Tensor | None = None,
        text: TextConditioning | None = None,
        cancel: CancelFlag | None = None,
    ) -> Tensor:
        """Predict eps and the variance value: N, 6, H, W (timesteps are original-scale ints).

        cancel is checked between blocks (and inside each ResBlock): once set, the pass raises
        engine.cancel.Cancelled, so a cancel waits for at most one block, not a whole step.
        """
        self._check_image(x)
        timesteps = self._check_timesteps(timesteps, x)
        if text is None:
            if tokens is None and self.config.has_text:
                raise ValueError("pass tokens (and mask) or a precomputed text=model.encode_text(...)")
            text = self.encode_text(x.shape[0] if tokens is None else tokens, mask)
        if text.batch_size != x.shape[0]:
            raise ValueError(f"text conditioning has {text.batch_size} rows but x has {x.shape[0]}")
        h = self.model_input(x, inpaint_image, inpaint_mask, low_res)  # N, in_channels, H, W
        emb = self.time_embed(timestep_embedding(timesteps, self.config.num_channels))  # N, 4C
        emb = emb + text.xf_proj.to(emb.dtype)  # N, 4C
        check = None if cancel is None else partial(raise_if_cancelled, cancel, "inside the network")
        return self._run_torso(h, emb, text.xf_out, check).to(x.dtype)

    def _run_torso(self, h: Tensor, emb: Tensor, text_features: Tensor | None, check: Check | None) -> Tensor:
        skips = []
        h = h.to(self.torso_dtype)
        for block in self.input_blocks:
            if check is not None:
                check()
            h = block(h, emb, text_features, check)
            skips.append(h)
        h = self.middle_block(h, emb, text_features, check)
        for block in self.output_blocks:
            if check is not None:
                check()
            h = block(torch.cat([h, skips.pop()], dim=1), emb, text_features, check)  # h first, then skip
        return self.out(h.to(module_dtype(self.out)))  # N, 6, H, W

    def model_input(self, x: Tensor, inpaint_image: Tensor | None, inpaint_mask: Tensor | None,
                    low_res: Tensor | None) -> Tensor:
        """Concatenate x with the variant's conditioning images: N, in_channels, H, W."""
        c = self.config
        parts = [x]
        if c.inpaint:
            image = torch.zeros_like(x) if inpaint_image is None else inpaint_image
            keep = torch.zeros_like(x[:, :1]) if inpaint_mask is None else inpaint_mask
            self._check_same_size("inpaint_image", image, x, IMAGE_CHANNELS)
            self._check_same_size("inpaint_mask", keep, x, 1)
            parts += [image * keep, keep]  # the model masks the image itself
        elif inpaint_image is not None or inpaint_mask is not None:
            raise ValueError("this model is not an inpainting model; do not pass inpaint_image/inpaint_mask")
        if c.super_res:
            parts.append(self._upsample_low_res(low_res, x))
        elif low_res is not None:
            raise ValueError("this model is not an upsampler; do not pass low_res")
        return torch.cat(parts, dim=1)

    # ---- input checks ---------------------------------------------------------------------
    def _check_image(self, x: Tensor) -> None:
        multiple = self.config.size_multiple
        if not isinstance(x, Tensor) or x.dim() != 4 or x.shape[1] != IMAGE_CHANNELS:
            shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
            raise ValueError(f"x must be an N x {IMAGE_CHANNELS} x H x W tensor, got {shape}")
        if not x.dtype.is_floating_point:
            raise ValueError(f"x must be a floating-point tensor, got {x.dtype}")
        if x.shape[2] % multiple or x.shape[3] % multiple or x.shape[2] == 0 or x.shape[3] == 0:
            raise ValueError(f"x height and width must be positive multiples of {multiple}, "
                             f"got {x.shape[2]}x{x.shape[3]}")

    @staticmethod
    def _check_timesteps(timesteps: Tensor, x: Tensor) -> Tensor:
        if not isinstance(timesteps, Tensor):
            timesteps = torch.as_tensor(timesteps, device=x.device)
        if timesteps.dim() == 0:
            timesteps = timesteps.expand(x.shape[0])
        if timesteps.shape != (x.shape[0],):
            raise ValueError(f"timesteps must have shape ({x.shape[0]},), got {tuple(timesteps.shape)}")
        return timesteps

    @staticmethod
    def _check_same_size(name: str, t: Tensor, x: Tensor, channels: int) -> None:
        expected = (x.shape[0], channels, x.shape[2], x.shape[3])
        if not isinstance(t, Tensor) or tuple(t.shape) != expected:
            shape = tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__
            raise ValueError(f"{name} must have shape {expected}, got {shape}")

    @staticmethod
    def _upsample_low_res(low_res: Tensor | None, x: Tensor) -> Tensor:
        if low_res is None:
            raise ValueError("this upsampler needs low_res (N x 3 x h x w in [-1, 1])")
        if not isinstance(low_res, Tensor) or low_res.dim() != 4 or low_res.shape[:2] != x.shape[:2]:
            shape = tuple(low_res.shape) if isinstance(low_res, Tensor) else type(low_res).__name__
            raise ValueError(f"low_res must be an N x {IMAGE_CHANNELS} x h x w tensor matching x's batch, "
                             f"got {shape}")
        size = (x.shape[2], x.shape[3])
        return F.interpolate(low_res, size, mode="bilinear", align_corners=False, antialias=False)


def convert_to_fp16(model: GlideUNet, dtype: torch.dtype = torch.float16) -> GlideUNet:
    """Cast to fp16 (or bf16) exactly what the reference's convert_to_fp16 casts; the rest stays fp32.

    Low precision: every Conv in input_blocks/middle_block/output_blocks, every Linear in the text
    transformer, token_embedding and transformer_proj. fp32: norms (and their statistics),
    emb_layers, time_embed (and the timestep embedding), out (the final output), and the
    positional/padding embeddings (the reference's cast of those is a no-op).
    """
    for stage in (model.input_blocks, model.middle_block, model.output_blocks):
        for module in stage.modules():
            if isinstance(module, nn.Conv1d | nn.Conv2d):
                module.to(dtype)
    if not model.config.has_text:
        return model
    for module in model.transformer.modules():
        if isinstance(module, nn.Linear):
            module.to(dtype)
    model.token_embedding.to(dtype)
    model.transformer_proj.to(dtype)
    return model


def build_unet(config: UNetConfig, device: str | torch.device = "cpu",
               dtype: torch.dtype = torch.float32) -> GlideUNet:
    """Build a GlideUNet in eval mode; float16 or bfloat16 applies the reference's mixed fp16 layout.

    device="meta" builds shapes only (no memory), e.g. before loading a checkpoint with assign=True.
    """
    if dtype not in SUPPORTED_DTYPES:
        raise ValueError(f"dtype must be one of {SUPPORTED_DTYPES}, got {dtype}")
    with torch.device(device):
        model = GlideUNet(config)
    if dtype != torch.float32:
        convert_to_fp16(model, dtype)
    return model.eval()
