"""Judging a quarantined message again ("xét lại", R4.1): after the province added the missing
DKIM key or registered the sender's mailbox, the clerk (from the quarantine page) or the
operator (``vanban mail rejudge``) has the gateway judge the kept raw message once more.

If it now passes it is filed exactly as the gateway would have filed it, under the same
idempotency key (mailbox, Message-ID, body hash), so it is filed once however often it is
re-judged, and its row becomes ``filed``. Either way the row records the re-judging (when, by
whom, the outcome and the reasons found then) and the audit log has it.

The filing takes seconds (malware scan, signature check) and must not hold the row lock, yet a
"Từ chối" meanwhile would leave the message both filed and rejected. So the row is first
claimed under its lock (an entry with outcome ``rejudging`` in its history), then filed, then
the claim is replaced by the outcome; :func:`being_rejudged` makes a rejection wait its turn.
A claim older than :data:`CLAIM_STALE` is a crashed run's and no longer holds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
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
from vanban.mailgate.services import ports
from vanban.mailgate.services.receive import (
    Filed,
    Run,
    UnknownMailbox,
    attachment_rows,
    file_judged,
    judge,
    receiving_agency,
)
from vanban.storage.selectors import blob_read

ACTION = "mailgate.rejudge"
CLAIM = "rejudging"
CLAIM_STALE = timedelta(minutes=15)


def _refused(actor: Actor | None, message: MailMessage, vi: str, en: str, code: str
             ) -> DomainError:
    return audit_refusal(actor=actor, error=Conflict(vi, en, code=code), action=ACTION,
                         object_type=policy.OBJECT_TYPE, object_id=message.uid,
                         agency_code=message.agency.code)


def _not_waiting(actor: Actor | None, message: MailMessage) -> DomainError:
    return _refused(actor, message,
                    "Thư này không còn trong danh sách chờ xử lý nên không xét lại được.",
                    "This message is no longer waiting in quarantine and cannot be judged again.",
                    "not_quarantined")


def being_rejudged(message: MailMessage) -> bool:
    """Whether a re-judging of ``message`` is under way (its claim is the last entry, fresh)."""
    last = message.rejudged[-1] if message.rejudged else None
    if not last or last.get("outcome") != CLAIM:
        return False
    return clock.now() - datetime.fromisoformat(str(last["at"])) < CLAIM_STALE


def _recipient_run(actor: Actor | None, message: MailMessage) -> Run:
    """The run judging ``message`` as it arrived: for the agency it was kept for and at the
    time it was received; refused when the mailbox now belongs to no agency or another one."""
    try:
        recipient = receiving_agency(message.mailbox)
    except UnknownMailbox:
        recipient = None
    if recipient is None or recipient.pk != message.agency_id:
        raise _refused(actor, message,
                       "Hộp thư nhận thư này nay không còn là của cơ quan đã nhận thư nên không "
                       "xét lại được.",
                       "The mailbox that received this message no longer belongs to the agency "
                       "it was kept for; it cannot be judged again.", "mailbox_moved")
    return Run(recipient=recipient, now=message.received_at)


def _claim(actor: Actor | None, message: MailMessage) -> dict[str, Any] | None:
    """Mark the row as being re-judged, under its lock; ``None`` when it was filed meanwhile."""
    with transaction.atomic():
        row = MailMessage.objects.select_for_update().select_related("agency").get(
            pk=message.pk)
        if row.state == MailState.FILED:
            return None
        if row.state != MailState.QUARANTINED:
            raise _not_waiting(actor, row)
        if being_rejudged(row):
            raise _refused(actor, row, "Thư này đang được xét lại; hãy chờ kết quả.",
                           "This message is being judged again; wait for the outcome.",
                           "rejudging")
        claim = {"at": clock.now().isoformat(), "outcome": CLAIM,
                 "by": getattr(actor, "username", "") or "console"}
        row.rejudged = [*row.rejudged, claim]
        row.save(update_fields=["rejudged"])
        return claim


def _release(message: MailMessage, claim: dict[str, Any]) -> None:
    """Take the claim back (the filing failed and nothing was recorded)."""
    with transaction.atomic():
        row = MailMessage.objects.select_for_update().get(pk=message.pk)
        row.rejudged = [r for r in row.rejudged if r != claim]
        row.save(update_fields=["rejudged"])


def quarantine_rejudge(*, actor: Actor | None, message: MailMessage) -> MailMessage:
    """Judge a quarantined ``message`` again with today's key table, directory and intake;
    file it when it passes; a DSN kept (its handling failed) goes to the DSN handler instead.
    Returns the row as it is now (``state`` says the outcome)."""
    message = policy.message_allowed(actor, message, action=ACTION)
    if message.state != MailState.QUARANTINED:
        raise _not_waiting(actor, message)
    run = _recipient_run(actor, message)
    claim = _claim(actor, message)
    if claim is None:  # filed meanwhile by a concurrent re-judging
        return MailMessage.objects.select_related("agency").get(pk=message.pk)
    try:
        raw = blob_read(message.raw_sha256)
        oversize = len(raw) > max_message_bytes(run.limit)
        mail = parse_message(raw, headers_only=oversize)
        dsn = mail.dsn and not oversize
        if oversize:
            reasons, judged = too_large(mail, max_attachment_bytes=run.limit), None
        elif dsn:
            # A DSN kept because its handling failed (internal_error) is never a document:
            # handed to the DSN handler as a pass does, and recorded as a DSN.
            ports.dsn_handle(raw, mailbox=message.mailbox.lower())
            reasons, judged = [], None
        else:
            # The message's own Message-ID when it reads now: a row kept under a stand-in
            # key (its reading failed then) must file under the key a resent copy filed
            # under, so the arrival port finds that copy instead of storing a second one.
            judged = judge(raw, mail, mail.message_id or message.message_id, run)
            reasons = judged.reasons
        filed = file_judged(raw, judged, run) if judged is not None and not reasons else reasons
    except BaseException:
        _release(message, claim)
        raise
    with transaction.atomic():
        row = MailMessage.objects.select_for_update().select_related("agency").get(
            pk=message.pk)
        outcome = MailState.DSN if dsn else MailState.FILED if isinstance(filed, Filed) \
            else MailState.QUARANTINED
        entry: dict[str, Any] = {
            "at": clock.now().isoformat(), "by": claim["by"], "outcome": outcome.value,
            "codes": [] if isinstance(filed, Filed) else [r.code for r in filed]}
        row.rejudged = [*(r for r in row.rejudged if r != claim), entry]
        fields = ["rejudged"]
        if judged is not None:
            row.sender = judged.sender
            row.dkim = (judged.dkim.evidence if judged.dkim else "")[:300]
            row.attachments = attachment_rows(mail)
            fields += ["sender", "dkim", "attachments"]
        if dsn:  # as a pass keeps a DSN: no reasons
            row.state = MailState.DSN
            row.reasons = []
            fields += ["state", "reasons"]
        elif isinstance(filed, Filed):
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
