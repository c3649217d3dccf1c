"""Documents and numbering: drafting, registration, cancel, permissions (R1.1, R3, Decree 30)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit
from vanban.registry import selectors, services
from vanban.registry.models import Document, DocumentState

pytestmark = pytest.mark.django_db


def _new(actor: Any, agency: Agency, **kw: Any) -> Document:
    values: dict[str, Any] = {"type_code": "quyet_dinh", "subject": "Về việc thử"} | kw
    return services.document_create(actor=actor, agency=agency, **values)


def test_specialist_drafts_but_only_clerk_registers(specialist: Any, clerk: Any,
                                                    sender: Agency) -> None:
    """Decree 30 Art. 15: the clerk numbers; a specialist's attempt is refused and audited."""
    document = _new(specialist, sender)
    assert document.state == DocumentState.DRAFT
    with pytest.raises(Forbidden):
        services.document_register(actor=specialist, document=document)
    assert AuditEvent.objects.filter(action="registry.document_register.denied").count() == 1
    registered = services.document_register(actor=clerk, document=document)
    assert registered.code_number == 1
    assert registered.number_text == "01/QĐ-SNV"
    assert registered.issued_date == clock.local_now().date()
    assert AuditEvent.objects.filter(action="registry.document_register",
                                     object_id=str(document.pk)).exists()


def test_numbers_follow_one_series_for_administrative_documents(
        clerk: Any, sender: Agency, unit_vx: Unit) -> None:
    """Decree 30: one administrative series; công văn notation is agency + drafting unit."""
    first = services.document_register(actor=clerk, document=_new(clerk, sender))
    cv = services.document_register(
        actor=clerk, document=_new(clerk, sender, type_code="cong_van", unit=unit_vx))
    tb = services.document_register(actor=clerk, document=_new(clerk, sender,
                                                               type_code="thong_bao"))
    assert [first.number_text, cv.number_text, tb.number_text] == [
        "01/QĐ-SNV", "02/SNV-VX", "03/TB-SNV"]
    assert first.register_id == cv.register_id == tb.register_id


def test_legal_normative_documents_have_their_own_series(clerk: Any, province: Agency,
                                                         make_user: Any) -> None:
    """Decree 30 Art. 15.2: each legal normative type counts separately, with the year."""
    ubnd_clerk = make_user(province, roles=[Role.CLERK])
    admin = services.document_register(actor=ubnd_clerk, document=_new(ubnd_clerk, province))
    legal = services.document_register(
        actor=ubnd_clerk, document=_new(ubnd_clerk, province, legal_normative=True))
    year = clock.local_now().year
    assert admin.number_text == "01/QĐ-UBND"
    assert legal.number_text == f"01/{year}/QĐ-UBND"
    assert admin.register_id != legal.register_id
    with pytest.raises(ValidationFailed):
        _new(ubnd_clerk, province, type_code="bao_cao", legal_normative=True)


def test_numbers_restart_on_first_january_in_vietnam(clerk: Any, sender: Agency) -> None:
    """Decree 30 Art. 15.1: numbers start at 01 on 1 January (Asia/Ho_Chi_Minh)."""
    with clock.frozen(datetime.fromisoformat("2026-12-31T23:59:00+07:00")):
        last = services.document_register(actor=clerk, document=_new(clerk, sender))
        services.document_register(actor=clerk, document=_new(clerk, sender))
    # 00:01 on 1 January in Vietnam is still 31 December in UTC.
    with clock.frozen(datetime.fromisoformat("2027-01-01T00:01:00+07:00")):
        first = services.document_register(actor=clerk, document=_new(clerk, sender))
    assert last.register is not None
    assert first.register is not None
    assert (last.register.year, last.code_number) == (2026, 1)
    assert (first.register.year, first.code_number) == (2027, 1)
    assert str(first.issued_date) == "2027-01-01"


def test_cancelled_document_keeps_its_number(clerk: Any, sender: Agency) -> None:
    """Decree 30: a cancelled document keeps its number, which is never reused."""
    one = services.document_register(actor=clerk, document=_new(clerk, sender))
    cancelled = services.document_cancel(actor=clerk, document=one, reason="Sai thể thức")
    two = services.document_register(actor=clerk, document=_new(clerk, sender))
    assert cancelled.state == DocumentState.CANCELLED
    assert cancelled.code_number == 1
    assert two.code_number == 2
    assert two.register is not None
    register = two.register
    assert [d.code_number for d in selectors.register_entries(register)] == [1, 2]
    with pytest.raises(Conflict):
        services.document_register(actor=clerk, document=cancelled)


def test_registered_document_is_frozen(clerk: Any, draft: Document) -> None:
    """Only a draft changes; a second registration is a conflict, not a second number."""
    services.document_register(actor=clerk, document=draft)
    with pytest.raises(Conflict) as caught:
        services.document_update(actor=clerk, document=draft, type_code="quyet_dinh",
                                 subject="Khác")
    assert "Đã cấp số" in caught.value.vi
    with pytest.raises(Conflict):
        services.document_register(actor=clerk, document=draft)
    assert Document.objects.get(pk=draft.pk).code_number == 1


def test_update_replaces_fields_and_recipients(specialist: Any, sender: Agency,
                                               finance: Agency, commune: Agency) -> None:
    """A draft's fields and recipients are replaced as a whole, and audited."""
    document = _new(specialist, sender, recipients=[services.RecipientInput(agency=finance)])
    services.document_update(
        actor=specialist, document=document, type_code="cong_van", subject="Về việc mới",
        priority="khan", recipients=[services.RecipientInput(agency=commune),
                                     services.RecipientInput(name="Ông Trần Văn B",
                                                             address="Thôn Đông, xã Tân Sỏi")])
    document.refresh_from_db()
    assert (document.type_code, document.subject, document.priority) == (
        "cong_van", "Về việc mới", "khan")
    assert [r.display_name for r in document.recipients.all()] == [
        "UBND xã Đồng Tâm", "Ông Trần Văn B"]
    event = AuditEvent.objects.get(action="registry.document_update")
    assert event.before_digest != event.after_digest


def test_other_agency_sees_nothing(other_clerk: Any, draft: Document) -> None:
    """R1.1: another agency's document is "not found", for reads and writes alike."""
    with pytest.raises(NotFound):
        selectors.document_get(other_clerk, draft.pk)
    with pytest.raises(NotFound):
        services.document_register(actor=other_clerk, document=draft)
    assert not selectors.documents_of(other_clerk).exists()


def test_input_errors_in_both_languages(clerk: Any, sender: Agency) -> None:
    """Bad input is a validation error with Vietnamese and English messages."""
    with pytest.raises(ValidationFailed) as caught:
        _new(clerk, sender, subject="  ")
    assert caught.value.vi.startswith("Thiếu")
    assert "missing" in caught.value.en
    with pytest.raises(ValidationFailed):
        _new(clerk, sender, type_code="thu_tay")
    with pytest.raises(ValidationFailed):
        _new(clerk, sender, recipients=[services.RecipientInput(name="")])


def test_onestop_officer_cannot_draft(make_user: Any, sender: Agency) -> None:
    """Drafting is for specialists, heads, delegates and clerks; a refusal is audited."""
    onestop = make_user(sender, roles=[Role.ONESTOP])
    with pytest.raises(Forbidden):
        _new(onestop, sender)
    assert AuditEvent.objects.filter(action="registry.document_create.denied").exists()
