"""R14.3 / architecture rule 2: an event commits or rolls back with the change it records."""

from __future__ import annotations

import pytest
from django.db import transaction

from vanban.audit.models import AuditEvent, AuditHead
from vanban.audit.services import audit_append


class _Boom(Exception):
    """The change that fails after its event was appended."""


def _append_then_fail() -> None:
    with transaction.atomic():
        audit_append(actor=None, action="lost")
        raise _Boom


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_leaves_no_event() -> None:
    """R14.3: an event appended in a transaction that rolls back is gone, head included."""
    audit_append(actor=None, action="kept")
    with pytest.raises(_Boom):
        _append_then_fail()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["kept"]
    head = AuditHead.objects.get()
    assert head.seq == 1
    nxt = audit_append(actor=None, action="next")
    assert nxt.seq == 2  # the number of the lost event is reused: the chain stays gapless
    assert nxt.prev_hash == AuditEvent.objects.get(seq=1).hash


@pytest.mark.django_db
def test_event_fields_and_digests() -> None:
    """R16.2: an event records actor, agency, object and digests of the before/after state."""
    event = audit_append(actor=None, action="agency.update", object_type="agency",
                         object_id=7, agency_code="000.00.01.H99", before={"a": 1},
                         after={"a": 2}, data={"lý do": "đổi tên"})
    event.refresh_from_db()
    assert (event.object_type, event.object_id, event.agency_code) == (
        "agency", "7", "000.00.01.H99")
    assert event.before_digest != event.after_digest
    assert len(event.before_digest) == 64
    assert event.data == '{"lý do":"đổi tên"}'
