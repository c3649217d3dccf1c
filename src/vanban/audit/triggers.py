"""The database triggers that make the event, seal and checkpoint tables append-only (R14.3).

Installed by migrations ``0002`` (events, seals) and ``0005`` (cosignatures, witnessed
checkpoints); :func:`drop` exists for the test suite's table flush and for the tamper tests, which
play an administrator who removes the trigger to rewrite history.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.core import appendonly

FUNCTION = "audit_event_append_only"
GUARDS = (
    appendonly.Guard("audit_auditevent", "audit_event"),
    appendonly.Guard("audit_auditseal", "audit_seal", truncate=False),
    appendonly.Guard("audit_cosignature", "audit_cosignature", truncate=False),
    appendonly.Guard("audit_witnessedcheckpoint", "audit_witnessed", truncate=False),
)


def _present(connection: BaseDatabaseWrapper) -> tuple[appendonly.Guard, ...]:
    """The guards whose tables exist (an older migration installs before later tables exist)."""
    tables = set(connection.introspection.table_names())
    return tuple(g for g in GUARDS if g.table in tables)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (idempotent)."""
    appendonly.install(connection, function=FUNCTION, guards=_present(connection))


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (tests only; an operator doing this is what verification catches)."""
    appendonly.drop(connection, function=FUNCTION, guards=_present(connection))
