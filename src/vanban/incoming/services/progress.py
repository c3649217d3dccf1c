"""Where the work on a registered incoming document stands (R8.1; statuses 04, 05, 06).

The only code that changes an :class:`~vanban.incoming.models.IncomingDocument`'s ``state``,
``completed_at``, ``reply_document`` and ``due_date`` after registration. The workflow app calls
it once it has checked who may act; for a document that came through the hub the matching
status goes back to the sender (``delivery_status_set``) in the same transaction.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed
from vanban.core.roles import Actor
from vanban.exchange.core import states
from vanban.exchange.models import Delivery
from vanban.exchange.services import delivery_status_set
from vanban.incoming.models import IncomingDocument, IncomingState
from vanban.registry.models import Document, DocumentState

OBJECT_TYPE = "incoming.document"


def _locked(document: IncomingDocument) -> IncomingDocument:
    return (IncomingDocument.objects.select_for_update(of=("self",))
            .select_related("agency", "delivery").get(pk=document.pk))


def _send_status(actor: Actor | None, document: IncomingDocument, code: states.Code) -> bool:
    """Tell the sender (hub documents only), when the delivery's state allows the code (a
    delivery withdrawn by a recall, or already past it, is left as it is)."""
    if document.delivery_id is None:
        return False
    delivery = Delivery.objects.get(pk=document.delivery_id)
    try:
        states.apply(states.State(delivery.state), code,
                     before_recall=states.State(delivery.before_recall)
                     if delivery.before_recall else None)
    except (states.InvalidTransition, ValueError):
        return False
    delivery_status_set(actor=actor, delivery=delivery, code=str(code))
    return True


def _finish(actor: Actor | None, document: IncomingDocument, *, action: str, before: str,
            fields: list[str], code: states.Code, data: dict[str, object]) -> IncomingDocument:
    document.save(update_fields=fields)
    sent = _send_status(actor, document, code)
    audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=document.pk,
                 agency_code=document.agency.code, before={"state": before},
                 after={"state": document.state},
                 data={**data, "status_code": str(code) if sent else None})
    return document


def incoming_mark_assigned(*, actor: Actor | None, document: IncomingDocument,
                           due_date: date | None = None) -> IncomingDocument:
    """04: the head or a delegate assigned it. ``due_date`` (the lead's deadline) fills the
    register's handling deadline when the sender gave none."""
    with transaction.atomic():
        document = _locked(document)
        if document.state == IncomingState.COMPLETED:
            raise Conflict("Văn bản đã hoàn thành xử lý.", "The document is already completed.",
                           code="completed")
        before = document.state
        fields = []
        if document.state == IncomingState.REGISTERED:
            document.state = IncomingState.ASSIGNED
            fields.append("state")
        filled = _lead_deadline(document, due_date, fields) if due_date is not None else False
        return _finish(actor, document, action="incoming.assigned", before=before,
                       fields=fields, code=states.Code.ASSIGNED,
                       data={"due_date": due_date.isoformat() if due_date else None,
                             "due_date_filled": filled})


def _lead_deadline(document: IncomingDocument, due_date: date | None,
                   fields: list[str]) -> bool:
    """Put the lead's deadline in the register when the sender gave none (or when it came from
    an earlier lead); the sender's date stays. Returns whether the register's date changed."""
    if document.due_date is not None and not document.due_date_from_lead:
        return False
    if (document.due_date, document.due_date_from_lead) == (due_date, due_date is not None):
        return False
    document.due_date = due_date
    document.due_date_from_lead = due_date is not None
    fields += ["due_date", "due_date_from_lead"]
    return True


def incoming_lead_deadline_set(*, document: IncomingDocument, due_date: date | None) -> bool:
    """R8.1: after a re-assignment the register shows the new lead's deadline, if the earlier
    one had been filled from a lead; the sender's date is never replaced. Runs in the
    re-assignment's transaction, whose audit event records the returned "replaced or not"; no
    status is sent (the document stays assigned)."""
    document = _locked(document)
    fields: list[str] = []
    if not _lead_deadline(document, due_date, fields):
        return False
    document.save(update_fields=fields)
    return True


def incoming_mark_processing(*, actor: Actor | None,
                             document: IncomingDocument) -> IncomingDocument:
    """05: the lead started (or wrote its first opinion). Only once: later calls change
    nothing."""
    with transaction.atomic():
        document = _locked(document)
        if document.state != IncomingState.ASSIGNED:
            return document
        before = document.state
        document.state = IncomingState.PROCESSING
        return _finish(actor, document, action="incoming.processing", before=before,
                       fields=["state"], code=states.Code.PROCESSING, data={})


def incoming_mark_completed(*, actor: Actor | None, document: IncomingDocument,
                            reply_document: Document | None = None) -> IncomingDocument:
    """06: the lead (or the head) finished; ``reply_document`` is the agency's outgoing answer,
    if there is one (a registered document of the same agency)."""
    with transaction.atomic():
        document = _locked(document)
        if document.state == IncomingState.COMPLETED:
            raise Conflict("Văn bản đã hoàn thành xử lý.", "The document is already completed.",
                           code="completed")
        if document.state == IncomingState.REGISTERED:
            raise Conflict("Văn bản chưa được phân công.", "The document is not assigned yet.",
                           code="not_assigned")
        if reply_document is not None and (
                reply_document.agency_id != document.agency_id
                or reply_document.state in (DocumentState.DRAFT, DocumentState.CANCELLED)):
            raise ValidationFailed(
                "Văn bản trả lời phải là văn bản đi đã cấp số của cơ quan.",
                "The reply must be a numbered outgoing document of the agency.",
                code="bad_reply")
        before = document.state
        document.state = IncomingState.COMPLETED
        document.completed_at = clock.now()
        document.reply_document = reply_document
        return _finish(actor, document, action="incoming.completed", before=before,
                       fields=["state", "completed_at", "reply_document"],
                       code=states.Code.COMPLETED,
                       data={"reply_document": reply_document.pk if reply_document else None})
