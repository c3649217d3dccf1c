"""The clamd adapter of the scanner port: ClamAV's daemon spoken to directly over its unix or
TCP socket with the ``zINSTREAM`` command (no client library).

The protocol: ``zINSTREAM\\0``, then chunks each prefixed with its length as a 4-byte
big-endian integer, then a zero length; clamd answers one NUL-terminated line, ``stream: OK``,
``stream: <signature> FOUND`` or ``<message> ERROR``. Every socket operation has a timeout, and
any failure to get an answer is :class:`ScannerUnavailable` (fail safe: never "clean").

Pure Python: no Django import.
"""

from __future__ import annotations

import hashlib
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from vanban.security.errors import ScannerUnavailable, Unscannable

CHUNK = 256 * 1024
_REPLY_MAX = 4096


@dataclass(frozen=True)
class Verdict:
    """What the scanner said about one file."""

    infected: bool
    signature: str = ""  # the detection's name when infected
    engine: str = ""  # which scanner judged


class ClamdScanner:
    """Scan bytes with a running clamd, over a unix socket (preferred) or TCP."""

    name = "clamd"

    def __init__(self, *, socket_path: str = "", host: str = "127.0.0.1", port: int = 3310,
                 timeout: float = 30.0) -> None:
        self.socket_path = socket_path
        self.host = host
        self.port = port
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        try:
            if self.socket_path:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                sock.connect(self.socket_path)
                return sock
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as err:
            raise ScannerUnavailable(f"connect: {err}") from err

    def _where(self) -> str:
        return self.socket_path or f"{self.host}:{self.port}"

    def ping(self) -> None:
        """Raise :class:`ScannerUnavailable` unless clamd answers ``PONG``."""
        with self._connect() as sock:
            reply = self._talk(sock, b"zPING\0", ())
        if reply != "PONG":
            raise ScannerUnavailable(f"{self._where()}: unexpected answer {reply!r}")

    def version(self) -> str:
        """clamd's version line (engine and signature database)."""
        with self._connect() as sock:
            return self._talk(sock, b"zVERSION\0", ())

    def scan(self, data: bytes) -> Verdict:
        """Stream ``data`` to clamd and return its verdict."""
        view = memoryview(data)
        chunks = (view[start:start + CHUNK] for start in range(0, len(view), CHUNK))
        with self._connect() as sock:
            reply = self._talk(sock, b"zINSTREAM\0", chunks)
        return self._verdict(reply, data)

    def _talk(self, sock: socket.socket, command: bytes, chunks: Iterable[memoryview]) -> str:
        try:
            sock.sendall(command)
            for chunk in chunks:
                sock.sendall(struct.pack("!L", len(chunk)))
                sock.sendall(chunk)
            if command.startswith(b"zINSTREAM"):
                sock.sendall(struct.pack("!L", 0))
        except OSError as err:  # clamd may answer and close early (its stream size limit)
            try:
                return _read_reply(sock)
            except (OSError, ScannerUnavailable):
                raise ScannerUnavailable(f"{self._where()}: {err}") from err
        try:
            return _read_reply(sock)
        except OSError as err:  # timeouts, resets
            raise ScannerUnavailable(f"{self._where()}: {err}") from err

    def _verdict(self, reply: str, data: bytes) -> Verdict:
        if reply.endswith(" FOUND"):
            signature = reply.removeprefix("stream:").removesuffix(" FOUND").strip()
            return Verdict(infected=True, signature=signature, engine=self.name)
        if reply.endswith(" OK"):
            return Verdict(infected=False, engine=self.name)
        if "size limit exceeded" in reply:
            raise Unscannable(detail=reply, sha256=hashlib.sha256(data).hexdigest())
        raise ScannerUnavailable(f"{self._where()}: {reply}")


def _read_reply(sock: socket.socket) -> str:
    """One NUL-terminated answer (clamd closes the connection after it)."""
    buffer = bytearray()
    while b"\0" not in buffer and len(buffer) < _REPLY_MAX:
        part = sock.recv(_REPLY_MAX)
        if not part:
            break
        buffer += part
    if not buffer:
        raise ScannerUnavailable("no answer")
    return bytes(buffer).split(b"\0", 1)[0].decode("utf-8", "replace").strip()
