"""Architecture options of the GLIDE diffusion networks, as one frozen dataclass.

The option names and meanings follow the reference's `create_model_and_diffusion` keyword
arguments, so the option dicts published with the checkpoints load unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

# image_size -> channel_mult used when the options leave channel_mult empty.
DEFAULT_CHANNEL_MULT: dict[int, tuple[int, ...]] = {
    64: (1, 2, 3, 4),
    128: (1, 1, 2, 3, 4),
    256: (1, 1, 2, 2, 4, 4),
}
NOISE_SCHEDULES = ("squaredcos_cap_v2", "linear")
GROUPNORM_GROUPS = 32
OUT_CHANNELS = 6  # eps (3) + learned variance interpolation value (3)
IMAGE_CHANNELS = 3
GPT2_VOCAB_SIZE = 50257

# Options the reference accepts that do not shape the network: respacing is chosen per sampling
# run and text caching is done by the caller (see GlideUNet.encode_text).
RUNTIME_ONLY_OPTIONS = ("timestep_respacing", "cache_text_emb")


@dataclass(frozen=True)
class UNetConfig:
    """Everything that decides a GLIDE diffusion network's layout and computation."""

    image_size: int
    num_channels: int
    num_res_blocks: int
    channel_mult: tuple[int, ...]  # () means the default for image_size; resolved on creation
    num_heads: int
    num_head_channels: int
    num_heads_upsample: int
    attention_resolutions: tuple[int, ...]  # in pixels at image_size, e.g. (32, 16, 8)
    dropout: float
    text_ctx: int
    xf_width: int
    xf_layers: int
    xf_heads: int
    xf_final_ln: bool
    xf_padding: bool
    diffusion_steps: int
    noise_schedule: str
    use_scale_shift_norm: bool
    resblock_updown: bool
    use_fp16: bool
    inpaint: bool
    super_res: bool

    def __post_init__(self) -> None:
        if not self.channel_mult:
            if self.image_size not in DEFAULT_CHANNEL_MULT:
                raise ValueError(
                    f"channel_mult is empty and image_size {self.image_size} has no default "
                    f"(defaults exist for {sorted(DEFAULT_CHANNEL_MULT)})"
                )
            object.__setattr__(self, "channel_mult", DEFAULT_CHANNEL_MULT[self.image_size])
        object.__setattr__(self, "channel_mult", tuple(self.channel_mult))
        object.__setattr__(self, "attention_resolutions", tuple(self.attention_resolutions))
        _validate(self)

    # ---- derived values -------------------------------------------------------------------
    @property
    def in_channels(self) -> int:
        """Input channels: x, then masked image and mask (inpaint), then low-res (super-res)."""
        extra_inpaint = IMAGE_CHANNELS + 1 if self.inpaint else 0
        extra_low_res = IMAGE_CHANNELS if self.super_res else 0
        return IMAGE_CHANNELS + extra_inpaint + extra_low_res

    @property
    def out_channels(self) -> int:
        """Output channels: eps and the variance interpolation value."""
        return OUT_CHANNELS

    @property
    def has_text(self) -> bool:
        """Whether the network has a text encoder (the reference drops it when xf_width is 0)."""
        return self.xf_width > 0

    @property
    def time_embed_dim(self) -> int:
        """Width of the timestep (and text) embedding."""
        return 4 * self.num_channels

    @property
    def attention_downsample_rates(self) -> tuple[int, ...]:
        """Downsample factors at which the UNet has attention blocks."""
        return tuple(self.image_size // res for res in self.attention_resolutions)

    @property
    def size_multiple(self) -> int:
        """Input height and width must be multiples of this (one halving per level)."""
        return 2 ** (len(self.channel_mult) - 1)

    @property
    def default_respacing(self) -> str:
        """The official notebooks' timestep respacing for this kind of model."""
        return UPSAMPLER_RESPACING if self.super_res else BASE_RESPACING

    def heads_for(self, channels: int, upsample: bool = False) -> int:
        """Attention heads for a block of this width (num_head_channels wins when set)."""
        if self.num_head_channels != -1:
            return channels // self.num_head_channels
        if upsample and self.num_heads_upsample != -1:
            return self.num_heads_upsample
        return self.num_heads

    # ---- option dicts ---------------------------------------------------------------------
    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> UNetConfig:
        """Build from a reference-style option dict (strings for channel_mult/attention)."""
        if not isinstance(options, Mapping):
            raise ValueError(f"options must be a mapping, not {type(options).__name__}")
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(options) - set(names) - set(RUNTIME_ONLY_OPTIONS))
        if unknown:
            raise ValueError(f"unknown GLIDE model options: {', '.join(unknown)}")
        missing = [name for name in names if name not in options]
        if missing:
            raise ValueError(f"missing GLIDE model options: {', '.join(missing)}")
        values = {name: _parse_option(name, options[name]) for name in names}
        return cls(**values)

    def to_options(self) -> dict[str, Any]:
        """The reference-style option dict (channel_mult always written out)."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["channel_mult"] = ",".join(str(m) for m in self.channel_mult)
        out["attention_resolutions"] = ",".join(str(r) for r in self.attention_resolutions)
        return out


_INT_OPTIONS = (
    "image_size", "num_channels", "num_res_blocks", "num_heads", "num_head_channels",
    "num_heads_upsample", "text_ctx", "xf_width", "xf_layers", "xf_heads", "diffusion_steps",
)
_BOOL_OPTIONS = (
    "xf_final_ln", "xf_padding", "use_scale_shift_norm", "resblock_updown", "use_fp16",
    "inpaint", "super_res",
)


def _parse_option(name: str, value: Any) -> Any:
    """Turn one option value into its dataclass type, or raise a ValueError naming it."""
    if name in ("channel_mult", "attention_resolutions"):
        return _parse_int_list(name, value)
    if name in _INT_OPTIONS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"option {name} must be an integer, got {value!r}")
        return value
    if name in _BOOL_OPTIONS:
        if not isinstance(value, bool):
            raise ValueError(f"option {name} must be true or false, got {value!r}")
        return value
    if name == "dropout":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"option dropout must be a number, got {value!r}")
        return float(value)
    if name == "noise_schedule":
        if not isinstance(value, str):
            raise ValueError(f"option noise_schedule must be a string, got {value!r}")
        return value
    raise ValueError(f"unknown GLIDE model option: {name}")


def _parse_int_list(name: str, value: Any) -> tuple[int, ...]:
    """Parse "1,2,3" (or a sequence of ints) into a tuple; "" gives ()."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")] if value.strip() else []
        try:
            return tuple(int(p) for p in parts)
        except ValueError:
            raise ValueError(f"option {name} must be comma-separated integers, got {value!r}") from None
    if isinstance(value, list | tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    raise ValueError(f"option {name} must be comma-separated integers, got {value!r}")


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _validate(c: UNetConfig) -> None:
    """Reject configurations the network cannot be built or run with."""
    for name in ("image_size", "num_channels", "num_res_blocks", "text_ctx", "diffusion_steps"):
        _require(getattr(c, name) > 0, f"{name} must be positive, got {getattr(c, name)}")
    _validate_text(c)
    _require(all(m > 0 for m in c.channel_mult), f"channel_mult entries must be positive: {c.channel_mult}")
    for m in c.channel_mult:
        _require((m * c.num_channels) % GROUPNORM_GROUPS == 0,
                 f"num_channels*channel_mult ({m * c.num_channels}) must divide into "
                 f"{GROUPNORM_GROUPS} GroupNorm groups")
    _require(len(c.attention_resolutions) > 0 and all(r > 0 for r in c.attention_resolutions),
             f"attention_resolutions must be positive integers: {c.attention_resolutions}")
    _require(0.0 <= c.dropout < 1.0, f"dropout must be in [0, 1), got {c.dropout}")
    _require(c.noise_schedule in NOISE_SCHEDULES,
             f"noise_schedule must be one of {NOISE_SCHEDULES}, got {c.noise_schedule!r}")
    _require(c.num_head_channels == -1 or c.num_head_channels > 0,
             f"num_head_channels must be -1 or positive, got {c.num_head_channels}")
    _require(c.num_heads > 0, f"num_heads must be positive, got {c.num_heads}")
    _require(c.num_heads_upsample == -1 or c.num_heads_upsample > 0,
             f"num_heads_upsample must be -1 or positive, got {c.num_heads_upsample}")
    for width, upsample in _attention_blocks(c):
        heads = c.heads_for(width, upsample)
        _require(heads > 0 and width % heads == 0 and (c.num_head_channels == -1
                                                       or width % c.num_head_channels == 0),
                 f"attention width {width} does not split into heads (num_heads {c.num_heads}, "
                 f"num_heads_upsample {c.num_heads_upsample}, num_head_channels {c.num_head_channels})")



def _validate_text(c: UNetConfig) -> None:
    """The text encoder's options matter only when there is one (xf_width > 0)."""
    _require(c.xf_width >= 0, f"xf_width must be 0 (no text) or positive, got {c.xf_width}")
    if not c.has_text:
        return
    for name in ("xf_layers", "xf_heads"):
        _require(getattr(c, name) > 0, f"{name} must be positive, got {getattr(c, name)}")
    _require(c.xf_width % c.xf_heads == 0, f"xf_width {c.xf_width} is not divisible by xf_heads {c.xf_heads}")


def _attention_blocks(c: UNetConfig) -> set[tuple[int, bool]]:
    """(width, in the output blocks) of every attention block: levels at an attention rate, and the middle."""
    rates = set(c.attention_downsample_rates)
    widths = {m * c.num_channels for level, m in enumerate(c.channel_mult) if 2**level in rates}
    return {(w, up) for w in widths for up in (False, True)} | {(c.channel_mult[-1] * c.num_channels, False)}


# The official notebooks' respacing for base and upsampler models (facts: glide-format/README.md).
BASE_RESPACING = "100"
UPSAMPLER_RESPACING = "fast27"

_OFFICIAL_SHARED = dict(
    num_channels=192, num_heads=1, num_head_channels=64, num_heads_upsample=-1,
    attention_resolutions=(32, 16, 8), dropout=0.1, text_ctx=128, xf_width=512, xf_layers=16,
    xf_heads=8, xf_final_ln=True, xf_padding=True, diffusion_steps=1000, use_scale_shift_norm=True,
    resblock_updown=True, use_fp16=True,
)
_OFFICIAL_BASE = dict(_OFFICIAL_SHARED, image_size=64, num_res_blocks=3, channel_mult=(1, 2, 3, 4),
                      noise_schedule="squaredcos_cap_v2", super_res=False)
_OFFICIAL_UPSAMPLE = dict(_OFFICIAL_SHARED, image_size=256, num_res_blocks=2,
                          channel_mult=(1, 1, 2, 2, 4, 4), noise_schedule="linear", super_res=True)

# The four released diffusion checkpoints (base.pt, base_inpaint.pt, upsample.pt, upsample_inpaint.pt).
OFFICIAL_PRESETS: dict[str, UNetConfig] = {
    "base": UNetConfig(**_OFFICIAL_BASE, inpaint=False),
    "base_inpaint": UNetConfig(**_OFFICIAL_BASE, inpaint=True),
    "upsample": UNetConfig(**_OFFICIAL_UPSAMPLE, inpaint=False),
    "upsample_inpaint": UNetConfig(**_OFFICIAL_UPSAMPLE, inpaint=True),
}

_TINY_SHARED = dict(
    num_channels=32, num_res_blocks=1, num_heads=1, num_head_channels=16, num_heads_upsample=-1,
    attention_resolutions=(32, 16, 8), dropout=0.0, text_ctx=128, xf_width=32, xf_layers=1, xf_heads=2,
    xf_final_ln=True, xf_padding=True, diffusion_steps=1000, use_scale_shift_norm=True,
    resblock_updown=True, use_fp16=False,
)
_TINY_BASE = dict(_TINY_SHARED, image_size=64, channel_mult=(1, 1, 1, 1),
                  noise_schedule="squaredcos_cap_v2", super_res=False)
_TINY_UPSAMPLE = dict(_TINY_SHARED, image_size=256, channel_mult=(1, 1, 1, 1, 1, 1),
                      noise_schedule="linear", super_res=True)

# Small networks with the official structure, for tests and quick CLI runs with random weights.
TINY_PRESETS: dict[str, UNetConfig] = {
    "base": UNetConfig(**_TINY_BASE, inpaint=False),
    "base_inpaint": UNetConfig(**_TINY_BASE, inpaint=True),
    "upsample": UNetConfig(**_TINY_UPSAMPLE, inpaint=False),
    "upsample_inpaint": UNetConfig(**_TINY_UPSAMPLE, inpaint=True),
}
