"""Who may see and act on the quarantine of a clerk mailbox: the clerk of the mailbox's agency
(R13.1: the official mailbox is the clerk's). Another agency's message is not found (R1.1);
anyone else of the agency is refused, and the refusal audited (R16.2)."""

from __future__ import annotations

from django.db.models import QuerySet

from vanban.audit.services import audit_refusal
from vanban.core.errors import forbidden, not_found
from vanban.core.roles import Actor, Role
from vanban.mailgate.models import MailMessage

OBJECT_TYPE = "mailgate.message"


def is_mailbox_clerk(actor: Actor | None, agency_id: int | None) -> bool:
    """The clerk of ``agency_id`` (or the console operator, ``None``)."""
    if actor is None:
        return True
    return agency_id is not None and actor.agency_id == agency_id and actor.has_role(Role.CLERK)


def quarantine_allowed(actor: Actor | None, *, action: str) -> None:
    """The quarantine list is the clerk's; others are refused (audited)."""
    if actor is not None and not is_mailbox_clerk(actor, actor.agency_id):
        raise audit_refusal(actor=actor, error=forbidden(), action=action,
                            object_type=OBJECT_TYPE)


def visible(actor: Actor | None) -> QuerySet[MailMessage]:
    """The messages ``actor`` may see: the agency's, for its clerk; none for anyone else."""
    rows = MailMessage.objects.select_related("agency", "sender", "rejected_by")
    if actor is None:
        return rows
    agency_id = actor.agency_id
    if agency_id is None or not is_mailbox_clerk(actor, agency_id):
        return rows.none()
    return rows.filter(agency_id=agency_id)


def message_allowed(actor: Actor | None, message: MailMessage | None, *,
                    action: str) -> MailMessage:
    """``message`` when the actor is its agency's clerk; another agency's or missing: not
    found; the agency's non-clerk: refused (audited)."""
    if message is None or (actor is not None and message.agency_id != actor.agency_id):
        raise not_found("thư", "Message")
    if not is_mailbox_clerk(actor, message.agency_id):
        raise audit_refusal(actor=actor, error=forbidden(), action=action,
                            object_type=OBJECT_TYPE, object_id=message.uid,
                            agency_code=message.agency.code)
    return message
