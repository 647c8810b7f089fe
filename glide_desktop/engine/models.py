"""The model store: the folder holding GLIDE's checkpoint files, and loaders that build and fill the networks.

Each official file name maps to a network built from its preset (base.pt -> OFFICIAL_PRESETS["base"],
clip_image_enc.pt -> the CLIP image encoder with clip.config.OFFICIAL ...). A file may also be stored
as `<stem>.safetensors`.

An optional `models.json` in the folder says which preset each file was written for, so that small
networks saved in the official format can stand in for the real ones (tests, quick CLI runs):

    {
      "base_inpaint.pt": {"preset": "tiny"},
      "upsample_inpaint.pt": {"preset": "tiny", "options": {"num_res_blocks": 2}},
      "clip_image_enc.pt": {"preset": "tiny"}
    }

"preset" is "official" (the default) or "tiny" (config.TINY_PRESETS / clip.config.TINY); "options"
overrides single fields of that preset (UNetConfig or ClipConfig field names). Files not listed use
the official presets.
"""

from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import torch
from torch import nn

from glide_desktop.engine.checkpoint_layouts import layout_of, matching_name
from glide_desktop.engine.checkpoints import (
    Candidates,
    CheckpointError,
    check_layout,
    load_into,
    read_state_dict,
)
from glide_desktop.engine.clip.config import OFFICIAL as CLIP_OFFICIAL
from glide_desktop.engine.clip.config import TINY as CLIP_TINY
from glide_desktop.engine.clip.config import ClipConfig
from glide_desktop.engine.clip.model import ClipImageEncoder, ClipTextEncoder
from glide_desktop.engine.config import OFFICIAL_PRESETS, TINY_PRESETS, UNetConfig
from glide_desktop.engine.device import model_dtype
from glide_desktop.engine.locations import (
    CLIP_FILES,
    OFFICIAL_FILES,
    UNET_FILES,
    describe_missing,
    find_file,
    missing_files,
)
from glide_desktop.engine.nn.unet import GlideUNet, build_unet
from glide_desktop.engine.types import Mode

MANIFEST_NAME = "models.json"
UNET_PRESETS: dict[str, dict[str, UNetConfig]] = {"official": OFFICIAL_PRESETS, "tiny": TINY_PRESETS}
CLIP_PRESETS: dict[str, ClipConfig] = {"official": CLIP_OFFICIAL, "tiny": CLIP_TINY}


class MissingModelError(CheckpointError):
    """A needed checkpoint file is not in the models folder; the message says where to get it."""


class ClipEncoders(NamedTuple):
    """The noised CLIP's two halves, loaded together for CLIP guidance."""

    image: ClipImageEncoder
    text: ClipTextEncoder


class ModelLoader(Protocol):
    """What the pipelines load networks from: a ModelStore, a ModelCache over one, or a stand-in."""

    def load_unet(self, name: str, device: torch.device | str, dtype: torch.dtype) -> nn.Module:
        """The diffusion network for an official file name, on device in dtype."""
        ...

    def load_clip(self, device: torch.device | str) -> ClipEncoders:
        """The noised CLIP's two encoders on device (fp32)."""
        ...


