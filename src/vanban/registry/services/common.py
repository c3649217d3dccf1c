"""Helpers shared by the registry services: permission guards, refusals, audit snapshots."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import translation

from vanban.audit.services import audit_append
from vanban.core.errors import Conflict, DomainError, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor
from vanban.registry import rules
from vanban.registry.models import Classification, Document, DocumentState

OBJECT_TYPE = "registry.document"


def actor_id(actor: Actor | None) -> int | None:
    """The user id of the actor, for "created by" columns (None for the console operator)."""
    return int(str(actor.pk)) if actor is not None and actor.pk is not None else None


def refused(actor: Actor | None, action: str, document: Document, error: DomainError,
            **data: Any) -> DomainError:
    """Audit a refused attempt (committed on its own, outside the action's transaction)."""
    audit_append(actor=actor, action=f"{action}.denied", object_type=OBJECT_TYPE,
                 object_id=document.pk or "", agency_code=document.agency.code,
                 data={**data, "reason": error.code})
    return error


def require_member(actor: Actor | None, action: str, document: Document) -> None:
    """R1.1: another agency's document is "not found"."""
    if not rules.is_member(actor, document.agency_id):
        raise refused(actor, action, document, not_found("văn bản", "Document"))


def require_clerk(actor: Actor | None, action: str, document: Document) -> None:
    """Only the agency's clerk numbers, uploads, signs and issues."""
    require_member(actor, action, document)
    if not rules.is_clerk(actor, document.agency_id):
        raise refused(actor, action, document, forbidden())


def classified_error(document: Document) -> ValidationFailed:
    """R3.1/R16.7: a classified document never goes through the electronic system."""
    return classified_message(document.classification)


def labels(choice: models.Choices) -> tuple[str, str]:
    """A choice's label in Vietnamese and in English, whatever the request's language (errors
    carry both texts)."""
    with translation.override("vi"):
        vi = str(choice.label)
    with translation.override("en"):
        en = str(choice.label)
    return vi, en


def classified_message(classification: str) -> ValidationFailed:
    """The R3.1/R16.7 refusal for a document of this classification (any entry point)."""
    label_vi, label_en = labels(Classification(classification))
    return ValidationFailed(
        f"Văn bản có độ mật “{label_vi}” không được xử lý, gửi hoặc nhận qua hệ thống điện tử "
        "(QĐ 133/2015, Điều 3 khoản 1). Hãy xử lý theo quy định về bảo vệ bí mật nhà nước.",
        f"A document classified “{label_en}” may not be handled, sent or "
        "received electronically (Decision 133/2015, Art. 3.1); follow the state-secret "
        "rules on paper.",
        code="classified")


def refuse_classified(actor: Actor | None, action: str, document: Document) -> None:
    """Refuse (and audit) any electronic handling of a classified document."""
    if document.classified:
        raise refused(actor, action, document, classified_error(document),
                      classification=document.classification)


def require_state(document: Document, *states: DocumentState) -> None:
    """The document must be in one of ``states``."""
    if document.state not in states:
        current_vi, current_en = labels(DocumentState(document.state))
        raise Conflict(
            f"Thao tác không thực hiện được khi văn bản ở trạng thái “{current_vi}”.",
            f"Not possible while the document is “{current_en}”.",
            code="wrong_state", state=document.state)


def locked(document: Document) -> Document:
    """Re-read the document with a row lock, for a state change."""
    # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the join to the unit.
    return Document.objects.select_for_update(of=("self",)).select_related("agency", "unit").get(
        pk=document.pk)


def document_state(document: Document) -> dict[str, Any]:
    """The audited state of a document."""
    return {
        "agency": document.agency.code, "state": document.state, "type": document.type_code,
        "legal_normative": document.legal_normative, "subject": document.subject,
        "classification": document.classification, "priority": document.priority,
        "number": document.number_text, "register": document.register_id,
        "issued_date": document.issued_date.isoformat() if document.issued_date else None,
        "signer": [document.competence, document.position, document.full_name],
        "recipients": [[r.agency.code if r.agency else "", r.name, r.role]
                       for r in document.recipients.select_related("agency")],
    }
