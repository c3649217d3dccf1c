"""The database triggers that make the evidence tables append-only (R14.3).

Installed by migrations ``0002`` and ``0003`` (TRUNCATE on PostgreSQL); :func:`drop` exists for
the test suite's table flush (root ``conftest.py``) and for the tamper tests, which play an
administrator who removes the triggers to rewrite a record.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.core import appendonly

FUNCTION = "evidence_append_only"
GUARDS = tuple(appendonly.Guard(t, t) for t in ("evidence_evidencerecord", "evidence_treehead"))


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (idempotent)."""
    appendonly.install(connection, function=FUNCTION, guards=GUARDS)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (tests only; an operator doing this is what verification catches)."""
    appendonly.drop(connection, function=FUNCTION, guards=GUARDS)
