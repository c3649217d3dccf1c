"""The database triggers that make a dossier's history append-only (Art. 21.3: every status
change is kept), the same machinery as opinions (``core/appendonly.py``, ADR 0008).

:func:`drop` exists for the test suite's table flush (root ``conftest.py``).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.core import appendonly

FUNCTION = "onestop_event_append_only"
GUARDS = (appendonly.Guard("onestop_dossierevent", "onestop_dossierevent", truncate=False),)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (idempotent)."""
    appendonly.install(connection, function=FUNCTION, guards=GUARDS)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (tests only)."""
    appendonly.drop(connection, function=FUNCTION, guards=GUARDS)
