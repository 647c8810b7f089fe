"""A real HTTP server on 127.0.0.1 serving fake checkpoints, with Range support and scripted faults."""

from __future__ import annotations

import os
import re
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_CHUNK = 4096
SLOW_PAUSE = 0.02  # seconds between slow chunks: a 256 KiB file takes over a second
MAX_SLOW_SECONDS = 10.0  # a slow stream ends by itself even if nobody cancels


def fake_checkpoint(size: int, seed: int = 0) -> bytes:
    """Bytes that pass the downloader's cheap check: a zip signature, then varied bytes."""
    body = bytes((i * 31 + seed) % 251 for i in range(size - 4))
    return b"PK\x03\x04" + body


@dataclass
class ServerState:
    """What the server serves and what it saw."""

    files: dict[str, bytes] = field(default_factory=dict)
    truncate: set[str] = field(default_factory=set)  # announce the full length, send half
    slow: set[str] = field(default_factory=set)  # trickle the body out
    ranges: list[str | None] = field(default_factory=list)  # each request's Range header
    ignore_range: bool = False  # answer 200 with the whole file even when asked for a range


class _Handler(BaseHTTPRequestHandler):
    state: ServerState

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        name = self.path.lstrip("/")
        range_header = self.headers.get("Range")
        self.state.ranges.append(range_header)
        data = self.state.files.get(name)
        if data is None:
            self.send_error(404, "Not Found")
            return
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", range_header or "")
        if match and not self.state.ignore_range:
            start = int(match.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if name in self.state.truncate:
            body = body[: len(body) // 2]
            self.close_connection = True
        self._send(body, slow=name in self.state.slow)

    def _send(self, body: bytes, slow: bool) -> None:
        if not slow:
            self.wfile.write(body)
            return
        deadline = time.monotonic() + MAX_SLOW_SECONDS
        for offset in range(0, len(body), SLOW_CHUNK):
            if time.monotonic() > deadline:
                break
            try:
                self.wfile.write(body[offset: offset + SLOW_CHUNK])
                self.wfile.flush()
            except OSError:
                return  # the client went away (cancelled)
            time.sleep(SLOW_PAUSE)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        if os.environ.get("GLIDE_TEST_HTTP_LOG"):
            super().log_message(format, *args)


@contextmanager
def model_server(state: ServerState, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve state on 127.0.0.1 (a free port) in a thread; yields the base URL (https with tls)."""
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls is not None else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
