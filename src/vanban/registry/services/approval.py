"""Draft approval before signing (trình ký): submit, approve, return, the head's notes.

Each step is one transaction: the document row locked, the state rule of ``core/approval.py``
asked, an append-only :class:`~vanban.registry.models.ApprovalStep` written with who and when,
the document's approval state changed, and the audit event (carrying the step's hash, as for
opinions: ADR 0008) appended inside it. A refusal by role is audited on its own as ``.denied``.
"""

from __future__ import annotations

import hashlib

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden
from vanban.core.roles import Actor
from vanban.registry import rules
from vanban.registry.core import approval as flow
from vanban.registry.integrity import step_digest
from vanban.registry.models import ApprovalStep, Document
from vanban.registry.services.common import (
    OBJECT_TYPE,
    actor_id,
    locked,
    refuse_classified,
    refused,
    require_member,
)

NOTE_MAX = 4000
STEP_ACTIONS = {
    flow.Step.SUBMIT: "registry.document_submit",
    flow.Step.APPROVE: "registry.document_approve",
    flow.Step.RETURN: "registry.document_return",
    flow.Step.NOTE: "registry.document_note",
}


def conflict(refusal: flow.Refusal) -> Conflict:
    """The bilingual error of a refused step."""
    return Conflict(refusal.vi, refusal.en, code=refusal.code)


def require_may_number(document: Document) -> None:
    """Numbering and signing wait for the head's decision (and for a returned draft's
    resubmission)."""
    refusal = flow.number_refusal(document.approval)
    if refusal is not None:
        raise conflict(refusal)


def require_may_edit(document: Document) -> None:
    """A draft is not changed while the head decides on it, nor once approved."""
    refusal = flow.edit_refusal(document.approval)
    if refusal is not None:
        raise conflict(refusal)


def require_may_upload(document: Document) -> None:
    """No new file while the head decides on the draft."""
    refusal = flow.upload_refusal(document.approval)
    if refusal is not None:
        raise conflict(refusal)


def _note(note: str) -> str:
    text = (note or "").replace("\r\n", "\n").strip()
    if len(text) > NOTE_MAX:
        raise ValidationFailed(f"Ý kiến dài quá {NOTE_MAX} ký tự.",
                               f"The note is longer than {NOTE_MAX} characters.",
                               code="note_too_long")
    return text


def _record(actor: Actor | None, document: Document, step: flow.Step, note: str,
            before: str) -> ApprovalStep:
    """Write the step and its audit event; the caller holds the transaction and the lock."""
    author_name = str(actor)[:150] if actor is not None else "console"
    row = ApprovalStep.objects.create(
        document=document, kind=step.value, author_id=actor_id(actor), author_name=author_name,
        at=clock.now(), note=note, note_sha256=hashlib.sha256(note.encode()).hexdigest())
    audit_append(actor=actor, action=STEP_ACTIONS[step], object_type=OBJECT_TYPE,
                 object_id=document.pk, agency_code=document.agency.code,
                 before={"approval": before}, after={"approval": document.approval},
                 data={"step_id": row.pk, "kind": step.value, "note_sha256": row.note_sha256,
                       "row_sha256": step_digest(pk=row.pk, document_id=document.pk,
                                                 kind=row.kind, author_id=row.author_id,
                                                 author_name=author_name, at=row.at,
                                                 note=note)})
    return row


def _apply(actor: Actor | None, document: Document, step: flow.Step,
           note: str) -> ApprovalStep:
    with transaction.atomic():
        document = locked(document)
        if step == flow.Step.SUBMIT:
            refusal = flow.submit_refusal(document.state, document.approval)
        elif step == flow.Step.NOTE:
            refusal = (flow.NOT_DRAFT if document.state != flow.DRAFT
                       else None if note else flow.NOTE_REQUIRED)
        else:
            refusal = flow.decide_refusal(document.state, document.approval, step, note)
        if refusal is not None:
            raise conflict(refusal)
        before = document.approval
        document.approval = flow.after(step, before).value
        if document.approval != before:
            document.updated_at = clock.now()
            document.save(update_fields=["approval", "updated_at"])
        return _record(actor, document, step, note, before)


def document_submit(*, actor: Actor | None, document: Document, note: str = "") -> ApprovalStep:
    """A specialist or clerk submits the draft to the head (trình ký), with an optional note."""
    action = STEP_ACTIONS[flow.Step.SUBMIT]
    require_member(actor, action, document)
    if not rules.can_submit(actor, document.agency_id):
        raise refused(actor, action, document, forbidden())
    refuse_classified(actor, action, document)
    return _apply(actor, document, flow.Step.SUBMIT, _note(note))


def _decide(actor: Actor | None, document: Document, step: flow.Step,
            note: str) -> ApprovalStep:
    action = STEP_ACTIONS[step]
    require_member(actor, action, document)
    if not rules.can_approve(actor, document.agency_id):
        raise refused(actor, action, document, forbidden())
    return _apply(actor, document, step, _note(note))


def document_approve(*, actor: Actor | None, document: Document, note: str = "") -> ApprovalStep:
    """The head (or a delegate) approves the draft: the clerk may number and sign it."""
    return _decide(actor, document, flow.Step.APPROVE, note)


def document_return(*, actor: Actor | None, document: Document, note: str) -> ApprovalStep:
    """The head returns the draft with notes (required): revised, it is submitted again."""
    return _decide(actor, document, flow.Step.RETURN, note)


def document_note(*, actor: Actor | None, document: Document, note: str) -> ApprovalStep:
    """The head's note (bút phê) on a draft, without a decision; kept with the document."""
    return _decide(actor, document, flow.Step.NOTE, note)
