"""The database triggers that make a dossier's history append-only (Art. 21.3: every status
change is kept) and an applicant's rating unchangeable once given, the same machinery as
opinions (``core/appendonly.py``, ADR 0008).

:func:`drop` exists for the test suite's table flush (root ``conftest.py``).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.core import appendonly

FUNCTION = "onestop_event_append_only"
EVENT_GUARDS = (appendonly.Guard("onestop_dossierevent", "onestop_dossierevent", truncate=False),)
RATING_GUARDS = (appendonly.Guard("onestop_servicerating", "onestop_servicerating",
                                  truncate=False),)
GUARDS = EVENT_GUARDS + RATING_GUARDS
"""Every guard of the app; a migration installs only the guards of the tables it knows."""


def install(connection: BaseDatabaseWrapper,
            guards: tuple[appendonly.Guard, ...] = GUARDS) -> None:
    """Create the triggers (idempotent)."""
    appendonly.install(connection, function=FUNCTION, guards=guards)


def drop_ratings(connection: BaseDatabaseWrapper) -> None:
    """Remove only the rating triggers (the rating migration's way back; the shared function
    stays for the events' triggers)."""
    with connection.cursor() as cursor:
        for sql in (f"DROP TRIGGER IF EXISTS onestop_servicerating_no_{op}"
                    + (" ON onestop_servicerating;" if connection.vendor == "postgresql" else ";")
                    for op in ("update", "delete")):
            cursor.execute(sql)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (tests only)."""
    appendonly.drop(connection, function=FUNCTION, guards=GUARDS)
