"""Concurrent appends keep one gapless, verifiable chain (R14.3)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from vanban.audit import keys
from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_append
from vanban.audit.verify import verify_database


@pytest.mark.django_db(transaction=True)
def test_threads_appending_at_once_build_one_valid_chain():
    """R14.3: 6 writers × 40 events, some rolled back, leave a gapless chain that verifies."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(40):
                try:
                    with transaction.atomic():
                        audit_append(actor=None, action="test.concurrent",
                                     data={"writer": n, "i": i})
                        if i % 7 == 3:
                            raise RuntimeError("rolled back on purpose")
                except RuntimeError:
                    pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors, errors
    kept = 6 * sum(1 for i in range(40) if i % 7 != 3)
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, kept + 1))
    result = verify_database(public_keys={keys.key_id(): keys.public_key()})
    assert result.ok, result.failure
    assert result.count == kept
