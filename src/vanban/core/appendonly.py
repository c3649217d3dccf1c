"""Database triggers that make tables append-only (R14.3), for SQLite and PostgreSQL.

The audit log and the evidence log each install a set; the names are part of installed
databases (migrations drop them by name), so each guard says its trigger name prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class Guard:
    """One append-only table: ``name`` prefixes its triggers (``<name>_no_update`` …)."""

    table: str
    name: str
    truncate: bool = True  # PostgreSQL: also refuse TRUNCATE


def _postgres_up(function: str, guards: Sequence[Guard]) -> str:
    sql = (f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\n"
           "BEGIN\n"
           "  RAISE EXCEPTION '% is append-only (%)', TG_TABLE_NAME, TG_OP\n"
           "    USING ERRCODE = 'insufficient_privilege';\n"
           "END;\n$$ LANGUAGE plpgsql;\n")
    for g in guards:
        sql += (f"CREATE OR REPLACE TRIGGER {g.name}_no_update BEFORE UPDATE OR DELETE "
                f"ON {g.table} FOR EACH ROW EXECUTE FUNCTION {function}();\n")
        if g.truncate:
            sql += (f"CREATE OR REPLACE TRIGGER {g.name}_no_truncate BEFORE TRUNCATE "
                    f"ON {g.table} FOR EACH STATEMENT EXECUTE FUNCTION {function}();\n")
    return sql


def _postgres_down(function: str, guards: Sequence[Guard]) -> str:
    sql = "".join(f"DROP TRIGGER IF EXISTS {g.name}_no_update ON {g.table};\n"
                  f"DROP TRIGGER IF EXISTS {g.name}_no_truncate ON {g.table};\n"
                  for g in guards)
    return sql + f"DROP FUNCTION IF EXISTS {function}();\n"


def _sqlite_up(guards: Sequence[Guard]) -> list[str]:
    return [f"CREATE TRIGGER IF NOT EXISTS {g.name}_no_{op.lower()} BEFORE {op} ON {g.table} "
            f"BEGIN SELECT RAISE(ABORT, '{g.table} is append-only ({op})'); END;"
            for g in guards for op in ("UPDATE", "DELETE")]


def _sqlite_down(guards: Sequence[Guard]) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {g.name}_no_{op};" for g in guards
            for op in ("update", "delete")]


def install(connection: BaseDatabaseWrapper, *, function: str, guards: Sequence[Guard]) -> None:
    """Create the triggers (idempotent)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_postgres_up(function, guards))
        elif connection.vendor == "sqlite":
            for sql in _sqlite_up(guards):
                cursor.execute(sql)
        else:  # pragma: no cover - only the two supported databases
            raise RuntimeError(f"unsupported database for append-only tables: {connection.vendor}")


def drop(connection: BaseDatabaseWrapper, *, function: str, guards: Sequence[Guard]) -> None:
    """Remove the triggers (the test flush; tamper tests playing an administrator)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_postgres_down(function, guards))
        else:
            for sql in _sqlite_down(guards):
                cursor.execute(sql)
