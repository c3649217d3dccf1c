"""Registration called outside any transaction, as views and the API call it (ADR 0006): on
PostgreSQL one autocommit call of the registration function. The number, the document and the
chained audit event must be exactly what the locked path gives, and a document changed since
the caller read it must be registered as it is now (Decree 30 Art. 15, R14.3)."""

from __future__ import annotations

from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_verify
from vanban.core.errors import Conflict
from vanban.directory.models import Agency, Unit
from vanban.registry import services
from vanban.registry.models import Document, DocumentState

pytestmark = pytest.mark.django_db(transaction=True)


def _new(actor: Any, agency: Agency, **kw: Any) -> Document:
    values: dict[str, Any] = {"type_code": "quyet_dinh", "subject": "Về việc thử"} | kw
    return services.document_create(actor=actor, agency=agency, **values)


def test_numbers_and_events_outside_a_transaction(clerk: Any, sender: Agency) -> None:
    """Numbers 01, 02, … in order; each event carries its number and register; the chain
    (hashes built by the database on PostgreSQL) verifies."""
    documents = [_new(clerk, sender) for _ in range(3)]
    registered = [services.document_register(actor=clerk, document=d) for d in documents]
    assert [d.code_number for d in registered] == [1, 2, 3]
    for document in registered:
        stored = Document.objects.get(pk=document.pk)
        assert stored.state == DocumentState.REGISTERED
        assert stored.code_number == document.code_number
        assert stored.number_text == document.number_text
        event = AuditEvent.objects.get(action="registry.document_register",
                                       object_id=str(document.pk))
        assert f'"number":"{stored.number_text}"' in event.data
        assert f'"register":{stored.register_id},' in event.data
    legal = services.document_register(
        actor=clerk, document=_new(clerk, sender, legal_normative=True))
    assert legal.issued_date is not None
    assert legal.number_text.startswith(f"01/{legal.issued_date.year}/QĐ-")
    assert audit_verify(actor=None).ok


def test_stale_document_is_registered_as_it_is_now(clerk: Any, sender: Agency,
                                                   unit_vx: Unit) -> None:
    """The caller's copy is older than the stored draft: the stored one is numbered."""
    stale = _new(clerk, sender, type_code="cong_van")
    current = Document.objects.get(pk=stale.pk)
    services.document_update(actor=clerk, document=current, type_code="cong_van",
                             subject="Về việc thử", unit=unit_vx)
    registered = services.document_register(actor=clerk, document=stale)
    assert registered.number_text == "01/SNV-VX"
    assert Document.objects.get(pk=stale.pk).number_text == "01/SNV-VX"
    assert audit_verify(actor=None).ok


def test_already_registered_copy_is_refused(clerk: Any, sender: Agency) -> None:
    """A second registration of the same draft (an old copy) is a conflict, no second number."""
    document = _new(clerk, sender)
    copy = Document.objects.get(pk=document.pk)
    services.document_register(actor=clerk, document=document)
    with pytest.raises(Conflict):
        services.document_register(actor=clerk, document=copy)
    assert Document.objects.exclude(code_number=None).count() == 1
