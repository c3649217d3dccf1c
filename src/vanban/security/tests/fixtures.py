"""Fixtures of the scanning tests, a pytest plugin loaded by the root conftest (the tests of
every door use them): one real clamd per session and settings that point at it.

Skipped only when clamd is not installed **and** the run is not as root (CI runs as root after
``scripts/setup`` installs ``clamav-daemon``, so there a missing clamd fails the tests).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pikepdf
import pytest
from django.test import override_settings

from vanban.pdfs.tests.conftest import make_pdf
from vanban.security.tests.clamd_server import ClamdServer, can_start, clamd_binary, eicar


@pytest.fixture(scope="session")
def clamd_server() -> Iterator[ClamdServer]:
    """A running clamd with the EICAR test signature, for the whole session."""
    ok, why = can_start()
    if not ok:
        if "root" in why:
            pytest.fail(why)
        pytest.skip(why)
    binary = clamd_binary()
    assert binary is not None
    server = ClamdServer(binary)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
def scanner_on(clamd_server: ClamdServer, tmp_path) -> Iterator[ClamdServer]:
    """Settings choosing clamd on the session's socket, and a private quarantine folder."""
    with override_settings(VANBAN_MALWARE_SCANNER="clamd", VANBAN_CLAMD_SOCKET=clamd_server.socket,
                           VANBAN_CLAMD_TIMEOUT=5.0,
                           VANBAN_QUARANTINE_DIR=str(tmp_path / "quarantine")):
        yield clamd_server


@pytest.fixture
def scanner_down(tmp_path) -> Iterator[str]:
    """Settings choosing clamd on a socket where nothing listens (clamd is down)."""
    with override_settings(VANBAN_MALWARE_SCANNER="clamd",
                           VANBAN_CLAMD_SOCKET=str(tmp_path / "no-clamd.sock"),
                           VANBAN_CLAMD_TIMEOUT=2.0,
                           VANBAN_QUARANTINE_DIR=str(tmp_path / "quarantine")):
        yield str(tmp_path / "no-clamd.sock")


def clean_pdf(text: str = "Cong van thu") -> bytes:
    """A real, harmless one-page PDF."""
    return make_pdf(text)


def infected_pdf() -> bytes:
    """A PDF that passes every intake rule but carries the EICAR string in an uncompressed
    stream (what a real dropper inside a PDF looks like to a signature scanner)."""
    pdf = pikepdf.open(io.BytesIO(clean_pdf("Tai lieu nhiem")))
    payload = pikepdf.Stream(pdf, b"% " + eicar() + b"\n")
    pdf.Root["/VanbanPayload"] = pdf.make_indirect(payload)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def scripted_pdf() -> bytes:
    """A PDF that runs JavaScript when opened."""
    pdf = pikepdf.open(io.BytesIO(clean_pdf("Co ma JavaScript")))
    pdf.Root["/OpenAction"] = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
