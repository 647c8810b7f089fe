"""Importing model files copied from another machine (checked before they move in) and their checksums."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import torch

from glide_desktop.jobs import checksums
from glide_desktop.jobs.model_checker import EngineModelChecker
from glide_desktop.jobs.model_import import ModelImportError, import_file, import_folder
from tests.tiny_models import write_tiny_models

NAMES = ("base_inpaint.pt", "upsample_inpaint.pt", "base.pt")
CHECKER = EngineModelChecker()


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny checkpoints, as if copied from another machine."""
    torch.set_num_threads(1)
    return write_tiny_models(tmp_path_factory.mktemp("usb-stick"), NAMES)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A models folder that expects the tiny networks (its models.json says so)."""
    models = tmp_path / "models"
    models.mkdir()
    (models / "models.json").write_text(json.dumps({n: {"preset": "tiny"} for n in NAMES}), encoding="utf-8")
    return models


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_good_file_is_copied_in_and_its_sha256_recorded(copies: Path, folder: Path) -> None:
    imported = import_file(copies / "base_inpaint.pt", folder, CHECKER)
    final = folder / "base_inpaint.pt"
    assert (imported.name, imported.path) == ("base_inpaint.pt", final)
    assert final.read_bytes() == (copies / "base_inpaint.pt").read_bytes()
    expected = hashlib.sha256(final.read_bytes()).hexdigest()
    size = final.stat().st_size
    assert checksums.recorded(folder)["base_inpaint.pt"] == {"sha256": expected, "bytes": size}
    assert checksums.verify(folder, "base_inpaint.pt", final) is checksums.Check.OK


def test_a_renamed_file_is_recognised_by_its_layout(copies: Path, folder: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "glide inpaint upsampler (1).pt"
    shutil.copyfile(copies / "upsample_inpaint.pt", renamed)
    assert import_file(renamed, folder, CHECKER).path == folder / "upsample_inpaint.pt"


def test_a_wrong_layout_is_refused_with_a_message_and_the_folder_is_untouched(copies: Path, folder: Path,
                                                                             tmp_path: Path) -> None:
    wrong = tmp_path / "upsample_inpaint.pt"  # the right name, but base.pt's weights inside
    shutil.copyfile(copies / "base.pt", wrong)
    before = _listing(folder)
    with pytest.raises(ModelImportError, match="this is base.pt, but upsample_inpaint.pt was expected"):
        import_file(wrong, folder, CHECKER)
    assert _listing(folder) == before


def test_a_file_that_is_no_checkpoint_and_a_file_already_there_are_refused(copies: Path, folder: Path,
                                                                          tmp_path: Path) -> None:
    page = tmp_path / "base.pt"
    page.write_text("<html>404</html>")
    with pytest.raises(ModelImportError, match="not a model checkpoint"):
        import_file(page, folder, CHECKER)
    import_file(copies / "base.pt", folder, CHECKER)
    before = _listing(folder)
    with pytest.raises(ModelImportError, match="already in"):
        import_file(copies / "base.pt", folder, CHECKER)
    assert _listing(folder) == before


def test_a_folder_imports_what_fits_and_explains_the_rest(copies: Path, folder: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    shutil.copytree(copies, stick)
    (stick / "notes.pt").write_bytes(b"not a checkpoint")
    results = {r.source.name: r for r in import_folder(stick, folder, CHECKER)}
    assert {name for name, r in results.items() if r.path} == set(NAMES)
    assert "not a model checkpoint" in results["notes.pt"].error
    assert sorted(checksums.recorded(folder)) == sorted(NAMES)
    with pytest.raises(ModelImportError, match="holds no .pt"):
        import_folder(_empty(tmp_path), folder, CHECKER)


def _empty(tmp_path: Path) -> Path:
    empty = tmp_path / "empty"
    empty.mkdir()
    return empty


def test_verify_notices_a_changed_file_and_records_an_unrecorded_one(tmp_path: Path) -> None:
    path = tmp_path / "base.pt"
    path.write_bytes(b"weights")
    assert checksums.verify(tmp_path, "base.pt", path) is checksums.Check.UNRECORDED
    assert checksums.verify(tmp_path, "base.pt", path) is checksums.Check.OK
    path.write_bytes(b"weightz")
    assert checksums.verify(tmp_path, "base.pt", path) is checksums.Check.CHANGED
    assert checksums.verify(tmp_path, "base.pt", None) is checksums.Check.MISSING
