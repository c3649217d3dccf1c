"""Directions and opinions (R14.2): attributed, timestamped, append-only, audited.

The row and its audit event (carrying the text's SHA-256 and the row's digest) are written in
one transaction; the table refuses UPDATE and DELETE, and ``vanban audit verify`` compares every
row with its event (docs/adr/0008). A correction is a new opinion pointing at the old one.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction

from vanban.audit.services import audit_append, audit_refusal
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor
from vanban.incoming.models import IncomingDocument, IncomingState
from vanban.workflow import rules, selectors
from vanban.workflow.integrity import ACTION, opinion_digest
from vanban.workflow.models import Opinion, OpinionKind

OBJECT_TYPE = "workflow.opinion"
MAX_LENGTH = 5000


def _clean(text: str) -> str:
    cleaned = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if not cleaned:
        raise ValidationFailed("Chưa nhập nội dung ý kiến.", "The opinion is empty.",
                               code="missing_text")
    if len(cleaned) > MAX_LENGTH:
        raise ValidationFailed(f"Ý kiến dài tối đa {MAX_LENGTH} ký tự.",
                               f"An opinion has at most {MAX_LENGTH} characters.",
                               code="too_long")
    return cleaned


def _kind(actor: Actor | None, document: IncomingDocument, kind: str | None) -> str:
    if kind is None:
        return (OpinionKind.DIRECTION if rules.is_director(actor, document.agency_id)
                else OpinionKind.OPINION)
    if kind not in OpinionKind.values:
        raise ValidationFailed("Loại ý kiến không hợp lệ.", "Unknown kind of opinion.",
                               code="bad_kind")
    if kind == OpinionKind.DIRECTION and not rules.is_director(actor, document.agency_id):
        raise ValidationFailed("Chỉ thủ trưởng hoặc người được ủy quyền ghi ý kiến chỉ đạo.",
                               "Only the head or a delegate writes directions.",
                               code="not_director")
    return kind


def opinion_append(*, actor: Actor, document: IncomingDocument, text: str, kind: str,
                   corrects: Opinion | None = None) -> Opinion:
    """Write the row and its audit event; the caller holds the transaction and has checked."""
    author_name = str(actor)
    opinion = Opinion.objects.create(
        incoming=document, author_id=rules.actor_pk(actor), author_name=author_name[:150],
        at=clock.now(),
        kind=kind, text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        corrects=corrects)
    row_sha256 = opinion_digest(pk=opinion.pk, incoming_id=document.pk,
                                author_id=int(str(actor.pk)), author_name=opinion.author_name,
                                at=opinion.at, kind=kind, text=text,
                                corrects_id=corrects.pk if corrects else None)
    audit_append(actor=actor, action=ACTION, object_type=OBJECT_TYPE, object_id=opinion.pk,
                 agency_code=document.agency.code,
                 data={"opinion_id": opinion.pk, "incoming_id": document.pk, "kind": kind,
                       "text_sha256": opinion.text_sha256, "row_sha256": row_sha256,
                       "corrects": corrects.pk if corrects else None})
    return opinion


def opinion_write(*, actor: Actor, document: IncomingDocument, text: str,
                  kind: str | None = None, corrects: Opinion | None = None) -> Opinion:
    """Write a direction, an opinion or a proposal on a document the actor may see.

    ``corrects``: the actor's own earlier opinion on the same document, not yet corrected. The
    lead's first opinion also means the lead started (status 05).
    """
    action = "workflow.opinion_write"
    if selectors.incoming_visible(actor).filter(pk=document.pk).first() is None:
        raise audit_refusal(actor=actor, error=not_found("văn bản đến", "Incoming document"),
                            action=action, object_type="incoming.document",
                            object_id=document.pk)
    text = _clean(text)
    chosen = _kind(actor, document, kind)
    if corrects is not None:
        if corrects.incoming_id != document.pk:
            raise not_found("ý kiến", "Opinion")
        if str(corrects.author_id) != str(actor.pk):
            raise audit_refusal(actor=actor, error=forbidden(), action=action,
                                object_type=OBJECT_TYPE, object_id=corrects.pk,
                                agency_code=document.agency.code)
    from vanban.workflow.services.assignments import note_lead_activity

    try:
        with transaction.atomic():
            if corrects is not None and Opinion.objects.filter(corrects=corrects).exists():
                raise _already_corrected()
            opinion = opinion_append(actor=actor, document=document, text=text, kind=chosen,
                                     corrects=corrects)
            if document.state != IncomingState.COMPLETED:
                note_lead_activity(actor=actor, document=document)
    except IntegrityError:  # two corrections of one opinion at once: one wins
        raise _already_corrected() from None
    return opinion


def _already_corrected() -> Conflict:
    return Conflict("Ý kiến này đã được đính chính; hãy đính chính bản mới nhất.",
                    "This opinion was already corrected; correct the latest one.",
                    code="already_corrected")
