"""Server-side functions that exist only on PostgreSQL (the audit append, the register claim):
installed and dropped by migrations, absent on SQLite where Python does the same work."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper


def execute_on_postgresql(connection: BaseDatabaseWrapper, sql: str) -> None:
    """Run ``sql`` (a CREATE OR REPLACE / DROP FUNCTION) on PostgreSQL; nothing elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql)
