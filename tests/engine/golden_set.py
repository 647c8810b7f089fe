"""Finding the parts of a golden vector set through its manifest.json, never through hard-coded names.

Any folder in the layout of ../shared/glide-golden (its README.md) can stand in, chosen with
$GLIDE_GOLDEN_DIR: the tests learn its models, cases and sampling runs from manifest.json,
options.json and each file's own contents. A part the set does not have skips with a reason;
a part the manifest lists but the folder lacks fails under CI=true.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import torch

from tests.conftest import SHARED, need_shared

GOLDEN_ENV = "GLIDE_GOLDEN_DIR"
RUN_PREFIX, RUN_SUFFIX = "sample_", ".pt"  # the README's `sample_*.pt` sampling runs
CLIP_MODELS = ("clip_image_enc", "clip_text_enc")  # the CLIP pair's names in models.pt


def golden_root() -> Path:
    """$GLIDE_GOLDEN_DIR, default ../shared/glide-golden: the folder the golden_dir fixture gives."""
    return Path(os.environ.get(GOLDEN_ENV, SHARED / "glide-golden"))


def manifest_files(golden_dir: Path) -> dict[str, dict[str, Any]]:
    """manifest.json's `files`: file name -> its entry (description, tensors, spec ...)."""
    path = need_shared(golden_dir / "manifest.json", "the golden manifest")
    files = json.loads(path.read_text(encoding="utf-8")).get("files")
    assert isinstance(files, dict) and files, f"{path} lists no files"
    return files


def golden_file(golden_dir: Path, name: str) -> Path:
    """One file of the set; skip when the set has none, fail in CI when it is listed but absent."""
    path = golden_dir / name
    if name in manifest_files(golden_dir):
        return need_shared(path, f"{name}, listed in the golden manifest,")
    if not path.exists():
        pytest.skip(f"this golden set has no {name}")
    return path


def load_golden(golden_dir: Path, name: str) -> Any:
    """torch.load one .pt file of the set (tensors only)."""
    return torch.load(golden_file(golden_dir, name), weights_only=True)


def options(golden_dir: Path) -> dict[str, Any]:
    """options.json: `diffusion_models` (name -> create_model_and_diffusion kwargs) and `clip_config`."""
    return json.loads(golden_file(golden_dir, "options.json").read_text(encoding="utf-8"))


def is_run_name(name: str) -> bool:
    """Whether a file name is a sampling run (`sample_*.pt`)."""
    return name.startswith(RUN_PREFIX) and name.endswith(RUN_SUFFIX)


def run_names(golden_dir: Path) -> list[str]:
    """The sampling runs the manifest lists, in its order."""
    return [name for name in manifest_files(golden_dir) if is_run_name(name)]


def run_specs(golden_dir: Path) -> dict[str, dict[str, Any]]:
    """file name -> spec of every listed run (the manifest's copy, else the file's own)."""
    specs = {}
    for name, entry in manifest_files(golden_dir).items():
        if is_run_name(name):
            specs[name] = entry.get("spec") or load_golden(golden_dir, name)["spec"]
    return specs


def runs_of_kind(golden_dir: Path, kind: str) -> list[str]:
    """The listed runs whose spec has this kind; skip when the set has none."""
    found = [name for name, spec in run_specs(golden_dir).items() if spec.get("kind") == kind]
    if not found:
        pytest.skip(f"this golden set has no sampling run of kind {kind!r}")
    return found


def run_names_for_collection() -> list[str]:
    """The runs to parametrize over, read while collecting (a placeholder when the set is absent)."""
    manifest = golden_root() / "manifest.json"
    if not manifest.exists():
        return ["sample_*.pt (golden vectors absent)"]
    names = [name for name in json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
             if is_run_name(name)]
    return names or ["sample_*.pt (this golden set has no sampling runs)"]
