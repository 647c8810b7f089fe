"""Where GLIDE's checkpoint files live and which ones each mode needs (no torch: read at start-up)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from glide_desktop.engine.types import Mode

MODELS_DIR_ENV = "GLIDE_MODELS_DIR"
APP_NAME = "GLIDE Desktop"
DOWNLOAD_PAGE = "https://openaipublic.blob.core.windows.net/diffusion/dec-2021/"

# The six checkpoints OpenAI released with GLIDE (filtered), name -> download address.
OFFICIAL_FILES: dict[str, str] = {
    name: DOWNLOAD_PAGE + name
    for name in (
        "base.pt",
        "upsample.pt",
        "base_inpaint.pt",
        "upsample_inpaint.pt",
        "clip_image_enc.pt",
        "clip_text_enc.pt",
    )
}

TEXT2IM_FILES: tuple[str, ...] = ("base.pt", "upsample.pt")
INPAINT_FILES: tuple[str, ...] = ("base_inpaint.pt", "upsample_inpaint.pt")
CLIP_FILES: tuple[str, ...] = ("clip_image_enc.pt", "clip_text_enc.pt")
UNET_FILES: tuple[str, ...] = TEXT2IM_FILES + INPAINT_FILES

# Variation and sketch are SDEdit runs of the plain text-to-image models.
MODE_FILES: dict[Mode, tuple[str, ...]] = {
    Mode.TEXT2IM: TEXT2IM_FILES,
    Mode.INPAINT: INPAINT_FILES,
    Mode.VARIATION: TEXT2IM_FILES,
    Mode.SKETCH: TEXT2IM_FILES,
}

# A file may also be stored as safetensors under the same stem (converted by the user or by us).
ALTERNATE_SUFFIXES: tuple[str, ...] = (".pt", ".safetensors")


def default_models_dir(chosen: str | Path | None = None) -> Path:
    """The models folder: $GLIDE_MODELS_DIR, else the user's chosen folder, else a release's bundled
    models/ next to the executable, else the user data folder's models/."""
    override = os.environ.get(MODELS_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    if chosen:
        return Path(chosen).expanduser()
    bundled = bundled_models_dir()
    if bundled is not None:
        return bundled
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "models"


def bundled_models_dir() -> Path | None:
    """models/ beside the frozen executable when a release ships one; None from source or when absent."""
    if not getattr(sys, "frozen", False):
        return None
    folder = Path(sys.executable).resolve().parent / "models"
    return folder if folder.is_dir() else None


def required_files(mode: Mode | str, clip_guidance: bool = False) -> tuple[str, ...]:
    """The checkpoint names a mode needs, plus the two CLIP encoders when CLIP guidance is on."""
    try:
        files = MODE_FILES[Mode(mode)]
    except ValueError:
        known = ", ".join(m.value for m in Mode)
        raise ValueError(f"unknown mode {mode!r}; known modes: {known}") from None
    return files + CLIP_FILES if clip_guidance else files


def find_file(folder: Path | str, name: str) -> Path | None:
    """The stored file for a checkpoint name (.pt, or .safetensors with the same stem), or None."""
    stem = Path(name).stem
    for suffix in ALTERNATE_SUFFIXES:
        candidate = Path(folder) / (stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def missing_files(folder: Path | str, mode: Mode | str, clip_guidance: bool = False) -> list[str]:
    """The checkpoint names that mode needs and that are not in folder, in download order."""
    return [name for name in required_files(mode, clip_guidance) if find_file(folder, name) is None]


def describe_missing(folder: Path | str, names: list[str] | tuple[str, ...]) -> str:
    """A user-facing sentence saying which files to put where and where to download them."""
    if not names:
        return f"All needed model files are in {folder}."
    listed = _join_names(list(names))
    urls = "\n".join(f"  {OFFICIAL_FILES.get(n, DOWNLOAD_PAGE + n)}" for n in names)
    verb = "it" if len(names) == 1 else "them"
    return f"GLIDE needs {listed} in {folder}; download {verb} from:\n{urls}"


def _join_names(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
