"""Tiny random-weight GLIDE networks saved in the official file format (tests and the selftest use them)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from glide_desktop.engine.clip import TINY as CLIP_TINY
from glide_desktop.engine.clip import ClipImageEncoder, ClipTextEncoder
from glide_desktop.engine.config import TINY_PRESETS
from glide_desktop.engine.nn.unet import build_unet

UNET_FILES = ("base.pt", "base_inpaint.pt", "upsample.pt", "upsample_inpaint.pt")
CLIP_FILES = ("clip_image_enc.pt", "clip_text_enc.pt")


def write_tiny_models(folder: Path, names: tuple[str, ...] = UNET_FILES) -> Path:
    """torch.save each tiny network's state_dict under its official name, plus models.json saying "tiny"."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed, name in enumerate(names):
        torch.manual_seed(seed)
        model = build_unet(TINY_PRESETS[Path(name).stem])
        with torch.no_grad():
            for parameter in model.parameters():
                # The output convs start at zero; small noise everywhere makes every input matter.
                parameter.add_(torch.randn_like(parameter) * 0.02)
        torch.save(model.state_dict(), folder / name)
    _list_as_tiny(folder, names)
    return folder


def write_tiny_clip(folder: Path, seed: int = 100) -> Path:
    """Save tiny noised-CLIP encoders (clip.config.TINY) as clip_image_enc.pt / clip_text_enc.pt."""
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    for name, encoder in zip(CLIP_FILES, (ClipImageEncoder(CLIP_TINY), ClipTextEncoder(CLIP_TINY))):
        with torch.no_grad():
            for parameter in encoder.parameters():
                parameter.add_(torch.randn_like(parameter) * 0.02)  # LayerNorm gains/biases start constant
        torch.save(encoder.state_dict(), folder / name)
    _list_as_tiny(folder, CLIP_FILES)
    return folder


def _list_as_tiny(folder: Path, names: tuple[str, ...]) -> None:
    """Add names to the folder's models.json with preset "tiny", keeping the entries already there."""
    path = folder / "models.json"
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    manifest.update({name: {"preset": "tiny"} for name in names})
    path.write_text(json.dumps(manifest), encoding="utf-8")
