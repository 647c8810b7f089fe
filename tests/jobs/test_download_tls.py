"""Downloads over real TLS from a local server: certificates are verified (certifi's bundle plus the
system store); an unknown certificate is refused with a plain message, a trusted one downloads."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from pathlib import Path

import certifi
import pytest

from glide_desktop.jobs import model_fetch
from glide_desktop.jobs.model_fetch import DownloadError, fetch_file, tls_context
from tests.model_server import ServerState, fake_checkpoint, model_server

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl tool")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, made by the openssl tool."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def https_url(certificate):
    cert, key = certificate
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    state = ServerState(files={"base.pt": fake_checkpoint(40_000)})
    with model_server(state, tls=server_side) as url:
        yield url, state
    model_fetch._opener.cache_clear()


def test_the_context_verifies_and_trusts_certifis_bundle():
    context = tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    bundled = ssl.create_default_context(cafile=certifi.where()).get_ca_certs()
    loaded = {cert["serialNumber"] for cert in context.get_ca_certs()}
    assert bundled and all(cert["serialNumber"] in loaded for cert in bundled)


def test_an_unknown_certificate_is_refused(https_url, tmp_path):
    url, state = https_url
    model_fetch._opener.cache_clear()
    with pytest.raises(DownloadError, match="could not prove who it is, so base.pt was not downloaded"):
        fetch_file(f"{url}/base.pt", tmp_path, "base.pt", threading.Event())
    assert not (tmp_path / "base.pt").exists()


def test_a_certificate_in_the_system_store_is_trusted(https_url, certificate, tmp_path, monkeypatch):
    url, state = https_url
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # OpenSSL's way to point at a store
    model_fetch._opener.cache_clear()
    path = fetch_file(f"{url}/base.pt", tmp_path, "base.pt", threading.Event())
    assert path.read_bytes() == state.files["base.pt"]
