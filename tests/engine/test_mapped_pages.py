"""A memory-mapped checkpoint's pages leave the process as soon as their tensor has been copied."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from glide_desktop.engine import checkpoints
from glide_desktop.engine.checkpoints import load_into
from glide_desktop.engine.mapped_pages import release_mapped

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="madvise release is Linux-only")


def resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS line")


def test_released_pages_leave_the_rss_and_read_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "big.pt"
    torch.save({"w": torch.arange(16 * 2**20, dtype=torch.float32)}, path)  # 64 MiB
    mapped = torch.load(path, mmap=True, weights_only=True)["w"]
    total = float(mapped.sum())  # touches every page
    before = resident_kib()
    assert release_mapped(mapped)
    dropped = before - resident_kib()
    assert dropped > 60 * 1024  # ~64 MiB of pages gone from this process
    assert float(mapped.sum()) == total  # a private file mapping reads the file again


def test_loading_a_zip_checkpoint_releases_each_tensor_once_copied(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    source = nn.Sequential(nn.Linear(64, 64), nn.Linear(64, 8))
    torch.save(source.state_dict(), tmp_path / "m.pt")
    released: list[tuple[int, ...]] = []
    monkeypatch.setattr(checkpoints, "release_mapped", lambda t: released.append(tuple(t.shape)))
    with torch.device("meta"):
        target = nn.Sequential(nn.Linear(64, 64), nn.Linear(64, 8))
    load_into(target, tmp_path / "m.pt")
    assert sorted(released) == sorted(tuple(t.shape) for t in source.state_dict().values())
    for ours, theirs in zip(target.state_dict().values(), source.state_dict().values()):
        torch.testing.assert_close(ours, theirs, atol=0, rtol=0)
