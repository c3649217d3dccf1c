"""The database triggers that make the evidence tables append-only (R14.3).

Installed by migration ``0002``; :func:`drop` exists for the test suite's table flush and for the
tamper tests, which play an administrator who removes the triggers to rewrite a record.

On PostgreSQL a statement trigger also refuses TRUNCATE (the test runner's flush drops the
triggers first, see the root ``conftest.py``).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

_TABLES = ("evidence_evidencerecord", "evidence_treehead")

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION evidence_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (%)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE OR REPLACE TRIGGER {t}_no_update BEFORE UPDATE OR DELETE ON {t}\n"
    f"  FOR EACH ROW EXECUTE FUNCTION evidence_append_only();\n"
    f"CREATE OR REPLACE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t}\n"
    f"  FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only();\n"
    for t in _TABLES
)
POSTGRES_DOWN = "".join(
    f"DROP TRIGGER IF EXISTS {t}_no_update ON {t};\n"
    f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t};\n"
    for t in _TABLES
) + "DROP FUNCTION IF EXISTS evidence_append_only();\n"
SQLITE_UP = [
    f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op.lower()} BEFORE {op} ON {t} "
    f"BEGIN SELECT RAISE(ABORT, '{t} is append-only ({op})'); END;"
    for t in _TABLES for op in ("UPDATE", "DELETE")
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {t}_no_{op};" for t in _TABLES
               for op in ("update", "delete")]


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (idempotent)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_UP)
        elif connection.vendor == "sqlite":
            for sql in SQLITE_UP:
                cursor.execute(sql)
        else:  # pragma: no cover - only the two supported databases
            raise RuntimeError(f"unsupported database for the evidence log: {connection.vendor}")


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (tests only; an operator doing this is what verification catches)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_DOWN)
        else:
            for sql in SQLITE_DOWN:
                cursor.execute(sql)
