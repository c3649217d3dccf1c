"""The database triggers that make the approval steps (and the head's notes) append-only.

The same machinery as opinions (``core/appendonly.py``, ADR 0008): UPDATE and DELETE refused.
TRUNCATE is left to the table's owner, as emptying a table is an administrator's act that the
audit events vouching for every step reveal. :func:`drop` exists for the tests that play an
administrator and for emptying the table between tests.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.core import appendonly

FUNCTION = "registry_approval_step_append_only"
GUARDS = (appendonly.Guard("registry_approvalstep", "registry_approvalstep", truncate=False),)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (idempotent)."""
    appendonly.install(connection, function=FUNCTION, guards=GUARDS)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (tests only)."""
    appendonly.drop(connection, function=FUNCTION, guards=GUARDS)
