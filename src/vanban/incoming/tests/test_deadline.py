"""R8.1, R10.1: the register's handling deadline. The sender's date is kept; when the sender
gave none, the lead's deadline fills it, and a re-assignment replaces only a date that came
from a lead."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from vanban.audit.models import AuditEvent
from vanban.incoming import services
from vanban.incoming.models import IncomingDocument
from vanban.incoming.services import progress
from vanban.signatures.tests.conftest import make_pdf

pytestmark = pytest.mark.django_db


def _paper(clerk: Any, due: date | None = None) -> IncomingDocument:
    return services.incoming_register_paper(
        actor=clerk, data=make_pdf(), issuer_name="Bộ Tài chính", code_number="5",
        code_notation="BTC", subject="Về việc lập dự toán", due_date=due, recipient_user=clerk)


def _data(action: str) -> dict[str, Any]:
    return dict(json.loads(AuditEvent.objects.get(action=action).data))


def test_the_leads_deadline_fills_the_register_and_a_reassignment_replaces_it(
        finance_clerk: Any, finance_head: Any) -> None:
    """R8.1: no date from the sender: the lead's fills the register (recorded as such); the
    re-assignment's new lead replaces it, a lead without a deadline clears it."""
    entry = _paper(finance_clerk)
    progress.incoming_mark_assigned(actor=finance_head, document=entry,
                                    due_date=date(2026, 11, 9))
    entry.refresh_from_db()
    assert (entry.due_date, entry.due_date_from_lead) == (date(2026, 11, 9), True)
    assert _data("incoming.assigned")["due_date_filled"] is True
    with transaction.atomic():  # the re-assignment's transaction
        assert progress.incoming_lead_deadline_set(document=entry, due_date=date(2026, 11, 16))
    entry.refresh_from_db()
    assert (entry.due_date, entry.due_date_from_lead) == (date(2026, 11, 16), True)
    with transaction.atomic():
        assert progress.incoming_lead_deadline_set(document=entry, due_date=None)
    entry.refresh_from_db()
    assert (entry.due_date, entry.due_date_from_lead) == (None, False)


def test_the_senders_date_is_never_replaced(finance_clerk: Any, finance_head: Any) -> None:
    """R10.1: the date the sender asked for stays through assignment and re-assignment."""
    entry = _paper(finance_clerk, due=date(2026, 11, 20))
    progress.incoming_mark_assigned(actor=finance_head, document=entry,
                                    due_date=date(2026, 11, 9))
    with transaction.atomic():
        assert not progress.incoming_lead_deadline_set(document=entry,
                                                       due_date=date(2026, 11, 16))
    entry.refresh_from_db()
    assert (entry.due_date, entry.due_date_from_lead) == (date(2026, 11, 20), False)
    assert _data("incoming.assigned")["due_date_filled"] is False
