"""Tiny random-weight GLIDE networks saved in the official file format, for pipeline and CLI tests."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from glide_desktop.engine.config import TINY_PRESETS
from glide_desktop.engine.nn.unet import build_unet

UNET_FILES = ("base.pt", "base_inpaint.pt", "upsample.pt", "upsample_inpaint.pt")


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
    manifest = {name: {"preset": "tiny"} for name in names}
    (folder / "models.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder
