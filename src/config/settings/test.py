"""Test settings: the base settings with a fast password hasher (tests create many users)."""

from __future__ import annotations

import os
import tempfile

# Tests never touch ./var: each run gets its own home unless one is given.
os.environ.setdefault("VANBAN_HOME", tempfile.mkdtemp(prefix="vanban-test-"))

from .base import *  # noqa: F403
from .base import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# An on-disk test database, so threads and worker processes share it (concurrency tests).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VANBAN_HOME / "test.sqlite3")}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is missing)
# Seals and tree heads on a timer, and the seal at exit, are off in tests (they would fire at
# random points of the suite); the tests of the schedule turn them on (R14.3, docs/adr/0010).
VANBAN_AUDIT_SEAL_SECONDS = 0
VANBAN_AUDIT_SEAL_AT_EXIT = False
VANBAN_EVIDENCE_HEAD_SECONDS = 0
VANBAN_EVIDENCE_HEAD_EVERY = 0
