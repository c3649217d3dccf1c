"""Judging a quarantined message again ("xét lại", R4.1): after the province added the missing
DKIM key or registered the sender's mailbox, the clerk (from the quarantine page) or the
operator (``vanban mail rejudge``) has the gateway judge the kept raw message once more.

If it now passes it is filed exactly as the gateway would have filed it, under the same
idempotency key (mailbox, Message-ID, body hash), so it is filed once however often it is
re-judged, and its row becomes ``filed``. Either way the row records the re-judging (when, by
whom, the outcome and the reasons found then) and the audit log has it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vanban.audit.services import audit_append, audit_refusal
from vanban.core import clock
from vanban.core.errors import Conflict, DomainError
from vanban.core.roles import Actor
from vanban.mailgate import policy
from vanban.mailgate.core.judge import max_message_bytes, too_large
from vanban.mailgate.core.message import parse_message
from vanban.mailgate.models import MailMessage, MailState
from vanban.mailgate.services.receive import Filed, Run, attachment_rows, file_judged, judge
from vanban.storage.selectors import blob_read

ACTION = "mailgate.rejudge"


def _not_waiting(actor: Actor | None, message: MailMessage) -> DomainError:
    return audit_refusal(actor=actor, error=Conflict(
        "Thư này không còn trong danh sách chờ xử lý nên không xét lại được.",
        "This message is no longer waiting in quarantine and cannot be judged again.",
        code="not_quarantined"), action=ACTION, object_type=policy.OBJECT_TYPE,
        object_id=message.uid, agency_code=message.agency.code)


def quarantine_rejudge(*, actor: Actor | None, message: MailMessage) -> MailMessage:
    """Judge a quarantined ``message`` again with today's key table, directory and intake;
    file it when it passes. Returns the row as it is now (``state`` says the outcome)."""
    message = policy.message_allowed(actor, message, action=ACTION)
    if message.state != MailState.QUARANTINED:
        raise _not_waiting(actor, message)
    raw = blob_read(message.raw_sha256)
    run = Run.of(message.mailbox)
    oversize = len(raw) > max_message_bytes(run.limit)
    mail = parse_message(raw, headers_only=oversize)
    if oversize:
        reasons, judged = too_large(mail, max_attachment_bytes=run.limit), None
    else:
        judged = judge(raw, mail, message.message_id, run)
        reasons = judged.reasons
    filed = file_judged(raw, judged, run) if judged is not None and not reasons else reasons
    with transaction.atomic():
        row = MailMessage.objects.select_for_update().select_related("agency").get(
            pk=message.pk)
        if row.state != MailState.QUARANTINED:  # filed meanwhile by a concurrent re-judging
            return row
        entry: dict[str, Any] = {
            "at": clock.now().isoformat(), "by": getattr(actor, "username", "") or "console",
            "outcome": MailState.FILED.value if isinstance(filed, Filed)
            else MailState.QUARANTINED.value,
            "codes": [] if isinstance(filed, Filed) else [r.code for r in filed]}
        row.rejudged = [*row.rejudged, entry]
        fields = ["rejudged"]
        if judged is not None:
            row.sender = judged.sender
            row.dkim = (judged.dkim.evidence if judged.dkim else "")[:300]
            row.attachments = attachment_rows(mail)
            fields += ["sender", "dkim", "attachments"]
        if isinstance(filed, Filed):
            row.state = MailState.FILED
            row.verification_id = filed.verification_id
            row.transmission_id = filed.transmission_id
            fields += ["state", "verification", "transmission"]
        else:
            row.reasons = [r.as_dict() for r in filed]
            fields.append("reasons")
        row.save(update_fields=fields)
        audit_append(actor=actor, action=ACTION, object_type=policy.OBJECT_TYPE,
                     object_id=row.uid, agency_code=row.agency.code,
                     data={"message_id": row.message_id[:300], "from": row.from_address,
                           **entry})
    return row
