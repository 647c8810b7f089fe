"""Where GLIDE's checkpoint files live and which ones each mode needs (no torch, no Qt: read at start-up).

This module owns the models folder for the app and the command line alike: the folder chosen in the
app's Model Files dialog is saved here (a small JSON file in the per-user config folder) and is the
command line's default too. $GLIDE_MODELS_DIR overrides the choice, and the CLI's --models overrides both.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from glide_desktop.engine.types import Mode

MODELS_DIR_ENV = "GLIDE_MODELS_DIR"
CONFIG_DIR_ENV = "GLIDE_CONFIG_DIR"  # where settings.json lives (tests, portable installs)
SETTINGS_NAME = "settings.json"
MODELS_DIR_KEY = "models_dir"
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

# About how many bytes each file is: its fp32 weights (parameter count x 4); the archive adds a little.
DOWNLOAD_BYTES: dict[str, int] = {
    "base.pt": 1_540_122_904,
    "upsample.pt": 1_593_445_144,
    "base_inpaint.pt": 1_540_150_552,
    "upsample_inpaint.pt": 1_593_472_792,
    "clip_image_enc.pt": 345_775_104,
    "clip_text_enc.pt": 286_717_952,
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
    """The models folder: $GLIDE_MODELS_DIR, else `chosen`, else the saved choice, else a release's
    bundled models/ next to the executable, else the user data folder's models/."""
    override = models_dir_override()
    if override is not None:
        return override
    if chosen:
        return Path(chosen).expanduser()
    saved = saved_models_dir()
    if saved is not None:
        return saved
    bundled = bundled_models_dir()
    if bundled is not None:
        return bundled
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "models"


def models_dir_override() -> Path | None:
    """The folder $GLIDE_MODELS_DIR names, which wins over any choice; None when it is not set."""
    override = os.environ.get(MODELS_DIR_ENV, "").strip()
    return Path(override).expanduser() if override else None


def bundled_models_dir() -> Path | None:
    """models/ beside the frozen executable when a release ships one; None from source or when absent."""
    if not getattr(sys, "frozen", False):
        return None
    folder = Path(sys.executable).resolve().parent / "models"
    return folder if folder.is_dir() else None


def settings_path() -> Path:
    """The per-user settings file shared by the app and the command line ($GLIDE_CONFIG_DIR overrides)."""
    folder = os.environ.get(CONFIG_DIR_ENV, "").strip()
    if not folder:
        from platformdirs import user_config_dir

        folder = user_config_dir(APP_NAME, appauthor=False)
    return Path(folder).expanduser() / SETTINGS_NAME


def _read_settings() -> dict[str, object]:
    """The settings file's object; {} when it is missing or unreadable (a bad file must not stop the app)."""
    try:
        content = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return content if isinstance(content, dict) else {}


def saved_models_dir() -> Path | None:
    """The models folder chosen in the app (None when none was chosen)."""
    value = _read_settings().get(MODELS_DIR_KEY)
    return Path(value).expanduser() if isinstance(value, str) and value.strip() else None


def save_models_dir(folder: str | Path | None) -> Path:
    """Remember folder as the models folder (None forgets it), written atomically; returns the file."""
    settings = _read_settings()
    if folder is None:
        settings.pop(MODELS_DIR_KEY, None)
    else:
        settings[MODELS_DIR_KEY] = str(Path(folder).expanduser())
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, json.dumps(settings, indent=2))
    return path


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


def clip_available(folder: Path | str) -> bool:
    """Whether both noised-CLIP encoders are in folder (for CLIP guidance and ranking candidates)."""
    return all(find_file(folder, name) is not None for name in CLIP_FILES)


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


def write_text_atomically(path: Path, text: str) -> None:
    """Write text to path through a temporary file and a rename: readers see the old or the new file."""
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
