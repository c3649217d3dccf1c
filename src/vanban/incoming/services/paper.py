"""Paper documents scanned on arrival, registered in the same incoming register (R10.1).

The scan (one PDF, or page images converted like the registry's upload) is checked by the same
intake rules and stored content-addressed; the document takes the next number of the agency's
one yearly incoming series, shared with electronic deliveries. A classified paper document is
never handled electronically (R3.1, R16.7): the attempt is refused and recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.core.roles import Actor
from vanban.core.text import clean_text as text
from vanban.directory.models import Agency, Unit
from vanban.incoming.models import IncomingDocument, IncomingSource
from vanban.incoming.services.common import (
    OBJECT_TYPE,
    actor_id,
    duplicate_of,
    incoming_register_of,
    next_arrival_number,
    refused,
    require_clerk,
)
from vanban.incoming.services.register import check_recipients
from vanban.registry.models import Classification, Priority
from vanban.registry.services.common import classified_message
from vanban.security.intake import Door, FileGroup, Hold, intake_files
from vanban.storage.services import blob_put


@dataclass(frozen=True)
class PaperInput:
    """What the clerk reads off the paper (Decree 30 incoming-register columns)."""

    subject: str
    issuer: Agency | None = None
    issuer_name: str = ""
    code_number: str = ""
    code_notation: str = ""
    issued_date: date | None = None
    type_name: str = ""
    priority: str = Priority.NORMAL
    classification: str = Classification.NORMAL
    due_date: date | None = None
    recipient_unit: Unit | None = None
    recipient_user: Actor | None = None
    note: str = ""


def _cleaned(agency: Agency, paper: PaperInput) -> dict[str, object]:
    issuer_name = text(paper.issuer_name or (paper.issuer.name if paper.issuer else ""), 200,
                       "cơ quan ban hành", "issuing agency", required=True)
    if paper.priority not in Priority.values:
        raise ValidationFailed(f"Độ khẩn “{paper.priority}” không hợp lệ.",
                               f"Invalid priority “{paper.priority}”.", code="bad_choice")
    check_recipients(agency.pk, paper.recipient_unit, paper.recipient_user)
    return {
        "issuer": paper.issuer, "issuer_name": issuer_name,
        "code_number": text(paper.code_number, 20, "số văn bản", "document number"),
        "code_notation": text(paper.code_notation, 50, "ký hiệu", "notation"),
        "issued_date": paper.issued_date,
        "type_name": text(paper.type_name, 100, "tên loại văn bản", "document type"),
        "subject": text(paper.subject, 500, "trích yếu", "subject", required=True),
        "priority": paper.priority, "due_date": paper.due_date,
        "recipient_unit": paper.recipient_unit,
        "recipient_user_id": actor_id(paper.recipient_user),
        "note": text(paper.note, 500, "ghi chú", "note"),
    }


PAPER_RELEASE = "vanban.incoming.services.paper:incoming_register_paper_release"
_DATES = ("issued_date", "due_date")


def _held(agency: Agency, paper: PaperInput) -> dict[str, Any]:
    """The registration's inputs as JSON, to finish it after the quarantine."""
    return {"agency": agency.pk, "issuer": paper.issuer.pk if paper.issuer else None,
            "issuer_name": paper.issuer_name, "code_number": paper.code_number,
            "code_notation": paper.code_notation, "type_name": paper.type_name,
            "priority": paper.priority, "classification": paper.classification,
            "subject": paper.subject, "note": paper.note,
            "recipient_unit": paper.recipient_unit.pk if paper.recipient_unit else None,
            "recipient_user": actor_id(paper.recipient_user),
            **{name: getattr(paper, name).isoformat() if getattr(paper, name) else None
               for name in _DATES}}


