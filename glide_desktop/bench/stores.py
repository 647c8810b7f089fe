"""Full-size official networks with random weights: timing and memory without the model files."""

from __future__ import annotations

import zlib
from pathlib import Path

import torch

from glide_desktop.engine.config import OFFICIAL_PRESETS
from glide_desktop.engine.device import prepare_for_speed
from glide_desktop.engine.nn import build_unet, convert_to_fp16
from glide_desktop.engine.nn.unet import GlideUNet


class RandomWeightsStore:
    """load_unet gives the official preset's network with random weights seeded by the file name,
    so the fp32 and the bf16 network of one name hold the same weights (bf16: the same, rounded)."""

    folder = Path("(random weights)")

    def load_unet(self, name: str, device: torch.device | str, dtype: torch.dtype) -> GlideUNet:
        """The official preset for `name`, randomly initialised on device, then cast to dtype's layout."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(zlib.crc32(name.encode()))
            model = build_unet(OFFICIAL_PRESETS[Path(name).stem], device=device)
        if dtype != torch.float32:
            convert_to_fp16(model, dtype)
        return prepare_for_speed(model, device)

    def load_clip(self, device: torch.device | str):  # noqa: ANN201 - ClipEncoders
        """Both official CLIP encoders, randomly initialised, fp32."""
        from glide_desktop.engine.clip import ClipImageEncoder, ClipTextEncoder
        from glide_desktop.engine.clip.config import OFFICIAL
        from glide_desktop.engine.models import ClipEncoders

        with torch.device(device):
            return ClipEncoders(ClipImageEncoder(OFFICIAL).eval(), ClipTextEncoder(OFFICIAL).eval())

    def missing(self, names: list[str]) -> list[str]:
        """Random weights are never missing."""
        return []


def save_random_weights(folder: Path, names: tuple[str, ...]) -> None:
    """Write the random-weight networks as official-format fp32 files (torch.save of the state_dict)."""
    folder.mkdir(parents=True, exist_ok=True)
    store = RandomWeightsStore()
    for name in names:
        model = store.load_unet(name, "cpu", torch.float32)
        state = {key: value.contiguous() for key, value in model.state_dict().items()}
        torch.save(state, folder / name)
        del model, state
