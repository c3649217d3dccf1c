"""The malware scanner port (R16.1), chosen by a setting as Django chooses its mail backend.

``VANBAN_MALWARE_SCANNER``:

* ``"clamd"``: :class:`~vanban.security.clamd.ClamdScanner` on ``VANBAN_CLAMD_SOCKET`` (a unix
  socket) or ``VANBAN_CLAMD_HOST``/``VANBAN_CLAMD_PORT``, with ``VANBAN_CLAMD_TIMEOUT`` seconds;
* ``""`` (the embedded default): no scanner. Files are still checked by the PDF intake rules but
  not for malware; not for production, and ``vanban check --deploy`` says so;
* a dotted path to a class with ``name``, ``scan(data) -> Verdict`` and ``ping()``.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from vanban.security.clamd import ClamdScanner, Verdict


class Scanner(Protocol):
    """What intake needs of a scanner. ``scan`` raises ``ScannerUnavailable`` (never returns a
    clean verdict it did not reach) and ``Unscannable`` for a file it cannot judge."""

    name: str

    def scan(self, data: bytes) -> Verdict:
        """The verdict on ``data``."""
        ...

    def ping(self) -> None:
        """Raise ``ScannerUnavailable`` unless the scanner answers."""
        ...


def configured() -> str:
    """The configured scanner's name, ``""`` when none is."""
    return str(getattr(settings, "VANBAN_MALWARE_SCANNER", "") or "").strip()


def get_scanner() -> Scanner | None:
    """The scanner the settings choose, or ``None`` when none is configured."""
    choice = configured()
    if not choice:
        return None
    if choice == "clamd":
        return ClamdScanner(
            socket_path=str(getattr(settings, "VANBAN_CLAMD_SOCKET", "") or ""),
            host=str(getattr(settings, "VANBAN_CLAMD_HOST", "127.0.0.1")),
            port=int(getattr(settings, "VANBAN_CLAMD_PORT", 3310)),
            timeout=float(getattr(settings, "VANBAN_CLAMD_TIMEOUT", 30.0)))
    scanner: Scanner = import_string(choice)()
    return scanner
