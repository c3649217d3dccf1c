"""Reads of the mail gateway's pages: the quarantine list and one message."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from vanban.core.roles import Actor
from vanban.mailgate import policy
from vanban.mailgate.models import MailMessage, MailState


def quarantine_list(actor: Actor | None) -> QuerySet[MailMessage]:
    """Refused messages of the actor's agency, newest first: those waiting for the clerk,
    then those already rejected."""
    policy.quarantine_allowed(actor, action="mailgate.quarantine_view")
    return policy.visible(actor).filter(
        state__in=(MailState.QUARANTINED, MailState.REJECTED)).order_by("state", "-received_at")


def message_get(actor: Actor | None, uid: str) -> MailMessage:
    """One message of the actor's agency (the quarantine detail page)."""
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        key = None
    found = MailMessage.objects.select_related("agency", "sender", "rejected_by").filter(
        uid=key).first() if key else None
    return policy.message_allowed(actor, found, action="mailgate.message_view")
