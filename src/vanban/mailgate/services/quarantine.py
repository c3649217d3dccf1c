"""The clerk's answer to a refused message: "Từ chối" with a reason, mailed back to the sender
from the clerk mailbox (DKIM-signed) and audited (R4.1)."""

from __future__ import annotations

import logging

from django.db import transaction

from vanban.audit.services import audit_append, audit_refusal
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed
from vanban.core.roles import Actor
from vanban.mailgate import policy
from vanban.mailgate.models import MailMessage, MailState
from vanban.mailgate.services import ports
from vanban.mailgate.services.rejudge import being_rejudged

logger = logging.getLogger(__name__)
ACTION = "mailgate.reject"
MAX_REASON = 1000


def _reason(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValidationFailed("Hãy ghi lý do từ chối.", "Give the reason for the rejection.",
                               code="reason_required")
    if len(text) > MAX_REASON:
        raise ValidationFailed(f"Lý do từ chối dài quá {MAX_REASON} ký tự.",
                               f"The reason is longer than {MAX_REASON} characters.",
                               code="reason_too_long")
    return text


def quarantine_reject(*, actor: Actor | None, message: MailMessage, reason: str) -> MailMessage:
    """Reject a quarantined message: the row says who, when and why, and after the commit the
    sender gets a reply with the reason (the reply's Message-ID or its error is kept)."""
    message = policy.message_allowed(actor, message, action=ACTION)
    text = _reason(reason)
    with transaction.atomic():
        locked = MailMessage.objects.select_for_update().get(pk=message.pk)
        if locked.state != MailState.QUARANTINED:
            raise audit_refusal(actor=actor, error=Conflict(
                "Thư này không còn trong danh sách chờ xử lý.",
                "This message is no longer waiting in quarantine.", code="not_quarantined"),
                action=ACTION, object_type=policy.OBJECT_TYPE, object_id=locked.uid,
                agency_code=locked.agency.code)
        if being_rejudged(locked):  # its filing is under way: it may be filed in a moment
            raise audit_refusal(actor=actor, error=Conflict(
                "Thư này đang được xét lại; hãy chờ kết quả rồi mới từ chối.",
                "This message is being judged again; wait for the outcome before rejecting it.",
                code="rejudging"), action=ACTION, object_type=policy.OBJECT_TYPE,
                object_id=locked.uid, agency_code=locked.agency.code)
        locked.state = MailState.REJECTED
        locked.rejected_at = clock.now()
        locked.rejected_by_id = int(str(actor.pk)) if actor is not None else None
        locked.reject_reason = text
        locked.save(update_fields=["state", "rejected_at", "rejected_by", "reject_reason"])
        audit_append(actor=actor, action=ACTION, object_type=policy.OBJECT_TYPE,
                     object_id=locked.uid, agency_code=locked.agency.code,
                     data={"message_id": locked.message_id, "from": locked.from_address,
                           "reason": text, "codes": [r.get("code") for r in locked.reasons]})
        transaction.on_commit(lambda: _reply(locked.pk))
    return locked


def _reply(pk: int) -> None:
    """Mail the rejection to the sender; a failure is kept on the row, never raised (the
    rejection stands)."""
    message = MailMessage.objects.select_related("agency").get(pk=pk)
    if not message.from_address:
        MailMessage.objects.filter(pk=pk).update(reply_error="no sender address")
        return
    try:
        sent = ports.reply_send(message)
    except Exception as err:
        logger.warning("mail gateway: reply to %s failed: %s", message.from_address, err)
        MailMessage.objects.filter(pk=pk).update(reply_error=f"{type(err).__name__}: {err}"[:500])
        return
    MailMessage.objects.filter(pk=pk).update(reply_message_id=sent[:300], reply_error="")
