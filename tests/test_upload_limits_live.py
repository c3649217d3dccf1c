"""A real 200 MB request to a running ``vanban serve`` (issue 9, observed case 8; R16.1, R3.1):
refused with 413 without the server's memory growing by the body's size, whether the body is
announced by Content-Length or sent chunked."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
MB = 1024 * 1024
BODY = 200 * MB
CHUNK = b"\0" * MB


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (``VmHWM``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("live-home")
    port = _free_port()
    env = {**os.environ, "VANBAN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    process = subprocess.Popen(
        [sys.executable, "-m", "vanban.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.terminate()
        pytest.fail("vanban serve did not start")
    yield port, process.pid
    process.terminate()
    process.wait(timeout=20)


def _send(port: int, *, chunked: bool) -> int:
    """POST 200 MB of zeros as a file upload; the status, or 413 if the server cut us off."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.putrequest("POST", "/documents/1/upload/")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    if chunked:
        connection.putheader("Transfer-Encoding", "chunked")
    else:
        connection.putheader("Content-Length", str(BODY))
    connection.endheaders()
    try:
        for _ in range(BODY // MB):
            data = (f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n") if chunked else CHUNK
            connection.send(data)
        if chunked:
            connection.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed before taking the rest: what we want
    try:
        return connection.getresponse().status
    except (ConnectionResetError, http.client.RemoteDisconnected):
        return 413
    finally:
        connection.close()


@pytest.mark.parametrize("chunked", [False, True])
def test_200_mb_body_to_a_live_server_is_refused_without_buffering(server, chunked):
    """R16.1/R3.1: 413, and the server's peak resident memory grows by far less than 200 MB."""
    port, pid = server
    before = _peak_rss_mb(pid)
    assert _send(port, chunked=chunked) == 413
    assert _peak_rss_mb(pid) - before < 50, (before, _peak_rss_mb(pid))
