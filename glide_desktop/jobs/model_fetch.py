"""Fetch one checkpoint over HTTP into the models folder: resumable, cancellable, never half-written.

Plain Python (stdlib only), so the Qt downloader runs it on its worker thread and tests call it directly.
"""

from __future__ import annotations

import errno
import functools
import http.client
import os
import ssl
import struct
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from glide_desktop.jobs import checksums

CHUNK = 1024 * 1024
PART_SUFFIX = ".part"
MB = 1_000_000
DEFAULT_TIMEOUT = 30.0  # seconds without a byte before a connection counts as dead
PROGRESS_INTERVAL = 0.1  # seconds between progress reports (a fast disk would flood the GUI)
ZIP_MAGIC = b"PK\x03\x04"  # torch.save writes a zip archive
MAX_SAFETENSORS_HEADER = 100 * MB

# (name, bytes done, total bytes or -1 when the server does not say)
ProgressCallback = Callable[[str, int, int], None]


class DownloadError(Exception):
    """A download failed; the message is for the user."""


class DownloadCancelled(Exception):
    """The user cancelled; the .part file is kept for resuming."""


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only (urllib would also follow ftp)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201 - urllib's hook
        scheme = urllib.parse.urlsplit(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            raise DownloadError(f"the server redirected to a {scheme or 'bare'} address; refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def tls_context() -> ssl.SSLContext:
    """Certificates checked against the system's store where it has one, plus certifi's bundle.

    OpenSSL's default paths differ between distributions (and lead nowhere in a frozen app), so the
    system store alone may verify nothing; certifi's bundle always ships with us.
    """
    import certifi

    context = ssl.create_default_context()  # hostname check, CERT_REQUIRED, the system store
    context.load_verify_locations(cafile=certifi.where())
    return context


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    https = urllib.request.HTTPSHandler(context=tls_context())
    return urllib.request.build_opener(_HttpOnlyRedirects(), https)


def part_path(folder: Path, name: str) -> Path:
    """Where the unfinished download of name is kept."""
    return Path(folder) / (name + PART_SUFFIX)


def fetch_file(url: str, folder: Path, name: str, cancel: threading.Event,
               progress: ProgressCallback | None = None, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Download url to folder/name (resuming folder/name.part); returns the final path."""
    folder = Path(folder)
    final = folder / name
    if final.exists():
        raise DownloadError(f"{name} is already in {folder}; it was not downloaded again "
                            "(delete it first to replace it)")
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise DownloadError(f"{name}: only http and https addresses can be downloaded, not {url!r}")
    report = _Reporter(name, progress)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        part = part_path(folder, name)
        _stream_to_part(url, part, name, cancel, report, timeout)
        _check_checkpoint(part, name)
        _finish(part, final, name)
        checksums.record(folder, name, final)  # the first verified copy: Verify compares with this
    except (DownloadError, DownloadCancelled):
        raise
    except urllib.error.HTTPError as error:
        raise DownloadError(_http_message(name, url, error.code, error.reason)) from None
    except urllib.error.URLError as error:
        raise DownloadError(_network_message(name, url, error.reason)) from None
    except TimeoutError:
        raise DownloadError(_timeout_message(name, timeout)) from None
    except (http.client.HTTPException, ConnectionError) as error:
        raise DownloadError(f"The connection broke while downloading {name} ({error}); "
                            "the part already downloaded is kept: try again to resume.") from None
    except OSError as error:
        raise DownloadError(_disk_message(name, folder, error)) from None
    return final


def _stream_to_part(url: str, part: Path, name: str, cancel: threading.Event, report: _Reporter,
                    timeout: float) -> None:
    """Append the rest of the file to part; returns when the server's whole body is there."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = _opener().open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        if error.code != 416 or not have:
            raise
        # Range not satisfiable: the part is already whole, or longer than the server's file.
        total = _total_from_content_range(error.headers.get("Content-Range", ""))
        error.close()
        if total == have:
            report(have, total, force=True)
            return
        part.unlink()
        return _stream_to_part(url, part, name, cancel, report, timeout)
    with response:
        start, total = _resume_point(response, have)
        with open(part, "r+b" if start else "wb") as out:
            out.seek(start)
            out.truncate()
            done = _copy(response, out, start, total, name, cancel, report)
            out.flush()
            os.fsync(out.fileno())
    if total >= 0 and done != total:
        raise DownloadError(f"The connection closed after {done / MB:.1f} of {total / MB:.1f} MB of {name}; "
                            "the part already downloaded is kept: try again to resume.")


def _resume_point(response: http.client.HTTPResponse, have: int) -> tuple[int, int]:
    """(offset the body starts at, total file size or -1) from a 200 or 206 answer."""
    length = response.headers.get("Content-Length")
    body = int(length) if length is not None and length.isdigit() else -1
    if response.status == 206:
        first = _first_from_content_range(response.headers.get("Content-Range", ""))
        if first != have:
            raise DownloadError(f"the server resumed at byte {first}, not {have}")
        total = _total_from_content_range(response.headers.get("Content-Range", ""))
        if total < 0 and body >= 0:
            total = have + body
        return have, total
    return 0, body  # 200: the server ignored the Range, so the whole file comes again


def _copy(response: BinaryIO, out: BinaryIO, done: int, total: int, name: str, cancel: threading.Event,
          report: _Reporter) -> int:
    """Copy the body chunk by chunk, checking cancel between chunks; returns the bytes now in out."""
    report(done, total, force=True)
    while True:
        if cancel.is_set():
            out.flush()
            os.fsync(out.fileno())
            raise DownloadCancelled(name)
        try:
            chunk = response.read1(CHUNK)  # what has arrived, so a cancel is seen between packets
        except http.client.IncompleteRead as error:
            out.write(error.partial)
            return done + len(error.partial)
        if not chunk:
            break
        out.write(chunk)
        done += len(chunk)
        report(done, total)
    report(done, total, force=True)
    return done


def _check_checkpoint(part: Path, name: str) -> None:
    """Cheap check that the bytes are a torch.save zip or a safetensors file (not an HTML error page)."""
    with open(part, "rb") as f:
        head = f.read(9)
    if head[:4] == ZIP_MAGIC:
        return
    if len(head) == 9:
        (header_size,) = struct.unpack("<Q", head[:8])
        if 0 < header_size <= MAX_SAFETENSORS_HEADER and head[8:9] == b"{":
            return
    part.unlink()
    raise DownloadError(f"The file downloaded as {name} is not a model checkpoint (the server sent "
                        "something else); it was deleted.")


def _finish(part: Path, final: Path, name: str) -> None:
    """Rename the complete part to its final name, never over an existing file."""
    if final.exists():
        raise DownloadError(f"{name} appeared in {final.parent} during the download; it was not replaced")
    os.replace(part, final)
    _sync_folder(final.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open folders, and needs no such step."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _first_from_content_range(value: str) -> int:
    """'bytes 100-199/200' -> 100; -1 when unreadable."""
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return -1


def _total_from_content_range(value: str) -> int:
    """'bytes 100-199/200' or 'bytes */200' -> 200; -1 when unknown."""
    total = value.rpartition("/")[2].strip()
    return int(total) if total.isdigit() else -1


def _http_message(name: str, url: str, code: int, reason: str) -> str:
    if code == 404:
        return f"{name} was not found on the server (HTTP 404 Not Found): {url}"
    if code == 403:
        return f"The server refused to send {name} (HTTP 403 Forbidden): {url}"
    return f"The server answered HTTP {code} {reason} for {name}: {url}"


def _network_message(name: str, url: str, reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return f"Connecting to the server for {name} timed out; check your internet connection."
    if isinstance(reason, DownloadError):
        return f"{name}: {reason}"
    host = urllib.parse.urlsplit(url).hostname or url
    if isinstance(reason, ssl.SSLCertVerificationError):
        return (f"The server {host} could not prove who it is, so {name} was not downloaded "
                f"(certificate not verified: {reason.verify_message or reason}).")
    return (f"Could not reach {host} to download {name}; check your internet connection "
            f"({reason}).")


def _timeout_message(name: str, timeout: float) -> str:
    return (f"The download of {name} stalled (no data for {timeout:.0f} s); the part already downloaded "
            "is kept: try again to resume.")


def _disk_message(name: str, folder: Path, error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return f"The disk holding {folder} is full; free some space and try again to resume {name}."
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"No permission to write {name} in {folder}; choose another models folder."
    return f"Could not write {name} in {folder}: {error.strerror or error}"


class _Reporter:
    """Calls the progress callback at most every PROGRESS_INTERVAL seconds (and always when forced)."""

    def __init__(self, name: str, callback: ProgressCallback | None) -> None:
        self.name, self.callback, self.last = name, callback, 0.0

    def __call__(self, done: int, total: int, force: bool = False) -> None:
        now = time.monotonic()
        if self.callback is not None and (force or now - self.last >= PROGRESS_INTERVAL):
            self.last = now
            self.callback(self.name, done, total)
