"""Where the data files shipped with the app live, in a source checkout and in a frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path

# In a source checkout this file is glide_desktop/engine/resources.py; resources/ sits at the repo root.
_CHECKOUT_ROOT = Path(__file__).resolve().parents[2]


def resources_root() -> Path:
    """The folder holding the shipped data files (PyInstaller's unpack folder when frozen)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return _CHECKOUT_ROOT / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a shipped data file, e.g. resource_path("tokenizers", "gpt2.tiktoken"); it must exist."""
    path = resources_root().joinpath(*parts)
    if not path.exists():
        name = "/".join(parts)
        raise FileNotFoundError(
            f"bundled resource {name!r} is missing (looked in {path}); the installation is incomplete"
        )
    return path
