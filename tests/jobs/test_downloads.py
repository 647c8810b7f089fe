"""Model downloads against a real HTTP server on 127.0.0.1: resume, cancel, short bodies, errors."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from glide_desktop.jobs.downloads import ModelDownloader
from glide_desktop.jobs.model_fetch import DownloadError, fetch_file, part_path
from tests.model_server import ServerState, fake_checkpoint, model_server

SIGNAL_TIMEOUT_MS = 15_000
NAME = "base.pt"


@pytest.fixture
def state() -> ServerState:
    """A server holding two small fake checkpoints."""
    return ServerState(files={NAME: fake_checkpoint(300_000), "upsample.pt": fake_checkpoint(50_000, seed=7)})


@pytest.fixture
def base_url(state: ServerState):
    with model_server(state) as url:
        yield url


def _fetch(base_url: str, folder: Path, name: str = NAME, **kwargs) -> Path:
    return fetch_file(f"{base_url}/{name}", folder, name, threading.Event(), **kwargs)


def test_a_full_download_lands_under_its_final_name(state, base_url, tmp_path):
    seen: list[tuple[int, int]] = []
    path = _fetch(base_url, tmp_path, progress=lambda name, done, total: seen.append((done, total)))
    assert path == tmp_path / NAME
    assert path.read_bytes() == state.files[NAME]
    assert not part_path(tmp_path, NAME).exists()
    assert seen[-1] == (len(state.files[NAME]), len(state.files[NAME]))
    assert state.ranges == [None]  # nothing to resume: no Range asked


def test_a_part_file_is_resumed_with_a_range_request(state, base_url, tmp_path):
    source = state.files[NAME]
    part_path(tmp_path, NAME).write_bytes(source[:123_456])
    _fetch(base_url, tmp_path)
    assert state.ranges == ["bytes=123456-"]
    assert (tmp_path / NAME).read_bytes() == source


def test_a_server_ignoring_the_range_sends_the_whole_file_again(state, base_url, tmp_path):
    state.ignore_range = True
    source = state.files[NAME]
    part_path(tmp_path, NAME).write_bytes(source[:1000])
    _fetch(base_url, tmp_path)
    assert state.ranges == ["bytes=1000-"]
    assert (tmp_path / NAME).read_bytes() == source  # 200: started over, not appended


def test_a_part_that_is_already_whole_is_finished_without_a_body(state, base_url, tmp_path):
    part_path(tmp_path, NAME).write_bytes(state.files[NAME])
    _fetch(base_url, tmp_path)
    assert (tmp_path / NAME).read_bytes() == state.files[NAME]


def test_a_short_body_fails_and_keeps_the_part(state, base_url, tmp_path):
    state.truncate.add(NAME)
    with pytest.raises(DownloadError, match=r"closed after .* of 0\.3 MB of base\.pt") as caught:
        _fetch(base_url, tmp_path)
    assert "resume" in str(caught.value)
    assert not (tmp_path / NAME).exists()
    assert part_path(tmp_path, NAME).stat().st_size == len(state.files[NAME]) // 2


def test_a_missing_file_on_the_server_names_the_file_and_status(base_url, tmp_path):
    with pytest.raises(DownloadError, match=r"nothing\.pt was not found .*HTTP 404"):
        _fetch(base_url, tmp_path, name="nothing.pt")
    assert not (tmp_path / "nothing.pt").exists()


def test_an_existing_complete_file_is_not_overwritten(state, base_url, tmp_path):
    (tmp_path / NAME).write_bytes(b"the user's own file")
    with pytest.raises(DownloadError, match="already in"):
        _fetch(base_url, tmp_path)
    assert (tmp_path / NAME).read_bytes() == b"the user's own file"
    assert state.ranges == []  # not even asked


def test_something_that_is_not_a_checkpoint_is_refused(state, base_url, tmp_path):
    state.files[NAME] = b"<html>sign in first</html>"
    with pytest.raises(DownloadError, match="not a model checkpoint"):
        _fetch(base_url, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_server_says_check_the_connection(tmp_path):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DownloadError, match="Could not reach 127.0.0.1 .*internet connection"):
        fetch_file(f"http://127.0.0.1:{port}/{NAME}", tmp_path, NAME, threading.Event(), timeout=5)


def test_only_http_addresses_are_fetched(tmp_path):
    with pytest.raises(DownloadError, match="only http and https"):
        fetch_file(f"file://{tmp_path}/x.pt", tmp_path, NAME, threading.Event())


def test_a_stalled_server_times_out(state, base_url, tmp_path):
    state.slow.add(NAME)
    with pytest.raises(DownloadError, match="stalled|timed out"):
        _fetch(base_url, tmp_path, timeout=0.001)


def test_the_downloader_fetches_files_in_turn_and_reports(qtbot, state, base_url, tmp_path):
    downloader = ModelDownloader(tmp_path, base_url=base_url)
    finished, progress = [], []
    downloader.finished.connect(finished.append)
    downloader.progress.connect(lambda name, done, total: progress.append((name, done, total)))
    try:
        with qtbot.waitSignal(downloader.allDone, timeout=SIGNAL_TIMEOUT_MS):
            assert downloader.download(["upsample.pt", NAME])
        assert finished == ["upsample.pt", NAME]
        assert (tmp_path / NAME).read_bytes() == state.files[NAME]
        assert ("upsample.pt", 50_000, 50_000) in progress
        assert not downloader.busy
    finally:
        downloader.shutdown()


def test_the_downloader_reports_failures_and_goes_on(qtbot, state, base_url, tmp_path):
    del state.files[NAME]
    downloader = ModelDownloader(tmp_path, base_url=base_url)
    failed, finished = [], []
    downloader.failed.connect(lambda name, message: failed.append((name, message)))
    downloader.finished.connect(finished.append)
    try:
        with qtbot.waitSignal(downloader.allDone, timeout=SIGNAL_TIMEOUT_MS):
            downloader.download([NAME, "upsample.pt"])
        assert failed[0][0] == NAME and "404" in failed[0][1]
        assert finished == ["upsample.pt"]
    finally:
        downloader.shutdown()


def test_cancel_keeps_the_part_and_a_later_download_resumes_it(qtbot, state, base_url, tmp_path):
    state.slow.add(NAME)
    downloader = ModelDownloader(tmp_path, base_url=base_url)
    cancelled = []
    downloader.cancelled.connect(cancelled.append)
    started = threading.Event()
    downloader.progress.connect(lambda name, done, total: started.set() if done > 0 else None)
    try:
        downloader.download([NAME])
        qtbot.waitUntil(started.is_set, timeout=SIGNAL_TIMEOUT_MS)
        with qtbot.waitSignal(downloader.allDone, timeout=SIGNAL_TIMEOUT_MS):
            downloader.cancel()
        assert cancelled == [NAME]
        assert not (tmp_path / NAME).exists()
        kept = part_path(tmp_path, NAME).stat().st_size
        assert 0 < kept < len(state.files[NAME])
        state.slow.clear()
        with qtbot.waitSignal(downloader.finished, timeout=SIGNAL_TIMEOUT_MS):
            downloader.download([NAME])
        assert state.ranges[-1] == f"bytes={kept}-"
        assert (tmp_path / NAME).read_bytes() == state.files[NAME]
    finally:
        downloader.shutdown()


def test_unknown_names_are_refused(tmp_path):
    downloader = ModelDownloader(tmp_path, urls={NAME: "http://127.0.0.1:9/base.pt"})
    with pytest.raises(ValueError, match="no download address for other.pt"):
        downloader.download(["other.pt"])
