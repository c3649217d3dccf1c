"""The database triggers that make the event and seal tables append-only (R14.3).

Installed by migration ``0002``; :func:`drop` exists for the test suite's table flush and for the
tamper tests, which play an administrator who removes the trigger to rewrite history.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.core import appendonly

FUNCTION = "audit_event_append_only"
GUARDS = (
    appendonly.Guard("audit_auditevent", "audit_event"),
    appendonly.Guard("audit_auditseal", "audit_seal", truncate=False),
)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (idempotent)."""
    appendonly.install(connection, function=FUNCTION, guards=GUARDS)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (tests only; an operator doing this is what verification catches)."""
    appendonly.drop(connection, function=FUNCTION, guards=GUARDS)
