"""The noised CLIP's hyper-parameters, with the keys of the reference's clip/config.yaml."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ClipConfig:
    """Shape and schedule of the timestep-conditioned CLIP image encoder and its text encoder."""

    logit_scale: float
    beta_schedule: str
    n_timesteps: int
    image_size: int
    patch_size: int
    n_vocab: int
    max_text_len: int
    n_embd: int
    n_head_state_text: int
    n_head_text: int
    n_xf_blocks_text: int
    n_head_state_image: int
    n_head_image: int
    n_xf_blocks_image: int

    def __post_init__(self) -> None:
        if self.image_size % self.patch_size:
            raise ValueError(
                f"image_size {self.image_size} is not a multiple of patch_size {self.patch_size}"
            )
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.type == "int" and (not isinstance(value, int) or value < 1):
                raise ValueError(f"CLIP config {field.name} must be a positive integer, got {value!r}")

    @classmethod
    def from_dict(cls, options: Mapping[str, Any]) -> ClipConfig:
        """Build from a clip/config.yaml-style mapping; every key must be present and known."""
        names = {field.name for field in dataclasses.fields(cls)}
        missing, unknown = names - options.keys(), options.keys() - names
        if missing or unknown:
            raise ValueError(f"CLIP config: missing keys {sorted(missing)}, unknown keys {sorted(unknown)}")
        return cls(**options)

    @property
    def text_width(self) -> int:
        """Width of the text transformer (heads x head width)."""
        return self.n_head_text * self.n_head_state_text

    @property
    def image_width(self) -> int:
        """Width of the image transformer (heads x head width)."""
        return self.n_head_image * self.n_head_state_image

    @property
    def n_patches(self) -> int:
        """Number of image patches; the image context is one timestep token more."""
        return (self.image_size // self.patch_size) ** 2


# The released clip_image_enc.pt / clip_text_enc.pt (the reference's clip/config.yaml).
OFFICIAL = ClipConfig(
    logit_scale=100.0,
    beta_schedule="squaredcos_cap_v2",
    n_timesteps=1000,
    image_size=64,
    patch_size=4,
    n_vocab=65536,
    max_text_len=77,
    n_embd=512,
    n_head_state_text=64,
    n_head_text=8,
    n_xf_blocks_text=12,
    n_head_state_image=64,
    n_head_image=12,
    n_xf_blocks_image=12,
)

# A small model for tests (about 0.4 M parameters, mostly the vocab table): same structure, 64 px input.
TINY = dataclasses.replace(
    OFFICIAL,
    n_vocab=49408,
    n_embd=16,
    n_head_state_text=4,
    n_head_text=2,
    n_xf_blocks_text=1,
    n_head_state_image=4,
    n_head_image=2,
    n_xf_blocks_image=1,
)
