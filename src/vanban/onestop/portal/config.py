"""The portal's settings (spec §13), read at each use so operators and tests can change them:
a Django setting of the name, else the environment variable of the same name, else the default.

- ``VANBAN_PORTAL_LOCAL_SUBMISSION`` (``portal.local_submission``): whether the portal offers
  its own online filing form. Online filing belongs on DVCQG (NĐ 118/2025 Art. 15.3), so it is
  off unless turned on; ``scripts/start`` (the demo) turns it on.
- ``VANBAN_PORTAL_TRACK_TRIES`` / ``VANBAN_PORTAL_TRACK_MINUTES`` (``portal.secret``): wrong
  code-and-secret pairs allowed per client address and per code in the window (10 / 15).
- ``VANBAN_PORTAL_MAX_FILE_BYTES``: largest single upload of the form (10 MB); the request as
  a whole is bounded earlier by ``VANBAN_MAX_UPLOAD_BYTES``.
"""

from __future__ import annotations

import os

from django.conf import settings


def _env_bool(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _number(name: str, default: int) -> int:
    """A setting of that name, else the environment variable, else ``default``."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "").strip() or default
    return int(value)


def local_submission() -> bool:
    """Whether citizens may file online here."""
    value = getattr(settings, "VANBAN_PORTAL_LOCAL_SUBMISSION", None)
    return _env_bool("VANBAN_PORTAL_LOCAL_SUBMISSION") if value is None else bool(value)


def track_tries() -> int:
    """Wrong pairs allowed per window."""
    return _number("VANBAN_PORTAL_TRACK_TRIES", 10)


def track_minutes() -> int:
    """The window, in minutes."""
    return _number("VANBAN_PORTAL_TRACK_MINUTES", 15)


def max_file_bytes() -> int:
    """Largest single file of the online form."""
    return _number("VANBAN_PORTAL_MAX_FILE_BYTES", 10 * 1024 * 1024)
