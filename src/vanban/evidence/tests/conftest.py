"""Fixtures of the evidence tests: records of a few deliveries, and an "administrator" who drops
the append-only triggers to rewrite a record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from vanban.evidence import services, triggers
from vanban.evidence.models import EvidenceRecord

START = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
SENDER, R1, R2 = "000.00.01.H06", "000.00.02.H06", "000.00.03.H06"
DIGEST = "ab" * 32


@pytest.fixture
def record(db: None) -> Callable[..., EvidenceRecord]:
    """Append one record with sensible defaults: ``record(delivery_id="d1", event="sent")``."""

    def make(delivery_id: str = "d1", *, event: str = "sent", sender: str = SENDER,
             recipient: str = R1, transmission_id: str = "t1", at: datetime = START,
             **kwargs: Any) -> EvidenceRecord:
        return services.evidence_append(
            event=event, at=at, sender=sender, recipient=recipient,
            transmission_id=transmission_id, delivery_id=delivery_id,
            document_sha256=kwargs.pop("document_sha256", DIGEST), **kwargs)

    return make


@pytest.fixture
def exchange(record: Callable[..., EvidenceRecord]) -> Callable[[int], None]:
    """A transmission to two recipients, ``rounds`` times: sent, received, accepted/rejected.
    Round ``n`` (counted across calls) makes deliveries ``dn-1`` and ``dn-2``."""
    done = [0]

    def run(rounds: int = 1) -> None:
        for n in range(done[0], done[0] + rounds):
            at = START + timedelta(minutes=n)
            for recipient, delivery in ((R1, f"d{n}-1"), (R2, f"d{n}-2")):
                record(delivery, event="sent", recipient=recipient, transmission_id=f"t{n}",
                       at=at)
            for recipient, delivery in ((R1, f"d{n}-1"), (R2, f"d{n}-2")):
                record(delivery, event="received", recipient=recipient,
                       transmission_id=f"t{n}", at=at + timedelta(seconds=3))
            record(f"d{n}-1", event="accepted", recipient=R1, transmission_id=f"t{n}",
                   at=at + timedelta(hours=1))
            record(f"d{n}-2", event="rejected", recipient=R2, transmission_id=f"t{n}",
                   at=at + timedelta(hours=2), reason="Sai thể thức / wrong format")
        done[0] += rounds

    return run


@pytest.fixture
def admin_sql() -> Callable[..., None]:
    """Run SQL as an administrator who first removed the append-only triggers."""

    def run(sql: str, params: tuple[Any, ...] = ()) -> None:
        triggers.drop(connection)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        finally:
            triggers.install(connection)

    return run


def load(data: bytes) -> dict[str, Any]:
    """A bundle as a dict."""
    value = json.loads(data)
    assert isinstance(value, dict)
    return value