def incoming_register_paper_release(*, actor: Actor | None, parts: Sequence[bytes],
                                    data: dict[str, Any]) -> dict[str, Any]:
    """Finish a paper registration held in quarantine: the same
    :func:`incoming_register_paper` call, its scan now found clean (``vanban security
    rescan``)."""
    from django.contrib.auth import get_user_model

    values = dict(data)
    agency = Agency.objects.get(pk=values.pop("agency"))
    issuer = values.pop("issuer")
    unit = values.pop("recipient_unit")
    user = values.pop("recipient_user")
    for name in _DATES:
        values[name] = date.fromisoformat(values[name]) if values[name] else None
    entry = incoming_register_paper(
        actor=actor, data=list(parts), agency=agency,
        issuer=Agency.objects.get(pk=issuer) if issuer else None,
        recipient_unit=Unit.objects.get(pk=unit) if unit else None,
        recipient_user=get_user_model().objects.get(pk=user) if user else None, **values)
    return {"incoming": entry.pk, "arrival_number": entry.arrival_number,
            "sha256": entry.file_sha256}


def incoming_register_paper(
        *, actor: Actor | None, data: bytes | Sequence[bytes], subject: str,
        agency: Agency | None = None, issuer: Agency | None = None, issuer_name: str = "",
        code_number: str = "", code_notation: str = "", issued_date: date | None = None,
        type_name: str = "", priority: str = Priority.NORMAL,
        classification: str = Classification.NORMAL, due_date: date | None = None,
        recipient_unit: Unit | None = None, recipient_user: Actor | None = None,
        note: str = "") -> IncomingDocument:
    """R10.1: register a scanned paper document with the next arrival number (clerk only).

    ``data`` is one PDF or the page images; ``agency`` defaults to the clerk's own.
    """
    paper = PaperInput(subject=subject, issuer=issuer, issuer_name=issuer_name,
                       code_number=code_number, code_notation=code_notation,
                       issued_date=issued_date, type_name=type_name, priority=priority,
                       classification=classification, due_date=due_date,
                       recipient_unit=recipient_unit, recipient_user=recipient_user, note=note)
    if agency is None:
        if actor is None or actor.agency_id is None:
            raise ValidationFailed("Chưa rõ cơ quan nhận.", "The receiving agency is not given.",
                                   code="missing_agency")
        agency = Agency.objects.get(pk=actor.agency_id)
    action = "incoming.register_paper"
    require_clerk(actor, action, agency, object_type=OBJECT_TYPE, object_id="")
    if paper.classification not in Classification.values:
        raise ValidationFailed(f"Độ mật “{paper.classification}” không hợp lệ.",
                               f"Invalid classification “{paper.classification}”.",
                               code="bad_choice")
    if paper.classification != Classification.NORMAL:
        raise refused(actor, action, classified_message(paper.classification),
                      object_type=OBJECT_TYPE, object_id="", agency=agency,
                      classification=paper.classification)
    fields = _cleaned(agency, paper)
    parts = [data] if isinstance(data, bytes) else list(data)
    # R16.1: the same intake as every door; while the scanner is down the scan waits in
    # quarantine and incoming_register_paper_release finishes this very call later.
    accepted = intake_files(
        door=Door.PAPER, actor=actor, agency_code=agency.code,
        groups=[FileGroup(parts=parts, what_vi="văn bản đến", what_en="incoming document")],
        hold=Hold(action=PAPER_RELEASE, data=_held(agency, paper)))
    pdf, info = accepted[0].data, accepted[0].info
    blob = blob_put(data=pdf, content_type="application/pdf")
    with transaction.atomic():
        now = clock.now()
        today = clock.local_now().date()
        register = incoming_register_of(agency, today.year)
        document = IncomingDocument.objects.create(
            agency=agency, register=register, arrival_number=next_arrival_number(register),
            arrival_date=today, received_at=now, source=IncomingSource.PAPER,
            page_amount=info.page_count, file_sha256=blob.sha256,
            duplicate_of=duplicate_of(
                agency=agency, issuer=paper.issuer, issuer_name=str(fields["issuer_name"]),
                code_number=str(fields["code_number"]),
                code_notation=str(fields["code_notation"]), issued_date=paper.issued_date),
            registered_by_id=actor_id(actor), registered_at=now, **fields)
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=document.pk,
                     agency_code=agency.code, data={
                         "arrival_number": document.arrival_number, "year": today.year,
                         "sha256": blob.sha256, "pages": info.page_count,
                         "duplicate_of": document.duplicate_of_id})
        return document
