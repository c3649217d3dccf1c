"""A real clamd for tests and benchmarks: Debian's daemon on a unix socket in a temporary folder,
with a tiny signature database of its own (the official ones cannot be downloaded here).

The database has one body signature (``.ndb``) for the standard EICAR test string, so it is
found anywhere in a file, inside a PDF or a ZIP too. The test string itself is assembled at run
time so that no scanner flags this source file.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SIGNATURE = "Vanban.Test.EICAR"
FOUND_AS = f"{SIGNATURE}.UNOFFICIAL"
_EICAR_PARTS = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")


def eicar() -> bytes:
    """The 68-byte EICAR anti-malware test string."""
    return "".join(_EICAR_PARTS).encode("ascii")


def clamd_binary() -> str | None:
    """Path of Debian's clamd, when installed."""
    return shutil.which("clamd") or next(
        (p for p in ("/usr/sbin/clamd", "/usr/bin/clamd") if Path(p).exists()), None)


class ClamdServer:
    """Start clamd (foreground, own config, own folder); ``stop()`` ends only this process."""

    def __init__(self, binary: str, *, stream_max: str = "100M") -> None:
        self.root = Path(tempfile.mkdtemp(prefix="vanban-clamd-"))
        self.socket = str(self.root / "clamd.sock")
        database = self.root / "db"
        database.mkdir()
        (database / "vanban-test.ndb").write_text(f"{SIGNATURE}:0:*:{eicar().hex()}\n")
        self.config = self.root / "clamd.conf"
        self.config.write_text("\n".join([
            "Foreground yes", f"DatabaseDirectory {database}", f"LocalSocket {self.socket}",
            f"PidFile {self.root / 'clamd.pid'}", f"LogFile {self.root / 'clamd.log'}",
            f"StreamMaxLength {stream_max}", "MaxThreads 4", "SelfCheck 0", ""]))
        self.process = subprocess.Popen(
            [binary, "-c", str(self.config)], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Until clamd answers ``PONG`` on its socket."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.root / "clamd.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"clamd exited with {self.process.returncode}: {log}")
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError("clamd did not answer in time")

    def ping(self) -> bool:
        """Whether clamd answers on its socket now."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(2)
                sock.connect(self.socket)
                sock.sendall(b"zPING\0")
                return sock.recv(16).startswith(b"PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """End this clamd (by its own process id) and remove its folder."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def can_start() -> tuple[bool, str]:
    """Whether a real clamd can be started here, and why not."""
    if clamd_binary() is not None:
        return True, ""
    if os.geteuid() == 0:  # CI runs as root after scripts/setup: a missing clamd is a failure
        return False, "clamd is missing although running as root: run scripts/setup"
    return False, "clamd is not installed (apt-get install clamav-daemon clamav)"