class ModelStore:
    """The models folder: which files are there, what each was made for, and loading them."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self._manifest = _read_manifest(self.folder / MANIFEST_NAME)

    # ---- what is there ----------------------------------------------------------------------
    def path(self, name: str) -> Path:
        """The file for a checkpoint name: name itself, or <stem>.safetensors, else where name belongs."""
        _check_name(name)
        return find_file(self.folder, name) or self.folder / name

    def present(self) -> list[str]:
        """The official checkpoint names found in the folder."""
        return [name for name in OFFICIAL_FILES if find_file(self.folder, name) is not None]

    def missing(self, names: list[str] | tuple[str, ...]) -> list[str]:
        """Those of names that are not in the folder."""
        return [name for name in names if find_file(self.folder, _check_name(name)) is None]

    def explain_missing(self, mode: Mode | str, clip_guidance: bool = False) -> str:
        """User-facing text naming the files mode still needs, this folder and the download addresses."""
        return describe_missing(self.folder, missing_files(self.folder, mode, clip_guidance))

    # ---- what each file was made for --------------------------------------------------------
    def unet_config(self, name: str) -> UNetConfig:
        """The network configuration the diffusion checkpoint `name` is loaded into."""
        if name not in UNET_FILES:
            raise ValueError(f"{name} is not a diffusion checkpoint; choose one of {', '.join(UNET_FILES)}")
        entry = self._manifest.get(name, {})
        family = UNET_PRESETS[entry.get("preset", "official")]
        base = family[Path(name).stem]
        overrides = entry.get("options", {})
        if not overrides:
            return base
        try:
            return UNetConfig.from_options({**base.to_options(), **overrides})
        except ValueError as error:
            raise CheckpointError(f"{self.folder / MANIFEST_NAME}: {name}: {error}") from None

    def clip_config(self, name: str = "clip_image_enc.pt") -> ClipConfig:
        """The CLIP configuration the encoder checkpoint `name` is loaded into."""
        if name not in CLIP_FILES:
            raise ValueError(f"{name} is not a CLIP checkpoint; choose one of {', '.join(CLIP_FILES)}")
        entry = self._manifest.get(name, {})
        base = CLIP_PRESETS[entry.get("preset", "official")]
        try:
            return dataclasses.replace(base, **entry.get("options", {}))
        except (TypeError, ValueError) as error:
            raise CheckpointError(f"{self.folder / MANIFEST_NAME}: {name}: {error}") from None

    def candidates(self, family: str = "official") -> Candidates:
        """Layout builders for all six names (the manifest's configs, else family's presets), for errors."""
        out: dict[str, Any] = {}
        for name in OFFICIAL_FILES:
            listed = name in self._manifest
            if name in UNET_FILES:
                config = self.unet_config(name) if listed else UNET_PRESETS[family][Path(name).stem]
                out[name] = _bind(_unet_layout, config)
            else:
                config = self.clip_config(name) if listed else CLIP_PRESETS[family]
                out[name] = _bind(_clip_layout, name, config)
        return out

    # ---- checking files from elsewhere ----------------------------------------------------------
    def check_file(self, name: str, path: Path | str) -> None:
        """Raise CheckpointError unless the file at path has the layout this folder's `name` needs."""
        _check_name(name)
        candidates = self.candidates(self._manifest.get(name, {}).get("preset", "official"))
        check_layout(read_state_dict(path), layout_of(candidates[name]()), path, candidates, name)

    def identify(self, path: Path | str) -> str | None:
        """The official name whose layout (as this folder expects it) the file at path has, or None."""
        return matching_name(layout_of(read_state_dict(path)), self.candidates())

    # ---- loading ----------------------------------------------------------------------------
    def load_unet(
        self, name: str, device: torch.device | str = "cpu", dtype: torch.dtype | None = None
    ) -> GlideUNet:
        """Build the diffusion network for `name` and fill it from its file (fp16 dtype: mixed layout)."""
        path = self.require(name)
        dtype = model_dtype(device) if dtype is None else dtype
        model = build_unet(self.unet_config(name), device="meta", dtype=dtype)
        self._load(model, name, path, device)
        return model

    def load_clip(self, device: torch.device | str = "cpu") -> ClipEncoders:
        """Build and fill both CLIP encoders (always fp32, as in the reference)."""
        missing = self.missing(CLIP_FILES)
        if missing:
            raise MissingModelError(describe_missing(self.folder, missing))
        paths = [self.path(name) for name in CLIP_FILES]
        image = _meta(ClipImageEncoder, self.clip_config("clip_image_enc.pt"))
        text = _meta(ClipTextEncoder, self.clip_config("clip_text_enc.pt"))
        self._load(image, "clip_image_enc.pt", paths[0], device)
        self._load(text, "clip_text_enc.pt", paths[1], device)
        return ClipEncoders(image.eval(), text.eval())

    def require(self, name: str) -> Path:
        """The file for `name`, or MissingModelError saying where to put it and where to download it."""
        path = self.path(name)
        if not path.is_file():
            raise MissingModelError(describe_missing(self.folder, [name]))
        return path

    def _load(self, model: nn.Module, name: str, path: Path, device: torch.device | str) -> None:
        family = self._manifest.get(name, {}).get("preset", "official")
        load_into(model, path, candidates=self.candidates(family), expected=name, device=device)


def _check_name(name: str) -> str:
    if name not in OFFICIAL_FILES:
        raise ValueError(f"unknown checkpoint {name!r}; GLIDE's files are {', '.join(OFFICIAL_FILES)}")
    return name


def _bind(function: Any, *args: Any) -> Any:
    return lambda: function(*args)


def _meta(cls: type[nn.Module], config: ClipConfig) -> nn.Module:
    with torch.device("meta"):
        return cls(config)


@lru_cache(maxsize=16)
def _unet_layout(config: UNetConfig) -> dict[str, tuple[int, ...]]:
    """The name -> shape layout of a diffusion checkpoint (built once on the meta device)."""
    return {k: tuple(v.shape) for k, v in build_unet(config, device="meta").state_dict().items()}


@lru_cache(maxsize=8)
def _clip_layout(name: str, config: ClipConfig) -> dict[str, tuple[int, ...]]:
    """The name -> shape layout of a CLIP encoder checkpoint (built once on the meta device)."""
    cls = ClipImageEncoder if name == "clip_image_enc.pt" else ClipTextEncoder
    return {k: tuple(v.shape) for k, v in _meta(cls, config).state_dict().items()}


# ---- models.json ----------------------------------------------------------------------------


def _read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """The checked contents of models.json, or {} when the folder has none."""
    if not path.is_file():
        return {}
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path} cannot be read as JSON: {error}") from None
    if not isinstance(content, dict):
        raise CheckpointError(f"{path} must hold an object mapping file names to settings.")
    for name, entry in content.items():
        _check_entry(path, name, entry)
    return content


def _check_entry(path: Path, name: str, entry: Any) -> None:
    if name not in OFFICIAL_FILES:
        raise CheckpointError(f"{path}: {name!r} is not one of GLIDE's files ({', '.join(OFFICIAL_FILES)}).")
    if not isinstance(entry, dict) or set(entry) - {"preset", "options"}:
        raise CheckpointError(f"{path}: {name} must be an object with only 'preset' and 'options'.")
    presets = UNET_PRESETS if name in UNET_FILES else CLIP_PRESETS
    if entry.get("preset", "official") not in presets:
        raise CheckpointError(f"{path}: {name}: preset must be one of {', '.join(presets)}.")
    if not isinstance(entry.get("options", {}), dict):
        raise CheckpointError(f"{path}: {name}: options must be an object of field -> value.")
