"""The clamd adapter against a real clamd (R16.1): zINSTREAM over a unix socket and over TCP,
EICAR found (also inside a PDF), clean files pass, and a scanner that is down or silent is
"unavailable", never "clean"."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from vanban.security.clamd import CHUNK, ClamdScanner
from vanban.security.errors import ScannerUnavailable
from vanban.security.scanner import get_scanner
from vanban.security.tests.clamd_server import FOUND_AS, eicar
from vanban.security.tests.fixtures import clean_pdf, infected_pdf


def test_eicar_is_found_and_a_clean_pdf_passes(clamd_server):
    """R16.1: the adapter reports clamd's detection with its signature name."""
    scanner = ClamdScanner(socket_path=clamd_server.socket, timeout=5)
    scanner.ping()
    found = scanner.scan(eicar())
    assert found.infected
    assert found.signature == FOUND_AS
    assert scanner.scan(infected_pdf()).signature == FOUND_AS
    assert not scanner.scan(clean_pdf()).infected


def test_large_file_streams_in_chunks(clamd_server):
    """A file many chunks long, with the test string at the very end, is still found."""
    data = bytes(5 * CHUNK + 123) + eicar()
    assert ClamdScanner(socket_path=clamd_server.socket, timeout=10).scan(data).infected
    assert not ClamdScanner(socket_path=clamd_server.socket).scan(bytes(3 * CHUNK)).infected


def _relay(unix_path: str) -> tuple[int, threading.Event]:
    """A TCP port on loopback relaying each connection to clamd's unix socket."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            dst.close()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(unix_path)
            threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], stop


def test_tcp_socket(clamd_server):
    """The same protocol over TCP (clamd's ``TCPSocket``), chosen by host and port settings."""
    port, stop = _relay(clamd_server.socket)
    try:
        with override_settings(VANBAN_MALWARE_SCANNER="clamd", VANBAN_CLAMD_SOCKET="",
                               VANBAN_CLAMD_HOST="127.0.0.1", VANBAN_CLAMD_PORT=port):
            scanner = get_scanner()
            assert isinstance(scanner, ClamdScanner)
            assert scanner.scan(eicar()).signature == FOUND_AS
    finally:
        stop.set()


def test_down_or_silent_scanner_is_unavailable(tmp_path):
    """Fail safe: no socket, or a socket that never answers (timeout), is not a verdict."""
    with pytest.raises(ScannerUnavailable):
        ClamdScanner(socket_path=str(tmp_path / "none.sock"), timeout=1).scan(b"x")
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path = str(tmp_path / "silent.sock")
    silent.bind(path)
    silent.listen(1)
    started = time.monotonic()
    with pytest.raises(ScannerUnavailable):
        ClamdScanner(socket_path=path, timeout=0.5).scan(b"hello")
    assert time.monotonic() - started < 5
    silent.close()


def test_deploy_check_warns_without_a_scanner():
    """R16.1: the embedded default (no scanner) is reported by ``vanban check --deploy``."""
    with override_settings(VANBAN_MALWARE_SCANNER=""):
        ids = {m.id for m in run_checks(include_deployment_checks=True)}
        assert "vanban.security.W001" in ids
        assert "vanban.security.W001" not in {m.id for m in run_checks()}
    with override_settings(VANBAN_MALWARE_SCANNER="clamd"):
        assert "vanban.security.W001" not in {
            m.id for m in run_checks(include_deployment_checks=True)}


@pytest.mark.django_db
def test_file_over_the_scanners_limit_is_refused_and_audited(clamd_server, tmp_path):
    """R16.1: a file clamd will not read whole (over its StreamMaxLength) is refused, never
    accepted unscanned, and the refusal is an audit event at every door."""
    from vanban.audit.models import AuditEvent
    from vanban.security.errors import Unscannable
    from vanban.security.intake import Door, FileGroup, intake_files
    from vanban.security.tests.clamd_server import ClamdServer, clamd_binary

    small = ClamdServer(str(clamd_binary()), stream_max="1K")
    try:
        small.wait_ready()
        data = clean_pdf("Tai lieu lon " + "x" * 4000)
        with override_settings(VANBAN_MALWARE_SCANNER="clamd", VANBAN_CLAMD_SOCKET=small.socket,
                               VANBAN_CLAMD_TIMEOUT=5.0,
                               VANBAN_QUARANTINE_DIR=str(tmp_path / "q")), \
                pytest.raises(Unscannable):
            intake_files(door=Door.FEDERATION, groups=[FileGroup(parts=[data], what_vi="văn bản",
                                                             what_en="document")])
    finally:
        small.stop()
    assert AuditEvent.objects.filter(action="security.unscannable").count() == 1
