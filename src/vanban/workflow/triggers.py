"""The database triggers that make the opinion table append-only (R14.2).

Installed by migration ``0002``; :func:`drop` exists for the test suite's table flush (root
``conftest.py``) and for the tamper tests, which play an administrator who removes the trigger
to rewrite an opinion (``vanban audit verify`` still notices: docs/adr/0008).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.core import appendonly

FUNCTION = "workflow_opinion_append_only"
GUARDS = (appendonly.Guard("workflow_opinion", "workflow_opinion"),)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (idempotent)."""
    appendonly.install(connection, function=FUNCTION, guards=GUARDS)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (tests only; an operator doing this is what verification catches)."""
    appendonly.drop(connection, function=FUNCTION, guards=GUARDS)
