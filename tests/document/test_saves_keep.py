"""Saves keep what the user had: mode, group, symlinks, read-only files, and no temp files left over."""

from __future__ import annotations

import os
import stat
import time
import zipfile

import numpy as np
import pytest

from glide_desktop.document.document import Document
from glide_desktop.document.files import DocumentFileError, ReadOnlyFileError, export_flat, load_ora, save_ora
from glide_desktop.document.layer import Layer

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX modes, groups and symlinks")


def _doc(value: int = 100) -> Document:
    doc = Document(6, 4)
    doc.insert_layer(Layer.filled(6, 4, (value, 50, 25, 255), "paint"))
    return doc


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@posix_only
@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_a_new_file_gets_the_umask_mode(tmp_path, umask):
    old = os.umask(umask)
    try:
        save_ora(_doc(), tmp_path / "new.ora")
        export_flat(_doc(), tmp_path / "new.png")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "new.ora") == 0o666 & ~umask
    assert _mode(tmp_path / "new.png") == 0o666 & ~umask


@posix_only
@pytest.mark.parametrize("mode", [0o664, 0o640, 0o600, 0o644])
def test_resaving_keeps_the_files_mode_and_group(tmp_path, mode):
    path = tmp_path / "doc.ora"
    save_ora(_doc(), path)
    os.chmod(path, mode)
    groups = os.getgroups()
    group = groups[-1] if groups else os.getgid()
    os.chown(path, -1, group)
    save_ora(_doc(200), path)
    assert _mode(path) == mode
    assert os.stat(path).st_gid == group
    assert load_ora(path).layers[0].pixels[0, 0, 0] == 200


def test_zip_members_unpack_as_0644(tmp_path):
    save_ora(_doc(), tmp_path / "doc.ora")
    with zipfile.ZipFile(tmp_path / "doc.ora") as archive:
        modes = {info.filename: stat.S_IMODE(info.external_attr >> 16) for info in archive.infolist()}
        first = archive.infolist()[0]
    assert set(modes.values()) == {0o644}, modes
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED


@posix_only
def test_saving_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "doc.ora"
    save_ora(_doc(10), target)
    link = tmp_path / "link.ora"
    link.symlink_to(target)
    save_ora(_doc(220), link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert load_ora(target).layers[0].pixels[0, 0, 0] == 220
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["doc.ora"]


@posix_only
def test_a_read_only_file_is_not_overwritten_unless_asked(tmp_path):
    path = tmp_path / "locked.ora"
    save_ora(_doc(10), path)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    with pytest.raises(ReadOnlyFileError, match="locked.ora is read-only") as caught:
        save_ora(_doc(220), path)
    assert isinstance(caught.value, DocumentFileError) and caught.value.path == path
    assert path.read_bytes() == before
    save_ora(_doc(220), path, overwrite_read_only=True)
    assert load_ora(path).layers[0].pixels[0, 0, 0] == 220 and _mode(path) == 0o444


def test_stale_temp_files_of_earlier_killed_saves_are_removed(tmp_path):
    path = tmp_path / "doc.ora"
    old = time.time() - 3600
    stale = [tmp_path / ".doc.ora.abcd1234.tmp", tmp_path / ".doc.ora.x_y_z_12.tmp"]
    fresh = tmp_path / ".doc.ora.recent12.tmp"  # maybe a save still running in another window
    others = [tmp_path / ".other.ora.abcd1234.tmp", tmp_path / ".doc.ora.notours.tmp", tmp_path / "keep.tmp"]
    for file in [*stale, fresh, *others]:
        file.write_bytes(np.zeros(1000, np.uint8).tobytes())
    for file in [*stale, *others]:
        os.utime(file, (old, old))
    save_ora(_doc(), path)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["doc.ora", fresh.name, *(p.name for p in others)])
