"""Fixtures of the audit tests: a filled chain, and an "administrator" who drops the triggers."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from vanban.audit import keys, triggers
from vanban.audit.findings import VerifyResult
from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_append
from vanban.audit.verify import verify_database
from vanban.core import clock

START = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def run_command(name: str, *args: str) -> tuple[int, str, str]:
    """``vanban NAME ARGS`` in-process: its exit code, standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def fill(db: None) -> Callable[..., list[AuditEvent]]:
    """Append ``n`` events, one second apart (whole seconds: SQLite then stores no fraction)."""

    def make(n: int, *, seal_every: int = 5, agency_code: str = "000.00.01.H99",
             start: datetime = START, action: str = "test.event") -> list[AuditEvent]:
        events = []
        with override_settings(VANBAN_AUDIT_SEAL_EVERY=seal_every):
            for i in range(n):
                with clock.frozen(start + timedelta(seconds=i, microseconds=i % 2 * 1234)):
                    events.append(audit_append(actor=None, action=action, object_type="doc",
                                               object_id=i, agency_code=agency_code,
                                               data={"i": i, "tên": "Bắc Giang"}))
        return events

    return make


@contextmanager
def _without_triggers() -> Iterator[None]:
    triggers.drop(connection)
    try:
        yield
    finally:
        triggers.install(connection)


@pytest.fixture
def admin_sql() -> Callable[..., Any]:
    """Run SQL as an administrator who first removed the append-only triggers."""

    def run(sql: str, params: tuple[Any, ...] = ()) -> None:
        with _without_triggers(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


@pytest.fixture
def verify_now() -> Callable[[], VerifyResult]:
    """Verify the stored chain with the installation's key (small pages: exercises paging)."""

    def run() -> VerifyResult:
        return verify_database(public_keys={keys.key_id(): keys.public_key()}, chunk=7)

    return run
